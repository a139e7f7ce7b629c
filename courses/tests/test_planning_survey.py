"""A request for a book's own subject ("Learn beekeeping" of "Practical Beekeeping") surveys the book
in its order -- each chapter's opening, foundations first -- instead of the chapters whose headings
happen to repeat the word; what only talks about the book itself is left out. A request for part of
the subject still gets the material about that part."""

import pytest

from courses.planning.material import find_material
from library.tests.conftest import ingest

pytestmark = pytest.mark.django_db
PREFS = {"depth": "standard", "pace_wpm": 150}
CHAPTERS = [
    ("The Colony", ["Queens and Workers", "Drones and the Brood"], "colony queen worker drone brood larva"),
    ("Hives and Equipment", ["Choosing a Hive", "Frames and Foundation"], "hive frame foundation super box"),
    (
        "Seasons of the Apiary",
        ["Spring Buildup", "Preparing for Winter"],
        "spring winter cluster forage nectar",
    ),
    ("Pests and Diseases", ["Varroa Mites", "Foulbrood"], "varroa mite foulbrood disease treatment"),
    ("Beekeeping and Honey Law", ["Registering Your Apiary", "Selling Honey"], "law register label licence"),
]


def section(words: str, n: int) -> str:
    vocab = words.split()
    sentences = [
        f"The {vocab[i % len(vocab)]} matters to every keeper in season {i}, and the "
        f"{vocab[(i + 1) % len(vocab)]} changes how the colony behaves through week {i + 2}."
        for i in range(n)
    ]
    return " ".join(sentences)


def beekeeping_book() -> str:
    parts = ["# Practical Beekeeping\n", "## Introduction\n", "### How to Use This Book\n"]
    parts.append(
        " ".join(
            f"This book has five chapters; chapter {i} builds on chapter {i - 1}, and this book "
            f"explains in chapter {i + 1} what the book leaves for later."
            for i in range(2, 40)
        )
        + "\n"
    )
    for title, sections, words in CHAPTERS:
        parts.append(f"## {title}\n")
        for heading in sections:
            parts.append(f"### {heading}\n")
            if heading == "Hive Log":  # a listing of program output: nothing to teach from
                parts.append(
                    " ".join(f"## hive.{i} numeric {i * 7} ## w{i}.kg = 3.{i}" for i in range(150)) + "\n"
                )
            else:
                parts.append(section(words, 40) + "\n")
    return "\n".join(parts)


@pytest.fixture
def library(alice):
    bees = ingest(alice, "beekeeping.md", beekeeping_book())
    other = ingest(alice, "garden.md", "# Kitchen Gardens\n\n## Soil\n\n" + section("soil compost bed", 60))
    return bees, other


def test_the_books_own_subject_is_surveyed_in_the_books_order(library):
    bees, other = library
    found = find_material("Learn beekeeping", [bees.id, other.id], 60, PREFS)
    chapters = list(dict.fromkeys(u["chapter_title"] for u in found.units))
    assert chapters == [title for title, _, _ in CHAPTERS]  # every chapter, in the book's order
    titles = [u["title"] for u in found.units]
    assert "How to Use This Book" not in titles  # it only tours the book
    assert "Hive Log" not in titles  # program output
    # each chapter's opening first; the time left goes to the first chapter's next section
    assert titles == [
        "Queens and Workers",
        "Drones and the Brood",
        "Choosing a Hive",
        "Spring Buildup",
        "Varroa Mites",
        "Registering Your Apiary",
    ]
    assert found.covered == ["beekeeping"] and found.missing == [] and found.planned_minutes == 60


def test_part_of_the_subject_gets_the_material_about_that_part(library):
    bees, other = library
    found = find_material("Learn honey law", [bees.id, other.id], 30, PREFS)
    assert {u["chapter_title"] for u in found.units} == {"Beekeeping and Honey Law"}


def test_two_subjects_share_the_time(library):
    bees, garden = library
    found = find_material("Learn beekeeping and kitchen gardens", [bees.id, garden.id], 30, PREFS)
    assert {u["book_title"] for u in found.units} == {bees.title, garden.title}
    assert sorted(found.covered) == ["beekeeping", "kitchen gardens"]


def test_a_part_across_several_chapters_is_titled_by_its_span():
    from courses.planning.outline import spanning_title

    def sec(chapter, minutes):
        return {"chapter_title": chapter, "minutes": minutes}

    survey_part = [sec("Getting Started", 10), sec("Git Basics", 10), sec("Git on the Server", 15)]
    assert spanning_title(survey_part) == "From Getting Started to Git on the Server"
    assert (
        spanning_title([sec("Git Basics", 30), sec("Git Tools", 5), sec("GitHub", 5)]) is None
    )  # one dominates
    assert spanning_title([sec("Git Basics", 10), sec("Git Tools", 10)]) is None  # two: "A and B" as before
