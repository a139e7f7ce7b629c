"""A Celery worker lowers its own CPU priority when it starts (DOCPROF_WORKER_NICE), so that the web
server's requests are scheduled before background generation on a shared machine."""

import os
import subprocess
import sys

from django.conf import settings

SCRIPT = """
import os
import django
django.setup()
from celery.signals import worker_init
before = os.nice(0)
worker_init.send(sender=None)
print(before, os.nice(0))
"""


def priority_after_worker_init(nice: str) -> tuple[int, int]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "docprof.settings", "DOCPROF_WORKER_NICE": nice}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    before, after = out.stdout.split()[-2:]
    return int(before), int(after)


def test_a_worker_lowers_its_priority_by_the_setting():
    before, after = priority_after_worker_init("7")
    assert after == min(19, before + 7)


def test_zero_keeps_the_priority():
    before, after = priority_after_worker_init("0")
    assert after == before
