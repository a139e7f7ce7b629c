"""The question box's pieces: the history of the user's open question session for a section, and
answers rendered safely with their [n] markers linked to the source chips."""

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from qa.models import QASession

register = template.Library()
MARKER = re.compile(r"\[(\d+)\]")


@register.inclusion_tag("qa/_history.html", takes_context=True)
def qa_history(context, section):
    user = context["request"].user
    session = (
        QASession.objects.filter(user=user, section=section, ended_at__isnull=True)
        .prefetch_related("messages")
        .first()
    )
    return {"session": session, "messages": list(session.messages.all()) if session else []}


@register.filter
def with_chips(answer: str, message_id) -> str:
    """Escape the answer, then link each [n] to its source chip."""
    html = MARKER.sub(
        lambda m: format_html(
            '<a class="chip" href="#qa-{}-{}">[{}]</a>', message_id, m.group(1), m.group(1)
        ),
        escape(answer),
    )
    return mark_safe(html.replace("\n", "<br>"))  # noqa: S308 (escaped above; only our links added)
