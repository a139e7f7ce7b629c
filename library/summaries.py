"""Chapter and book summaries. The default summariser is extractive (no model, no embedder): it
keeps a chapter's most central sentences that stand on their own. The AI layer can supply a
model-backed summariser with the same two methods (see `get_summariser`).

Centrality is lexical: TF-IDF over stemmed content words, each sentence scored by its cosine with
the chapter's own term profile (a centroid summary, as in MEAD), with a small bonus for words of the
chapter title and for the opening of the chapter, and near-duplicates skipped. Cost is linear in
the chapter's words; nothing is embedded, so summarising never multiplies the embedder's cost.

A sentence stands on its own when it is a whole prose sentence (8-45 words, a capital letter at the
start and a full stop, question or exclamation mark at the end, balanced brackets, no code, no
pointer to a figure or listing) that does not lean on what came before ("This", "It", "However",
"Such", "For example", ...).
"""

from __future__ import annotations

import math
import re
from collections import Counter

from docprof.ai import factory
from docprof.ai.embeddings import Embedder
from docprof.ai.text import STOPWORDS, split_sentences, stem

MAX_SENTENCES_SCANNED = 4000
MIN_WORDS, MAX_WORDS = 8, 45
OVERVIEW_CHAPTERS_LISTED = 8

DEPENDENT_OPENERS = frozenset(
    """
    this these that those it its it's they them their theirs such however but and or nor so thus
    hence therefore also moreover furthermore additionally then he she his her him here likewise
    similarly instead otherwise finally next again still yet besides meanwhile consequently
    accordingly nevertheless nonetheless conversely indeed namely specifically rather above below
    first second third fourth lastly later earlier both another others latter former afterwards
    because although though whereas while since unless except plus which who whose whom where now
    neither either clearly obviously naturally fortunately unfortunately luckily surprisingly
    interestingly importantly
    """.split()
)
DEPENDENT_PHRASES = (
    "as a result", "as we", "as you", "as shown", "as mentioned", "as noted", "as discussed", "as before",
    "in this", "in that", "in these", "in those", "in addition", "in other words", "in contrast",
    "in particular", "in the same", "in turn", "for example", "for instance", "for this", "for these",
    "on the other hand", "on the contrary", "at this", "at that", "at the same time", "the latter",
    "the former", "the same", "the above", "the following", "the previous", "the preceding",
    "the next", "the other", "one such", "after that", "before that", "by contrast", "to do this",
    "to see this", "with this", "with these", "from this", "from these", "because of this", "that is",
    "of course", "even so", "not only", "in fact", "all of these", "each of these", "some of these",
    "most of these", "many of these", "none of these", "one of these",
)  # fmt: skip
_REFERENCE_RE = re.compile(r"\b(?:figure|fig\.|listing|table|exercise|equation|eq\.)\s*\d", re.I)
# code, maths and typesetting debris: braces, operators, calls, snake_case, ⟨metavariables⟩, footnote
# marks glued to words ("environment.13 The", "12Observe")
_CODE_RE = re.compile(
    r"[{}\\<>|=⟨⟩]|&[(\[\w]|::|->|\(\)|\$\s|\w\(\w*\)|\w_\w|\w\.\w+\(|[a-z][.,;]\d|\d[A-Z][a-z]"
)
_PLAIN_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_EARLY_DEPENDENT = frozenset("it its this these they them their those he she his her also".split())
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*%?")
_MERGED_RE = re.compile(r"[.!?]\s+[a-z]")  # two sentences the splitter could not separate
_DEFINITION_RE = re.compile(r"\b(?:is|are) (?:a|an|the|called|defined as)\b|\brefers? to\b|\bmeans\b")
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_END = (".", "!", '."', ".”", ".)", "!”")  # statements: a question is not a summary
_LABEL_RE = re.compile(r"^(?:chapter|part|book|section|appendix)\s+[\w.]+[.:]?\s+(?=\S)", re.I)
MATTER_TITLE_RE = re.compile(
    r"^(?:front matter|preface|foreword|acknowledge?ments?|dedications?|contributors|(?:table of )?contents|"
    r"index|references|bibliography|colophon|copyright|licen[sc]e|licensing|uncopyright|imprint|title ?page|"
    r"endnotes|notes|about the authors?|list of \w+|glossary|errata|pages \d+.\d+|part \d+)\b",
    re.I,
)

_stem = stem  # docprof.ai.text.stem: cached, with one snowball stemmer per thread


def terms(text: str) -> list[str]:
    """Stemmed content words."""
    out = []
    for w in _WORD_RE.findall(text.lower()):
        w = w.strip("'’-")
        if len(w) > 2 and w not in STOPWORDS:
            out.append(_stem(w))
    return out


def stands_alone(sentence: str) -> bool:
    """A whole prose sentence that does not depend on the one before it."""
    words = sentence.split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS or not sentence.endswith(_END):
        return False
    first = sentence.lstrip("\"'“‘(")
    if not first[:1].isalpha() or not first[:1].isupper() or sentence.isupper():
        return False
    opener = first.split(None, 1)[0].strip(",;:—").lower().replace("’", "'")
    if opener in DEPENDENT_OPENERS:
        return False
    lowered = first.lower().replace("’", "'")
    if any(lowered.startswith(p + " ") or lowered.startswith(p + ",") for p in DEPENDENT_PHRASES):
        return False
    if _REFERENCE_RE.search(sentence) or _CODE_RE.search(sentence) or _MERGED_RE.search(sentence):
        return False
    if any(w.strip(",;:").lower().replace("’", "'") in _EARLY_DEPENDENT for w in words[1:3]):
        return False  # "To stage it, ...", "Of these, ...", "Rust also has ..."
    if sentence.count("(") != sentence.count(")") or sentence.count("[") != sentence.count("]"):
        return False
    if sentence.count('"') % 2 or sentence.count("“") != sentence.count("”"):
        return False
    plain = sum(1 for w in words if _PLAIN_WORD_RE.fullmatch(w.strip(".,;:!?\"'()“”‘’")))
    return plain >= 0.7 * len(words)


def _candidates(texts: list[str]) -> list[str]:
    out: list[str] = []
    for text in texts:
        for sentence in split_sentences(text):
            if stands_alone(sentence):
                out.append(sentence)
        if len(out) >= MAX_SENTENCES_SCANNED:
            break
    return out


def rank_sentences(
    sentences: list[str], title: str = "", titles: list[str] | None = None, title_weight: float = 0.1
) -> list[tuple[float, int]]:
    """(score, index) for each sentence, best first: TF-IDF cosine with the sentences' centroid,
    plus small bonuses for words of the title (``titles``: each sentence's own), for a definition
    ("X is a ...") and for an early position."""
    bags = [Counter(terms(s)) for s in sentences]
    n = len(bags)
    df: Counter = Counter()
    for bag in bags:
        df.update(bag.keys())
    idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}
    vectors = []
    centroid: Counter = Counter()
    for bag in bags:
        vec = {t: (1 + math.log(c)) * idf[t] for t, c in bag.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vec = {t: v / norm for t, v in vec.items()}
        vectors.append(vec)
        centroid.update(vec)
    c_norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
    title_terms = set(terms(title))
    own_terms = {t: set(terms(t)) for t in set(titles)} if titles else {}
    scored = []
    for i, vec in enumerate(vectors):
        score = sum(v * centroid[t] for t, v in vec.items()) / c_norm
        wanted = own_terms[titles[i]] if titles else title_terms
        if wanted:
            score += title_weight * len(wanted & vec.keys()) / len(wanted)
        if _DEFINITION_RE.search(sentences[i]):
            score += 0.05
        score -= 0.05 * min(3, len(_NUMBER_RE.findall(sentences[i])))  # worked-example figures
        score += 0.05 * (1 - i / n)
        scored.append((score, i))
    scored.sort(key=lambda s: (-s[0], s[1]))
    return scored


def select(sentences: list[str], limit: int, title: str = "") -> list[int]:
    """Indices of the ``limit`` best sentences, near-duplicates skipped, in document order."""
    chosen: list[int] = []
    chosen_terms: list[set[str]] = []
    for _, i in rank_sentences(sentences, title):
        words = set(terms(sentences[i]))
        if any(len(words & other) > 0.5 * min(len(words), len(other)) for other in chosen_terms):
            continue
        chosen.append(i)
        chosen_terms.append(words)
        if len(chosen) == limit:
            break
    return sorted(chosen)


class ExtractiveSummariser:
    name = "extractive-v2"

    def __init__(self, embedder: Embedder | None = None, sentences: int = 4):
        self.embedder = embedder  # kept for the interface; the extractive summariser never embeds
        self.sentences = sentences

    def summarise_chapter(self, title: str, texts: list[str]) -> str:
        sentences = _candidates(texts)
        if not sentences:
            return _fallback(texts)
        return " ".join(sentences[i] for i in select(sentences, self.sentences, title))

    def summarise_book(self, title: str, chapters: list[tuple[str, str]]) -> dict:
        return {
            "overview": self.overview(title, chapters),
            "chapters": [{"title": t, "summary": s} for t, s in chapters],
        }

    def overview(self, title: str, chapters: list[tuple[str, str]]) -> str:
        """What the book covers, in the book's order: its main chapters, then its most central
        sentences, at most one per chapter, in chapter order."""
        main = [
            (t, s) for t, s in chapters if not MATTER_TITLE_RE.match(t.strip()) and t.strip() != title.strip()
        ]
        parts = []
        names = [_LABEL_RE.sub("", t).strip().rstrip(".:;,") for t, _ in main]
        names = [n for n in names if n]
        if len(names) >= 2:
            shown = names[:OVERVIEW_CHAPTERS_LISTED]
            rest = len(names) - len(shown)
            sep = "; " if any("," in n or " and " in n for n in shown) else ", "
            final = "; and " if sep == "; " else " and "
            if rest:
                listing = sep.join(shown) + f"{final}{rest} more"
            else:
                listing = sep.join(shown[:-1]) + final + shown[-1]
            parts.append(f"{title or 'The book'} has {len(names)} chapters: {listing}.")
        # The most central sentence of each stretch of the book (beginning, middle, end), in order.
        source = main or chapters
        pool = [(k, s) for k, (_, summary) in enumerate(source) for s in split_sentences(summary)]
        pool = [(k, s) for k, s in pool if stands_alone(s)]
        own_titles = [source[k][0] for k, _ in pool]
        stretches = max(1, min(self.sentences - 1, len(source)))
        picked: dict[int, tuple[int, str]] = {}
        if pool:
            for _, i in rank_sentences([s for _, s in pool], titles=own_titles, title_weight=0.3):
                k, sentence = pool[i]
                picked.setdefault(k * stretches // len(source), (k, sentence))
                if len(picked) == stretches:
                    break
        parts.extend(s for _, s in sorted(picked.values()))
        return " ".join(parts)


def _fallback(texts: list[str]) -> str:
    """No sentence stands on its own (code, tables, lists): the first prose-like sentence, else the
    opening words."""
    for text in texts:
        for sentence in split_sentences(text):
            if len(sentence.split()) >= 5 and not _CODE_RE.search(sentence) and sentence[:1].isupper():
                return sentence
    words = " ".join(texts).split()
    return " ".join(words[:40]) + ("…" if len(words) > 40 else "") if words else ""


class ModelSummariser(ExtractiveSummariser):
    """Summaries written by the configured model; the chapter text it reads is capped, and book
    text is marked as data. Falls back to nothing: a model error fails the ingestion job clearly."""

    name = "model-v1"
    MAX_WORDS = 6_000

    def __init__(self, embedder: Embedder, llm, job_id: int | None = None):
        super().__init__(embedder)
        self.llm = llm
        self.job_id = job_id
        self.book_title = ""

    def _ask(self, prompt_name: str, max_tokens: int, **values) -> str:
        from docprof.ai.prompts import load_prompt

        prompt = load_prompt("library.prompts", prompt_name)
        result = self.llm.complete(
            "You summarise books accurately and concisely, using only the text given.",
            [{"role": "user", "content": prompt.render(**values)}],
            max_tokens=max_tokens,
            temperature=0.0,
            purpose=f"library.{prompt_name}",
            job=self.job_id,
            prompt_version=prompt.key,
        )
        return result.text.strip()

    def summarise_chapter(self, title: str, texts: list[str]) -> str:
        from docprof.ai.prompts import book_text

        words = " ".join(texts).split()[: self.MAX_WORDS]
        return self._ask(
            "summarise_chapter",
            400,
            title=title,
            book=self.book_title,
            text=book_text(" ".join(words), chapter=title),
        )

    def summarise_book(self, title: str, chapters: list[tuple[str, str]]) -> dict:
        listing = "\n".join(f"- {t}: {s}" for t, s in chapters)
        overview = self._ask("summarise_book", 400, book=title, chapters=listing)
        return {"overview": overview, "chapters": [{"title": t, "summary": s} for t, s in chapters]}


def get_summariser(embedder: Embedder, job_id: int | None = None, book_title: str = ""):
    """The model summariser when a model is configured (DOCPROF_LLM), else the extractive one."""
    llm = factory.get_llm()
    if llm is None:
        return ExtractiveSummariser(embedder)
    summariser = ModelSummariser(embedder, llm, job_id)
    summariser.book_title = book_title
    return summariser
