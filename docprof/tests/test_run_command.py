"""`make run` / `manage.py run`: the port is checked first, chosen with PORT or DOCPROF_PORT, the site
is served by gunicorn with its static files, and Ctrl-C stops every process it started."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a person's shell: none of the test run's own settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCPROF_", "DJANGO_", "PYTEST"))}
    return {**env, **extra}


@pytest.fixture
def taken_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def run_command(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "run", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# A database that cannot be reached: the port check must answer before anything touches it.
UNREACHABLE_DB = "postgres://nobody@127.0.0.1:1/none"


@pytest.mark.parametrize("how", ["--port", "DOCPROF_PORT"])
def test_a_taken_port_is_reported_first_with_the_fix(taken_port, how):
    env = child_env(DATABASE_URL=UNREACHABLE_DB, REDIS_URL="redis://127.0.0.1:1/0")
    args = ["--port", str(taken_port)] if how == "--port" else []
    if how == "DOCPROF_PORT":
        env["DOCPROF_PORT"] = str(taken_port)
    started = time.monotonic()
    result = run_command(*args, env=env)
    assert result.returncode == 1
    assert time.monotonic() - started < 30
    assert f"127.0.0.1:{taken_port}" in result.stderr
    assert "in use" in result.stderr
    assert "make run PORT=" in result.stderr and "DOCPROF_PORT=" in result.stderr
    assert "running at" not in result.stdout


def test_a_port_that_is_not_a_number_is_refused():
    result = run_command("--port", "eighty", env=child_env(DATABASE_URL=UNREACHABLE_DB))
    assert result.returncode == 1 and "not a port number" in result.stderr


def test_make_run_passes_port():
    dry = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "run", "PORT=8123"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "manage.py run --port 8123" in dry.stdout
    plain = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "run"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        env=child_env(),
    )
    assert "manage.py run" in plain.stdout and "--port" not in plain.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> tuple[int, bytes]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.slow
def test_run_serves_with_gunicorn_and_ctrl_c_stops_everything(tmp_path):
    """From an empty var/ (its own embedded Postgres and Redis), as a new user would."""
    port = free_port()
    var = tmp_path / "var"
    env = child_env(DOCPROF_VAR_DIR=str(var), DOCPROF_PG_SHARED_BUFFERS="128MB")
    log = (tmp_path / "run.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run", "--port", str(port), "--web-workers", "1"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # like a terminal: Ctrl-C goes to this command only
    )
    try:
        deadline = time.monotonic() + 240
        while "running at" not in (output := (tmp_path / "run.log").read_text()):
            assert process.poll() is None, output
            assert time.monotonic() < deadline, output
            time.sleep(0.5)
        descendants = psutil.Process(process.pid).children(recursive=True)
        names = " ".join(" ".join(p.cmdline()) for p in descendants)
        assert "gunicorn" in names and "runserver" not in names
        assert "celery -A docprof worker --queues celery " in names and "celery -A docprof beat" in names
        assert "celery -A docprof worker --queues watchdog " in names  # the watchdog's own worker

        assert get(port, "/accounts/login/")[0] == 200
        status, css = get(port, "/static/css/app.css")
        assert status == 200 and b".topbar" in css
        status, bundle = get(port, "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
        assert status == 200 and len(bundle) > 100_000
        assert get(port, "/favicon.ico")[0] == 200

        os.kill(process.pid, signal.SIGINT)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    output = (tmp_path / "run.log").read_text()
    assert process.returncode == 0, output
    assert "Stopped web, worker, watchdog, beat, embedded Postgres, embedded Redis." in output
    time.sleep(0.5)
    assert not [p for p in descendants if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    postmaster = var / "pg" / "postmaster.pid"
    assert not postmaster.exists() or not psutil.pid_exists(int(postmaster.read_text().split()[0]))
    assert not (var / "redis" / "redis.sock").exists() or not _redis_answers(var)


def _redis_answers(var: Path) -> bool:
    import redis

    try:
        return bool(redis.Redis(unix_socket_path=str(var / "redis" / "redis.sock"), socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False
