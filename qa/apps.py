from django.apps import AppConfig


class QaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "qa"

    def ready(self):
        from docprof import web_process
        from qa import answer_pool

        web_process.started.connect(answer_pool.on_web_process_started, dispatch_uid="qa.answer_pool")
        web_process.stopping.connect(answer_pool.on_web_process_stopping, dispatch_uid="qa.answer_pool")
