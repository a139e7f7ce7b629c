"""A Celery worker lowers its own CPU priority when it starts (DOCPROF_WORKER_NICE), so that the web
server's requests are scheduled before background generation on a shared machine."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

SCRIPT = """
import os, threading
import django
django.setup()
from celery.signals import worker_init
before = os.nice(0)
started, done = threading.Event(), threading.Event()
def earlier_thread():  # a thread that was running before the worker started (Linux: own priority)
    started.set()
    done.wait()
threading.Thread(target=earlier_thread).start()
started.wait()
worker_init.send(sender=None)
values = {os.getpriority(os.PRIO_PROCESS, int(t)) for t in os.listdir("/proc/self/task")}
done.set()
print(before, os.nice(0), len(values))
"""


def run_script(script: str, nice: str, own_session: bool = False) -> list[str]:
    """The words `script` prints, run in a fresh Python with DOCPROF_WORKER_NICE=`nice`."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "docprof.settings", "DOCPROF_WORKER_NICE": nice}
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        start_new_session=own_session,
    )
    return out.stdout.split()


def priority_after_worker_init(nice: str) -> tuple[int, int, int]:
    before, after, distinct = run_script(SCRIPT, nice)[-3:]
    return int(before), int(after), int(distinct)


def test_a_worker_lowers_its_priority_by_the_setting():
    before, after, distinct = priority_after_worker_init("7")
    assert after == min(19, before + 7)
    assert distinct == 1  # every thread of the process, the earlier one too


AUTOGROUP_SCRIPT = """
import django
django.setup()
from celery.signals import worker_init
worker_init.send(sender=None)
print(open("/proc/self/autogroup").read().split()[-1])
"""


def autogroup_nice_after_worker_init(own_session: bool) -> int:
    return int(run_script(AUTOGROUP_SCRIPT, "7", own_session)[-1])


def our_autogroup_nice() -> int | None:
    """This session's scheduling-group nice, or None where autogroup scheduling is absent or off
    (some kernels and containers have the file but leave it empty)."""
    try:
        with open("/proc/self/autogroup") as fh:
            words = fh.read().split()
        return int(words[-1])
    except (OSError, IndexError, ValueError):
        return None


@pytest.mark.skipif(our_autogroup_nice() is None, reason="no autogroup scheduling here")
def test_a_worker_leading_its_own_session_lowers_the_sessions_scheduling_group():
    ours = our_autogroup_nice()
    # the worker's own priority lowered by the setting, given to its session's group
    assert autogroup_nice_after_worker_init(own_session=True) == min(19, os.nice(0) + 7)
    # started inside another session (a shell's): that session's group is left as it was
    assert autogroup_nice_after_worker_init(own_session=False) == ours


def test_zero_keeps_the_priority():
    before, after, _ = priority_after_worker_init("0")
    assert after == before


@pytest.mark.django_db
def test_a_workers_database_backend_on_this_machine_yields_the_cpu_too():
    from django.db import connections

    from docprof.celery import lower_backend_priority

    worker_connection = connections.create_connection("default")  # a backend of its own, closed below
    try:
        with worker_connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        if os.geteuid() != 0 and os.stat(f"/proc/{pid}").st_uid != os.geteuid():
            pytest.skip("the Postgres backend belongs to another user: its priority cannot be changed")
        lowered = min(19, os.getpriority(os.PRIO_PROCESS, pid) + 5)
        lower_backend_priority(worker_connection, lowered)
        assert os.getpriority(os.PRIO_PROCESS, pid) == lowered
    finally:
        worker_connection.close()
