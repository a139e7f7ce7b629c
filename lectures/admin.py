"""Admin, the curation desk: lectures grouped by cache key with their versions, status, score,
citation check and stale flag; filters by status, book and course; search by section title and
objective; a diff between two versions; actions approve, reject, mentor verified, needs improvement
(with comments) and regenerate, each calling a service (lectures.curation). Generated text is
read-only and pipeline rows cannot be added. Spend and savings: /admin/lectures/lecture/usage/."""

import difflib

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from courses.models import Course
from lectures import curation
from lectures.models import Lecture, LectureVote, MentorReview, QuizAttempt, SectionDelivery
from lectures.usage import usage_report
from library.models import Book


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


class ReviewActionForm(ActionForm):
    comments = forms.CharField(required=False, label="Comments (needed for “needs improvement”)")


class BookFilter(admin.SimpleListFilter):
    title = "book"
    parameter_name = "book"

    def lookups(self, request, model_admin):
        return [(b.pk, b.title[:60]) for b in Book.objects.filter(status=Book.Status.READY).order_by("title")]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(citations__contains=[{"book_id": int(self.value())}])
        return queryset


class CourseFilter(admin.SimpleListFilter):
    title = "course"
    parameter_name = "course"

    def lookups(self, request, model_admin):
        courses = Course.objects.filter(sections__deliveries__isnull=False).distinct().order_by("title")
        return [(c.pk, str(c)[:60]) for c in courses]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(deliveries__section__course_id=int(self.value())).distinct()
        return queryset


class ReviewInline(admin.TabularInline):
    model = MentorReview
    extra = 0
    can_delete = False
    readonly_fields = ["reviewer", "verdict", "comments", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


def _review_action(verdict: str, description: str):
    def action(modeladmin, request, queryset):
        comments = request.POST.get("comments", "")
        done = 0
        for lecture in queryset:
            try:
                curation.review(lecture, request.user, verdict, comments)
                done += 1
            except PermissionDenied:
                raise
            except curation.CurationError as exc:
                modeladmin.message_user(request, f"{lecture}: {exc}", messages.ERROR)
        if done:
            modeladmin.message_user(request, f"{done} version(s) marked {verdict.replace('_', ' ')}.")

    action.__name__ = f"mark_{verdict}"
    action.short_description = description
    action.allowed_permissions = ("review",)
    return action


@admin.register(Lecture)
class LectureAdmin(ReadOnlyAdmin):
    action_form = ReviewActionForm
    actions = [
        _review_action("approved", "Approve"),
        _review_action("rejected", "Reject"),
        _review_action("mentor_verified", "Mark mentor verified"),
        _review_action("needs_improvement", "Needs improvement (with comments)"),
        "regenerate",
    ]
    list_display = [
        "key",
        "version",
        "versions",
        "title",
        "status",
        "approval_status",
        "score",
        "citations_checked",
        "stale",
        "writer",
        "diff_link",
        "created_at",
    ]
    list_filter = ["approval_status", "status", "stale", BookFilter, CourseFilter, "writer", "style"]
    search_fields = ["title", "objectives", "deliveries__section__title", "cache_key"]
    ordering = ["cache_key", "-version"]
    list_select_related = ["generated_by"]
    inlines = [ReviewInline]

    def get_queryset(self, request):
        count = (
            Lecture.objects.filter(cache_key=OuterRef("cache_key"))
            .order_by()
            .values("cache_key")
            .annotate(n=Count("id"))
            .values("n")[:1]
        )
        return super().get_queryset(request).annotate(n_versions=Subquery(count))

    def has_review_permission(self, request):
        return curation.is_mentor(request.user)

    @admin.action(description="Regenerate (a new version of the same key)", permissions=["review"])
    def regenerate(self, request, queryset):
        for lecture in queryset:
            new = curation.regenerate_version(lecture, request.user)
            if new is None:
                self.message_user(
                    request, f"{lecture}: a version of this key is being written.", messages.WARNING
                )
            else:
                self.message_user(request, f"Writing version {new.version} of “{lecture.title}”.")

    @admin.display(description="Cache key", ordering="cache_key")
    def key(self, obj):
        return obj.cache_key[:12]

    @admin.display(description="Versions", ordering="n_versions")
    def versions(self, obj):
        return obj.n_versions

    @admin.display(description="Score")
    def score(self, obj):
        return f"{obj.score:+d} ({obj.upvotes}▲ {obj.downvotes}▼)"

    @admin.display(description="Citations")
    def citations_checked(self, obj):
        check = obj.citation_check or {}
        if not check:
            return "—"
        colour = "green" if check.get("ok") else "red"
        text = "{} verified · {} repaired · {} removed".format(
            check.get("final", 0), check.get("repaired", 0), check.get("removed", 0)
        )
        return format_html('<span style="color:{}">{}</span>', colour, text)

    @admin.display(description="Diff")
    def diff_link(self, obj):
        if obj.version <= 1:
            return "—"
        return format_html(
            '<a href="{}">vs previous</a>', reverse("admin:lectures_lecture_diff", args=[obj.pk])
        )

    def get_urls(self):
        extra = [
            path("<int:pk>/diff/", self.admin_site.admin_view(self.diff_view), name="lectures_lecture_diff"),
            path("usage/", self.admin_site.admin_view(self.usage_view), name="lectures_lecture_usage"),
        ]
        return extra + super().get_urls()

    def diff_view(self, request, pk: int):
        """Two versions of one key side by side (difflib): ?against=ID, default the previous version."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        lecture = get_object_or_404(Lecture, pk=pk)
        versions = Lecture.objects.filter(cache_key=lecture.cache_key).exclude(pk=pk).order_by("-version")
        against_id = request.GET.get("against", "")
        other = (
            versions.filter(pk=int(against_id)).first()
            if against_id.isdigit()
            else versions.filter(version__lt=lecture.version).first()
        ) or versions.first()
        table = ""
        if other is not None:
            table = difflib.HtmlDiff(wrapcolumn=80).make_table(
                other.script.splitlines(),
                lecture.script.splitlines(),
                f"version {other.version}",
                f"version {lecture.version}",
                context=True,
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Diff: {lecture.title}",
            "lecture": lecture,
            "other": other,
            "versions": versions,
            "table": table,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/lectures/diff.html", context)

    def usage_view(self, request):
        if not request.user.is_staff:
            raise PermissionDenied
        raw = request.GET.get("days", "30")
        days = int(raw) if raw.isdigit() and 1 <= int(raw) <= 366 else 30
        context = {
            **self.admin_site.each_context(request),
            "title": "Spend and savings",
            "report": usage_report(days),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/lectures/usage.html", context)


@admin.register(MentorReview)
class MentorReviewAdmin(ReadOnlyAdmin):
    list_display = ["lecture", "verdict", "reviewer", "comments", "created_at"]
    list_filter = ["verdict", "created_at"]
    search_fields = ["lecture__title", "reviewer__username", "comments"]
    list_select_related = ["lecture", "reviewer"]


@admin.register(LectureVote)
class LectureVoteAdmin(ReadOnlyAdmin):
    list_display = ["lecture", "user", "value", "updated_at"]
    list_filter = ["value"]
    list_select_related = ["lecture", "user"]


@admin.register(SectionDelivery)
class SectionDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["section", "user", "lecture", "was_cached", "is_current", "delivered_at", "completed_at"]
    list_filter = ["was_cached", "is_current", "delivered_at"]
    search_fields = ["section__title", "user__username"]
    list_select_related = ["section", "user", "lecture"]


@admin.register(QuizAttempt)
class QuizAttemptAdmin(ReadOnlyAdmin):
    list_display = ["user", "lecture", "score", "correct", "total", "created_at"]
    search_fields = ["user__username", "lecture__title"]
    list_select_related = ["user", "lecture"]
