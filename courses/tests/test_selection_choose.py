"""`choose` ends when a topic's units run out before it is taught (it used to loop for ever when the
time was filled and the other topic had only a scrap too short for a section)."""

import threading

from courses.planning.request import parse_request
from courses.planning.selection import choose
from courses.planning.units import Unit


def unit(key: int, chapter: int, words: int, topic: int) -> Unit:
    return Unit(
        key=str(key),
        book_id=1,
        book_title="Book",
        chapter_id=chapter,
        chapter_title=f"Chapter {chapter}",
        chapter_order=chapter,
        title=f"Unit {key}",
        first_ordinal=key,
        chunks=[(key, words, [f"Chapter {chapter}", f"Unit {key}"])],
        scores={topic: 1.0},
        evidence={topic: "heading"},
        relevant={topic: {key}},
    )


def test_a_topic_with_only_a_scrap_does_not_stop_the_choice_from_ending():
    request = parse_request("Learn alpha and beta")
    big, more = unit(1, 1, 3000, 0), unit(3, 3, 3000, 0)  # 40 min on alpha, and 40 more
    scrap = unit(2, 2, 300, 1)  # 4 min on beta, alone in its chapter
    result: list = []
    worker = threading.Thread(
        target=lambda: result.append(choose([big, scrap, more], request, 30, "standard", 150)), daemon=True
    )
    worker.start()
    worker.join(5)
    assert not worker.is_alive(), "choose() did not end"
    assert result == [[big]]
