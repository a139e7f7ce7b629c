"""python manage.py embedded status|start|stop|tune — the embedded Redis (Postgres stops with its
last user); `tune` applies DOCPROF_PG_SHARED_BUFFERS and friends to the embedded Postgres (restart)."""

from django.core.management.base import BaseCommand

from docprof import embedded


class Command(BaseCommand):
    help = "Show or stop the embedded Redis server."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "stop", "start", "tune"])

    def handle(self, action, **options):
        if action == "tune":
            settings = embedded.tune_postgres()
            self.stdout.write("Embedded Postgres: " + ", ".join(f"{k}={v}" for k, v in settings.items()))
        elif action == "start":
            self.stdout.write(f"Redis at {embedded.ensure_redis()}")
        elif action == "stop":
            embedded.stop_redis()
            self.stdout.write("Embedded Redis stopped.")
        else:
            self.stdout.write(
                f"Embedded Redis {'running' if embedded.redis_alive() else 'stopped'} "
                f"({embedded.REDIS_SOCKET}); Postgres data in {embedded.PG_DIR}"
            )
