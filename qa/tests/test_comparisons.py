"""Questions that compare two things are answered from the sentence that sets them against each other."""

import pytest

from library.ranking import QueryTerms
from library.tests.conftest import ingest
from qa.answers import LIBRARY
from qa.comparisons import compared_sides, contrast_score
from qa.engine import answer_question


def even_terms(*lexemes: str) -> QueryTerms:
    return QueryTerms(lexemes=list(lexemes), df=dict.fromkeys(lexemes, 5), chunks=100)


@pytest.mark.parametrize(
    "question, sides",
    [
        ("What is the difference between a merge and a rebase in Git?", ({"merg"}, {"rebas"})),
        ("How are streams different from ordinary lists?", ({"stream"}, {"ordinari", "list"})),
        ("When should I use Rc<T> instead of Box<T>?", ({"rc"}, {"box"})),
        ("Compare bonds with bank loans.", ({"bond"}, {"bank", "loan"})),
        ("What is the difference between a Type I and a Type II error?", None),
        ("What is a rebase?", None),
    ],
)
def test_the_two_sides_of_a_comparison_are_read_from_the_question(question, sides):
    keys = [
        "merg",
        "rebas",
        "git",
        "stream",
        "ordinari",
        "list",
        "rc",
        "box",
        "bond",
        "bank",
        "loan",
        "type",
        "error",
    ]
    assert compared_sides(question, keys) == sides


def test_a_sentence_that_names_both_sides_and_contrasts_them_scores_best():
    terms = even_terms("merg", "rebas")
    sides = ({"merg"}, {"rebas"})
    contrast = (
        "Rebasing replays changes in the order they were introduced, whereas merging joins the endpoints."
    )
    both = "After a rebase you can merge the branch back into master with a fast-forward."
    lead_in = "If instead of doing a merge we run a rebase on the branch, Git will:"
    one = "A rebase rewrites the commits of a branch onto a new base commit."
    scores = [contrast_score(s, sides, terms) for s in (contrast, both, lead_in, one)]
    assert scores[0] > scores[2] > 0 and scores[1] == 0 == scores[3]


from qa.tests.books import filler  # noqa: E402

BRANCHES_MD = f"""# Working with Branches

## Chapter 0 Repositories

{filler("A repository stores snapshots of a project, and each snapshot records who made it and when.", 12)}
{filler("Remote repositories are shared copies that a team pushes to and fetches from.", 12)}

## Chapter 1 Merging

Merging joins two lines of development. Git creates a merge commit that has two parents, and merging
keeps every commit exactly as it was made. Merge conflicts are resolved once, in the merge commit.

## Chapter 2 Rebasing in Git

Rebasing moves the commits of a branch so that they start from another commit. In Git you can rebase a
branch and then merge it back into master with a fast-forward merge. A rebase rewrites the commits it
moves, so never rebase commits that others have pulled. Git runs the rebase one commit at a time, and a
merge conflict in a rebase is resolved for each commit. Interactive rebase in Git lets you squash commits.

## Chapter 3 Choosing

Both bring the changes of one branch into another. Rebasing replays your commits one by one on top of the
other branch, whereas merging ties the two histories together with a new commit.
"""


def test_a_comparison_leads_with_the_sentence_that_contrasts_the_two(alice):
    book = ingest(alice, "branches.md", BRANCHES_MD)
    answer = answer_question(
        "What is the difference between a merge and a rebase in Git?", [book.pk], llm=None
    )
    assert answer.kind == LIBRARY, answer.answer
    assert "whereas merging ties the two histories together" in answer.sources[0].quote
    assert answer.sources[0].verified
