"""`{% course_progress course as p %}`: a learner's progress through a course, for course pages
(the courses app's templates use it; lectures owns deliveries, so the reading lives here)."""

from django import template

from lectures.selectors import course_progress as progress_of

register = template.Library()


@register.simple_tag(takes_context=True)
def course_progress(context, course):
    progress = progress_of(course, context["request"].user)
    done = {row["id"] for row in progress["sections"] if row["status"] == "completed"}
    return {**progress, "completed_ids": done}  # the outline marks these sections


@register.simple_tag
def course_cost(course):
    """What a course has cost so far (planning and the lectures it caused); for its owner."""
    from lectures.usage import course_cost as cost_of

    return cost_of(course)
