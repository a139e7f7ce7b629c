"""How long a section may last: its minutes follow the relevant source text it draws on.

The rule: a section lasts at most as long as it takes to speak its relevant source text
`SPOKEN_PER_SOURCE[depth]` times at the course's pace -- at the default 150 words a minute and
standard depth, one minute per 75 source words (overview: one per 150, deep: one per 50). Shorter is
fine (a course that is short on time covers its sources faster).
"""

from __future__ import annotations

import math

SPOKEN_PER_SOURCE = {"overview": 1.0, "standard": 2.0, "deep": 3.0}
SECTION_MIN, SECTION_MAX = 10, 90


def supported_minutes(words: int, depth: str, pace: int) -> float:
    return words * SPOKEN_PER_SOURCE.get(depth, 2.0) / max(60, pace or 150)


def words_for(minutes: float, depth: str, pace: int) -> int:
    return math.ceil(minutes * max(60, pace or 150) / SPOKEN_PER_SOURCE.get(depth, 2.0))
