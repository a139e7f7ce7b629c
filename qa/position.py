"""Where the learner is in the lecture: position (seconds) x pace (words per minute) -> word offset
into the lecture script; what has been said so far and what is still to come.

The section page works the other way round (static/js/qa.js): from how far the learner has read
to seconds, using `script_blocks` (where each "## " segment of the script starts, in the words
`word_offset` counts) and the same pace, so the position it sends lands on the words it means."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_PACE_WPM = 150


@dataclass
class LectureContext:
    """What the answerer knows about the lecture and course the question was asked in."""

    course_title: str = ""
    section_title: str = ""
    section_minutes: int = 0
    objectives: list[str] = field(default_factory=list)
    outline: list[tuple[str, int]] = field(default_factory=list)  # (section title, minutes), in order
    section_index: int = -1  # this section's place in `outline`
    script: str = ""
    pace_wpm: int = DEFAULT_PACE_WPM
    position_seconds: float | None = None

    @property
    def word_offset(self) -> int:
        return word_offset(self.position_seconds, self.pace_wpm, len(self.script.split()))

    def said_and_to_come(self) -> tuple[str, str]:
        return split_script(self.script, self.position_seconds, self.pace_wpm)


def word_offset(position_seconds: float | None, pace_wpm: int, total_words: int) -> int:
    """Words of the script spoken after `position_seconds` at `pace_wpm`, within 0..total_words.
    No position means the whole lecture has been heard (a question asked after it)."""
    if position_seconds is None:
        return total_words
    spoken = int(max(0.0, float(position_seconds)) * max(1, pace_wpm) / 60.0)
    return min(spoken, total_words)


def split_script(script: str, position_seconds: float | None, pace_wpm: int) -> tuple[str, str]:
    words = script.split()
    offset = word_offset(position_seconds, pace_wpm, len(words))
    return " ".join(words[:offset]), " ".join(words[offset:])


def script_blocks(script: str) -> list[dict]:
    """{start, words} of each "## heading" segment of a lecture script, in script words."""
    blocks: list[dict] = []
    offset = 0
    for line in script.splitlines():
        words = len(line.split())
        if line.startswith("## ") or not blocks:
            blocks.append({"start": offset, "words": 0})
        blocks[-1]["words"] += words
        offset += words
    return [b for b in blocks if b["words"]]
