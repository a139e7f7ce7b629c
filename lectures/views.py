"""The section page: the lecture (live while it is written), citations, quiz, Mark complete, Next
section, and the place of the Q&A box. Owner-scoped: another user's section is a 404."""

from __future__ import annotations

import html

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from lectures import curation, selectors, services
from lectures.api import section_or_404
from lectures.api_curation import your_vote
from lectures.payloads import lecture_data, public_quiz
from lectures.rendering import citation_label, pages, to_html
from library.models import Chunk
from library.quotes import span_in_passage

QA_BOX = "qa/_question_box.html"


def _qa_box_available() -> bool:
    try:
        get_template(QA_BOX)
    except TemplateDoesNotExist:
        return False
    return True


def _lecture_context(data: dict) -> dict:
    """Segments as safe HTML with chips, and citations with their labels."""
    citations = data["citations"]
    return {
        "segments": [
            {**s, "html": to_html(s["text"], citations), "heading": s["objective"] or s["kind"].title()}
            for s in data["segments"]
        ],
        "citations": [{**c, "label": citation_label(c), "pages": pages(c)} for c in citations],
    }


_rendered: dict[tuple[int, int], dict] = {}
RENDERED_KEEP = 256


def _ready_lecture_context(lecture_id: int, revision: int, data: dict) -> dict:
    """`_lecture_context` of a ready version, rendered (Markdown, nh3, chips) once per process and
    revision: its text never changes, and every later change (curation, remapped citations after a
    re-ingestion) bumps `revision`."""
    key = (lecture_id, revision)
    context = _rendered.get(key)
    if context is None:
        if len(_rendered) >= RENDERED_KEEP:
            try:
                _rendered.pop(next(iter(_rendered)), None)
            except (RuntimeError, StopIteration):  # another thread changed it meanwhile
                pass
        context = _rendered[key] = _lecture_context(data)
    return context


def _page_context(request, section, opened: services.Opened, **extra) -> dict:
    lecture = opened.lecture
    context = {
        "section": section,
        "course": section.course,
        "opened": opened,
        "state": opened.state,
        "lecture": lecture,
        "delivery": opened.delivery,
        "next_section": selectors.next_section(section),
        "qa_box": _qa_box_available() and opened.delivery is not None,
        **extra,
    }
    if lecture is not None:
        data = lecture_data(lecture)
        if lecture.status == lecture.Status.READY:
            context.update(_ready_lecture_context(lecture.pk, lecture.revision, data), data=data)
        else:
            context.update(_lecture_context(data), data=data)
        if opened.delivery is not None:
            context["quiz"] = public_quiz(lecture)
            context["better"] = selectors.better_version(opened.delivery)
            context["your_vote"] = your_vote(request.user, lecture.pk)
    return context


@login_required
@require_GET
def section_page(request, pk: int):
    section = section_or_404(request.user, pk)
    try:
        opened = services.open_section(section, request.user, retry_failed=False)
    except services.GenerationRateLimited as exc:
        response = render(
            request,
            "lectures/section.html",
            {
                "section": section,
                "course": section.course,
                "state": "throttled",
                "wait": round(exc.wait or 60),
            },
            status=429,
        )
        response["Retry-After"] = str(round(exc.wait or 60))
        return response
    return render(request, "lectures/section.html", _page_context(request, section, opened))


@login_required
@require_GET
def live_fragment(request, pk: int):
    """Polled while the lecture is written: the segments so far; a full reload once it is ready."""
    section = section_or_404(request.user, pk)
    opened = services.open_section(section, request.user, start=False, retry_failed=False)
    if opened.state in ("ready", "none") and request.htmx:
        return HttpResponseClientRefresh()
    return render(request, "lectures/_live.html", _page_context(request, section, opened))


@login_required
@require_POST
def retry(request, pk: int):
    section = section_or_404(request.user, pk)
    try:
        services.open_section(section, request.user, retry_failed=True)
    except services.GenerationRateLimited as exc:
        messages.error(
            request, f"You have started many lectures recently; try again in {round(exc.wait or 60)} s."
        )
    return redirect("lectures:section", section.pk)


@login_required
@require_POST
def complete(request, pk: int):
    section = section_or_404(request.user, pk)
    try:
        services.complete_section(section, request.user)
    except services.LectureRequestError as exc:
        messages.error(request, exc.errors["detail"])
        return redirect("lectures:section", section.pk)
    messages.success(request, f"“{section.title}” marked complete.")
    nxt = selectors.next_section(section)
    if nxt is not None and request.POST.get("go") == "next":
        return redirect("lectures:section", nxt.pk)
    return redirect("lectures:section", section.pk)


@login_required
@require_POST
def quiz(request, pk: int):
    section = section_or_404(request.user, pk)
    delivery = selectors.current_delivery(section, request.user)
    if delivery is None or delivery.lecture is None:
        raise Http404
    answers = {q["id"]: request.POST.get(q["id"], "") for q in delivery.lecture.quiz}
    try:
        attempt = services.submit_quiz(delivery.lecture, request.user, answers)
    except services.LectureRequestError as exc:
        context = {"quiz": public_quiz(delivery.lecture), "section": section, "errors": exc.errors["answers"]}
        return render(request, "lectures/_quiz.html", context, status=400)
    results = [
        {**r, "label": citation_label(r["citation"]), "pages": pages(r["citation"])} for r in attempt.results
    ]
    context = {"attempt": attempt, "results": results, "section": section}
    if request.htmx:
        return render(request, "lectures/_quiz_results.html", context)
    return render(request, "lectures/quiz_results.html", context)


@login_required
@require_GET
def passage(request, lecture_id: int, chunk_id: int):
    """The whole passage a citation quotes, with the quote marked."""
    lecture = selectors.visible_lecture(request.user, lecture_id)
    if lecture is None or str(chunk_id) not in (lecture.key_inputs.get("hashes") or {}):
        raise Http404
    chunk = Chunk.objects.select_related("book", "chapter").filter(pk=chunk_id).first()
    if chunk is None:
        raise Http404
    quote = request.GET.get("q", "")
    return HttpResponse(_marked(chunk.text, quote), content_type="text/html; charset=utf-8")


def _marked(text: str, quote: str) -> str:
    """The passage as the book writes it, escaped, with the first occurrence of the quote in <mark>."""
    span = span_in_passage(quote, text)
    if span is None:
        return f'<p class="passage">{html.escape(text)}</p>'
    before, hit, after = text[: span[0]], text[span[0] : span[1]], text[span[1] :]
    return f'<p class="passage">{html.escape(before)}<mark>{html.escape(hit)}</mark>{html.escape(after)}</p>'


@login_required
@require_POST
def vote(request, pk: int):
    section = section_or_404(request.user, pk)
    delivery = selectors.current_delivery(section, request.user)
    if delivery is None or delivery.lecture is None:
        raise Http404
    try:
        value = int(request.POST.get("value", ""))
        curation.vote(delivery.lecture, request.user, value)
    except (ValueError, curation.CurationError):
        messages.error(request, "A vote is up or down.")
    else:
        messages.success(request, "Thanks: your vote counts towards which version learners get.")
    return redirect("lectures:section", section.pk)


@login_required
@require_POST
def regenerate(request, pk: int):
    """Write a new version; the learner keeps the current one until they choose the new one."""
    section = section_or_404(request.user, pk)
    try:
        lecture = curation.regenerate(section, request.user)
    except services.GenerationRateLimited as exc:
        messages.error(
            request, f"You have asked for many new versions; try again in {round(exc.wait or 60)} s."
        )
    else:
        messages.info(
            request,
            f"Writing version {lecture.version}. This page offers it as soon as it is ready; "
            "your current version stays until you switch.",
        )
    return redirect("lectures:section", section.pk)


@login_required
@require_POST
def switch(request, pk: int):
    section = section_or_404(request.user, pk)
    delivery = curation.switch_to_best(section, request.user)
    if delivery is not None:
        messages.success(request, f"You are reading version {delivery.lecture.version} now.")
    return redirect("lectures:section", section.pk)
