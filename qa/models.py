"""Questions asked during a lecture (the original system's qa_sessions / qa_messages)."""

from django.conf import settings
from django.db import models


class QASession(models.Model):
    """Opened by the first question while a lecture is paused; closed when the lecture resumes."""

    section = models.ForeignKey("courses.CourseSection", on_delete=models.CASCADE, related_name="qa_sessions")
    delivery = models.ForeignKey(
        "lectures.SectionDelivery",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="qa_sessions",
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qa_sessions")
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    lecture_position_seconds = models.FloatField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["user", "section"], name="qa_session_user_section")]

    def __str__(self):
        return f"Questions on {self.section} by {self.user}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class QAMessage(models.Model):
    class Kind(models.TextChoices):
        META = "meta"
        LECTURE = "lecture"
        LIBRARY = "library"
        NOT_FOUND = "not_found"

    session = models.ForeignKey(QASession, on_delete=models.CASCADE, related_name="messages")
    question = models.TextField()
    rewritten_question = models.TextField(blank=True)
    answer = models.TextField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sources = models.JSONField(default=list, blank=True)
    position_seconds = models.FloatField(null=True, blank=True)
    answerer = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.question[:80]
