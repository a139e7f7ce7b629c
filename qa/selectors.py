"""Reads for questions, scoped to the user: another user's session or section is not found."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from lectures import selectors as lecture_selectors
from qa.models import QASession


def section_or_404(user, pk: int):
    """A section of the user's courses that has a lecture (a part with sections has none)."""
    section = lecture_selectors.section_of(user, pk)  # sections_of's rule, a prepared query
    if section is None:
        raise Http404("No such section.")
    if lecture_selectors.is_part_with_sections(section):
        raise Http404("A part has no lecture of its own; open one of its sections.")
    return section


def session_or_404(user, pk: int) -> QASession:
    return get_object_or_404(QASession.objects.filter(user=user).select_related("section"), pk=pk)


def session_data(session: QASession) -> dict:
    return {
        "id": session.pk,
        "section_id": session.section_id,
        "delivery_id": session.delivery_id,
        "started_at": session.started_at,
        "ended_at": session.ended_at,
        "lecture_position_seconds": session.lecture_position_seconds,
        "messages": [
            {
                "id": m.pk,
                "question": m.question,
                "rewritten_question": m.rewritten_question or None,
                "answer": m.answer,
                "kind": m.kind,
                "sources": m.sources,
                "position_seconds": m.position_seconds,
                "created_at": m.created_at,
            }
            for m in session.messages.all()
        ],
    }
