"""The offline abstention judge (qa.evidence): its features and its verdicts, on small fixtures."""

import pytest

from library.ranking import QueryTerms
from library.retrieval import analyse_query, scope_phrases_held, scope_vocabulary_near, search_chunks
from qa import evidence
from qa.answers import LIBRARY, NOT_FOUND
from qa.engine import answer_question
from qa.offline import OfflineAnswerer
from qa.tests.books import filler


def terms_of(df: dict[str, int], chunks: int = 100) -> QueryTerms:
    lexemes = sorted(df)
    return QueryTerms(lexemes, dict.fromkeys(lexemes, 1.0), df, df, chunks, chunks * 100)


def test_a_key_term_the_books_never_use_is_absent_unless_a_close_variant_is_there():
    terms = terms_of({"neighbour": 0, "cuda": 0, "loud": 5, "self-cal": 0, "self": 9, "call": 9})
    # "neighbor" is a variant of "neighbour"; "self-cal" is judged through its parts
    assert evidence.absent_terms(terms, {"neighbor", "cudgel"}) == ["cuda"]
    assert evidence.absent_terms(terms, set()) == ["cuda", "neighbour"]


def test_features_measure_absent_weight_and_rare_terms_the_best_passage_lacks():
    terms = terms_of({"option": 40, "price": 40, "schole": 0, "taylor": 2})
    best = evidence.Coverage(0.5, ["option", "price"], ["schole", "taylor"])
    values = evidence.features(terms, best, ["schole"], names=["schole", "taylor"])
    weight = {t: evidence.weight(terms, t) for t in terms.lexemes}  # idf x rarity in English
    assert values["coverage"] == 0.5
    assert values["absent"] == pytest.approx(weight["schole"] / sum(weight.values()))
    assert values["rare_missing"] == 1.0  # "Taylor": in two passages, not in the best one
    assert values["name_missing"] == 1.0
    assert 0 < values["missing_idf"] <= 1
    nothing_lacking = evidence.features(terms, evidence.Coverage(1.0, terms.lexemes, []), [])
    assert nothing_lacking == {
        "coverage": 1.0,
        "absent": 0.0,
        "missing_idf": 0.0,
        "rare_missing": 0.0,
        "name_missing": 0.0,
        "rare_apart": 0.0,
        "compound_unseen": 0.0,
    }


def test_a_name_the_books_use_but_the_best_passage_lacks_is_a_near_miss():
    """ "What is the capital city of Australia?" asked of an economics library: it speaks of capital
    and cities, and of Australia (not rarely) elsewhere."""
    terms = terms_of({"capit": 700, "citi": 150, "australia": 16}, chunks=7500)
    names = {"australia"}
    elsewhere = evidence.Coverage(0.6, ["capit", "citi"], ["australia"])
    values = evidence.features(terms, elsewhere, [], names)
    assert values["name_missing"] == 1.0 and values["rare_missing"] == 0.0
    assert evidence.features(terms, elsewhere, [])["name_missing"] == 0.0  # "australia" not a name
    together = evidence.Coverage(1.0, ["capit", "citi", "australia"], [])
    assert evidence.features(terms, together, [], names)["name_missing"] == 0.0
    assert not evidence.judge(terms, [elsewhere], [], names=names).answers
    assert evidence.judge(terms, [together], [], names=names).answers
    # the fitted judge alone (a question this short is also refused for the term it lacks)
    assert evidence.probability(evidence.features(terms, elsewhere, [])) > evidence.ANSWER_PROBABILITY
    assert evidence.probability(evidence.features(terms, elsewhere, [])) > evidence.probability(values)


def test_the_judge_answers_covered_questions_and_abstains_on_absent_or_rare_terms():
    terms = terms_of({"termin": 5, "valu": 30, "estim": 20, "schole": 0, "kaldor": 2})
    covered = evidence.judge(terms, [evidence.Coverage(1.0, ["termin", "valu", "estim"], [])], [])
    assert covered.answers and covered.probability > 0.8
    partly = evidence.Coverage(0.4, ["termin", "valu"], ["schole"])
    one_absent = evidence.judge(terms, [partly], ["schole"])
    assert one_absent.absent == ["schole"] and one_absent.features["absent"] > 0
    nothing_absent = evidence.Coverage(0.4, ["termin", "valu"], [])
    assert one_absent.probability < evidence.judge(terms, [nothing_absent], []).probability
    off_topic = terms_of({"bicycl": 0, "punctur": 0, "repair": 0})
    assert not evidence.judge(off_topic, [evidence.Coverage(0.0, [], [])], off_topic.lexemes).answers
    # "kaldor": in two passages (rare in the books, and in English), not in the best one, and
    # never followed by "hicks" as the question writes it ("the Kaldor-Hicks criterion")
    lacking = evidence.Coverage(0.6, ["termin", "valu"], ["kaldor"])
    in_passing = evidence.judge(terms, [lacking], [], unseen_compounds=[("kaldor", "hick")])
    assert not in_passing.answers and in_passing.missing == ["kaldor"]
    assert in_passing.features["compound_unseen"] > 0.9  # both words rare in English
    assert in_passing.probability < evidence.judge(terms, [lacking], []).probability
    assert evidence.judge(terms, [], []).probability < evidence.ANSWER_PROBABILITY


def test_a_short_question_is_not_answered_by_a_passage_that_lacks_one_of_its_terms():
    # "Why is the sky blue?" against a passage on sky marshals
    short = terms_of({"sky": 3, "blue": 20})
    lacking = evidence.judge(short, [evidence.Coverage(0.58, ["sky"], ["blue"])], [])
    assert not lacking.answers and lacking.features["short_missing"] == 1.0
    assert evidence.judge(short, [evidence.Coverage(1.0, ["sky", "blue"], [])], []).answers
    # with more terms, one missing is left to the fitted judge (unlike-worded questions)
    longer = terms_of({"sky": 3, "blue": 20, "colour": 30, "scatter": 9, "light": 40})
    judged = evidence.judge(
        longer, [evidence.Coverage(0.9, ["sky", "colour", "scatter", "light"], ["blue"])], []
    )
    assert "short_missing" not in judged.features and judged.answers


def test_the_fitted_judge_weighs_each_signal_the_right_way():
    weights = evidence.JUDGE_WEIGHTS
    assert weights["coverage"] > 0
    signs_of_a_miss = ("absent", "missing_idf", "rare_missing", "name_missing", "compound_unseen")
    assert all(weights[k] < 0 for k in signs_of_a_miss)
    assert evidence.probability({"coverage": 0.9}) > evidence.probability({"coverage": 0.4})


def test_key_terms_written_side_by_side_are_compounds_unless_everyday_words():
    # "How do I make a partial clone of a repository?" / "... loud music every night ..."
    terms = terms_of({"partial": 3, "clone": 5, "repositori": 9, "loud": 2, "music": 2, "unseen": 0})
    positions = {"partial": [5], "clone": [6], "repositori": [8], "loud": [10], "music": [11], "unseen": [12]}
    assert evidence.compounds(terms, positions) == [("partial", "clone")]
    # "clone" and "repository" are not side by side ("of" between); "music unseen": not in the books
    assert evidence.features(terms, None, [], unseen_compounds=[("partial", "clone")])["compound_unseen"] == (
        pytest.approx(min(evidence.rarity("partial"), evidence.rarity("clone")))
    )


@pytest.mark.django_db
def test_the_phrases_the_books_in_scope_hold(finance_book, garden_book):
    pairs = [("free", "cash"), ("termin", "valu"), ("valu", "termin"), ("partial", "clone")]
    assert scope_phrases_held(pairs, [finance_book.pk]) == {("free", "cash"), ("termin", "valu")}
    assert scope_phrases_held(pairs, [garden_book.pk]) == set()
    assert scope_phrases_held([], [finance_book.pk]) == set() == scope_phrases_held(pairs, [])


@pytest.mark.django_db
def test_the_scope_vocabulary_near_a_word_comes_from_the_books_in_scope(finance_book, garden_book):
    near = scope_vocabulary_near(["terminus", "tomatoe"], [finance_book.pk])
    assert "termin" in near and not any(w.startswith("tomat") for w in near)
    assert any(w.startswith("tomat") for w in scope_vocabulary_near(["tomatoe"], [garden_book.pk]))
    assert scope_vocabulary_near([], [finance_book.pk]) == set()


@pytest.mark.django_db
def test_the_offline_answerer_records_its_judgement(finance_book):
    ids = [finance_book.pk]
    question = "What does the Black-Scholes model price?"
    terms = analyse_query(question, ids)
    judged, verdict = OfflineAnswerer().judge(question, search_chunks(question, ids, 8, terms=terms), terms)
    assert "schole" in verdict.absent and verdict.features["absent"] > 0
    answer = answer_question(question, ids, llm=None)
    assert answer.kind == NOT_FOUND and "Black-Scholes" in answer.answer
    assert answer.evidence == pytest.approx(verdict.probability)
    covered = answer_question("Which model estimates the terminal value?", ids, llm=None)
    assert covered.kind == LIBRARY and covered.judgement["absent"] == 0.0
    assert "judgement" not in covered.as_dict() and "evidence" not in covered.as_dict()


# -- Key-term rarity, strict variants, names, co-occurrence ------------------------------------


def test_everyday_words_weigh_little_and_rare_words_fully(monkeypatch):
    monkeypatch.setattr(evidence, "RARITY_WEIGHTING", True)  # off in the product: dev did not gain
    assert evidence.rarity("play") == evidence.RARITY_FLOOR  # "play", "plays", "played", ...
    assert evidence.rarity("learn") < 0.3 and evidence.rarity("car") < 0.3
    assert evidence.rarity("convex") == evidence.rarity("schole") == 1.0
    assert evidence.rarity("learn") < evidence.rarity("matrix") < 1.0
    assert evidence.rarity("black-schol") == 1.0  # a compound counts as its rarest part
    terms = terms_of({"play": 3, "schole": 3})
    assert terms.idf("play") == terms.idf("schole")
    assert evidence.weight(terms, "play") == pytest.approx(
        evidence.RARITY_FLOOR * evidence.weight(terms, "schole")
    )


def test_rare_terms_decide_coverage(monkeypatch):
    monkeypatch.setattr(evidence, "RARITY_WEIGHTING", True)
    terms = terms_of({"learn": 3, "play": 3, "convex": 3})
    everyday = evidence.coverage(terms, {"learn", "play"})
    rare = evidence.coverage(terms, {"convex"})
    assert rare.score > 0.7 > 0.3 > everyday.score


def test_a_close_variant_shares_the_stem_or_is_an_inflection_or_a_spelling_not_a_prefix():
    assert evidence._close("neighbour", "neighbor") and evidence._close("normalis", "normaliz")
    assert evidence._close("tree", "trees") and evidence._close("convexity", "convex")
    assert not evidence._close("mona", "monad")
    assert not evidence._close("play", "player")
    assert not evidence._close("sharp", "sharpen")
    assert not evidence.covered("eigen", {"eigenvector"})


def test_names_are_the_capitalised_words_inside_a_question():
    question = (
        "How is the Sharpe ratio used? And what does Black-Scholes say about GPG in Git's R code? I ask."
    )
    assert evidence.name_words(question) == ["Sharpe", "Black", "Scholes", "GPG", "Git", "R"]
    assert evidence.name_words("What is a trait? Traits share behaviour.") == []
    assert evidence.name_words("What is Bayes' rule, and Bayes's theorem?") == ["Bayes", "Bayes"]
    assert evidence.mentions("this formula is known as Bayes\u2019 rule", "Bayes")


def test_a_name_matches_only_itself():
    assert evidence.covered("normalis", {"normaliz"})
    assert not evidence.covered("normalis", {"normaliz"}, names={"normalis"})
    assert evidence.mentions("Sharpe's ratio divides", "Sharpe") and evidence.mentions(
        "the SHARPE ratio", "Sharpe"
    )
    assert not evidence.mentions("a sharp fall", "Sharpe") and not evidence.mentions("Sharpened", "Sharpe")
    terms = terms_of({"sharp": 4, "ratio": 9})
    assert evidence.absent_terms(terms, set()) == []
    # the books hold "sharp" only as another word: the name is absent
    assert evidence.absent_terms(terms, set(), names={"sharp"}, unused={"sharp"}) == ["sharp"]


def test_a_rare_term_outside_the_window_where_the_others_meet_does_not_count():
    terms = terms_of({"termin": 20, "valu": 30, "estim": 20, "schole": 2}, chunks=2000)
    together = {
        "termin": ([10], False),
        "valu": ([11], False),
        "estim": ([14], False),
        "schole": ([16], False),
    }
    apart = {**together, "schole": ([400], False)}
    lexemes = set(together)
    near = evidence.coverage(terms, lexemes, positions=together)
    far = evidence.coverage(terms, lexemes, positions=apart)
    assert near.outside == [] and far.outside == ["schole"] and far.score < near.score
    assert evidence.features(terms, near, [])["rare_missing"] == 0.0
    assert evidence.features(terms, far, [])["rare_missing"] == 1.0  # in the passage, but in passing
    assert evidence.features(terms, far, [])["rare_apart"] == 1.0  # "schole" is rare in English too


@pytest.mark.django_db
def test_the_books_use_a_name_only_as_that_word(finance_book):
    from library.retrieval import scope_uses_word, word_lexemes

    ids = [finance_book.pk]
    assert word_lexemes(["Discounter", "Gordon", "the"]) == {
        "Discounter": ["discount"],
        "Gordon": ["gordon"],
        "the": [],
    }
    assert scope_uses_word("Gordon", "gordon", ids, 3)
    assert not scope_uses_word("Discounter", "discount", ids, 3)  # "discount" is there, "Discounter" not
    assert not scope_uses_word("Gordon", "gordon", ids, 0)


@pytest.mark.django_db
def test_the_offline_judge_finds_a_name_absent_when_only_its_stem_is_there(finance_book):
    ids = [finance_book.pk]
    question = "What does the Discounter rule say about free cash flow?"
    terms = analyse_query(question, ids)
    assert terms.df.get("discount")
    judged, verdict = OfflineAnswerer().judge(question, search_chunks(question, ids, 8, terms=terms), terms)
    assert "discount" in verdict.absent
    assert all("discount" in c.missing for _, c in judged)


def test_the_book_title_frames_its_passages(finance_book):
    """ "Notes on Corporate Valuation": a question naming the book's subject ("corporate") is
    covered by a passage that answers it without repeating the title's words."""
    ids = [finance_book.pk]
    question = "In a corporate valuation, how is the terminal value estimated?"
    terms = analyse_query(question, ids)
    assert not terms.df.get("corpor")  # no passage says "corporate"
    judged, verdict = OfflineAnswerer().judge(question, search_chunks(question, ids, 8, terms=terms), terms)
    assert "corpor" not in verdict.absent
    assert all("corpor" in c.covered for _, c in judged)
    assert answer_question(question, ids, llm=None).kind == LIBRARY


@pytest.mark.django_db
def test_the_offline_judge_knows_which_key_terms_are_names(finance_book):
    """The book names Gordon only where it treats terminal value: a question about forecasting
    cash flow "for Gordon" lacks the name in its best passage; one about the Gordon growth model
    does not."""
    ids = [finance_book.pk]
    verdicts = {}
    for question in (
        "How do analysts forecast free cash flow year by year for Gordon?",
        "How is the terminal value estimated with the Gordon growth model?",
    ):
        terms = analyse_query(question, ids)
        hits = search_chunks(question, ids, 8, terms=terms)
        verdicts[question] = OfflineAnswerer().judge(question, hits, terms)[1].features
    elsewhere, together = verdicts.values()
    assert elsewhere["name_missing"] == 1.0
    assert together["name_missing"] == 0.0


@pytest.mark.django_db
def test_the_books_authors_frame_its_passages(finance_book):
    """ "What does Quill say about ...?" asks about the book's author: no passage says "Quill", yet
    the name is neither absent nor missing from a passage of her book."""
    from library.models import Book

    Book.objects.filter(pk=finance_book.pk).update(authors="Ada Quill")
    ids = [finance_book.pk]
    question = "What does Quill say about free cash flow?"
    terms = analyse_query(question, ids)
    assert not terms.df.get("quill")
    judged, verdict = OfflineAnswerer().judge(question, search_chunks(question, ids, 8, terms=terms), terms)
    assert "quill" not in verdict.absent and verdict.features["name_missing"] == 0.0
    assert all("quill" in c.covered for _, c in judged)
    assert answer_question(question, ids, llm=None).kind == LIBRARY
    Book.objects.filter(pk=finance_book.pk).update(authors="")
    assert answer_question(question, ids, llm=None).kind == NOT_FOUND


def test_a_key_term_is_covered_by_its_inflections_and_derivations_not_by_a_stemming_collision():
    # words the stemmer cuts to one stump are not one word: "capital" / "capitation" ("capit")
    assert not evidence.same_word_family("capital", "capitation")
    assert not evidence.same_word_family("general", "generous")
    for a, b in (
        ("capital", "capitals"),
        ("study", "studies"),
        ("stop", "stopped"),
        ("labour", "labor"),
        ("compute", "computation"),
        ("measured", "measurement"),
    ):
        assert evidence.same_word_family(a, b) and evidence.same_word_family(b, a), (a, b)
    assert not evidence.holds_variant("In the capitation levied in France, the orders pay.", "capital")
    assert evidence.holds_variant("Paris, the Capital's river", "capital")
    assert evidence.holds_variant("the capitals of Europe", "capital")
    # letters and digits make a word: an identifier's parts are held ("asn1" in ASN1_SUCCESS)
    assert evidence.holds_variant("Returns ASN1_SUCCESS if the structure was created.", "asn1")
    assert not evidence.holds_variant("Returns ASN_SUCCESS.", "asn1")


STATE_MD = f"""# Of Taxes Upon Persons

## The poll tax

{filler("In the capitation which has been levied in France, the highest orders pay by their rank.", 12)}

## The excise

{filler("Excise duties fall on goods of home consumption such as beer and salt.", 12)}
"""


@pytest.mark.django_db
def test_a_question_is_not_answered_from_a_word_that_only_shares_its_stem(alice):
    """ "capital" and "capitation" are one lexeme ("capit"): the passage on the capitation in France
    holds both lexemes of "What is the capital of France?" and answers nothing of it."""
    from library.tests.conftest import ingest

    book = ingest(alice, "taxes.md", STATE_MD)
    ids = [book.pk]
    question = "What is the capital of France?"
    terms = analyse_query(question, ids)
    assert {"capit", "franc"} <= set(evidence.key_terms(terms)) and terms.df.get("capit")
    judged, verdict = OfflineAnswerer().judge(question, search_chunks(question, ids, 8, terms=terms), terms)
    assert judged and all("capit" in c.missing for _, c in judged)
    assert "franc" in judged[0][1].covered  # the passage on the capitation in France
    assert answer_question(question, ids, llm=None).kind == NOT_FOUND
    # the same passage still covers the word it holds, inflected
    asked = "How were the capitations levied in France?"
    terms = analyse_query(asked, ids)
    judged, _ = OfflineAnswerer().judge(asked, search_chunks(asked, ids, 8, terms=terms), terms)
    assert "capit" in judged[0][1].covered


def test_modal_verbs_and_connectives_are_not_key_terms():
    """ "When should I use Rc instead of Box?" asks about Rc and Box: a passage need not say
    "instead" (nor "would", "rather") to answer it."""
    terms = terms_of({"would": 900, "instead": 700, "rather": 500, "rc": 9, "box": 12})
    assert sorted(evidence.key_terms(terms)) == ["box", "rc"]
