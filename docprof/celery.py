import os

from celery import Celery

from docprof import broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "docprof.settings")

broker.install()  # before any connection: a worker must outlive a restart of Redis
app = Celery("docprof")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
