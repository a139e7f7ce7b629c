from django.apps import AppConfig


class CoursesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "courses"

    def ready(self):
        from courses.jobs import COURSE_KIND
        from workers import engine

        engine.register(COURSE_KIND)
