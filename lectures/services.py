"""Writes for lectures: get-or-generate (single-flight), deliveries, retry, completion, quizzes.

Get or generate, never twice: a section resolves to a cache key (lectures.sources). A learner with
a current delivery gets it; else the best servable version of the key is delivered (a new
`SectionDelivery`, `was_cached`); else the one generation of the key is joined; else a version is
inserted as `generating` -- the partial unique index on (cache_key) WHERE status = 'generating'
lets exactly one concurrent insert win, the others fail and join the winner's job.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from docprof.prepared import Prepared
from lectures import selectors, sources
from lectures.models import Lecture, QuizAttempt, SectionDelivery
from lectures.payloads import STAMP_FIELDS
from lectures.throttles import LectureGenerationThrottle
from lectures.writing import current_writer
from lectures.writing import quiz as quizzes
from workers import engine
from workers.engine import JobConflict

MAX_ANSWER_CHARS = 300


class GenerationRateLimited(Exception):
    def __init__(self, wait: float | None):
        super().__init__("Too many lectures started; try again later.")
        self.wait = wait


class LectureRequestError(Exception):
    """A request a person must fix (a 400)."""

    def __init__(self, errors: dict):
        super().__init__(str(errors))
        self.errors = errors


@dataclass
class Opened:
    """What opening a section gave: a delivery (ready), or the version being written, or a failure."""

    lecture: Lecture | None
    delivery: SectionDelivery | None = None
    was_cached: bool = False

    @property
    def state(self) -> str:
        if self.delivery is not None:
            return "ready"
        if self.lecture is None:
            return "none"
        return self.lecture.status


def open_section(
    section,
    user,
    *,
    start: bool = True,
    retry_failed: bool = True,
    undelivered: bool = False,
    inputs: sources.LectureInputs | None = None,
) -> Opened:
    """The learner's lecture for a section, delivering a cached version or starting/joining the one
    generation of its key. `retry_failed=False` reports a failed version instead of restarting it.
    `undelivered=True`: the caller has just seen that the learner has no delivery of a ready version
    (`selectors.section_opening`), so it is not looked up again."""
    if not undelivered:
        delivery = selectors.current_delivery(section, user)
        if delivery is not None and delivery.lecture is not None:
            return Opened(delivery.lecture, delivery, delivery.was_cached)
    if inputs is None:
        inputs = sources.resolve(section, user, current_writer().spec(), selectors.library_for(section, user))
    for _attempt in range(5):
        best = selectors.servable_version(inputs.key)
        if best is not None:
            delivery = deliver(section, user, best, first=undelivered)
            return Opened(best, delivery, delivery.was_cached)
        running = selectors.running_version(inputs.key)
        if running is not None:
            selectors.add_waiter(running.pk, user.pk)
            return Opened(running)
        failed = selectors.failed_version(inputs.key)
        if not start or (failed is not None and not retry_failed):
            return Opened(failed)
        throttle = LectureGenerationThrottle()
        if not throttle.allow(user):
            raise GenerationRateLimited(throttle.wait())
        try:
            lecture = _restart(failed, user) if failed is not None else _new_version(section, user, inputs)
        except IntegrityError:
            continue  # another request started this key's generation first: join it
        if lecture is not None:
            selectors.add_waiter(lecture.pk, user.pk)
            return Opened(lecture)
    raise RuntimeError(f"could not settle the lecture for section {section.pk}")


def _new_version(section, user, inputs: sources.LectureInputs) -> Lecture:
    spec = inputs.writer
    with transaction.atomic():
        latest = Lecture.objects.filter(cache_key=inputs.key).aggregate(v=Max("version"))["v"] or 0
        lecture = Lecture.objects.create(
            cache_key=inputs.key,
            key_inputs=inputs.as_dict(),
            version=latest + 1,
            status=Lecture.Status.GENERATING,
            title=section.title,
            objectives=inputs.objectives,
            source_hashes=inputs.hashes,
            style=inputs.style,
            depth=inputs.depth,
            pace_wpm=inputs.pace_wpm,
            target_words=inputs.target_words,
            writer=spec["kind"],
            writer_version=spec["version"],
            model=spec["model"],
            prompt_version=spec["prompts"][:40],
            generated_by=user,
        )
        job = engine.submit(user, "lecture", lecture.pk, message="Waiting for a worker")
        Lecture.objects.filter(pk=lecture.pk).update(job=job)
        lecture.job = job
    return lecture


def _restart(lecture: Lecture, user) -> Lecture | None:
    """Retry a failed version in place: its job resumes from its last checkpoint (segments already
    written are not written or paid for again; the kind's resume hook marks the version generating).
    None when a concurrent request resumed it first."""
    try:
        if lecture.job_id is None:
            raise JobConflict("no job")
        engine.resume(lecture.job_id)
    except JobConflict:
        with transaction.atomic():  # a version whose job cannot be resumed gets a fresh job
            if not Lecture.objects.filter(pk=lecture.pk, status=Lecture.Status.FAILED).update(
                status=Lecture.Status.GENERATING, error=""
            ):
                return None
            job = engine.submit(user, "lecture", lecture.pk)
            Lecture.objects.filter(pk=lecture.pk).update(job=job)
    lecture.refresh_from_db()
    return lecture if lecture.status == Lecture.Status.GENERATING else None


# Deliver the best servable version of a key in one statement: the served-version rule's query (the
# ORM's, compiled: the rule lives in selectors.servable_versions only), the INSERT of the delivery
# with `deliver`'s snapshot and was_cached rule, and the stamp of its cached JSON.
# Outside a transaction the statement commits asynchronously (`synchronous_commit` off for this one
# statement, via set_config(..., true)): the response does not wait for the WAL flush, which was
# most of this request's tail (p99 ~8 ms of a loaded disk). A crash of the database server within
# ~0.6 s may lose such a delivery row, never corrupt anything; the learner's next GET delivers again.
_ASYNC_COMMIT = "cfg AS (SELECT set_config('synchronous_commit', 'off', true) AS v), "
_DELIVER_BEST = """
WITH {cfg}best AS ({best}),
ins AS (
    INSERT INTO {delivery} (section_id, user_id, lecture_id, lecture_script, style_snapshot, was_cached,
                            is_current, delivered_at, user_notes)
    SELECT %s, %s, best.id, best.script,
           jsonb_build_object('style', best.style, 'depth', best.depth, 'pace_wpm', best.pace_wpm),
           best.generated_by_id IS DISTINCT FROM %s
             OR EXISTS (SELECT 1 FROM {delivery} d WHERE d.lecture_id = best.id AND d.user_id = %s),
           true, now(), ''
      FROM best{cfg_from}
    RETURNING id, was_cached
)
SELECT ins.id, ins.was_cached, best.id, {stamp} FROM ins, best
"""


_BEST = Prepared(
    lambda cache_key: selectors.servable_versions(cache_key).values(
        "id", "script", "style", "depth", "pace_wpm", "generated_by_id", *STAMP_FIELDS, "versions"
    )[:1],
    cache_key="",
)


def deliver_from_cache(
    section, user, library: list[str] | None = None
) -> tuple[tuple | None, sources.LectureInputs]:
    """The first GET of a learner with no current delivery of the section: resolve its key and, if a
    servable version exists, deliver it in one statement. Returns ((delivery id, was_cached,
    lecture id, stamp) or None, inputs); None also when a delivery appeared meanwhile (the caller
    goes on with `open_section(..., undelivered=True, inputs=inputs)`)."""
    if library is None:
        library = selectors.library_for(section, user)
    inputs = sources.resolve(section, user, current_writer().spec(), library)
    best_sql, best_params = _BEST.sql(cache_key=inputs.key)
    in_transaction = connection.in_atomic_block  # then the caller's commit decides (and is not relaxed)
    sql = _DELIVER_BEST.format(
        cfg="" if in_transaction else _ASYNC_COMMIT,
        cfg_from="" if in_transaction else ", cfg",
        best=best_sql,
        delivery=SectionDelivery._meta.db_table,
        stamp=", ".join(f"best.{f}" for f in (*STAMP_FIELDS, "versions")),
    )
    try:
        with _statement(), connection.cursor() as cursor:
            cursor.execute(sql, (*best_params, section.pk, user.pk, user.pk, user.pk))
            row = cursor.fetchone()
    except IntegrityError:  # a current delivery exists after all (opened twice at once)
        return None, inputs
    return (None if row is None else (row[0], row[1], row[2], tuple(row[3:]))), inputs


def deliver(section, user, lecture: Lecture, *, first: bool = False) -> SectionDelivery:
    """Record the delivery of a ready version (the current one for this learner and section).
    `first=True`: the learner is believed to have no current delivery of this section, so it is one
    INSERT (no transaction, no row lock); if one exists after all, the general path replaces it."""
    # Cached unless this learner caused the generation and is receiving it for the first time.
    was_cached = lecture.generated_by_id != user.pk or lecture.deliveries.filter(user=user).exists()
    if first:
        try:
            with _statement():
                return _new_delivery(section, user, lecture, was_cached)
        except IntegrityError:  # a current delivery exists (opened twice at once): replace it below
            pass
    try:
        with transaction.atomic():
            previous = (
                SectionDelivery.objects.select_for_update()
                .filter(section=section, user=user, is_current=True)
                .first()
            )
            if previous is not None:
                SectionDelivery.objects.filter(pk=previous.pk).update(is_current=False)
            carried = {}
            if previous is not None:  # the learner's progress and notes carry over to the new version
                carried = {
                    "completed_at": previous.completed_at,
                    "duration_actual_minutes": previous.duration_actual_minutes,
                    "user_notes": previous.user_notes,
                }
            return _new_delivery(section, user, lecture, was_cached, **carried)
    except IntegrityError:  # the same learner opened the section twice at once
        return selectors.current_delivery(section, user)


def _new_delivery(section, user, lecture: Lecture, was_cached: bool, **carried) -> SectionDelivery:
    return SectionDelivery.objects.create(
        section=section,
        user=user,
        lecture=lecture,
        lecture_script=lecture.script,
        style_snapshot=_style_of(lecture),
        was_cached=was_cached,
        is_current=True,
        **carried,
    )


def _style_of(lecture: Lecture) -> dict:
    return {"style": lecture.style, "depth": lecture.depth, "pace_wpm": lecture.pace_wpm}


def _statement():
    """One statement on its own: in autocommit it needs no transaction (a failed INSERT leaves the
    connection usable); inside an outer transaction (tests, callers' atomic blocks) a savepoint."""
    return transaction.atomic() if connection.in_atomic_block else nullcontext()


def complete_section(section, user, *, duration_actual_minutes=None, notes=None) -> SectionDelivery:
    delivery = selectors.current_delivery(section, user)
    if delivery is None:
        raise LectureRequestError({"detail": "Open this section's lecture before marking it complete."})
    fields = {"completed_at": delivery.completed_at or timezone.now()}
    if duration_actual_minutes is not None:
        fields["duration_actual_minutes"] = duration_actual_minutes
    if notes is not None:
        fields["user_notes"] = notes
    SectionDelivery.objects.filter(pk=delivery.pk).update(**fields)
    delivery.refresh_from_db()
    return delivery


def check_answers(lecture: Lecture, answers) -> dict[str, str]:
    """Every question answered; a multiple-choice answer is one of its choices (else a 400)."""
    if not isinstance(answers, dict):
        raise LectureRequestError({"answers": ["Send an object {question_id: answer}."]})
    questions = {q["id"]: q for q in lecture.quiz}
    errors = {}
    for key in answers:
        if key not in questions:
            errors[str(key)] = ["No such question in this quiz."]
    for qid, q in questions.items():
        value = answers.get(qid)
        if not isinstance(value, str) or not value.strip():
            errors[qid] = ["Answer this question."]
        elif len(value) > MAX_ANSWER_CHARS:
            errors[qid] = [f"Answers are at most {MAX_ANSWER_CHARS} characters."]
        elif q.get("choices") and value not in q["choices"]:
            errors[qid] = ["Choose one of the question's choices."]
    if errors:
        raise LectureRequestError({"answers": errors})
    return {qid: answers[qid].strip() for qid in questions}


def submit_quiz(lecture: Lecture, user, answers) -> QuizAttempt:
    answers = check_answers(lecture, answers)
    results, per_objective = [], {}
    for q in lecture.quiz:
        correct = quizzes.is_correct(q, answers[q["id"]])
        results.append(
            {
                "id": q["id"],
                "objective": q["objective"],
                "question": q["question"],
                "your_answer": answers[q["id"]],
                "correct": correct,
                "answer": q["answer"],
                "explanation": q["explanation"],
                "citation": q["citation"],
            }
        )
        tally = per_objective.setdefault(q["objective"], {"correct": 0, "total": 0})
        tally["total"] += 1
        tally["correct"] += int(correct)
    right = sum(r["correct"] for r in results)
    delivery = SectionDelivery.objects.filter(user=user, lecture=lecture, is_current=True).first()
    return QuizAttempt.objects.create(
        user=user,
        lecture=lecture,
        delivery=delivery,
        answers=answers,
        score=round(right / len(results), 4) if results else 0,
        correct=right,
        total=len(results),
        results=results,
        per_objective=per_objective,
    )
