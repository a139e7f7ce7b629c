import os

from celery import Celery
from celery.signals import worker_init
from django.db.backends.signals import connection_created

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
        return
    lower_session_priority(value)
    connection_created.connect(lambda connection, **_: lower_backend_priority(connection, value), weak=False)


def lower_session_priority(value: int, autogroup: str = "/proc/self/autogroup") -> bool:
    """A worker that leads its own session (`make run` and the test stack start each process so)
    lowers that session's scheduling group too. With Linux's autogroup scheduling (on by default
    where processes share the root CPU cgroup, as here and on most desktops and VMs) the CPU is
    shared out between sessions first, and a thread's nice value counts only against the threads
    of its own session: a worker at nice 10 in a session of its own still took a full share from
    the web server (measured: two busy processes in separate sessions, one at nice 10, got 1.6 s
    of CPU each in 4 s; with the session's autogroup nice at 10 too, 1.9 against 0.25 s). A
    worker that shares a session (started by hand from a shell) leaves it alone: that would lower
    whatever else runs in it. In containers the cgroup decides instead (docker-compose.yml's
    cpu_shares) and the file is not there or not writable. Returns whether it was lowered."""
    if os.getsid(0) != os.getpid():
        return False
    try:
        with open(autogroup, "w") as fh:
            fh.write(str(value))
    except OSError:  # no autogroup scheduling here, or not permitted
        return False
    return True


def lower_backend_priority(connection, value: int) -> None:
    """The Postgres backend that runs this worker's queries yields the CPU too, when it runs on this
    machine (the embedded stack): otherwise a worker's searches and writes compete with the web
    server's at full priority however low the worker itself runs."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:  # this machine's process, and Postgres
            if b"postgres" not in fh.read():
                return
        os.setpriority(os.PRIO_PROCESS, pid, value)
    except OSError:  # another machine or container, or not permitted: leave it
        pass
