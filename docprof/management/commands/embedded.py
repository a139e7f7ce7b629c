"""python manage.py embedded status|start|stop|tune — the embedded Postgres and Redis that DocProf
uses when DATABASE_URL / REDIS_URL are unset (`make stop` runs `stop`). `tune` applies
DOCPROF_PG_SHARED_BUFFERS and friends to the embedded Postgres (it restarts it)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from docprof import embedded


class Command(BaseCommand):
    help = "Show, start or stop the embedded Postgres and Redis servers."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "stop", "start", "tune"])

    def handle(self, action, **options):
        if action == "tune":
            values = embedded.tune_postgres()
            self.stdout.write("Embedded Postgres: " + ", ".join(f"{k}={v}" for k, v in values.items()))
        elif action == "start":
            self.stdout.write(f"Embedded Redis at {embedded.ensure_redis()}")
            self.stdout.write(
                "Embedded Postgres starts with the first process that uses it and stops with the last."
            )
        elif action == "stop":
            self._stop()
        else:
            self._status()

    def _stop(self):
        postgres = embedded.stop_postgres()
        redis = embedded.stop_redis()
        self.stdout.write(f"Embedded Postgres {'stopped' if postgres else 'was not running'}.")
        self.stdout.write(f"Embedded Redis {'stopped' if redis else 'was not running'}.")

    def _status(self):
        postgres = "running" if embedded.postgres_running() else "stopped"
        redis = "running" if embedded.redis_alive() else "stopped"
        self.stdout.write(f"Embedded Postgres {postgres} (data in {embedded.PG_DIR})")
        self.stdout.write(f"Embedded Redis {redis} (socket {embedded.REDIS_SOCKET})")
        if settings.DATABASE_URL:
            self.stdout.write("DATABASE_URL is set: DocProf uses that database, not the embedded one.")
        if not settings.REDIS_EMBEDDED:
            self.stdout.write("REDIS_URL is set: DocProf uses that Redis, not the embedded one.")
