"""Small display helpers available in every template (registered as builtins in settings)."""

from django import template

register = template.Library()


@register.simple_tag
def page_range(start, end=None) -> str:
    """'p. 4' for one page, 'pp. 4–9' for several, '' when the pages are unknown."""
    if not start:
        return ""
    if not end or end == start:
        return f"p. {start}"
    return f"pp. {start}–{end}"


@register.filter
def ingest_stage(job) -> str:
    """What an ingest job is doing now, in words: its message, or its phase when it has none."""
    if job is None:
        return ""
    return job.message or (job.phase.replace("_", " ").capitalize() if job.phase else "Waiting for a worker")
