import os

from celery import Celery
from celery.signals import worker_init

from docprof import broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docprof.settings")

broker.install()  # before any connection: a worker must outlive a restart of Redis
app = Celery("docprof")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def lower_priority(**_) -> None:
    """Background work yields the CPU to the web server (DOCPROF_WORKER_NICE). Runs in the worker's
    main thread before its pool starts: the pool's threads inherit the priority."""
    from django.conf import settings

    if settings.DOCPROF_WORKER_NICE > 0:
        try:
            os.nice(settings.DOCPROF_WORKER_NICE)
        except OSError:  # not permitted here: run at the usual priority
            pass
