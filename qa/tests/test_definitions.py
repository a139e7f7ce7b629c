"""Definition questions ("What is X?") are answered from the passage that defines X."""

import pytest

from library.retrieval import SearchHit
from library.tests.conftest import ingest
from qa.answers import LIBRARY
from qa.definitions import asked_term, defining_sentences, definition_re, promote_definitions, unqualified
from qa.engine import answer_question


@pytest.mark.parametrize(
    "question, term",
    [
        ("What is a bond?", "bond"),
        ("what are index funds", "index funds"),
        ("Define opportunity cost.", "opportunity cost"),
        ("What does amortization mean?", "amortization"),
        ("What is meant by the yield curve?", "yield curve"),
        ("What's an eigenvalue?", "eigenvalue"),
        ("who’s Adam Smith?", "Adam Smith"),
        ("What is the difference between a stock and a bond?", None),
        ("How is the terminal value estimated?", None),
        ("What is the best way to learn the rules of a game when nobody explains them?", None),
    ],
)
def test_definition_questions_name_their_term(question, term):
    assert asked_term(question) == term


@pytest.mark.parametrize(
    "term, sentence",
    [
        ("bond", "A bond is a loan that an investor makes to a company or a government."),
        ("closure", "Rust's closures are anonymous functions you can save in a variable."),
        ("cost of capital", "The cost of capital (the return investors require) is the rate we discount at."),
        ("glaze", "The thin glassy coat fused to a pot in the kiln is called a glaze."),
        ("trait", "A trait defines the functionality a particular type has."),
        ("p-value", "If this rule is true, then we can define the p-value as the probability of a result."),
        ("standard deviation", "Take the root of the variance, known as the standard deviation, or RMSD."),
        ("median", "The median of a set of observations is just the middle value."),
        ("kernel", "The kernel of a linear transformation is simply the set of vectors sent to zero."),
    ],
)
def test_defining_sentences_are_recognised(term, sentence):
    assert definition_re(term).search(sentence)


@pytest.mark.parametrize(
    "term, sentence",
    [
        ("closure", "The closure is then called twice by the loop."),
        ("closure", "Closures are typically short and used in a narrow context."),
        ("vector", "This vector is of type Box<dyn Draw>, which is a trait object."),
        ("trait", "The longer form is known as a trait bound; it looks like this."),
        ("bond", "When the bond matures, the issuer repays the principal."),
        ("standard deviation", "The true population standard deviation is 15, but samples vary."),
        ("median", "The median of these 5 observations is 32, the middle one."),
        ("median", "The median of the sample is usually close to the mean."),
    ],
)
def test_sentences_that_only_use_the_term_are_not_definitions(term, sentence):
    assert not definition_re(term).search(sentence)


POTTERY_MD = (
    "# Pottery\n\n## Finishing a pot\n\n"
    "Once the pot has dried to leather hardness, trim the foot ring and smooth the rim with a damp "
    "sponge. The first firing, called the bisque firing, hardens the clay so that it can be handled. "
    "A glaze is a thin layer of glass fused to the surface of a pot by firing it in a kiln. "
    "Potters apply it by dipping, pouring or brushing before the second firing, and wipe the foot "
    "clean so that the pot does not stick to the kiln shelf.\n\n"
) + "".join(
    f"## Glaze recipe {i}\n\nThis glaze recipe number {i} mixes the glaze with water; the glaze "
    f"settles, so stir the glaze bucket and test the glaze on a tile before glazing. Glaze {i} "
    "needs a hotter kiln than the others, and the glaze can crawl if applied thickly.\n\n"
    for i in range(1, 13)
)


@pytest.mark.django_db
def test_what_is_x_quotes_the_definition_not_the_passage_that_repeats_x(alice):
    book = ingest(alice, "pottery.md", POTTERY_MD)
    answer = answer_question("What is a glaze?", [book.pk], llm=None)
    assert answer.kind == LIBRARY
    assert answer.sources[0].quote.startswith("A glaze is a thin layer of glass")
    assert answer.sources[0].verified


def test_a_textbook_definition_heading_counts_and_theorem_titles_do_not():
    pattern = definition_re("rank of a matrix")
    assert pattern.search("Definition ROM Rank Of a Matrix Suppose that A is an m × n matrix.")
    assert pattern.search("Definition 4.2 (Rank of a matrix) The rank is the dimension of the column space.")
    assert not pattern.search("Theorem RMRT Rank of a Matrix is the Rank of the Transpose.")
    assert not pattern.search("The rank of a matrix is equal to the rank of its transpose.")
    # a heading that defines two terms at once, and the "we say" of mathematics books
    eigenvector = definition_re("eigenvector")
    assert eigenvector.search(
        "Definition EEM Eigenvalues and Eigenvectors of a Matrix Suppose that A is square."
    )
    assert eigenvector.search("Then we say x is an eigenvector of A with eigenvalue λ if Ax = λx.")
    assert not eigenvector.search("We say nothing here about how to find an eigenvector.")
    assert not eigenvector.search("Theorem EMHE Every Matrix Has an Eigenvalue and an Eigenvector.")


@pytest.mark.parametrize(
    "term, sentence",
    [
        (
            "consumer price index",
            "The most commonly cited measure of inflation is the Consumer Price Index (CPI), which is "
            "based on a basket of goods.",
        ),
        ("confidence interval", "The name for this is a confidence interval for the mean."),
        ("confidence interval", "We refer to this range as a confidence interval."),
        ("closure", "We call this a closure, and it captures its environment."),
    ],
)
def test_a_term_named_with_its_abbreviation_or_in_so_many_words_is_defined(term, sentence):
    assert definition_re(term).search(sentence)


def test_the_abbreviation_alone_does_not_make_a_definition():
    assert not definition_re("consumer price index").search("We deflate by the consumer price index (CPI).")


def test_a_term_asked_about_in_a_subject_is_the_bare_term():
    assert unqualified(asked_term("What is a trait in Rust?")) == "trait"
    assert unqualified(asked_term("What is a branch in Git?")) == "branch"
    assert unqualified(asked_term("What is the consumer price index?")) is None


def hit(chunk_id, page, text, book_id=1):
    return SearchHit(chunk_id, book_id, "Book", 1, "Chapter", page, page, [], text, 1.0)


def test_the_first_definition_in_the_book_is_promoted_for_a_qualified_term():
    hits = [
        hit(
            1,
            547,
            "We implement an unsafe trait. A trait is unsafe when a method has an invariant.",
        ),
        hit(2, 465, "The Stream trait defines a low-level interface that combines Iterator and Future."),
        hit(3, 300, "Closures capture values from their environment."),
        hit(4, 227, "Generics are fast. A trait defines the functionality a particular type has."),
    ]
    promoted = promote_definitions("What is a trait in Rust?", hits)
    assert [h.chunk_id for h in promoted[:2]] == [4, 2]
    assert {h.chunk_id for h in promoted} == {1, 2, 3, 4}


def test_a_name_given_to_what_came_before_is_quoted_with_it():
    text = (
        "Sampling is noisy. So there is a 95% chance that the range from 90 to 110 holds the true mean. "
        "The name for this is a confidence interval for the mean. We now compute one in R."
    )
    assert defining_sentences("What is a confidence interval?", text) == [
        "So there is a 95% chance that the range from 90 to 110 holds the true mean.",
        "The name for this is a confidence interval for the mean.",
    ]


def test_a_sentence_that_rates_the_term_does_not_define_it():
    pattern = definition_re("basis")
    assert pattern.search("A basis of a vector space is a linearly independent spanning set.")
    assert not pattern.search("A basis of a vector space is one of the most useful concepts in algebra.")
    passing = definition_re("message passing")
    assert passing.search("Message passing is a style of programming in which data objects receive messages.")
    assert not passing.search("Message passing is a fine way to handle concurrency, but not the only way.")


def test_a_term_named_with_its_abbreviation_is_defined_by_the_sentence_that_goes_on():
    text = (
        "Rates were already near zero. With the recession still ongoing, the Fed adopted a nontraditional "
        "policy known as quantitative easing (QE). This is the purchase of long-term bonds by central "
        "banks to make credit available. Critics worried about inflation."
    )
    assert defining_sentences("What is quantitative easing?", text) == [
        "With the recession still ongoing, the Fed adopted a nontraditional policy known as "
        "quantitative easing (QE).",
        "This is the purchase of long-term bonds by central banks to make credit available.",
    ]
    # a name that a clause does not go on about stands alone
    alone = "In 2009 the central bank tried a policy known as quantitative easing (QE) for several years."
    assert defining_sentences("What is quantitative easing?", alone + " Critics worried.") == [alone]
