import os

from django.apps import AppConfig
from django.conf import settings


class LecturesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "lectures"

    def ready(self):
        from lectures.kind import LECTURE_KIND
        from lectures.staleness import REINGEST_KIND
        from workers import engine

        engine.register(LECTURE_KIND)
        engine.register(REINGEST_KIND)
        if settings.TESTING and os.environ.get("DOCPROF_TEST_LECTURE_LLM"):
            # A worker or web process started by a test or benchmark: the scripted model of test support.
            from lectures.tests.support import install_scripted_llm

            install_scripted_llm(os.environ["DOCPROF_TEST_LECTURE_LLM"])
        if settings.TESTING and os.environ.get("DOCPROF_TEST_SEGMENT_DELAY"):
            # A worker started by the browser journey: the offline writer, each part after the first
            # held back, so that the page can be seen while the lecture is being written.
            from lectures.tests.support import install_segment_delay

            install_segment_delay(float(os.environ["DOCPROF_TEST_SEGMENT_DELAY"]))
