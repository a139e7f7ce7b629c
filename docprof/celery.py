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
    """Background work yields the CPU to the web server (DOCPROF_WORKER_NICE). Runs as the worker
    starts, before its pool: the pool's threads inherit the priority, and the threads already
    running (Linux sets a priority per thread) are lowered too."""
    from django.conf import settings

    if settings.DOCPROF_WORKER_NICE <= 0:
        return
    try:
        value = min(19, os.getpriority(os.PRIO_PROCESS, 0) + settings.DOCPROF_WORKER_NICE)
        tasks = "/proc/self/task"
        for tid in [int(t) for t in os.listdir(tasks)] if os.path.isdir(tasks) else [0]:
            os.setpriority(os.PRIO_PROCESS, tid, value)
    except OSError:  # not permitted here: run at the usual priority
        pass
