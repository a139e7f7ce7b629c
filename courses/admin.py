"""Admin as a curation tool: courses and their outlines are pipeline output (read-only, no add);
actions resume or cancel generation through the services."""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html

from courses import services
from courses.models import Course, CourseSection, Enrolment
from docprof.display import json_html


class SectionInline(admin.TabularInline):
    model = CourseSection
    fk_name = "course"
    fields = ["parent_section", "order_index", "title", "estimated_minutes", "status"]
    readonly_fields = fields
    ordering = ["parent_section_id", "order_index"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent_section")


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    class Media:
        css = {"all": ["css/admin.css"]}  # readable JSON (docprof.display)

    list_display = [
        "title",
        "owner_name",
        "status",
        "requested",
        "estimated",
        "section_count",
        "job_link",
        "created_at",
    ]
    list_filter = ["status", "published", "created_at"]
    search_fields = ["title", "original_query", "owner__username"]
    list_select_related = ["owner", "job"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "owner",
        "original_query",
        "requested_hours",
        "estimated_hours",
        "preferences_display",
        "status",
        "coverage_display",
        "job_link",
        "created_at",
        "updated_at",
    ]
    fields = ["title", *readonly_fields]
    inlines = [SectionInline]
    actions = ["resume_generation", "cancel_generation"]

    def has_add_permission(self, request):
        return False  # courses are requested by learners and built by the pipeline

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(section_total=Count("sections", filter=Q(sections__parent_section__isnull=False)))
        )

    @admin.display(description="Owner", ordering="owner__username")
    def owner_name(self, course):
        return course.owner.username

    @admin.display(description="Requested h", ordering="requested_hours")
    def requested(self, course):
        return f"{course.requested_hours:g}"

    @admin.display(description="Estimated h", ordering="estimated_hours")
    def estimated(self, course):
        return "–" if course.estimated_hours is None else f"{course.estimated_hours:g}"

    @admin.display(description="Sections", ordering="section_total")
    def section_count(self, course):
        return course.section_total

    @admin.display(description="Preferences")
    def preferences_display(self, course):
        return json_html(course.preferences)

    @admin.display(description="Coverage")
    def coverage_display(self, course):
        return json_html(course.coverage)

    @admin.display(description="Job")
    def job_link(self, course):
        if course.job_id is None:
            return "–"
        url = reverse("admin:workers_generationjob_change", args=[course.job_id])
        return format_html('<a href="{}">#{} {}</a>', url, course.job_id, course.job.status)

    @admin.action(description="Resume generation")
    def resume_generation(self, request, queryset):
        resumed, refused = 0, 0
        for course in queryset.select_related("job"):
            try:
                services.resume_course(course)
            except services.CourseRequestError:
                refused += 1
            else:
                resumed += 1
        self.message_user(request, f"Resumed {resumed} course(s).", messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                f"{refused} course(s) had not failed or been cancelled; left as they are.",
                messages.WARNING,
            )

    @admin.action(description="Cancel generation")
    def cancel_generation(self, request, queryset):
        count = 0
        for course in queryset.filter(status=Course.Status.GENERATING):
            services.cancel_course(course)
            count += 1
        self.message_user(request, f"Cancellation requested for {count} course(s).", messages.SUCCESS)


@admin.register(CourseSection)
class CourseSectionAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "part", "order_index", "estimated_minutes", "status"]
    list_filter = ["status"]
    search_fields = ["title", "course__title", "course__owner__username"]
    list_select_related = ["course", "parent_section"]
    readonly_fields = [
        "course",
        "parent_section",
        "order_index",
        "title",
        "learning_objectives",
        "content_summary",
        "estimated_minutes",
        "sources",
        "source_chunk_ids",
        "status",
    ]

    def has_add_permission(self, request):
        return False  # sections are the pipeline's output

    @admin.display(description="Part", ordering="parent_section__title")
    def part(self, section):
        return section.parent_section.title if section.parent_section_id else "(part)"


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["course", "user", "created_at"]
    search_fields = ["course__title", "user__username"]
    list_select_related = ["course", "user"]
    readonly_fields = ["course", "user", "created_at"]

    def has_add_permission(self, request):
        return False  # learners enrol themselves
