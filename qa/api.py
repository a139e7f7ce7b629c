"""JSON API for questions during a lecture (shapes are a contract; see issue 10):

POST /api/sections/{id}/questions   {question, position_seconds?, session_id?}
     -> {session_id, message_id, kind: meta|lecture|library|not_found, answer, rewritten_question?,
         sources: [{n, chunk_id, book_id, book_title, chapter, page_start, page_end, quote, verified}]}
POST /api/sections/{id}/questions/stream   the same question, answered as text/event-stream:
     `event: delta` {"text"} while a model writes (a preview), then one `event: final` carrying
     the object above (authoritative: sources verified, message stored), or `event: error` {"detail"}
POST /api/qa/sessions/{id}/close    (the lecture resumes) -> the session
GET  /api/qa/sessions/{id}          the session with its history
"""

from __future__ import annotations

import json
import logging
from collections.abc import Generator, Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from docprof.ai import errors as ai_errors
from docprof.ai.llm import collect
from docprof.fields import StrictCharField, StrictFloatField, StrictIntegerField
from docprof.openapi import AUTH, BODY, errors
from library.retrieval import MAX_QUERY_CHARS
from qa import selectors, services
from qa.throttles import QuestionThrottle

log = logging.getLogger(__name__)


class QuestionIn(serializers.Serializer):
    # The limits the service enforces, stated in the schema: some text (not only spaces, no NUL
    # characters), at most MAX_QUERY_CHARS characters (one limit for every query a user types).
    question = StrictCharField(
        max_length=MAX_QUERY_CHARS,
        trim_whitespace=False,
        validators=[RegexValidator(r"^[^\x00]*\S[^\x00]*$", message="Type a question.")],
    )
    position_seconds = StrictFloatField(required=False, allow_null=True, min_value=0)
    session_id = StrictIntegerField(required=False, allow_null=True, min_value=1)


class SourceOut(serializers.Serializer):
    n = serializers.IntegerField()
    chunk_id = serializers.IntegerField()
    book_id = serializers.IntegerField()
    book_title = serializers.CharField()
    chapter = serializers.CharField()
    page_start = serializers.IntegerField(allow_null=True)
    page_end = serializers.IntegerField(allow_null=True)
    quote = serializers.CharField()
    verified = serializers.BooleanField()


AnswerOut = inline_serializer(
    "QAAnswer",
    {
        "session_id": serializers.IntegerField(),
        "message_id": serializers.IntegerField(),
        "kind": serializers.ChoiceField(["meta", "lecture", "library", "not_found"]),
        "answer": serializers.CharField(),
        "rewritten_question": serializers.CharField(required=False),
        "sources": SourceOut(many=True),
    },
)
SessionOut = inline_serializer(
    "QASession", {"id": serializers.IntegerField(), "messages": serializers.ListField()}
)


class QuestionAPI(APIView):
    throttle_classes = [QuestionThrottle]

    @extend_schema(
        request=QuestionIn, responses={200: AnswerOut, **errors(*AUTH, *BODY, 404, 429)}, tags=["qa"]
    )
    def post(self, request, pk: int):
        asked = collect(services.answer(prepared_question(request, pk)))[1]
        return Response(asked.as_dict())


def prepared_question(request, pk: int) -> services.Question:
    section = selectors.section_or_404(request.user, pk)
    data = QuestionIn(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        return services.prepare(
            request.user,
            section,
            data.validated_data["question"],
            position_seconds=data.validated_data.get("position_seconds"),
            session_id=data.validated_data.get("session_id"),
        )
    except services.QuestionRefused as exc:
        if exc.status == 404:
            raise exceptions.NotFound(exc.message)
        raise exceptions.ValidationError({"detail": exc.message})


def sse(event: str, data) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, cls=DjangoJSONEncoder)}\n\n".encode()


def answer_events(answering: Generator[str, None, services.Asked]) -> Iterator[bytes]:
    """delta events while the answer is written, then the final object (or an error event)."""
    try:
        while True:
            try:
                delta = next(answering)
            except StopIteration as stop:
                asked = stop.value
                break
            yield sse("delta", {"text": delta})
    except ai_errors.AIError as exc:
        log.warning("streamed answer failed: %s", exc)
        yield sse("error", {"detail": services.model_trouble(exc)})
        return
    yield sse("final", asked.as_dict())


# One server-sent event, as a client's parser sees it (`data` is the JSON text of its payload).
SSE_EVENT = {
    "type": "object",
    "properties": {
        "event": {"type": "string", "enum": ["delta", "final", "error"]},
        "data": {"type": "string", "description": "JSON: {text} | the answer object | {detail}"},
    },
    "required": ["event", "data"],
}


class QuestionStreamAPI(APIView):
    throttle_classes = [QuestionThrottle]

    @extend_schema(
        request=QuestionIn,
        responses={
            (200, "text/event-stream"): OpenApiResponse(
                SSE_EVENT,
                description="Server-sent events: `delta` {text} while a model writes the answer (the "
                "offline answerer sends none), then `final` with the same object as POST "
                "/api/sections/{id}/questions, or `error` {detail} if the model fails mid-answer "
                "(nothing is stored then). A refused question is a plain JSON error, as for "
                "POST /api/sections/{id}/questions: send `Accept: text/event-stream, application/json`.",
            ),
            **errors(*AUTH, *BODY, 404, 429),
        },
        tags=["qa"],
    )
    def post(self, request, pk: int):
        prepared = prepared_question(request, pk)
        response = StreamingHttpResponse(
            answer_events(services.answer(prepared, stream=True)), content_type="text/event-stream"
        )
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"  # a proxy in front must not hold the events back
        return response


class SessionAPI(APIView):
    @extend_schema(responses={200: SessionOut, **errors(*AUTH, 404)}, tags=["qa"])
    def get(self, request, pk: int):
        return Response(selectors.session_data(selectors.session_or_404(request.user, pk)))


class SessionCloseAPI(APIView):
    @extend_schema(request=None, responses={200: SessionOut, **errors(*AUTH, 404)}, tags=["qa"])
    def post(self, request, pk: int):
        session = services.close_session(selectors.session_or_404(request.user, pk))
        return Response(selectors.session_data(session))
