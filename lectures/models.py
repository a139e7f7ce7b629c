"""Lectures: shared, content-addressed lecture versions; a learner's deliveries; quiz attempts.

A `Lecture` is content, not a user's row: every section whose cache key (objectives, source passages'
content hashes, style, depth, pace, writer and model) is the same is served the same lecture. A key
holds several versions (numbered per key); exactly one may be generating at a time, enforced by a
partial unique index (single-flight in the database, not check-then-insert).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Lecture(models.Model):
    class Status(models.TextChoices):
        GENERATING = "generating"
        READY = "ready"
        FAILED = "failed"

    class Approval(models.TextChoices):
        PENDING = "pending"
        APPROVED = "approved"
        REJECTED = "rejected"
        MENTOR_VERIFIED = "mentor_verified", "Mentor verified"
        NEEDS_IMPROVEMENT = "needs_improvement", "Needs improvement"

    # Never served to a new delivery (issue 9's served-version rule).
    UNSERVABLE = (Approval.REJECTED, Approval.NEEDS_IMPROVEMENT)

    cache_key = models.CharField(max_length=64, db_index=True, help_text="sha256 of the lecture's inputs")
    key_inputs = models.JSONField(
        default=dict, blank=True, help_text="What the key was computed from (objectives, passages, ...)"
    )
    version = models.PositiveIntegerField(help_text="Numbered per cache key, from 1")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.GENERATING)
    title = models.CharField(max_length=300, blank=True, help_text="The first section's title")
    objectives = models.JSONField(default=list)
    source_hashes = models.JSONField(
        default=dict, blank=True, help_text="{chunk_id: sha256 of its text}: the passages the key covers"
    )
    script = models.TextField(blank=True, help_text="The whole lecture, Markdown with [n] citations")
    segments = models.JSONField(default=list, blank=True, help_text="[{kind, objective, text}]")
    citations = models.JSONField(
        default=list,
        blank=True,
        help_text="[{n, chunk_id, book_id, book_title, chapter, page_start, page_end, quote, verified}]",
    )
    citation_check = models.JSONField(
        default=dict, blank=True, help_text="{total, verified, repaired, removed, ok}"
    )
    quiz = models.JSONField(
        default=list,
        blank=True,
        help_text="[{id, objective, kind, question, choices, answer, explanation, citation}]",
    )
    length_check = models.JSONField(
        default=dict, blank=True, help_text="{target, words, ratio, ok}: the length contract, measured"
    )
    word_count = models.PositiveIntegerField(default=0)
    minutes = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    target_words = models.PositiveIntegerField(default=0)
    style = models.CharField(max_length=20, blank=True)
    depth = models.CharField(max_length=20, blank=True)
    pace_wpm = models.PositiveIntegerField(default=150)
    writer = models.CharField(max_length=20, blank=True, help_text="offline or model")
    writer_version = models.CharField(max_length=20, blank=True)
    model = models.CharField(max_length=200, blank=True, help_text="The model that wrote it (model writer)")
    prompt_version = models.CharField(max_length=40, blank=True)
    error = models.TextField(blank=True, help_text="Why the last generation failed (for the reader)")
    job = models.ForeignKey(
        "workers.GenerationJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lectures_generated",
        help_text="Who first caused this version",
    )
    # Curation (issue 9): votes, mentor review, staleness.
    approval_status = models.CharField(max_length=20, choices=Approval.choices, default=Approval.PENDING)
    upvotes = models.PositiveIntegerField(default=0)
    downvotes = models.PositiveIntegerField(default=0)
    stale = models.BooleanField(default=False)
    stale_citations = models.JSONField(
        default=list, blank=True, help_text="Citation numbers whose passage changed or vanished"
    )
    revision = models.PositiveIntegerField(
        default=0, help_text="Bumped by every change after it was written (curation, re-ingestion)"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cache_key", "-version"]
        permissions = [("review_lecture", "Can review lectures as a mentor")]
        constraints = [
            models.UniqueConstraint(fields=["cache_key", "version"], name="unique_lecture_version"),
            # Single-flight: at most one version of a key is being written at any time.
            models.UniqueConstraint(
                fields=["cache_key"],
                condition=Q(status="generating"),
                name="one_generating_lecture_per_key",
            ),
        ]
        indexes = [models.Index(fields=["cache_key", "status"], name="lecture_key_status")]

    def __str__(self):
        return f"{self.title or self.cache_key[:12]} v{self.version}"

    @property
    def score(self) -> int:
        return self.upvotes - self.downvotes


class SectionDelivery(models.Model):
    """A lecture delivered to one learner for one section (really stored, with a snapshot)."""

    section = models.ForeignKey("courses.CourseSection", on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries")
    lecture = models.ForeignKey(
        Lecture, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    lecture_script = models.TextField(blank=True, help_text="The script as delivered (a snapshot)")
    style_snapshot = models.JSONField(default=dict, blank=True, help_text="depth, style, pace at delivery")
    was_cached = models.BooleanField(default=False, help_text="Served from an existing version")
    is_current = models.BooleanField(default=True)
    delivered_at = models.DateTimeField(auto_now_add=True)
    duration_actual_minutes = models.PositiveIntegerField(null=True, blank=True)
    user_notes = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-delivered_at"]
        verbose_name_plural = "section deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["section", "user"], condition=Q(is_current=True), name="one_current_delivery"
            )
        ]
        indexes = [models.Index(fields=["user", "section"], name="delivery_user_section")]

    def __str__(self):
        return f"{self.section} for {self.user}"


class QuizAttempt(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts")
    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="quiz_attempts")
    delivery = models.ForeignKey(
        SectionDelivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="quiz_attempts"
    )
    answers = models.JSONField(default=dict, help_text="{question_id: answer}")
    score = models.DecimalField(max_digits=5, decimal_places=4, help_text="0..1")
    correct = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=list, help_text="Per question: correct, answer, explanation, citation")
    per_objective = models.JSONField(default=dict, help_text="{objective: {correct, total}}")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "lecture"], name="quiz_user_lecture")]

    def __str__(self):
        return f"{self.user} · {self.lecture} · {self.score}"


class LectureVote(models.Model):
    """One learner's vote on one version (changeable)."""

    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lecture_votes")
    value = models.SmallIntegerField(help_text="1 or -1")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lecture", "user"], name="one_vote_per_user_and_version"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="vote_is_plus_or_minus_one"),
        ]

    def __str__(self):
        return f"{self.user} {self.value:+d} on {self.lecture}"


class MentorReview(models.Model):
    class Verdict(models.TextChoices):
        MENTOR_VERIFIED = "mentor_verified", "Mentor verified"
        APPROVED = "approved"
        NEEDS_IMPROVEMENT = "needs_improvement", "Needs improvement"
        REJECTED = "rejected"

    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="lecture_reviews"
    )
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    comments = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.verdict} by {self.reviewer} on {self.lecture}"
