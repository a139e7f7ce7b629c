"""A web process's life, as Django signals: the server's hooks (docprof.gunicorn_conf) send them, and
an app that keeps something per web process connects to them in its AppConfig.ready() (qa starts
and stops its answer processes), so the project package imports no app."""

from django.dispatch import Signal

started = Signal()  # the process is about to serve; sent with `log` (a callable taking a message)
stopping = Signal()  # the process is exiting
