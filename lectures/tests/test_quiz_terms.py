"""Which phrases the offline quiz accepts as a defined term (they become answers and distractors)."""

from types import SimpleNamespace

import pytest

from lectures.writing.quiz import DEFINITION_RE, _distinctive, _term_ok


@pytest.mark.parametrize(
    "sentence, term",
    [
        ("The discount rate is the return investors require for the risk they bear.", "discount rate"),
        ("Free cash flow refers to the cash a firm can pay out to all its investors.", "Free cash flow"),
        ("WACC means the weighted average cost of capital used to discount flows.", "WACC"),
    ],
)
def test_definitions_name_their_term(sentence, term):
    match = DEFINITION_RE.match(sentence)
    assert match and _term_ok(match["term"]) and match["term"].strip() == term


@pytest.mark.parametrize(
    "sentence",
    [
        "where RONIC is the return on new invested capital earned by the firm.",
        "Thus growth is valuable only when returns exceed the cost of capital.",
        "However the result is sensitive to the terminal growth assumption.",
        "This is the reason the model needs a stable growth rate forever.",
        "Life is a big, messy, complicated thing, and every test relies on simplifications.",
    ],
)
def test_clauses_that_name_no_term_are_not_definitions(sentence):
    match = DEFINITION_RE.match(sentence)
    assert not (match and _term_ok(match["term"]))


SECTION = SimpleNamespace(
    passages={
        1: {"text": "A hypothesis test asks whether the null hypothesis survives the data we obtained."},
        2: {
            "text": "Each hypothesis makes a prediction; the test statistic measures how far the data stray."
        },
        3: {"text": "We reject the null hypothesis when the test statistic falls in the critical region."},
    }
)


@pytest.mark.parametrize(
    "sentence, objective, blank",
    [
        # the section's topic word, not a verb the objective happens to contain, nor an adverb
        (
            "The procedure commonly makes no distinction about the hypothesis.",
            "Explain decision making",
            "hypothesis",
        ),
        # the objective's own term when it is a topic word
        (
            "We reject the null hypothesis inside the critical region.",
            "Define the critical region",
            "critical",
        ),
    ],
)
def test_a_cloze_blanks_a_topic_word(sentence, objective, blank):
    assert _distinctive(sentence, objective, SECTION) == blank


def test_code_and_console_output_are_never_quoted_or_quizzed():
    from lectures.writing.base import quotable_sentences

    text = (
        "The git branch command does more than just create and delete branches of your project.\n"
        "To see the last commit on each branch, you can run git branch -v: $ git branch -v iss53 93b412c "
        "Fix javascript issue * master 7a98805 Merge branch 'iss53' testing.\n"
        "(define (square x) (* x x)) (define (sum-of-squares x y) (+ (square x) (square y)))\n"
        "A procedure definition gives a compound operation a name so that it can be used again."
    )
    assert quotable_sentences(text) == (
        "The git branch command does more than just create and delete branches of your project.",
        "A procedure definition gives a compound operation a name so that it can be used again.",
    )


def test_a_question_never_gives_its_answer_away_and_variables_are_no_terms():
    from lectures.writing.quiz import _term_ok, gives_away

    # "The heap is less organized: when you put data on the heap ..." asks which term is the heap
    assert gives_away("heap", "less organized: when you put data on the heap, you request space")
    assert gives_away("Eigenvectors", "the eigenvector of A with eigenvalue 2")
    assert not gives_away("Ownership", "Rust's most unique feature")
    for label in ["vector y", "Notice that D0", "proof of Theorem EMHE", "vectors z and w"]:
        assert not _term_ok(label), label
    assert _term_ok("characteristic polynomial") and _term_ok("heap")


def test_the_pieces_of_sentences_a_passage_edge_cuts_are_not_quoted():
    from lectures.writing.base import quotable_sentences

    text = (
        "possesses unique features that make it an excellent medium for studying programming. "
        "The most significant of these features is that descriptions of processes are data. "
        "Procedures can themselves be represented and manipulated as"
    )
    assert quotable_sentences(text) == (
        "The most significant of these features is that descriptions of processes are data.",
    )


def test_distractors_are_the_chapters_topic_words_written_like_the_answer():
    from lectures.writing.quiz import _distractors

    text = (
        "Flour is the finely ground endosperm of the wheat grain. Gluten forms when flour meets water. "
        "The gluten network traps gas, and more gluten holds more gas. Bran particles cut the gluten. "
        "Hydration is the weight of water over the weight of flour, usually given as a percentage."
    )
    brief = SimpleNamespace(passages={1: {"chapter_id": 7, "text": text}})
    options = _distractors(brief, 7, "Yeast")
    assert "Gluten" in options and "Hydration" in options
    assert not any(o.lower().endswith("ly") for o in options)  # "finely", "usually": no answers
    assert all(o[:1].isupper() for o in options)
    assert all(o[:1].islower() for o in _distractors(brief, 7, "yeast"))


def test_the_introduction_quotes_a_statement_not_an_exercise_or_a_step_of_a_proof():
    from lectures.writing.offline import overview_sentence

    brief = SimpleNamespace(title="Eigenvalues and Eigenvectors", objectives=["Define an eigenvalue"])
    citations = [
        {
            "n": 1,
            "quote": "C19 Find the eigenvalues and eigenvectors, and each eigenvalue of the matrix below.",
        },
        {
            "n": 2,
            "quote": "Let each eigenvalue of the eigenvectors be distinct, and let the eigenvalue be real.",
        },
        {
            "n": 3,
            "quote": "A matrix stretches space along its eigenvectors by the amounts we call eigenvalues.",
        },
    ]
    assert overview_sentence(citations, brief)[1] == 3


def test_a_blank_is_never_a_word_of_a_name_or_a_title():
    sentence = (
        "Sheldon Axler computes every eigenvalue without determinants in his book Linear Algebra Done Right."
    )
    blank = _distinctive(sentence, "Define an eigenvalue")
    assert blank == "eigenvalue"
    assert _distinctive("Axler wrote Linear Algebra Done Right in a hurry.", "Define an eigenvalue") not in {
        "Linear",
        "Algebra",
        "Done",
        "Right",
    }


def test_an_aside_about_nothing_the_section_teaches_is_no_blank():
    aside = "Sheldon Axler does just that in his book on determinants."
    passages = {1: {"text": aside}, 2: {"text": "An eigenvalue of a matrix scales its eigenvector."}}
    brief = SimpleNamespace(passages=passages)
    assert _distinctive(aside, "Define an eigenvalue", brief) is None
    assert _distinctive("An eigenvalue scales a vector.", "Define an eigenvalue", brief) == "eigenvalue"


def test_no_distractor_is_the_answer_in_another_form():
    from lectures.writing.quiz import _distractors

    text = (
        "The quantity demanded falls as the price rises: less is demanded, and what is demanded costs "
        "more. Demand is what buyers want at each price. "
        "Supply is what sellers offer. The quantity supplied rises with the price. Demand and supply "
        "meet at the equilibrium. Markets clear at the equilibrium price, where quantity matches."
    )
    brief = SimpleNamespace(passages={1: {"chapter_id": 3, "text": text}})
    assert not any(o.lower().startswith("demand") for o in _distractors(brief, 3, "Demand"))


def test_the_introduction_does_not_quote_headings_run_together():
    from lectures.writing.offline import overview_sentence

    brief = SimpleNamespace(title="Demand and Supply", objectives=["Explain demand and supply"])
    heads = "Demand, Supply, and Equilibrium in Markets for Goods and Services Shifts in Demand and Supply"
    prose = "Demand and supply together set the price at which buyers and sellers trade a good."
    citations = [{"n": 1, "quote": heads}, {"n": 2, "quote": prose}]
    assert overview_sentence(citations, brief) == (prose, 2)


def test_the_words_to_carry_forward_are_topic_words_not_numbers_or_verb_forms():
    from lectures.writing.offline import key_terms

    said = (
        "A dough that finishes mixing at twenty-four degrees ferments at a predictable pace, "
        "expressed in hours, and the gluten network traps the yeast's gas."
    )
    kept = key_terms(said, {"gluten"})
    assert kept[0] == "gluten" and "twenty-four" not in kept and "expressed" not in kept


def test_a_step_of_a_proof_is_not_quoted_but_a_definition_that_opens_like_one_is():
    from lectures.writing.base import quotable_sentences

    text = (
        "Let m be the largest integer such that am = 0 for the chosen vectors. "
        "Then a0x = 0 and by Theorem SMEZV, either a0 = 0 or x = 0, which are both contradictions. "
        "Then we say x is an eigenvector of A with eigenvalue λ if Ax = λx holds for the vector. "
        "So a firm facing a kinked demand curve keeps its price where it is for a while. "
        "C19† Find the eigenvalues, eigenspaces and multiplicities for the matrix below, by hand."
    )
    kept = quotable_sentences(text)
    assert not any(s.startswith(("Let m", "Then a0x", "C19")) for s in kept)
    assert any(s.startswith("Then we say") for s in kept) and any(s.startswith("So a firm") for s in kept)


def test_a_proof_s_hypotheses_equation_chains_and_lost_displays_are_not_quoted():
    from lectures.writing.base import quotable_sentences

    text = (
        "Suppose that A is a square matrix of size n and that B is another one. "
        "From this discussion we know that m ≥ 1 and that x is not the zero vector. "
        "Ax = λx ⇐⇒ Ax − λInx = 0 ⇐⇒ (A − λIn) x = 0 So, for an eigenvalue the matrix is singular. "
        "This relation of linear dependence then says that 0 = 16x + 12Ax − 8A\n"
        "We compute the characteristic polynomial of the matrix F =\n"
        "= pAt (x) Definition CP So A and At have the same characteristic polynomial. "
        "Because a Box<T> is a pointer, Rust always knows how much space a Box<T> needs. "
        "A stronger dollar is good for U.S. importers and for U.S. investment abroad. "
        "The eigenspace of a matrix for an eigenvalue is the set of all its eigenvectors, with zero."
    )
    kept = quotable_sentences(text)
    assert [s.split()[0] for s in kept] == ["Because", "A", "The"]


def test_captions_listing_comments_and_review_questions_are_not_quoted_as_the_text_s_sentences():
    from lectures.writing.base import quotable_sentences

    text = (
        "Figure 3.2: The demand curve for gasoline slopes down as the price rises. "
        "(#fig:ttest)Graphical illustration of the null and the alternative hypotheses of the test. "
        "You get an object graph like this: All the reachable objects in your directory All the "
        "reachable objects in your directory\n"
        ";; Set up for the recursive call by saving n and continue in the stack. "
        "547 4.2.1 Normal Order and Applicative Order of the evaluator . . . . . . . . 12\n"
        "All the reachable objects in your Git directory\nAll the reachable objects in your Git directory\n"
        "Explain why voluntary transactions improve the social welfare of both parties. "
        "The resulting shell output of the command will look something like this:\n"
        "A demand curve shows the relationship between price and the quantity demanded."
    )
    assert [s.split()[0] for s in quotable_sentences(text)] == ["A"]


def test_a_hypothesis_is_still_read_before_the_definition_that_leans_on_it():
    from docprof.ai.text import split_sentences
    from lectures.writing.offline import with_context

    text = (
        "Suppose that A is a square matrix and that x is one of its eigenvectors. "
        "Then we say that the eigenspace of A is the set of all the eigenvectors, with the zero vector."
    )
    assert with_context(text, {1}, set()) == [split_sentences(text)]


def test_the_words_to_carry_forward_are_those_the_quotes_repeat():
    from lectures.writing.offline import key_terms

    said = (
        "Discounting moves money backward in time. Rearranging the formula gives the present value. "
        "The discount factor falls as the horizon lengthens. A spreadsheet computes each discount factor, "
        "and discounting at a higher rate lowers every present value."
    )
    kept = key_terms(said, set())
    assert "spreadsheet" not in kept and "rearranging" not in [k.lower() for k in kept]
    assert {"discounting", "discount", "present"} & {k.lower() for k in kept}


def test_a_heading_on_its_own_line_is_not_quoted():
    from lectures.writing.base import heading_line, quotable_sentences

    text = (
        "Compounding moves money forward in time and discounting moves it backward again.\n"
        "2.1 From Future Value to Present Value\n"
        "The Discount Rate Is Not Arbitrary In Any Sense\n"
        "Students often ask which discount rate to use for a project of ordinary risk."
    )
    kept = quotable_sentences(text)
    assert not any(s.startswith(("2.1", "The Discount")) for s in kept)
    assert any(s.startswith("Students") for s in kept)
    assert not heading_line("Rearranging the compound interest formula gives the present value formula:")


def test_a_quiz_does_not_ask_for_the_same_answer_twice_while_other_questions_are_left():
    from lectures.writing.quiz import select

    def q(quote, answer):
        return {"quote": quote, "answer": answer, "kind": "short_answer"}

    first = [q("A positive NPV adds value.", "NPV"), q("The NPV rule says accept.", "NPV")]
    second = [q("The IRR is a rate.", "IRR"), q("Discount factors fall.", "discount")]
    chosen = select([first, second])
    assert [c["answer"] for c in chosen] == ["NPV", "IRR", "discount"]
    # with nothing else left, a repeat is better than too short a quiz
    assert [c["answer"] for c in select([first])] == ["NPV", "NPV"]


def test_a_heading_run_into_its_first_sentence_is_not_quoted():
    from lectures.writing.base import quotable_sentences

    text = (
        "Budget Deficits and Trade Deficits In the 1980s, the budget deficit and the trade deficit rose. "
        "Eigenvalues and Eigenvectors In this section, we will define the eigenvalues of a matrix. "
        "Definition LICV Linear Independence of Column Vectors The set of vectors S is linearly independent. "
        "The Federal Reserve raised rates in 2022 and again in 2023 to slow inflation."
    )
    kept = quotable_sentences(text)
    assert not any(s.startswith(("Budget Deficits", "Eigenvalues and")) for s in kept)
    assert any(s.startswith("Definition LICV") for s in kept) and any(
        s.startswith("The Federal") for s in kept
    )


def test_neighbouring_sentences_are_quoted_together_only_where_the_book_runs_them_together():
    from docprof.ai.text import split_sentences
    from lectures.writing.offline import with_context
    from library.quotes import quote_in

    text = (
        "Suppose that the set C has more vectors than the basis B of the space. (Allowing for the "
        "possibility that C is infinite, we replace C by a subset with more vectors than B.) As a "
        "basis, B is a spanning set for the whole space V, so the set C is linearly dependent."
    )
    chosen = set(range(len(split_sentences(text))))
    runs = with_context(text, chosen, set())
    assert all(quote_in(" ".join(run), text) for run in runs)


def test_a_caption_is_not_brought_along_as_the_context_of_the_sentence_after_it():
    from lectures.writing.offline import with_context

    text = (
        "Listing 4-1: A variable and the scope in which it is valid\n"
        "In other words, there are two important points in time here for the variable s."
    )
    assert with_context(text, {1}, set()) == [[text.split("\n")[1]]]


def test_a_stray_page_number_in_front_of_a_sentence_is_not_quoted_with_it():
    from lectures.writing.offline import without_stray_number

    assert without_stray_number("4 The bases described above are convenient.") == (
        "The bases described above are convenient."
    )
    kept = "1929 was the year the market crashed."
    assert without_stray_number(kept) == kept


def test_a_manual_s_field_lists_and_flattened_displays_are_not_quoted():
    """Reference manuals: a field list ("Option groups: FD,SOCKET ... See also: SYSTEM") and a
    listing run into the sentence that introduced it are not sentences to read aloud; a sentence
    with a list in its words, or an example given in words, is."""
    from lectures.writing.base import quotable_sentences

    text = (
        "Option groups: FD,SOCKET,EXEC,FORK Useful options: path, fdin, fdout, chroot See also: SYSTEM\n"
        "Use it like in the following example: rule cc depfile = $out.d command = gcc -MD -MF $out.d here.\n"
        "For example:\ndefault foo bar\ndefault baz This causes Ninja to build the three targets.\n"
        "Economists list the factors of production: land, labour, capital, and enterprise, in that order.\n"
        "For example: the price of bread rises when the harvest fails, and wages follow it.\n"
        "The country produced 1,250,000 tons of wheat that year, a record for the whole decade."
    )
    assert [s.split()[0] for s in quotable_sentences(text)] == ["Economists", "For", "The"]


def test_an_api_reference_s_type_annotations_are_not_quoted_but_braces_of_prose_are():
    from lectures.writing.base import quotable_sentences

    text = (
        "Returns an array of the event names for which listeners are registered here. type {string}\n"
        "Type: {boolean} Always returns false for every event that the target dispatches.\n"
        "It is shared with the child process, similar to how {Stream} objects can be shared.\n"
        "The set {1, 2, 3} has three elements, and we call it S in what follows.\n"
        "Print the value with {x} inside the format string that println reads."
    )
    assert [s.split()[0] for s in quotable_sentences(text)] == ["The", "Print"]


def test_a_sentence_already_quoted_inside_a_longer_run_is_not_quoted_again():
    """A quote runs several sentences together; its passage may split them otherwise ("... for the
    type. n {number} Node.js-specific ..."): the lecture's extension does not quote a piece again."""
    from lectures.writing.base import Brief
    from lectures.writing.offline import extension

    run = (
        "The method returns the number of event listeners registered for the type. n {number} "
        "The method sets the number of max event listeners on the target as n."
    )
    text = "Listeners are functions that the target calls for each event it dispatches. " + run.replace(
        "{number} ", "{number}\n"
    )  # the passage keeps a line break that the quote, run together, does not
    passages = {
        1: {"book_title": "Events", "chapter": "EventTarget", "chapter_id": 1, "ordinal": 1, "page_start": 1,
            "page_end": 1, "heading_path": ["EventTarget"], "text": text}
    }  # fmt: skip
    objectives = ["Explain event listeners"]
    brief = Brief("Listeners", objectives, "lecture", "standard", 120, 400, [[1]], [], passages)
    more = extension(brief, 0, {(1, run)}, 200, start=5)
    quoted = " ".join(c["quote"] for c in more["citations"])
    assert "max event listeners" not in quoted
    assert "Listeners are functions" in quoted


def test_the_words_to_carry_forward_keep_a_name_s_capitals():
    from lectures.writing.offline import _terms_phrase

    assert _terms_phrase(["EventTarget", "Demand", "GDP"]) == "“EventTarget”, “demand” and “GDP”"


def test_a_passage_is_introduced_by_its_heading_without_a_call_s_parameters():
    from lectures.writing.base import Brief
    from lectures.writing.offline import _own_heading

    passage = {"chapter": "Events", "heading_path": ["Events", "emitter.on(eventName, listener)"]}
    assert _own_heading(passage) == "emitter.on()"
    chapter = {"book_title": "Events", "chapter": "events.once(emitter, name[, options])", "page_start": 3}
    brief = Brief("Once", ["Use events.once()"], "lecture", "standard", 120, 300, [[1]], [], {1: chapter})
    assert brief.source_label(1) == "*Events* (events.once(), p. 3)"


def test_a_sentence_holding_what_reads_as_a_citation_marker_is_not_quoted():
    """ "... is taken as ARGV[0]" inside a lecture's quote was read back as citation [0], and the
    lecture failed its citation check."""
    from lectures.writing.base import quotable_sentences

    text = (
        "If the program name contains a slash, the part after the last slash is taken as ARGV[0] here. "
        "The program is invoked with the arguments separated by single spaces, as a shell would."
    )
    assert [s.split()[0] for s in quotable_sentences(text)] == ["The"]


def test_a_manual_s_boilerplate_repeated_under_every_entry_is_quoted_once():
    from lectures.writing.base import Brief
    from lectures.writing.offline import OfflineWriter

    def entry(name: str) -> str:
        return (
            f"The {name} digest function hashes a message of any length into a short digest value. "
            f"Performs final processing and extracts the message digest, writing it to digest. length may be "
            f"smaller than {name.upper()}_SIZE, in which case only the first octets are written. "
            f"This function also resets the {name} context for processing new messages with the digest."
        )

    passages = {
        i: {"book_title": "Nettle", "chapter": "Hash functions", "chapter_id": 1, "ordinal": i,
            "page_start": i, "page_end": i, "heading_path": ["Hash functions", name], "text": entry(name)}
        for i, name in enumerate(["sha256", "sha512", "md5"], start=1)
    }  # fmt: skip
    objectives = ["Explain the digest function"]
    brief = Brief("Hashes", objectives, "lecture", "standard", 120, 600, [[1, 2, 3]], [], passages)
    quotes = " ".join(c["quote"] for c in OfflineWriter().write_segment(brief, 0)["citations"])
    assert quotes.count("Performs final processing") == 1, quotes


def test_a_sentence_that_only_leads_into_an_example_or_a_list_is_not_quoted():
    from lectures.writing.base import quotable_sentences

    text = (
        "You can specify more than one address by separating them with a comma, e.g.\n\n"
        "     wget -Dfoo.com,bar.com http://example.com/\n\n"
        "If you want to load all the files from the archive, you can specify the following options:\n\n"
        "The accept list matches the name of every file before and after it is downloaded."
    )
    assert quotable_sentences(text) == (
        "The accept list matches the name of every file before and after it is downloaded.",
    )
