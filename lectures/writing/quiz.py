"""Quiz questions from cited sentences (offline), choosing 3-5 for a lecture, and grading.

Definitions ("X is Y", "X refers to Y") become multiple choice ("Which term …?") with distractors
drawn from other terms of the same chapter; formulas ("A = B …") and key sentences become cloze
questions (short answer) on their most distinctive word. Every question keeps the verbatim quote it
comes from and its passage, so its citation verifies like the lecture's.
"""

from __future__ import annotations

import re
import string

from docprof.ai.rarity import RARITY_FLOOR, rarity
from docprof.ai.text import STOPWORDS, content_terms, stem
from lectures.writing.base import quotable_sentences, relevance

MIN_QUESTIONS, MAX_QUESTIONS = 3, 5
DEFINITION_RE = re.compile(
    r"^(?:\*\*)?(?:An?\s+|The\s+)?(?P<term>[A-Za-z][\w\-() ]{2,50}?)(?:\*\*)?\s+"
    r"(?P<verb>is|are|refers to|means|is defined as|measures)\s+(?P<rest>.{12,})$"
)
FORMULA_RE = re.compile(r"(?P<lhs>[A-Za-z][\w ]{0,40}?)\s*=\s*(?P<rhs>[^=]{3,})")
NOT_A_TERM = frozenset(
    "this that these those there it its what which such each we they he she you one our their another "
    "both either neither some any all most many several here who if then so since because when while "
    "although as thus hence and but or for to in on price whereas however therefore note recall suppose "
    "let notice see consider proof theorem lemma corollary definition example exercise".split()
)
# A variable or a label, not a term: "vector y", "D0", "vectors z and w".
VARIABLE_RE = re.compile(r"(?:^|\s)(?:[A-Za-z]|\w*\d\w*)(?:\s|$)")
_WORD = re.compile(r"[A-Za-z][A-Za-z\-]{4,}")


GENERIC = frozenset(
    "result results problem answer idea reason point way thing things approach difference key first "
    "second third last rule step steps figure number amount part case example method goal aim purpose "
    "question".split()
)


def _term_ok(term: str) -> bool:
    words = term.lower().split()
    return (
        1 <= len(words) <= 4
        and words[0] not in NOT_A_TERM | STOPWORDS  # "where RONIC is …" names no term
        and words[-1] not in STOPWORDS
        and not (set(words) <= STOPWORDS | GENERIC)
        and (len(words) > 1 or rarity(stem(words[0])) > RARITY_FLOOR)  # "Life is a big, messy thing"
        and not VARIABLE_RE.search(term)
    )


def gives_away(answer: str, text: str) -> bool:
    """The answer, or a word of the same stem, is in the question's own text."""
    return bool(set(content_terms(answer)) & set(content_terms(text)))


def chapter_terms(brief, chapter_id: int, exclude: str) -> list[str]:
    """Candidate distractors: defined terms, then distinctive words, of passages in the same chapter
    first (then of the other passages). Indexed once per brief."""
    index = getattr(brief, "_term_index", None)
    if index is None:
        index = brief._term_index = _term_index(brief)
    same = index.get(chapter_id, ([], []))
    others = [v for k, v in index.items() if k != chapter_id]
    terms = [*same[0], *(t for v in others for t in v[0]), *same[1], *(t for v in others for t in v[1])]
    seen, out = {exclude.casefold()}, []
    for t in terms:
        if t.casefold() not in seen:
            seen.add(t.casefold())
            out.append(t)
    return out


def _term_index(brief) -> dict[int, tuple[list[str], list[str]]]:
    """{chapter_id: (defined terms, distinctive words)} over the brief's passages."""
    index: dict[int, tuple[list[str], list[str]]] = {}
    for p in brief.passages.values():
        defined, words = index.setdefault(p["chapter_id"], ([], []))
        for sentence in quotable_sentences(p["text"]):
            m = DEFINITION_RE.match(sentence)
            if m and _term_ok(m["term"]):
                defined.append(m["term"].strip())
        words.extend(w for w in _WORD.findall(p["text"]) if _topic_word(w))
    for chapter_id, (defined, words) in index.items():  # the chapter's most used words first
        counts = {}
        for w in words:
            counts[w.casefold()] = counts.get(w.casefold(), 0) + 1
        ranked = sorted(dict.fromkeys(words), key=lambda w: -counts[w.casefold()])
        index[chapter_id] = (defined, ranked)
    return index


def _topic_word(word: str) -> bool:
    """A word that can stand as an answer among others: not an everyday or generic word, nor an
    adverb ("finely", beside "Gluten" and "Flour")."""
    lower = word.lower()
    return (
        lower not in STOPWORDS | GENERIC | NOT_A_TERM
        and not lower.endswith("ly")
        and rarity(stem(lower)) > RARITY_FLOOR
    )


def _distractors(brief, chapter_id: int, answer: str, count: int = 3) -> list[str]:
    family = {stem(w) for w in answer.lower().split()}
    # "Demanded" beside "Demand" is the answer again, or a give-away
    pool = [
        t
        for t in chapter_terms(brief, chapter_id, answer)
        if not family & {stem(w) for w in t.lower().split()}
    ]
    multi = len(answer.split()) > 1
    similar = [t for t in pool if (len(t.split()) > 1) == multi] or pool
    # written like the answer, so that case does not tell them apart ("Flour" among "gluten")
    if answer[:1].isupper():
        return [t[:1].upper() + t[1:] for t in similar[:count]]
    return [t[:1].lower() + t[1:] if t[1:2].islower() else t for t in similar[:count]]


def _choices(answer: str, distractors: list[str], seed: str) -> list[str]:
    options = [answer, *distractors]
    # A stable order that does not always put the answer first.
    return sorted(options, key=lambda o: (sum(map(ord, o + seed)) % 7, o))


def _distinctive(sentence: str, objective: str, brief=None) -> str | None:
    """The word of `sentence` to blank: a topic word, not its verb or an adverb -- rare in general
    English, used across the section's passages, and best one of the objective's own terms."""
    terms = set(content_terms(objective.split(" ", 1)[-1]))
    names = _name_words(sentence)
    words = [
        w
        for w in _WORD.findall(sentence)
        if w.lower() not in STOPWORDS and not w.lower().endswith("ly") and w not in names
    ]
    words += [w for w in re.findall(r"\b[A-Za-z]{3,4}\b", sentence) if stem(w.lower()) in terms]
    if not words:
        return None
    spread = _section_spread(brief) if brief is not None else {}

    def score(word: str) -> float:
        lexeme = stem(word.lower())
        if lexeme in terms and rarity(lexeme) >= TOPIC_RARITY:
            return rarity(lexeme) * 3.0
        used = min(spread.get(lexeme, 0), SPREAD_CAP) / SPREAD_CAP
        inflected = word.lower().endswith(("ed", "ing"))  # most often a verb: "obtained", "making"
        return rarity(lexeme) * used * (0.5 if inflected else 1.0)

    best = max(words, key=lambda w: (score(w), len(w)))
    lexeme = stem(best.lower())
    needed = min(MIN_SPREAD, len(brief.passages)) if brief is not None else 0
    if lexeme not in terms and spread.get(lexeme, 0) < needed:
        return None  # nothing the section is about: a name, an aside ("Sheldon Axler does just that")
    return best


MIN_SPREAD = 2  # a blank not on the objective's terms is on a word of at least this many passages


def _name_words(sentence: str) -> set[str]:
    """Capitalised words inside a sentence: part of a name or a title ("Sheldon Axler", "Linear
    Algebra Done Right"), which a blank would test as trivia, not the topic."""
    words = re.findall(r"(?<![.!?:]\s)(?<!^)\b[A-Z][a-z]+\b", sentence.strip())
    return set(words)


TOPIC_RARITY = 0.2  # an objective's everyday word ("make" in "decision making") is not what it tests
SPREAD_CAP = 4  # a word in this many of the section's passages counts as fully its topic


def _section_spread(brief) -> dict[str, int]:
    """{lexeme: how many of the brief's passages use it}, computed once per brief."""
    spread = getattr(brief, "_spread", None)
    if spread is None:
        spread = {}
        for p in brief.passages.values():
            for lexeme in set(content_terms(p["text"])):
                spread[lexeme] = spread.get(lexeme, 0) + 1
        brief._spread = spread
    return spread


def objective_about(sentence: str, objectives: list[str], current: str) -> str | None:
    """The objective whose terms `sentence` is about: the one sharing most of its words with it
    (without the objective's verb: "Define hydration" is about hydration), `current` on a tie, and
    None when it speaks to none of them."""
    about = {o: set(content_terms(o.split(" ", 1)[-1])) for o in objectives}
    definition = DEFINITION_RE.match(sentence)
    if definition and _term_ok(definition["term"]):
        # A definition is about its term: "Hydration is the weight of water divided by the weight
        # of flour" tests "Define hydration", not "Define flour"; one of a term no objective names
        # ("Proofing is ..." in a segment on oven spring) tests none of them.
        term = set(content_terms(definition["term"]))
        named = [o for o in objectives if term and term <= about[o]]
        if not named:
            return None
        return current if current in named else named[0]
    shared = {o: relevance(sentence, terms) for o, terms in about.items()}
    best = max(shared.values(), default=0)
    if best == 0:
        return None
    if shared.get(current, 0) == best:
        return current
    return next(o for o in objectives if shared[o] == best)


def candidates(objective: str, citations: list[dict], brief, loose: bool = False) -> list[dict]:
    """Questions from the sentences a segment for `objective` quotes (best first). Each question
    tests the objective its sentence is about -- a sentence on yeast quoted to fill out the segment
    on hydration tests "Define yeast", not "Define hydration" -- and a sentence about none of the
    section's objectives is no question (unless `loose`: then it tests `objective`)."""
    out = []
    objectives = list(getattr(brief, "objectives", None) or [objective])
    if objective not in objectives:
        objectives.append(objective)
    quoted = [(s, c) for c in citations for s in (quotable_sentences(c["quote"]) or (c["quote"],))]
    for sentence, c in quoted:  # a quote may hold several sentences: each can be a question
        passage = brief.passages[int(c["chunk_id"])]
        source = f"{passage['book_title']}, {passage['chapter']}"
        tested = objective_about(sentence, objectives, objective)
        if tested is None and not loose:
            continue
        tested = tested or objective
        base = {"objective": tested, "chunk_id": c["chunk_id"], "quote": sentence}
        definition = DEFINITION_RE.match(sentence)
        if (
            definition
            and _term_ok(definition["term"])
            and not gives_away(definition["term"], definition["rest"])  # "The heap is ... on the heap"
        ):
            term = definition["term"].strip()
            rest = definition["rest"].rstrip(".")
            distractors = _distractors(brief, passage["chapter_id"], term)
            if len(distractors) >= 2:
                out.append(
                    {
                        **base,
                        "kind": "multiple_choice",
                        "question": f"According to {source}, which term {definition['verb']} {rest}?",
                        "choices": _choices(term, distractors, sentence),
                        "answer": term,
                        "explanation": f"The book defines it: “{sentence}”",
                    }
                )
                continue
        formula = FORMULA_RE.search(sentence)
        word = _distinctive(sentence, tested, brief)
        if formula or word:
            hidden = formula["lhs"].strip() if formula and _term_ok(formula["lhs"]) else word
            if not hidden:
                continue
            # every occurrence: "Eigenvectors of a _____ Suppose that A is a square matrix" gives it away
            cloze = re.sub(rf"\b{re.escape(hidden)}\b", "_____", sentence, flags=re.I)
            if cloze == sentence:
                continue
            out.append(
                {
                    **base,
                    "kind": "short_answer",
                    "question": f"Fill in the blank ({source}): “{cloze}”",
                    "choices": None,
                    "answer": hidden,
                    "explanation": f"The full sentence reads: “{sentence}”",
                }
            )
    # stable: definitions first, then blanks on the objective's own terms
    out.sort(key=_order)
    return out


def _order(question: dict) -> tuple[bool, bool]:
    if question["kind"] == "multiple_choice":
        return (False, False)
    objective_terms = set(content_terms(question["objective"].split(" ", 1)[-1]))
    return (True, not set(content_terms(question["answer"])) & objective_terms)


def select(per_objective: list[list[dict]]) -> list[dict]:
    """3-5 questions, round-robin over objectives so each is tested, no two on one sentence and, while
    others are left, no two with the same answer ("NPV" blanked twice); ids q1…qN."""
    chosen: list[dict] = []
    for distinct_answers in (True, False):
        depth = 0
        while len(chosen) < MAX_QUESTIONS and any(depth < len(qs) for qs in per_objective):
            for questions in per_objective:
                if depth < len(questions) and len(chosen) < MAX_QUESTIONS:
                    q = questions[depth]
                    if q["quote"] in {c["quote"] for c in chosen}:
                        continue
                    if distinct_answers and _norm(q["answer"]) in {_norm(c["answer"]) for c in chosen}:
                        continue
                    chosen.append(q)
            depth += 1
        if len(chosen) >= MIN_QUESTIONS:
            break
    return [{"id": f"q{i + 1}", **q} for i, q in enumerate(chosen)]


# --- grading ----------------------------------------------------------------------------------
_PUNCT = str.maketrans("", "", string.punctuation + "“”‘’")


def _norm(text: str) -> str:
    return " ".join(
        stem(w) for w in str(text).translate(_PUNCT).casefold().split() if w not in {"a", "an", "the"}
    )


def is_correct(question: dict, answer: str) -> bool:
    if question.get("choices"):
        return answer == question["answer"]
    return bool(_norm(answer)) and _norm(answer) == _norm(question["answer"])
