from django.apps import AppConfig


class AIConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "docprof.ai"
    label = "ai"
    verbose_name = "AI calls"
