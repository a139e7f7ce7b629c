"""The offline answer leads with the passage whose sentence says most on the question, not with a
higher-ranked one that only names the topic in a review question or in code."""

import pytest

from library.retrieval import SearchHit
from qa.answers import best_sentences, sentence_score
from qa.evidence import key_terms
from qa.offline import OfflineAnswerer
from qa.tests.test_evidence import terms_of

QUESTION = "What is the purpose of the borrow checker?"
TERMS = terms_of({"borrow": 5, "checker": 3, "purpos": 20})


def hit(chunk_id: int, text: str) -> SearchHit:
    return SearchHit(chunk_id, 1, "The Book", 1, "Ownership", 1, 1, ["Ownership"], text, 1.0 / chunk_id)


NAMES_IT = hit(
    1,
    'fn main() { let r; { let x = 5; r = &x; } println!("r: {r}"); } '
    "Why does the borrow checker reject this program, and what is its purpose here?",
)
EXPLAINS = hit(
    2,
    "The Rust compiler has a borrow checker that compares scopes to determine whether all borrows "
    "are valid. Its purpose is to stop references from outliving the data they refer to.",
)


def test_a_review_question_scores_less_than_a_statement_with_the_same_terms():
    keys = key_terms(TERMS)
    asked = sentence_score("What is the purpose of the borrow checker in this program?", keys, TERMS)
    told = sentence_score("The purpose of the borrow checker in this program is safety.", keys, TERMS)
    assert 0 < asked < told


def test_the_passage_that_explains_leads_the_answer():
    keys = key_terms(TERMS)
    ordered, _ = OfflineAnswerer.lead_first(QUESTION, [NAMES_IT, EXPLAINS], TERMS, keys)
    assert [h.chunk_id for h in ordered] == [2, 1]
    assert OfflineAnswerer.lead_first(QUESTION, [EXPLAINS, NAMES_IT], TERMS, keys)[0][0].chunk_id == 2


def test_a_passage_that_defines_the_asked_term_keeps_the_lead():
    defines = hit(3, "A borrow checker is the part of the compiler that checks every borrow. It runs first.")
    keys = key_terms(TERMS)
    ordered, _ = OfflineAnswerer.lead_first("What is a borrow checker?", [defines, EXPLAINS], TERMS, keys)
    assert ordered[0].chunk_id == 3


def test_code_whose_tokens_are_words_scores_less_than_prose():
    # Lisp reads as words once its brackets are stripped: it is the marks per word that give it away.
    terms = terms_of({"tail": 4, "recurs": 6, "procedur": 30})
    keys = key_terms(terms)
    code = sentence_score(
        "(define (tail recursion procedure) (if (done) tail (recursion (next))))", keys, terms
    )
    prose = sentence_score("A procedure with tail recursion runs in constant space (see below).", keys, terms)
    assert 0 < code < prose / 2


def test_a_figure_caption_scores_less_than_a_statement_with_the_same_terms():
    terms = terms_of({"central": 30, "limit": 20, "theorem": 10})
    keys = key_terms(terms)
    caption = sentence_score("Figure 10.10: A demonstration of the central limit theorem.", keys, terms)
    table = sentence_score("Table 3. The central limit theorem in numbers.", keys, terms)
    told = sentence_score("The central limit theorem says that the means of samples are normal.", keys, terms)
    assert 0 < caption < told / 2 and 0 < table < told / 2
    exercise = sentence_score("Exercise 1.3: Prove the central limit theorem for sums.", keys, terms)
    assert 0 < exercise < told / 2
    # a sentence that merely mentions a figure is not a caption
    mentions = sentence_score("Figure 10.10 shows that the central limit theorem holds here.", keys, terms)
    assert mentions > told / 2


def test_a_term_of_the_books_title_picks_no_sentence():
    # In the book "Libtasn1", every sentence is about libtasn1: the one on the licence answers.
    terms = terms_of({"libtasn1": 6, "licens": 19})
    passage = hit(
        4,
        "This document describes the Libtasn1 library that provides ASN.1 parsing and DER encoding. "
        "Anybody can use, modify, and redistribute the library under the terms of the GNU Lesser "
        "General Public License version 2.1 or later.",
    )
    assert "describes" in best_sentences(passage.text, terms, 1)[0]  # weighed as any other term
    assert "Public License" in best_sentences(passage.text, terms, 1, {"libtasn1"})[0]
    _, sentences = OfflineAnswerer.lead_first(
        "What license is libtasn1 under?", [passage], terms, key_terms(terms), framed={1: {"libtasn1"}}
    )
    assert any("Public License" in s for s in sentences)


def test_the_entry_of_the_option_asked_leads_not_a_sentence_that_mentions_it_in_passing():
    from library.fulltext import literal_tokens

    question = "What does the -v option do?"
    terms = terms_of({"option": 30, "v": 8})
    terms.literals = literal_tokens(question)
    assert terms.literals == ["-v"]
    passing = hit(
        1,
        "When the ‘-c’ or ‘--count’ option is also used, grep does not output a count. "
        "When the ‘-v’ option is also used, grep stops after NUM non-matching lines.",
    )
    entry = hit(
        2,
        "‘-i’ ‘--ignore-case’ Ignore case distinctions in patterns and data.\n\n"
        "‘-v’ ‘--invert-match’ Invert the sense of matching, to select non-matching lines.",
    )
    ordered, sentences = OfflineAnswerer.lead_first(question, [passing, entry], terms, key_terms(terms))
    assert ordered[0].chunk_id == 2
    assert sentences[0].startswith("‘-v’ ‘--invert-match’")


def test_literal_tokens_are_options_and_identifiers_not_hyphenated_words():
    from library.fulltext import literal_tokens

    assert literal_tokens("How do --limit-rate and -c differ?") == ["--limit-rate", "-c"]
    assert literal_tokens("When is png_read_info() called?") == ["png_read_info"]
    assert literal_tokens("What is a well-known long-term rate?") == []


def test_the_entry_of_an_option_the_question_names_in_its_own_words_leads():
    """ "How do I keep the original file?" names gzip's "--keep" in plain words: its entry says more
    than a sentence that shares the question's words ("keeps the original file name")."""
    from qa.answers import names_an_option

    question = "How do I keep the original file when compressing?"
    terms = terms_of({"keep": 6, "origin": 5, "file": 40, "compress": 20})
    mentions = hit(
        1, "By default, gzip keeps the original file name in the compressed file when compressing."
    )
    entry = hit(
        2,
        "‘-d’ ‘--decompress’ Decompress.\n\n"
        "‘-k’ ‘--keep’ Keep (don't delete) input files during compression or decompression.",
    )
    ordered, sentences = OfflineAnswerer.lead_first(question, [mentions, entry], terms, key_terms(terms))
    assert ordered[0].chunk_id == 2 and sentences[0].startswith("‘-k’ ‘--keep’")
    keys = key_terms(terms)
    assert names_an_option("‘-k’ ‘--keep’ Keep input files.", keys)
    # every word of the option's name must be asked: "--invert-match" is not named by "match" alone
    assert not names_an_option("‘-v’ ‘--invert-match’ Invert the sense of matching.", ["match", "line"])
    assert not names_an_option("Keep input files with --keep.", keys)  # an entry opens with its option


def test_a_texinfo_definition_line_is_an_option_s_entry():
    """GNU manuals define tests and actions on lines such as "-- Test: -empty True if ..."."""
    from qa.answers import names_an_option

    keys = ["empti", "file", "find"]
    assert names_an_option("-- Test: -empty True if the file is empty and is a regular file.", keys)
    assert not names_an_option("-- Test: -size n True if the file uses N units of space.", keys)


@pytest.mark.django_db
def test_any_judged_passage_may_lead_though_only_three_are_quoted():
    """The entry that answers may rank below three passages that hold the same words."""
    from qa import evidence

    terms = terms_of({"empti": 9, "file": 40, "find": 30})
    others = [
        hit(i, f"In case the given file is empty, find does not process any starting point ({i}).")
        for i in (1, 2, 3)
    ]
    entry = hit(4, "-- Test: -empty True if the file is empty and is either a regular file or a directory.")
    hits = [*others, entry, hit(5, "Find reads the file names from standard input.")]

    class Judged(OfflineAnswerer):
        def judge(self, question, hits, terms, frames=None):
            covers = [(h, evidence.Coverage(1.0, key_terms(terms), [])) for h in hits]
            return covers, evidence.Judgement(0.9)

    answer = Judged().answer("How do I find empty files?", hits, terms)
    assert answer.sources[0].chunk_id == 4
    assert len(answer.sources) <= 3
