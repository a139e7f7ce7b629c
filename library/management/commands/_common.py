from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def get_user(username: str):
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"No user named {username!r}. Create one with `manage.py createsuperuser`.")
