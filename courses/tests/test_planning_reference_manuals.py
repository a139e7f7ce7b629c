"""Objectives and titles for reference manuals and technical documentation (API pages, program and
library manuals), whose headings name what they document -- "Class: EventEmitter",
"emitter.on(eventName, listener)", "<cachedir prefix=...>" -- and whose prose runs into function
prototypes. Seen on Node.js API pages, the libtasn1 manual, socat, the Debian Python policy and Pro
Git: "Explain class: EventTarget", "Explain node const", "Explain rebase when you rebase", "Define
GitHub", "Define default" (from "Default is 8192 bytes."), and a part titled "Contents¶"."""

from collections import Counter

import pytest

from courses.planning.material import NoMaterial, find_material
from courses.planning.objectives import (
    from_api_heading,
    from_definition,
    from_heading,
    is_topic_word,
    objectives_for,
    proper_name,
)
from courses.planning.request import is_task
from courses.planning.terms import is_prose, key_terms
from courses.planning.titles import clean_title, part_title
from library.tests.conftest import ingest

PREFS = {"depth": "standard", "pace_wpm": 150}


def test_a_call_s_parameters_and_an_element_s_attributes_are_not_part_of_its_title():
    assert clean_title("child_process.exec(command[, options][, callback])") == "child_process.exec()"
    assert clean_title("asn1_der_coding(element, name, ider, len)") == "asn1_der_coding()"
    assert clean_title('<cachedir prefix="default">') == "<cachedir>"
    # words with a parenthesis are no calls: a plural, a function of mathematics
    assert clean_title("Assumptions of the test(s)") == "Assumptions of the test(s)"
    assert clean_title("f(x) and g(x)") == "f(x) and g(x)"


def test_a_manual_page_s_capitals_are_not_kept_in_titles_but_acronyms_are():
    assert clean_title("ADDRESS TYPES") == "Address types"
    assert clean_title("IP4 AND IP6 OPTION GROUPS") == "IP4 and IP6 option groups"
    assert clean_title("Chapter 3 DEMAND") == "Demand"
    assert clean_title("SICP") == "SICP" and clean_title("TCP and UDP") == "TCP and UDP"


def test_a_reference_heading_names_what_it_documents():
    vocab = Counter()
    assert from_heading("Class: `EventEmitter`", vocab) == "Explain the EventEmitter class"
    assert from_heading("Event: `'close'`", vocab) == "Handle the 'close' event"
    assert from_heading("emitter.on(eventName, listener)", vocab) == "Use emitter.on()"
    assert from_heading("Static method: Buffer.from(array)", vocab) == "Use Buffer.from()"
    assert from_heading('<dir prefix="xdg">', vocab) == "Explain the <dir> element"
    # code that names nothing gives no objective; a heading of words is no reference heading
    assert from_heading("emitter[Symbol.for('nodejs.rejection')](err, eventName[, ...args])", vocab) is None
    assert from_api_heading("Using the lm() function") is None
    assert from_api_heading("Effect size and assumptions of the test(s)") is None


def test_a_heading_that_runs_on_into_a_clause_or_asks_for_more_is_no_objective():
    vocab = Counter()
    assert from_heading("Rebase When You Rebase", vocab) is None
    assert from_heading("What to Do If It Fails", vocab) is None
    assert from_heading("More Interesting Rebases", vocab) is None
    assert from_heading("Other Factors That Shift Demand Curves", vocab) == (
        "Explain other factors that shift demand curves"
    )


def test_a_prototype_run_into_its_description_is_not_prose():
    prototype = (
        "int asn1_read_value (asn1 node const root, const char * name, void * ivalue, int * len) "
        "root: pointer to a structure that you want to read from here."
    )
    assert not is_prose(prototype)
    assert is_prose("We call String::from() and then push_str() on the result of the call.")
    assert is_prose("The merchants of the town; the farmers of the country; the labourers of both.")
    text = " ".join([prototype] * 4) + " The tag value is read from the structure. A tag value is a number."
    assert "node const" not in " ".join(key_terms(text, Counter(text.split())))


def test_an_adjective_of_availability_does_not_open_a_term():
    text = (
        "The help text lists the available address types and exits. Each of the available address "
        "types has its options. It also lists all available address option names for the user. "
        "The address types are described below, one address type at a time."
    )
    assert not any(t.startswith("available") for t in key_terms(text, Counter(text.split()), min_count=2))


def test_a_term_whose_head_needs_a_complement_is_no_objective():
    text = (
        "Socat provides some command line options that modify the behaviour of the program. "
        "The command line options are read before the addresses are opened by the program. "
        "Error messages are written to the standard error stream of the program. "
        "Error messages carry a level and a time stamp for the reader."
    )
    found = objectives_for("Options", [], [text], ["socat"])
    assert "Explain error messages" in found
    assert not any(o.endswith("command line options") for o in found), found


def test_a_product_or_class_name_is_no_term_to_define():
    text = (
        "GitHub is a hosting service for Git repositories. Many projects use GitHub. "
        "Git is a distributed version control system. With Git you commit often, and Git keeps "
        "every version. Run `git commit` to record it, then git push. "
        "The NodeEventTarget is a Node.js-specific extension to EventTarget."
    )
    vocab = Counter(text.split())
    assert from_definition("GitHub is a hosting service for Git repositories.", vocab, text, uses=1) is None
    assert proper_name("Git", text)
    assert from_definition("Git is a distributed version control system.", vocab, text, uses=1) is None
    assert (
        from_definition("The NodeEventTarget is a Node.js-specific extension to EventTarget.", vocab, text, 1)
        is None
    )
    example = "Statements like build foo bar are a build edge with its inputs and its outputs."
    assert from_definition(example, Counter(example.split()), example, uses=1) is None


def test_a_setting_s_value_is_no_definition():
    values = ["Default is 8192 bytes.", "Default is 0.5 seconds.", "Default is 1."]
    assert not is_topic_word("default", values)
    assert not is_topic_word("default", [*values, "Default is the actual user name."])
    assert not is_topic_word("default", values, subject_of=1)
    assert is_topic_word("timeout", ["Timeout is the time socat waits before it gives up."])
    text = " ".join(values) + " Default is the actual user name."
    assert from_definition("Default is the actual user name.", Counter(text.split()), text) is None


def test_a_part_is_not_titled_contents():
    assert part_title(["Contents"], [("Packaged Modules", 20.0)]) == "Packaged Modules"
    assert part_title(["Contents", "Python Programs"], []) == "Python Programs"


MANUAL_HTML = (
    "<html><head><title>Widget Policy</title></head><body>"
    "<h1>Abstract<a class='headerlink' href='#abstract'>¶</a></h1><p>This policy covers widgets.</p>"
    "<h1>Contents<a class='headerlink' href='#contents'>¶</a></h1>"
    + "".join(
        f"<h2>{n}. Widget {name}<a class='headerlink' href='#w{n}'>¶</a></h2>"
        + "".join(
            f"<p>Widget {name} rules say how a packaged widget is built and installed. A packaged widget "
            f"declares its widget {name} in the control file, and the archive checks widget {name} on "
            f"upload; every widget {name} entry names a version and the packages it needs ({i}).</p>"
            for i in range(14)
        )
        for n, name in enumerate(["packaging", "naming", "dependencies", "upgrades"], start=1)
    )
    + "<h1>Indices<a class='headerlink' href='#indices'>¶</a></h1><p>Index. Search page.</p></body></html>"
)


@pytest.mark.django_db
def test_a_one_page_manual_nesting_everything_under_contents_is_taught(alice):
    """A single-page manual (Sphinx) puts every section under one "Contents" heading: that chapter
    is the book, not its table of contents."""
    book = ingest(alice, "widget-policy.html", MANUAL_HTML)
    found = find_material("Learn widget packaging", [book.id], 30, PREFS)
    assert found.units, found
    assert {u["chapter_title"] for u in found.units} == {"Contents"}
    assert all("¶" not in u["title"] for u in found.units)


def test_an_acronym_and_its_expansion_are_one_objective():
    from courses.planning.objectives import spelled_out

    assert spelled_out("Define URL", "Define a uniform resource locator")
    assert spelled_out("Explain the weighted average cost of capital", "Define WACC")
    assert spelled_out("Explain the net present value", "Define NPV")
    assert not spelled_out("Define URL", "Explain user rights")
    assert not spelled_out("Calculate NPV", "Explain the net present value")  # another skill


def test_an_objective_with_a_call_cut_short_is_dropped():
    from courses.planning.objectives import from_procedure, objectives_for

    sentence = (
        "To inform libpng about your function, use png_set_write_status_fn(png_ptr, write_row_callback);"
    )
    assert (
        from_procedure(sentence) == "Use png_set_write_status_fn(png_ptr to inform libpng about your function"
    )
    text = (
        f"{sentence} The write status function reports the progress of every row as the image is written. "
        "A row callback lets a program show a progress bar while the rows of the image are written."
    )
    found = objectives_for("Writing", [], [text], [])
    assert not any(o.count("(") != o.count(")") for o in found)


def test_a_verb_and_its_object_are_no_term():
    from collections import Counter

    from courses.planning.terms import WORD_RE, key_terms

    text = (
        "When bash is invoked, it reads and executes commands from the startup files. Bash executes "
        "commands from a file when it is run. A login shell reads the startup files. Bash executes commands "
        "given on the command line. It can also be told to execute commands read from the standard input. "
        "The shell executes commands in order. Login shell startup files set the environment."
    )
    terms = key_terms(text, Counter(WORD_RE.findall(text)), min_count=2)
    assert "login shell" in terms and "startup files" in terms
    assert not any("executes" in t for t in terms)


def _regex_manual() -> str:
    sections = [
        "Bracket expressions",
        "Anchors",
        "Back-references",
        "Repetition",
        "Alternation",
        "Character classes",
    ]
    body = "".join(
        f"\n\n## {title}\n\n"
        + " ".join(
            f"A regular expression uses {title.lower()} to describe a set of strings; the matcher reads "
            f"each line and tests the regular expression against it ({i}). Regular expressions combine "
            f"{title.lower()} with literal characters, and an extended regular expression needs fewer "
            f"backslashes than a basic one."
            for i in range(12)
        )
        for title in sections
    )
    return (
        "# Stream Tools Manual\n\n# Introduction\n\n"
        + "The tool reads its input and prints lines; a script of commands edits them. " * 30
        + "\n\n# Regular Expressions"
        + body
        + "\n\n# Installation\n\n"
        + "Unpack the archive, run the configure script, then make and make install. " * 30
    )


@pytest.mark.django_db
def test_what_follows_with_is_taught_when_it_is_the_subject_and_the_books_use_the_topic_s_words(alice):
    """ "Search text with regular expressions": "with" does not always name a tool every topic is
    taught in ("statistics with R"); when no book teaches the head topic in that context, the
    course teaches what followed "with" as long as its books use the head's words."""
    book = ingest(alice, "stream-tools.md", _regex_manual().replace("(0)", "(0: search the text)"))
    found = find_material("Learn to search text with regular expressions", [book.id], 60, PREFS)
    assert found.units and {u["chapter_title"] for u in found.units} == {"Regular Expressions"}
    assert "regular expressions" in found.covered
    with pytest.raises(NoMaterial):  # a word no book uses: a course on regular expressions alone would not do
        find_material("Learn WebAssembly with regular expressions", [book.id], 60, PREFS)


def _patch_manual() -> str:
    body = "".join(
        f"\n\n## {title}\n\n"
        + " ".join(
            f"The patch program reads a diff and changes the original files ({i}). When a patch was made "
            f"with the files in the wrong order, {title.lower()} tells patch to swap them, and a patch "
            f"applied by mistake can be reversed. Patch keeps a backup of each file it changes."
            for i in range(12)
        )
        for title in ("Reversed patches", "Backup files", "Imperfect patches", "Patch input formats")
    )
    once = "\n\n# Editors\n\nMost editors can undo the last change. The Tokio project is not covered here. "
    return "# Merging Manual\n\n# Merging with patch" + body + once * 1 + "A runtime library is linked. " * 40


@pytest.mark.django_db
def test_a_task_the_book_words_otherwise_is_taught_from_the_passages_that_hold_most_of_its_words(alice):
    """ "How do I undo a patch?": the book says "reversed", never "undo a patch"; passages that hold
    all but one of a task's words count, and the course says so. A named thing is still refused when
    no passage names it ("the Tokio runtime", though the book says "Tokio" and "runtime" apart)."""
    book = ingest(alice, "merging.md", _patch_manual())
    garden = "# Gardens\n\n" + "".join(
        f"## Bed {i}\n\n"
        + f"Tomatoes in bed {i} want sun, water and a stake to climb; mulch keeps the soil moist. " * 30
        for i in range(12)
    )
    other = ingest(alice, "garden.md", garden)  # a library of more than one subject
    books = [book.id, other.id]
    found = find_material("How do I undo a patch?", books, 60, PREFS)
    assert found.units and {u["chapter_title"] for u in found.units} == {"Merging with patch"}
    assert any("in those words" in note for note in found.notes)
    with pytest.raises(NoMaterial):
        find_material("Learn the Tokio runtime", books, 60, PREFS)
    with pytest.raises(NoMaterial):  # a word the library never uses is what a task asks for
        find_material("How do I undo a Kubernetes rollout?", books, 60, PREFS)


def test_a_request_worded_as_a_sentence_is_a_task_and_a_list_of_names_is_not():
    assert is_task("Measure how long a program takes to run")
    assert is_task("Download a whole website for offline reading")
    assert not is_task("Learn Nash equilibrium and mixed strategies")  # two named things
    assert not is_task("Learn the Tokio runtime")


@pytest.mark.django_db
def test_a_request_worded_as_a_sentence_is_taught_from_the_passages_that_hold_most_of_its_words(alice):
    """An imperative sentence, not framed as "how do I": the book never says "undo" beside "patch",
    yet its passages on reversing a patch teach it."""
    book = ingest(alice, "merging.md", _patch_manual())
    found = find_material("Undo a patch applied to the original files by mistake", [book.id], 60, PREFS)
    assert found.units and {u["chapter_title"] for u in found.units} == {"Merging with patch"}
    assert any("in those words" in note for note in found.notes)


def test_a_project_s_record_of_its_releases_is_no_teaching_chapter():
    """The Cargo Book's changelog names workspaces in every release; a course on workspaces was
    planned from it rather than from the chapter on them."""
    from courses.planning.units import is_filler_title

    for title in ("Changelog", "Change Log", "Release Notes", "What's New in Widget 2.0", "Version History"):
        assert is_filler_title(title), title
    for title in ("Recording Changes to the Repository", "History", "Workspaces", "Releasing a crate"):
        assert not is_filler_title(title), title
