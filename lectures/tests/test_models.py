"""The database enforces single-flight and one current delivery (not check-then-insert)."""

import pytest
from django.db import IntegrityError, transaction

from lectures.models import Lecture

pytestmark = pytest.mark.django_db


def test_one_generating_version_per_key_and_versions_unique():
    Lecture.objects.create(cache_key="k" * 64, version=1, status=Lecture.Status.READY)
    Lecture.objects.create(cache_key="k" * 64, version=2, status=Lecture.Status.GENERATING)
    with pytest.raises(IntegrityError), transaction.atomic():
        Lecture.objects.create(cache_key="k" * 64, version=3, status=Lecture.Status.GENERATING)
    with pytest.raises(IntegrityError), transaction.atomic():
        Lecture.objects.create(cache_key="k" * 64, version=1, status=Lecture.Status.FAILED)
    # Another key may generate at the same time.
    Lecture.objects.create(cache_key="j" * 64, version=1, status=Lecture.Status.GENERATING)
