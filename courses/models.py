from django.conf import settings
from django.db import models


class CourseQuerySet(models.QuerySet):
    def owned_by(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)

    def taken_by(self, user):
        """Courses the user owns or is enrolled in (enrolment survives unpublishing)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(models.Q(owner=user) | models.Q(enrolments__user=user)).distinct()


class Course(models.Model):
    class Status(models.TextChoices):
        GENERATING = "generating"
        READY = "ready"
        ERROR = "error"
        CANCELLED = "cancelled"

    class Depth(models.TextChoices):
        OVERVIEW = "overview"
        STANDARD = "standard"
        DEEP = "deep"

    class Style(models.TextChoices):
        LECTURE = "lecture"
        CONVERSATIONAL = "conversational"
        SOCRATIC = "socratic"
        PODCAST = "podcast"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="courses")
    title = models.CharField(max_length=300, blank=True)
    original_query = models.TextField()
    requested_hours = models.DecimalField(max_digits=6, decimal_places=2)
    estimated_hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    preferences = models.JSONField(default=dict, help_text="depth, presentation_style, pace_wpm, notes")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.GENERATING)
    coverage = models.JSONField(
        default=dict, blank=True, help_text="Books and chapters drawn on; topics missing"
    )
    job = models.ForeignKey(
        "workers.GenerationJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published = models.BooleanField(default=False, help_text="Listed in Browse courses; anyone may enrol")
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title or self.original_query[:80]

    @property
    def requested_minutes(self) -> int:
        return round(float(self.requested_hours) * 60)


class CourseSection(models.Model):
    """A part (no parent) or a section of a part."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started"
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sections")
    parent_section = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    order_index = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    learning_objectives = models.JSONField(default=list)
    content_summary = models.TextField(blank=True)
    estimated_minutes = models.PositiveIntegerField()
    source_chunk_ids = models.JSONField(default=list)
    sources = models.JSONField(
        default=list, help_text="[{book_id, book_title, chapter, page_start, page_end}]"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)

    class Meta:
        ordering = ["course", "parent_section_id", "order_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "parent_section", "order_index"],
                name="unique_section_position",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_part(self) -> bool:
        return self.parent_section_id is None


class Enrolment(models.Model):
    """A learner of someone else's published course: they get its sections with their own
    deliveries, completion, quiz results and Q&A (the owner's stay private)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="unique_enrolment")]

    def __str__(self):
        return f"{self.user} in {self.course}"
