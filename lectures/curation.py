"""Versions, votes and mentor review (issue 9).

- `regenerate`: a new version of the section's cache key, bypassing the cache (the single-flight
  index still allows one version of a key being written at a time: a second request joins it).
- `vote`: one vote per user and version, changeable; only a learner who has a delivery of that
  version. The version's counts are recomputed from the votes under a row lock, then the thresholds
  (settings) move a pending version to approved, and a pending or approved one to rejected.
- `review`: a mentor's verdict (a MentorReview row) sets the version's status; non-mentors are refused.
- `switch_to_best`: a learner takes the version a new delivery would get (their old one stays in history).
Every change bumps `Lecture.revision`, which addresses the cached JSON of a ready version.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q

from lectures import selectors, services, sources
from lectures.models import Lecture, LectureVote, MentorReview
from lectures.throttles import RegenerateThrottle
from lectures.writing import current_writer

MENTOR_PERMISSION = "lectures.review_lecture"
VERDICTS = {v.value for v in MentorReview.Verdict}


class CurationError(Exception):
    """A request a person must fix (400)."""


def is_mentor(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(MENTOR_PERMISSION))


def regenerate(section, user) -> Lecture:
    """Start writing a new version of the section's lecture (or join the one being written)."""
    inputs = sources.resolve(section, user, current_writer().spec(), selectors.library_for(section, user))
    running = selectors.running_version(inputs.key)
    if running is not None:
        selectors.add_waiter(running.pk, user.pk)
        return running
    throttle = RegenerateThrottle()
    if not throttle.allow(user):
        raise services.GenerationRateLimited(throttle.wait())
    try:
        lecture = services._new_version(section, user, inputs)
    except IntegrityError:  # someone started a version of this key at the same moment: join it
        lecture = selectors.running_version(inputs.key)
        if lecture is None:
            raise
    selectors.add_waiter(lecture.pk, user.pk)
    return lecture


def regenerate_version(lecture: Lecture, user) -> Lecture | None:
    """The admin's "regenerate": a new version of the same key, from the same inputs. None when a
    version of the key is already being written."""
    if selectors.running_version(lecture.cache_key) is not None:
        return None
    inputs = sources.LectureInputs(**lecture.key_inputs)
    section = _Section(lecture)
    try:
        return services._new_version(section, user, inputs)
    except IntegrityError:
        return None


class _Section:
    """What `_new_version` reads of a section (its title), for versions made from a version."""

    def __init__(self, lecture: Lecture):
        self.title = lecture.title


def _settle(lecture_id: int) -> Lecture:
    """Recount a version's votes and apply the thresholds (call inside a transaction)."""
    lecture = Lecture.objects.select_for_update().get(pk=lecture_id)
    counts = LectureVote.objects.filter(lecture_id=lecture_id).aggregate(
        up=Count("id", filter=Q(value=1)), down=Count("id", filter=Q(value=-1))
    )
    up, down = counts["up"], counts["down"]
    net = up - down
    status = lecture.approval_status
    if status in (Lecture.Approval.PENDING, Lecture.Approval.APPROVED):
        if net <= settings.DOCPROF_REJECT_NET_AT_OR_BELOW:
            status = Lecture.Approval.REJECTED
        elif (
            status == Lecture.Approval.PENDING
            and net >= settings.DOCPROF_APPROVE_MIN_NET
            and up / (up + down) >= settings.DOCPROF_APPROVE_MIN_RATIO
        ):
            status = Lecture.Approval.APPROVED
    Lecture.objects.filter(pk=lecture_id).update(
        upvotes=up, downvotes=down, approval_status=status, revision=F("revision") + 1
    )
    lecture.refresh_from_db()
    return lecture


def vote(lecture: Lecture, user, value) -> Lecture:
    """Record (or change) the user's vote on a version they were delivered."""
    if isinstance(value, bool) or value not in (1, -1):
        raise CurationError("A vote is 1 (up) or -1 (down).")
    with transaction.atomic():
        LectureVote.objects.update_or_create(lecture=lecture, user=user, defaults={"value": value})
        return _settle(lecture.pk)


def review(lecture: Lecture, reviewer, verdict: str, comments: str = "") -> MentorReview:
    """A mentor's verdict: sets the version's approval status and records who, what, why and when."""
    if not is_mentor(reviewer):
        raise PermissionDenied("Only mentors may review lectures.")
    if verdict not in VERDICTS:
        raise CurationError(f"A verdict is one of: {', '.join(sorted(VERDICTS))}.")
    comments = (comments or "").strip()
    if verdict == MentorReview.Verdict.NEEDS_IMPROVEMENT and not comments:
        raise CurationError("Say what needs improving (comments are required for needs_improvement).")
    if lecture.status != Lecture.Status.READY:
        raise CurationError("Only a finished version can be reviewed.")
    with transaction.atomic():
        row = MentorReview.objects.create(
            lecture=lecture, reviewer=reviewer, verdict=verdict, comments=comments
        )
        Lecture.objects.filter(pk=lecture.pk).update(approval_status=verdict, revision=F("revision") + 1)
    lecture.refresh_from_db()
    return row


def switch_to_best(section, user):
    """Deliver the best servable version of the learner's current lecture's key (a new delivery;
    completion and notes carry over). None when the delivered version is already the best."""
    delivery = selectors.current_delivery(section, user)
    better = selectors.better_version(delivery)
    if better is None:
        return None
    return services.deliver(section, user, better)
