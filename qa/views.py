"""The question box on the section page: a question in, the exchange fragment out (htmx); and one
stored exchange as a fragment (the page's streaming script shows it once the answer is final)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from qa import selectors, services
from qa.models import QAMessage
from qa.throttles import QuestionThrottle


@login_required
@require_POST
def ask(request, pk: int):
    section = selectors.section_or_404(request.user, pk)
    throttle = QuestionThrottle()
    if not throttle.allow_request(request, None):
        wait = round(throttle.wait() or 60)
        response = render(
            request,
            "qa/_ask_response.html",
            {"error": f"Too many questions; try again in {wait} s."},
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
    try:
        asked = services.ask(
            request.user,
            section,
            request.POST.get("question", ""),
            position_seconds=request.POST.get("position_seconds") or None,
            session_id=request.POST.get("session_id") or None,
        )
    except services.QuestionRefused as exc:
        return render(request, "qa/_ask_response.html", {"error": exc.message}, status=exc.status)
    return render(request, "qa/_ask_response.html", {"message": asked.message})


@login_required
@require_GET
def message(request, pk: int):
    found = get_object_or_404(QAMessage.objects.filter(session__user=request.user), pk=pk)
    return render(request, "qa/_exchange.html", {"message": found})
