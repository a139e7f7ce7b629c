from django.apps import AppConfig


class DocProfConfig(AppConfig):
    """The project itself, as an app: the commands that span every app (run, embedded)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "docprof"
    verbose_name = "DocProf"
