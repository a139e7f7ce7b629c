"""Extractive summaries: no embedder calls, sentences that stand on their own, overviews in order."""

import threading

import pytest

from docprof.ai.embeddings import HashingEmbedder
from library.chunking import chunk_chapter
from library.models import BookSummary, Chapter
from library.parsing import parse_book
from library.services import ingest_book
from library.summaries import ExtractiveSummariser, stands_alone, terms
from library.tests.conftest import upload
from library.tests.fixtures import make_asciidoc


class CountingEmbedder(HashingEmbedder):
    """A real embedder that counts the texts it is asked to embed."""

    def __init__(self):
        super().__init__()
        self.calls = 0
        self.texts = 0

    def embed(self, texts):
        self.calls += 1
        self.texts += len(texts)
        return super().embed(texts)


INTEREST = [
    "This is why the formula matters.",
    "However, interest compounds when it is added to the principal and then earns interest itself.",
    "Compound interest is interest earned on both the original principal and the interest already added.",
    "It grows faster than simple interest over long periods of saving and borrowing.",
    "For example, a deposit of 100 at 5 percent compound interest is worth 105 after one year.",
    "An annuity is a series of equal payments made at regular intervals for a fixed number of periods.",
    "These payments can be valued with the present value formula for an annuity.",
    "such as mortgages and car loans",
    "The present value of an annuity discounts every future payment back to today at the interest rate.",
    "Such annuities appear in pensions, leases and loan repayment schedules of every kind.",
    "In Figure 3 the payments are shown as arrows on a time line.",
    "The future value of a deposit grows with the interest rate and with the number of periods.",
]


def test_summarising_makes_no_embedder_calls():
    embedder = CountingEmbedder()
    summariser = ExtractiveSummariser(embedder)
    chapter = summariser.summarise_chapter("Compound Interest", [" ".join(INTEREST)] * 20)
    summariser.summarise_book("Finance", [("Compound Interest", chapter), ("Annuities", chapter)])
    assert chapter
    assert embedder.calls == 0


@pytest.mark.django_db
def test_ingestion_embeds_passages_and_summaries_only_never_sentences(alice):
    text = "Finance\n\n" + "\n\n".join(
        f"Chapter {n} {name}\n\n" + "\n\n".join(" ".join(INTEREST) for _ in range(6))
        for n, name in enumerate(["Interest", "Annuities", "Loans"], start=1)
    )
    added = upload(alice, "finance.txt", text)
    embedder = CountingEmbedder()
    book = ingest_book(added.book, embedder=embedder)
    passages = {(c.text, tuple(c.heading_path[-2:])) for c in book.chunks.all()}
    chapters = Chapter.objects.filter(book=book).count()
    sentences = text.count(". ")
    assert chapters == 3 and sentences > 150
    # one vector per distinct passage (a repeated passage is embedded once), per chapter summary and
    # for the book summary: nothing per sentence
    assert embedder.texts == len(passages) + chapters + 1
    assert BookSummary.objects.get(book=book).summary["overview"]


def test_chapter_summary_begins_with_a_sentence_that_stands_on_its_own():
    summary = ExtractiveSummariser(sentences=3).summarise_chapter("Compound Interest and Annuities", INTEREST)
    first = summary.split(". ")[0]
    assert first.split()[0] not in {"This", "However,", "It", "These", "Such", "For"}
    for sentence in summary.replace(". ", ".\n").splitlines():
        assert sentence in INTEREST  # whole sentences of the text, never fragments
        assert stands_alone(sentence)
    positions = [INTEREST.index(s) for s in summary.replace(". ", ".\n").splitlines()]
    assert positions == sorted(positions)  # in the order of the text
    assert len(positions) == 3


@pytest.mark.parametrize(
    "sentence,ok",
    [
        ("Compound interest is interest earned on both the principal and the interest added.", True),
        ("This is why compound interest is earned on both the principal and the interest.", False),
        ("However, compound interest is earned on both the principal and the interest.", False),
        ("It’s a handy little function that you can use to import an SPSS data file.", False),
        ("For example, compound interest is earned on the principal and the interest.", False),
        ("To stage it, you run the git add command in the working directory of a project.", False),
        ("such as mortgages and car loans and every other kind of loan that is repaid.", False),
        ("The values &(3, 5) match the pattern &(x, y), so x is the value 3 and y is 5.", False),
        ("Let x = compute(y) be the value that the function returns for every input.", False),
        ("The ⟨name⟩ is a symbol to be associated with the procedure definition here.", False),
        ("Figure 3.1 shows the payments as arrows on a time line for the loan period.", False),
        ("Short sentence here.", False),
        ("What is the present value of ten thousand received in five years at six percent?", False),
        ("Interest accrues daily on the balance that remains unpaid at the end of the day", False),
    ],
)
def test_stands_alone(sentence, ok):
    assert stands_alone(sentence) is ok


def test_book_overview_lists_chapters_and_reads_in_order():
    summariser = ExtractiveSummariser()
    chapters = [
        ("Front matter", "Copyright 2024 by the authors of this book and its many helpful contributors."),
        (
            "Chapter 1 Interest",
            "Compound interest is interest earned on both the principal and prior interest.",
        ),
        (
            "Chapter 2 Annuities",
            "An annuity is a series of equal payments made at regular intervals of time.",
        ),
        (
            "Chapter 3 Valuation",
            "A bond is valued as the present value of its coupons and of its face value.",
        ),
        ("Index", "Annuity, 12. Bond, 30. Interest, 3."),
    ]
    overview = summariser.summarise_book("Finance Basics", chapters)["overview"]
    assert overview.startswith("Finance Basics has 3 chapters: Interest, Annuities and Valuation.")
    order = [overview.find(word) for word in ("Compound interest", "An annuity", "A bond")]
    assert -1 not in order and order == sorted(order)
    assert "Copyright" not in overview and "Bond, 30" not in overview
    titled = summariser.overview(
        "Accounting", [("Assets, Depreciation and Amortisation", ""), ("Equity", "")]
    )
    assert titled == "Accounting has 2 chapters: Assets, Depreciation and Amortisation; and Equity."


PRO_GIT = """= Pro Git

== Git and Other Systems

(((Subversion)))(((Interoperation with other VCSs, Subversion)))(((git commands, svn)))
Subversion is a centralised version control system that many teams used before Git existed.
Git can act as a client of a Subversion server through the git svn bridge that ships with it.

[[_git_svn]]
(((git commands, svn))) The git svn bridge lets a developer use local branches while a team keeps Subversion.
"""


def test_summaries_carry_no_markup(tmp_path):
    book = parse_book(make_asciidoc(tmp_path / "progit.adoc", PRO_GIT), "asciidoc")
    summariser = ExtractiveSummariser()
    chapter = book.chapters[-1]
    texts = [d.text for d in chunk_chapter(chapter, min_words=5, target_words=30, max_words=60)]
    summary = summariser.summarise_chapter(chapter.title, texts)
    overview = summariser.summarise_book(book.title, [(chapter.title, summary)])["overview"]
    for text in (summary, overview):
        assert "(((" not in text and "[[" not in text and "git commands, svn" not in text
    assert summary.startswith("Subversion is a centralised version control system")


def test_stemming_is_safe_across_threads():
    text = " ".join(INTEREST) * 5
    expected = terms(text)
    results, errors = [], []

    def work():
        try:
            for _ in range(20):
                results.append(terms(text + " borrowing lending compounding discounting"))
        except Exception as exc:  # pragma: no cover - the failure being guarded against
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(r[: len(expected)] == expected for r in results)
