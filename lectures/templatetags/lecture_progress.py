"""`{% course_progress course as p %}`: a learner's progress through a course, for course pages
(the courses app's templates use it; lectures owns deliveries, so the reading lives here)."""

from django import template

from lectures.selectors import course_progress as progress_of

register = template.Library()


@register.simple_tag(takes_context=True)
def course_progress(context, course):
    return progress_of(course, context["request"].user)
