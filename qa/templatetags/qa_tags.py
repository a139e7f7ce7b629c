"""The question box's pieces: the history of the user's open question session for a section,
answers rendered safely with their [n] markers linked to the source chips, and what the page needs
to turn the learner's reading position into seconds of lecture (qa.position)."""

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from qa.models import QASession
from qa.position import script_blocks
from qa.services import lecture_pace

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


@register.simple_tag
def qa_lecture_timing(section, delivery=None) -> dict:
    """Pace and segment word offsets of the learner's lecture, for the page's position (JSON)."""
    script = delivery.lecture_script if delivery else ""
    blocks = script_blocks(script)
    return {
        "pace_wpm": lecture_pace(section, delivery),
        "blocks": blocks,
        "total_words": len(script.split()),
    }
