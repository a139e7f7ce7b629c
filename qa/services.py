"""Writes for questions: ask (opening a session with the first question), close a session.
`ask` is `prepare` (checks, the session) then `answer` (a generator: the answer's text as it is
written when streaming, then the stored message).

No transaction is held open across answering (which may call a model): a new session is stored
with its first message, in one transaction once the answer is whole, so a question that is never
answered (a model failure, a stream cut short) leaves no empty session."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from courses.selectors import section_lines_in_order
from docprof.ai import errors as ai_errors
from docprof.ai.llm import collect
from lectures.selectors import current_delivery
from library.retrieval import QueryError
from library.selectors import ready_books
from qa import answer_pool, engine
from qa.answers import Answer
from qa.followup import Turn
from qa.models import QAMessage, QASession
from qa.position import DEFAULT_PACE_WPM, LectureContext

MAX_POSITION_SECONDS = 24 * 3600


class QuestionRefused(Exception):
    """A request a person must fix; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Asked:
    session: QASession
    message: QAMessage
    answer: Answer

    def as_dict(self) -> dict:
        data = {"session_id": self.session.pk, "message_id": self.message.pk, **self.answer.as_dict()}
        if not data.get("rewritten_question"):
            data.pop("rewritten_question", None)
        return data


def lecture_pace(section, delivery) -> int:
    """Words per minute of the learner's lecture: the delivery's style, else the course's pace."""
    style = (delivery.style_snapshot if delivery else None) or {}
    pace = style.get("pace_wpm") or (section.course.preferences or {}).get("pace_wpm") or DEFAULT_PACE_WPM
    return int(pace)


def lecture_context(section, delivery, position_seconds: float | None) -> LectureContext:
    course = section.course
    ordered = section_lines_in_order(course.pk)
    pace = lecture_pace(section, delivery)
    return LectureContext(
        course_title=course.title,
        section_title=section.title,
        section_minutes=section.estimated_minutes,
        objectives=list(section.learning_objectives or []),
        outline=[(s.title, s.estimated_minutes) for s in ordered],
        section_index=next((i for i, s in enumerate(ordered) if s.pk == section.pk), -1),
        script=delivery.lecture_script if delivery else "",
        pace_wpm=int(pace),
        position_seconds=position_seconds,
    )


def clean_position(value) -> float | None:
    if value in (None, ""):
        return None
    try:
        position = float(value)
    except (TypeError, ValueError):
        raise QuestionRefused("position_seconds must be a number of seconds.")
    if not 0 <= position <= MAX_POSITION_SECONDS:
        raise QuestionRefused(f"position_seconds must be between 0 and {MAX_POSITION_SECONDS}.")
    return position


def open_session(user, section, session_id=None, position: float | None = None) -> QASession:
    """The session `session_id` names, checked; else a new one, not yet saved (`answer` saves it)."""
    if session_id not in (None, ""):
        try:
            session = QASession.objects.get(pk=int(session_id), user=user)
        except (QASession.DoesNotExist, TypeError, ValueError):
            raise QuestionRefused("No such question session.", 404)
        if session.section_id != section.pk:
            raise QuestionRefused("That question session belongs to another section.")
        if not session.is_open:
            raise QuestionRefused(
                "That question session is closed; ask without session_id to start a new one."
            )
        return session
    return QASession(
        section=section,
        delivery=current_delivery(section, user, with_lecture=False),
        user=user,
        lecture_position_seconds=position,
    )


@dataclass
class Question:
    """A question checked and its session opened, ready to be answered."""

    user: object
    section: object
    text: str
    position: float | None
    session: QASession
    history: list[Turn]
    book_ids: list[int]
    book_titles: list[str]
    context: LectureContext


def prepare(user, section, question, *, position_seconds=None, session_id=None) -> Question:
    """Check the question and open (or continue) its session; QuestionRefused says what to fix."""
    try:
        question = engine.clean_question(question)
    except QueryError as exc:
        raise QuestionRefused(str(exc))
    position = clean_position(position_seconds)
    session = open_session(user, section, session_id, position)
    history = []
    if session_id not in (None, ""):  # a session opened by this question has no messages yet
        history = [
            Turn(m.question, m.answer, m.rewritten_question or None, m.kind) for m in session.messages.all()
        ]
    books = ready_books(user)
    book_ids = [pk for pk, _ in books]
    titles = [title for _, title in books[:20]]
    context = lecture_context(section, session.delivery, position)
    return Question(user, section, question, position, session, history, book_ids, titles, context)


def answer(asked: Question, *, llm=engine._UNSET, stream: bool = False) -> Generator[str, None, Asked]:
    """Answer a prepared question and store it (one QAMessage, once the answer is whole). With
    `stream`, the answer's text is yielded as it is written; nothing is stored if it is not finished."""
    llm = engine.chosen_llm(llm)
    question = {
        "question": asked.text,
        "book_ids": asked.book_ids,
        "context": asked.context,
        "history": asked.history,
        "llm": llm,
        "book_titles": asked.book_titles,
    }
    pool = answer_pool.current()
    # Offline, the answer is CPU only (it streams nothing): a child process of the pool computes it
    # while this thread waits without the interpreter lock. A model's answer waits on the network.
    result = pool.answer(question) if pool is not None and llm is None else None
    if result is None:
        result = yield from engine.answer_events(**question, stream=stream)
    with transaction.atomic():
        if asked.session.pk is None:
            asked.session.save()
        message = QAMessage.objects.create(
            session=asked.session,
            question=asked.text,
            rewritten_question=result.rewritten_question or "",
            answer=result.answer,
            kind=result.kind,
            sources=list(result.as_dict()["sources"]),
            position_seconds=asked.position,
            answerer=result.answerer,
        )
    return Asked(asked.session, message, result)


def ask(user, section, question, *, position_seconds=None, session_id=None, llm=engine._UNSET) -> Asked:
    """Answer `question` asked in `section` (already checked to be the user's) and store it."""
    prepared = prepare(user, section, question, position_seconds=position_seconds, session_id=session_id)
    return collect(answer(prepared, llm=llm))[1]


def model_trouble(exc: ai_errors.AIError) -> str:
    """What a learner reads when the model fails mid-answer (no hosts, no provider detail)."""
    if isinstance(exc, ai_errors.Throttled):
        return "The model is busy right now; ask again in a moment."
    if isinstance(exc, ai_errors.Timeout | ai_errors.Unavailable):
        return "The model did not finish the answer; ask again."
    return "The model could not answer this question; ask again or rephrase it."


def close_session(session: QASession) -> QASession:
    """Resuming the lecture ends the session (idempotent)."""
    QASession.objects.filter(pk=session.pk, ended_at__isnull=True).update(ended_at=timezone.now())
    session.refresh_from_db()
    return session
