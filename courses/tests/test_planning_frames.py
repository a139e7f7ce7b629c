"""Requests that name a platform or a compound the way people say it, over documentation that
writes it otherwise: "Node.js streams" over a stream manual whose headings never say "Node.js",
"event emitters" over a manual that writes "EventEmitter" -- and honest refusals kept."""

import pytest

from courses.planning.material import NoMaterial, find_material, frame_words
from courses.planning.request import compound_spellings, parse_request, stems_of
from courses.planning.units import in_book_required
from courses.tests.books import prose
from library.tests.conftest import ingest

PREFS = {"depth": "standard", "pace_wpm": 150}


def test_a_dotted_name_is_one_word_as_the_index_keeps_it():
    assert stems_of("Node.js streams") == ["node.js", "stream"]
    assert stems_of("ASN.1 parsing. Next") == ["asn.1", "pars", "next"]
    assert parse_request("Learn readable streams in Node.js").context == ["Node.js"]


def test_a_compound_is_also_spelled_joined_or_split():
    assert ("event emitters", "eventemitters") in compound_spellings("Node.js event emitters")
    assert ("EventEmitter", "event emitter") in compound_spellings("the EventEmitter")
    assert compound_spellings("streams") == []


def test_a_word_a_book_uses_throughout_and_far_more_than_the_library_frames_it():
    shares = {"node.js": 0.25, "stream": 1.0, "set": 0.3}
    library = {"node.js": 0.03, "stream": 0.1, "set": 0.25}
    assert frame_words(shares, "Stream", library) == {"stream", "node.js"}  # not "set": used everywhere


def test_in_a_book_only_what_it_does_not_say_throughout_is_required():
    shares = {"rust": 1.0, "macro": 0.05}
    assert in_book_required(frozenset({"rust", "macro"}), shares) == {"macro"}
    shares = {"stream": 1.0, "node.js": 0.25}
    both = frozenset({"node.js", "stream"})
    # a heading names the whole topic: it stays required whole ("Matrix Multiplication")
    assert in_book_required(both, shares, {"node.js"}, titled=True) == both
    # no heading does: the platform only frames the book
    assert in_book_required(both, shares, {"node.js"}, titled=False) == {"stream"}
    # the frame is all the topic says: what the book uses most is what it is about
    shares = {"node.js": 0.25, "eventemitt": 0.9, "event": 1.0}
    pair = frozenset({"node.js", "eventemitt"})
    assert in_book_required(pair, shares, {"node.js", "eventemitt"}, titled=False) == {"eventemitt"}


WORDS = ["a buffer", "a chunk", "the callback", "an error", "the consumer", "the producer"]


def _section(heading: str, key: str, words: list[str], count: int) -> str:
    return f"## {heading}\n\n{key}\n\n{prose(words, count, heading)}\n\n"


def stream_manual() -> str:
    """A stream manual that names its platform in about a third of its passages (never in a
    heading) and writes its emitter class as one word."""
    platform = "Gizmo.io applications use them in this way."
    body = "".join(
        _section(title, f"{key} {platform}", WORDS + [word, "Gizmo.io"], 900)
        for title, key, word in [
            ("Readable streams", "A readable stream is a source of data.", "a readable stream"),
            ("Writable streams", "A writable stream is a destination for data.", "a writable stream"),
            ("Duplex streams", "A duplex stream is both readable and writable.", "a duplex stream"),
        ]
    )
    body += _section(
        "Class: SignalHub",
        "The SignalHub class emits named signals. Every SignalHub keeps its listeners.",
        WORDS + ["the SignalHub", "a listener"],
        900,
    )
    return "# Stream\n\n" + body


def garden_book() -> str:
    """A distractor three times the manual's size: the manual's platform is rare in the library."""
    return "# Kitchen Gardens\n\n" + "".join(
        _section(f"Bed {n}", f"Bed {n} is raised.", ["the soil", "a bed", "compost", "the seedlings"], 1200)
        for n in range(10)
    )


@pytest.mark.django_db
def test_a_platform_the_manual_names_throughout_frames_the_request(alice):
    manual = ingest(alice, "stream.md", stream_manual())
    garden = ingest(alice, "garden.md", garden_book())
    found = find_material("Learn Gizmo.io streams", [manual.id, garden.id], 30, PREFS)
    assert {u["title"] for u in found.units} & {"Readable streams", "Writable streams", "Duplex streams"}
    assert all(u["book_id"] == manual.id for u in found.units)
    # the frame does not make the manual teach what it never says
    with pytest.raises(NoMaterial):
        find_material("Learn Gizmo.io sprockets", [manual.id, garden.id], 30, PREFS)


@pytest.mark.django_db
def test_a_compound_is_found_as_the_manual_spells_it(alice):
    manual = ingest(alice, "stream.md", stream_manual())
    found = find_material("Learn signal hubs", [manual.id], 15, PREFS)
    assert [u["title"] for u in found.units] == ["Class: SignalHub"]
