"""The embedded Postgres and Redis do not outlive what started them: a test run stops the servers it
started, and `make stop` (`manage.py embedded stop`) stops both, even after a user was killed."""

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from docprof import embedded
from docprof.tests.test_run_command import child_env

BASE_DIR = Path(settings.BASE_DIR)
A_DATABASE_TEST = (
    "docprof/tests/test_static_assets.py::test_favicon_is_served_at_the_root_and_linked_from_pages"
)


def manage(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.mark.slow
def test_a_test_run_and_make_stop_leave_nothing_running(tmp_path):
    env = child_env(DOCPROF_VAR_DIR=str(tmp_path / "var"), DOCPROF_PG_SHARED_BUFFERS="128MB")

    # 1. A test run that starts both servers stops both when it ends: here one pytest-xdist worker
    # (as `make test` runs, with one process instead of two), whose servers live in its own directory.
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "1", A_DATABASE_TEST],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
    worker_var = embedded.var_dir(tmp_path / "var", "gw0")
    assert (worker_var / "pg").is_dir(), "the worker did not use its own servers"
    status = manage("embedded", "status", env={**env, "DOCPROF_VAR_DIR": str(worker_var)})
    assert "Embedded Postgres stopped" in status and "Embedded Redis stopped" in status, status

    # 2. A process killed while using them leaves them up (it never unregisters) ...
    user = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from django.db import connection; from docprof import embedded; embedded.ensure_redis(); "
            "connection.ensure_connection(); print('connected', flush=True); import time; time.sleep(600)",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert user.stdout.readline().strip() == "connected"
    finally:
        user.send_signal(signal.SIGKILL)
        user.wait()
    time.sleep(0.5)
    status = manage("embedded", "status", env=env)
    assert "Embedded Postgres running" in status and "Embedded Redis running" in status, status

    # ... and `make stop` stops both, and says so.
    stop = manage("embedded", "stop", env=env)
    assert "Embedded Postgres stopped." in stop and "Embedded Redis stopped." in stop, stop
    status = manage("embedded", "status", env=env)
    assert "Embedded Postgres stopped" in status and "Embedded Redis stopped" in status, status
