"""Which kind of question: about the course or its logistics (meta), answerable from the lecture
so far (lecture), or needing the library (library). Meta questions are recognised by their
wording; lecture versus library is decided on evidence (qa.engine)."""

from __future__ import annotations

import re

from qa.position import LectureContext

META = re.compile(
    r"\b(how (long|much time|many (sections|parts|lectures|minutes|hours|quizzes))"
    r"|what('s| is| comes)? next|next (section|part|lecture|topic)|previous (section|part|lecture)"
    r"|(this|the) (course|syllabus|outline)|course (outline|structure|plan|length)"
    r"|what (will|do|are) we (cover|learn|going to (cover|learn))|where are we|time (left|remaining)"
    r"|skip (this|the) (section|lecture|part)|(is|will) there (be )?a quiz|quiz|"
    r"learning objectives?|objectives? of (this|the) (section|lecture))\b",
    re.I,
)
LECTURE_REFERENCE = re.compile(
    r"\b(you (just )?(said|mentioned|meant|explained|showed)|(in|from) (this|the) lecture"
    r"|earlier (you|in)|what did you mean|you were (saying|talking)|as you said)\b",
    re.I,
)


def is_meta(question: str) -> bool:
    return bool(META.search(question))


def refers_to_lecture(question: str) -> bool:
    return bool(LECTURE_REFERENCE.search(question))


def _minutes(m: int) -> str:
    if m >= 60:
        h, rest = divmod(m, 60)
        return f"{h} h {rest} min" if rest else f"{h} h"
    return f"{m} min"


def meta_answer(question: str, ctx: LectureContext) -> str:
    """One or two sentences from the course itself."""
    total = sum(minutes for _, minutes in ctx.outline)
    where = f"You are in \u201c{ctx.section_title}\u201d" if ctx.section_title else "You are in this section"
    if ctx.section_minutes:
        where += f" ({_minutes(ctx.section_minutes)}"
        if ctx.position_seconds is not None:
            left = max(0, ctx.section_minutes - int(ctx.position_seconds // 60))
            where += f", about {_minutes(left)} left"
        where += ")"
    course = f"\u201c{ctx.course_title}\u201d" if ctx.course_title else "This course"
    first = f"{course} has {len(ctx.outline)} sections, {_minutes(total)} in all; {where}."
    q = question.lower()
    nxt = ctx.outline[ctx.section_index + 1][0] if 0 <= ctx.section_index < len(ctx.outline) - 1 else None
    if re.search(r"next|after this|what (will|do|are) we", q):
        second = f"Next comes \u201c{nxt}\u201d." if nxt else "This is the last section of the course."
    elif ctx.objectives and re.search(r"objective|cover|learn|about", q):
        second = "This section's objectives: " + "; ".join(ctx.objectives) + "."
    else:
        second = f"After this section comes \u201c{nxt}\u201d." if nxt else ""
    return f"{first} {second}".strip()
