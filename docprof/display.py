"""JSON shown to a person (the admin's coverage, preferences and summaries): nested lists and
definition lists instead of raw JSON. Every value is escaped."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

LABELS = {"pace_wpm": "Pace (words per minute)", "book_title": "Book"}


def label(key) -> str:
    if key in LABELS:
        return LABELS[key]
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _scalar(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _is_flat(value: dict) -> bool:
    return all(not isinstance(v, dict | list) for v in value.values())


def json_html(value) -> SafeString:
    """Render a JSON value readably: dicts as <dl>, lists as <ul>, flat records on one line."""
    if isinstance(value, dict):
        if not value:
            return mark_safe('<span class="quiet">–</span>')  # noqa: S308 (a constant)
        rows = format_html_join(
            "", "<dt>{}</dt><dd>{}</dd>", ((label(k), json_html(v)) for k, v in value.items())
        )
        return format_html('<dl class="json">{}</dl>', rows)
    if isinstance(value, list):
        if not value:
            return mark_safe('<span class="quiet">none</span>')  # noqa: S308 (a constant)
        if all(not isinstance(v, dict | list) for v in value):
            return format_html("{}", ", ".join(_scalar(v) for v in value))
        items = format_html_join("", "<li>{}</li>", ((_item(v),) for v in value))
        return format_html('<ul class="json">{}</ul>', items)
    return format_html("{}", _scalar(value))


def _item(value) -> SafeString:
    if isinstance(value, dict) and _is_flat(value):
        return format_html_join(" · ", "{}: {}", ((label(k), _scalar(v)) for k, v in value.items()))
    return json_html(value)
