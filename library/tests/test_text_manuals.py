"""Plain-text manuals as they come: GNU info files (makeinfo's markup, a few NUL bytes, '*' underlines),
Usenet FAQs (a header block, numbered sections), manuals with roman-numbered parts, and examples whose
comments start with '#'."""

import pytest

from library.models import Book
from library.parsing import IngestError, detect_format, parse_book
from library.parsing.base import looks_binary
from library.tests.conftest import ingest, upload
from library.tests.fixtures import chapter_text, make_text

INFO = (
    "This is demo.info, produced by makeinfo version 6.8 from demo.texi.\n\n"
    "This file documents the demo utility.\n\n"
    "\x1f\nFile: demo.info,  Node: Top,  Next: Overview,  Up: (dir)\n\n"
    "Demo 1.2\n********\n\nThis manual documents Demo.\n\n* Menu:\n\n* Overview::    What demo does.\n\n"
    "\x1f\nFile: demo.info,  Node: Overview,  Next: Invoking,  Prev: Top,  Up: Top\n\n"
    "1 Overview\n**********\n\nDemo fetches files over the network without a browser.\n\n"
    "1.1 Retries\n===========\n\nDemo retries a failed download twenty times (*note Invoking::).\n"
    "*Note Invoking::, for the options.\n\n"
    "     # Log in to the server. This can be done only once.\n     demo --login\n\n"
    "2 Invoking\n**********\n\nRun demo with the address of a file to fetch it.\n\n"
    "Concept Index\n*************\n\n* retries:    Overview.    (line 12)\n\n"
    "\x1f\nTag Table:\nNode: Top\x7f123\nNode: Overview\x7f456\n"
    "\x1f\nEnd Tag Table\n\x00\x08[index\x00\x08]\n"
)


def test_a_few_nul_bytes_are_text_data_full_of_them_is_not():
    assert not looks_binary(b"manual text " * 1000 + b"\x00\x08[index\x00\x08]")
    assert looks_binary(bytes(range(256)) * 40)


def test_gnu_info_manual_reads_as_a_book(tmp_path):
    path = tmp_path / "demo.info.txt"
    path.write_bytes(INFO.encode())
    book = parse_book(path, "text")
    assert book.title == "Demo 1.2"
    titles = [c.title for c in book.chapters]
    assert "1 Overview" in titles and "2 Invoking" in titles
    text = " ".join(b.text for c in book.chapters for b in c.blocks)
    assert "Node:" not in text and "Tag Table" not in text and "Menu" not in text and "(line 12)" not in text
    assert "Log in to the server" in text  # an example's comment stays text, not a heading
    assert "twenty times (see Invoking). See Invoking, for the options." in text  # cross-references
    overview = book.chapters[titles.index("1 Overview")]
    assert any("twenty times" in b.text for b in overview.blocks)  # its section 1.1 is inside it


def _split_manual(name: str) -> tuple[str, str, str]:
    """A manual makeinfo split into three files: the first lists the others and holds no node."""
    preamble = (
        f"This is {name}.info, produced by makeinfo version 6.8 from\n{name}.texi.\n\n"
        f"This manual documents {name}.\n\n   Copyright (C) 2024 Free Software Foundation, Inc.\n\n"
        "     Permission is granted to copy, distribute and/or modify this\n     document.\n\n"
    )
    locals_ = "\x1f\nLocal Variables:\ncoding: utf-8\nEnd:\n"
    first = (
        preamble + f"INFO-DIR-SECTION Basics\nSTART-INFO-DIR-ENTRY\n* {name}: ({name}).   Finding files.\n"
        f"END-INFO-DIR-ENTRY\n\n\x1f\nIndirect:\n{name}.info-1: 1201\n{name}.info-2: 3120\n\x1f\n"
        "Tag Table:\n(Indirect)\nNode: Top\x7f1201\nNode: Finding\x7f2000\n\x1f\nEnd Tag Table\n\n" + locals_
    )
    one = (
        preamble + f"\x1f\nFile: {name}.info,  Node: Top,  Next: Finding,  Up: (dir)\n\n"
        "GNU Finder\n**********\n\n* Menu:\n\n* Finding::   How to find.\n\n"
        f"\x1f\nFile: {name}.info,  Node: Finding,  Next: Acting,  Prev: Top,  Up: Top\n\n"
        "1 Finding Files\n***************\n\n"
        "The finder walks a directory tree and tests every file it meets.\n\n" + locals_
    )
    two = (
        preamble + f"\x1f\nFile: {name}.info,  Node: Acting,  Prev: Finding,  Up: Top\n\n"
        "2 Actions\n*********\n\nEach file that passes the tests can be printed, deleted or renamed.\n\n"
        + locals_
    )
    return first, one, two


def test_a_split_info_manual_joined_into_one_file_reads_as_one_book(tmp_path):
    path = tmp_path / "finder.info"
    path.write_text("".join(_split_manual("finder")))
    book = parse_book(path, "text")
    assert book.title == "GNU Finder"
    titles = [c.title for c in book.chapters]
    assert "1 Finding Files" in titles and "2 Actions" in titles
    text = " ".join(b.text for c in book.chapters for b in c.blocks)
    assert text.count("This manual documents finder") == 1  # the parts' repeated preambles are gone
    for markup in ("makeinfo", "Local Variables", "Indirect", "INFO-DIR", "Tag Table", "finder.info-1"):
        assert markup not in text
    for markup in ("Copyright (C) 2024", "Permission is granted"):  # the notice; its licence is an appendix
        assert markup not in text
    assert "tests every file it meets" in text and "printed, deleted or renamed" in text


def test_the_first_file_of_a_split_info_manual_alone_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "finder.info"
    path.write_text(_split_manual("finder")[0])
    with pytest.raises(IngestError) as refused:
        parse_book(path, "text")
    assert refused.value.status_code == 422
    assert "finder.info-1, finder.info-2" in refused.value.message
    assert "zcat finder.info.gz finder.info-*.gz > finder.info" in refused.value.message


def test_an_info_manual_without_a_title_page_takes_its_info_directory_entry(tmp_path):
    path = tmp_path / "calc.info"
    path.write_text(
        "This is calc.info, produced by makeinfo version 6.7 from calc.texi.\n\n"
        "INFO-DIR-SECTION Math\nSTART-INFO-DIR-ENTRY\n"
        "* calc: (calc).              An arbitrary precision calculator language.\n"
        "END-INFO-DIR-ENTRY\n\n"
        "\x1f\nFile: calc.info,  Node: Introduction,  Up: (dir)\n\n1 Introduction\n**************\n\n"
        "Calc reads expressions and prints their values.\n\n"
        "\x1f\nFile: calc.info,  Node: Syntax,  Up: (dir)\n\n2 Syntax\n********\n\nNames are lower case.\n"
    )
    book = parse_book(path, "text")
    assert book.title == "calc: An arbitrary precision calculator language"
    assert [c.title for c in book.chapters] == ["1 Introduction", "2 Syntax"]


def test_faq_header_block_is_not_the_title_and_numbered_sections_are_chapters(tmp_path):
    text = (
        "Archive-Name: editor-faq/demo\nPosting-Frequency: irregular\n\n"
        "                  THE DEMO FAQ\n\n"
        "1. GENERAL INFORMATION\n\n"
        "1.1. What is demo?\n\n   Demo is a stream editor that works as a filter on lines of text.\n\n"
        "   # Double space a file\n   demo G\n\n"
        "2. BASIC USE\n\n"
        "2.1. How do I run it?\n\n   Give it a script and a file name; it prints the edited lines.\n"
    )
    book = parse_book(make_text(tmp_path / "faq.txt", text), "text")
    assert book.title == "THE DEMO FAQ"
    assert [c.title for c in book.chapters][-2:] == ["1. GENERAL INFORMATION", "2. BASIC USE"]


def test_roman_numbered_parts_are_chapters_and_numbered_list_items_are_not(tmp_path):
    text = (
        "demo-manual.txt - How to use demo\n\n"
        "I. Introduction\n\nThis manual describes the demo library and its use.\n\n"
        "1. Open the file.\n\n2. Read the header.\n\n"
        "II. Reading\n\nReading a file takes three calls in the right order.\n"
    )
    book = parse_book(make_text(tmp_path / "m.txt", text), "text")
    titles = [c.title for c in book.chapters]
    assert titles[-2:] == ["I. Introduction", "II. Reading"]
    assert "1. Open the file." not in titles


def test_markdown_style_headings_in_text_still_count_unless_they_read_as_comments(tmp_path):
    text = (
        "Notes\n\n# Getting Started\n\nInstall the tool first.\n\n"
        "# this is a comment of a script\n\nMore text.\n\n# Next Steps\n\nThen use it every day.\n"
    )
    titles = [c.title for c in parse_book(make_text(tmp_path / "n.txt", text), "text").chapters]
    assert "Getting Started" in titles and "Next Steps" in titles
    assert "this is a comment of a script" not in titles


@pytest.mark.django_db
def test_a_file_that_failed_to_be_read_is_read_again_when_uploaded_again(alice, monkeypatch):
    from library import services

    content = "Demo Book\n\n" + chapter_text("valuation")
    real = services.ingest_book
    monkeypatch.setattr(
        services,
        "ingest_book",
        lambda *a, **k: (_ for _ in ()).throw(services.IngestError("The reader failed.")),
    )
    failed = ingest(alice, "demo.txt", content)
    assert failed.status == Book.Status.ERROR and "reader failed" in failed.error
    monkeypatch.setattr(services, "ingest_book", real)
    again = upload(alice, "demo.txt", content)
    assert again.retried and not again.created and again.job is not None
    assert again.book.pk == failed.pk and again.book.status == Book.Status.QUEUED and again.book.error == ""
    waiting = upload(alice, "demo.txt", content)  # still queued: a duplicate, not a third attempt
    assert not waiting.retried and waiting.job is None
    from workers import engine

    engine.run_inline(again.job.pk)
    again.book.refresh_from_db()
    assert again.book.status == Book.Status.READY and again.book.chunks.exists()


MAN_PAGE = """DEMO(1)                  General Commands Manual                 DEMO(1)

NAME
       demo - fetch files over the network

SYNOPSIS
       demo [options] URL

DESCRIPTION
       Demo fetches the files named by each URL and saves them in the current
       directory, retrying a failed transfer twenty times.

   Retries
       A transfer that fails is tried again after a pause that doubles each
       time, up to ten sec‐
       onds.

EXIT STATUS
       0      Everything went well.

       1      A transfer failed.

GNU Demo 1.2                       2024-01-01                       DEMO(1)
"""


def test_a_manual_page_takes_its_sections_and_title_from_its_layout(tmp_path):
    book = parse_book(make_text(tmp_path / "demo.txt", MAN_PAGE), "text")
    assert book.title == "demo - fetch files over the network"
    titles = [c.title for c in book.chapters]
    assert titles == ["NAME", "SYNOPSIS", "DESCRIPTION", "EXIT STATUS"]
    description = book.chapters[2]
    assert any("doubles each time, up to ten seconds." in b.text for b in description.blocks)  # hyphenation
    text = " ".join(b.text for c in book.chapters for b in c.blocks)
    assert "General Commands Manual" not in text and "DEMO(1)" not in text


def test_an_indented_text_with_underlined_headings_keeps_them():
    from library.parsing.text import build_text_chapters

    text = "Intro\n=====\n\n   Some indented prose here.\n   More indented prose.\n\n"
    text += "NOT A HEADING\n   indented\n"
    titles = [c.title for c in build_text_chapters(text)]
    assert "NOT A HEADING" not in titles


def test_info_and_restructuredtext_files_are_accepted_as_text():
    assert detect_format("sed.info") == "text" and detect_format("README.rst") == "text"
