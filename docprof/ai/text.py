"""Small text utilities shared by the embedder, the summariser and the offline engines."""

import re
import threading
from functools import lru_cache

import snowballstemmer

from docprof.ai.rarity import zipf

WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9'\-]*[A-Za-z0-9]|[A-Za-z]|\d+(?:\.\d+)?")
_CLOSER = "[\"')\\]”’]"
# A sentence ends at . ! or ? and the quotes or brackets that close on it (kept with it), before a
# capital, a digit or an opening quote or bracket (typographic quotes too).
# "e.g." and "i.e." introduce what follows ("a comma, e.g. ‘-Dfoo,bar’"): no sentence ends there.
_NO_END = r"(?<!\b[eE]\.g\.)(?<!\b[iI]\.e\.)(?<!\bcf\.)(?<!\bviz\.)(?<!\bvs\.)"
SENTENCE_RE = re.compile(
    rf"{_NO_END}(?:(?<=[.!?])|(?<=[.!?]{_CLOSER})|(?<=[.!?]{_CLOSER}{_CLOSER}))\s+(?=[A-Z0-9\"'(\[“‘])"
)

STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me
    more most my myself no nor not now of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with would you your yours yourself yourselves also may might must shall us one two many
    much via per eg ie etc
    """.split()
)

# snowballstemmer's stemmers keep per-word state on the object: one per thread, never shared.
_local = threading.local()


def _stemmer():
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def words(text: str) -> list[str]:
    return WORD_RE.findall(text)


def content_terms(text: str) -> list[str]:
    """Lower-cased, stemmed words without stopwords: what a passage is about."""
    out = []
    for w in WORD_RE.findall(text.lower()):
        w = w.strip("'-")
        if len(w) < 2 or w in STOPWORDS:
            continue
        out.append(stem(w))
    return out


# A line break between blocks (a passage keeps its blocks on separate lines) also ends a sentence,
# unless the next line goes on in lower case: a paragraph cut by a page break.
BLOCK_BREAK_RE = re.compile(r"[ \t]*\n\s*(?![a-z])")


def split_sentences(text: str) -> list[str]:
    out = []
    for block in BLOCK_BREAK_RE.split(text):
        block = re.sub(r"\s+", " ", block).strip()
        out.extend(s.strip() for s in SENTENCE_RE.split(block) if s.strip())
    return out


CODE_MARKS = "()[]{}<>=;"
CODE_DENSITY = 0.3  # code marks per word above which a sentence reads as code (prose: ~0.1)
# A shell prompt inside a sentence: console output run into the prose ("... run git branch -v: $ git
# branch -v iss53 93b412c ...").
SHELL_PROMPT_RE = re.compile(r"(?:^|\s)\$ [a-z]")


UNCUT_END_RE = re.compile(r"[.!?:;)\]\"'”’…]$")  # how a sentence that a passage did not cut ends


def cut_by_edge(sentences: list[str], i: int) -> bool:
    """Sentence i of a passage's sentences is a piece the passage's edges cut: it opens in lower case
    (the passage began mid-sentence), or it is the last and stops without a sentence end."""
    s = sentences[i].strip()
    return s[:1].islower() or (i == len(sentences) - 1 and not UNCUT_END_RE.search(s))


PROSE_PUNCTUATION = ",.;:!?()[]{}\"'“”‘’`*_"


def prose_share(text: str) -> float:
    """Share of the words of `text` that are plain words once punctuation is stripped (code, output,
    formulas and tables have few)."""
    words = text.split()
    return sum(1 for w in words if w.strip(PROSE_PUNCTUATION).isalpha()) / max(1, len(words))


def code_marks_per_word(sentence: str) -> float:
    """Code punctuation per word: prose has ~0.1; "(define (square x) (* x x))" has 1.5."""
    return sum(sentence.count(c) for c in CODE_MARKS) / max(1, len(sentence.split()))


def word_count(text: str) -> int:
    return len(text.split())


EVERYDAY_ZIPF = 4.5  # at or above (wordfreq's Zipf scale, docprof.ai.rarity): an everyday word


def is_everyday(word: str) -> bool:
    """`word` is common in general English ("life", "salt", "coffee"), whatever the library: such a word
    is a term only where a text makes it one."""
    return zipf(stem(word.lower())) >= EVERYDAY_ZIPF
