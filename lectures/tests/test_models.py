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


def test_served_version_is_the_best_by_status_then_score_then_newest():
    from lectures.selectors import servable_version

    def version(n, approval="pending", up=0, down=0, status=Lecture.Status.READY):
        return Lecture.objects.create(
            cache_key="s" * 64, version=n, status=status, approval_status=approval, upvotes=up, downvotes=down
        )

    assert servable_version("s" * 64) is None
    version(1)
    newest = version(2)
    assert servable_version("s" * 64) == newest
    liked = version(3, up=3, down=1)
    version(4, status=Lecture.Status.FAILED)
    assert servable_version("s" * 64) == liked
    approved = version(5, approval="approved")
    assert servable_version("s" * 64) == approved
    version(6, approval="rejected", up=50)
    version(7, approval="needs_improvement", up=50)
    assert servable_version("s" * 64) == approved
    verified = version(8, approval="mentor_verified", down=5)
    assert servable_version("s" * 64) == verified
