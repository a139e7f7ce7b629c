from django.apps import AppConfig


class LibraryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "library"

    def ready(self):
        from library.jobs import EMBED_KIND, INGEST_KIND
        from workers import engine

        engine.register(INGEST_KIND)
        engine.register(EMBED_KIND)
