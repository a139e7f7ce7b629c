"""Test data for the engine's tests (factory-boy)."""

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from workers.models import GenerationJob


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests-only")


class JobFactory(factory.django.DjangoModelFactory):
    """A job row as the engine would have left it (status, attempts, state, heartbeat)."""

    class Meta:
        model = GenerationJob

    owner = factory.SubFactory(UserFactory)
    kind = "toy"
    status = GenerationJob.Status.QUEUED
    heartbeat_at = factory.LazyFunction(timezone.now)
