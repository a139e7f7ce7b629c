"""What a course request asks for: its subject, the named topics it must cover, and the context that
qualifies them ("... in Rust").

"Learn ownership and borrowing in Rust, 2 hours" -> subject "ownership and borrowing in Rust", topics
["ownership", "borrowing"], context ["Rust"]; a question names its topics between its frame and its verb
("How do references and borrowing work?" -> ["references", "borrowing"]). Each topic is matched as
a whole (all its central words, as a phrase when possible), never by a single word of it -- a word
of general English such as "made" in "How bread is made" is not required (units.py:
`central_stems`); acronyms are expanded from the library itself ("DCF" -> "discounted cash flow"
when a book writes "discounted cash flow (DCF)").
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from docprof.ai.text import STOPWORDS, stem

# Words that say what kind of request it is, not what it is about.
REQUEST_WORDS = frozenset(
    """learn learning teach teaching me course courses class lesson lessons understand understanding
    intro introduction introductory basic basics fundamentals fundamental overview study studying
    master mastering guide tutorial want wanna like would please help know get started start quick
    hour hours hr hrs minute minutes min mins day days week weeks crash everything all things
    primer refresher deep dive""".split()
)
# Words of general English that rarely name what a request is about ("How bread is made", "how
# compilers work", "baking techniques"): they count as evidence but are never required. A bundled
# general-English frequency table would replace this list.
GENERAL_WORDS = frozenset(
    """make makes made making work works worked working use uses used do does did done doing happen
    happens happened go goes going get gets got getting way ways thing things technique techniques method
    methods practice practices tip tips idea ideas concept concepts stuff""".split()
)
GENERAL_STEMS = frozenset(stem(w) for w in GENERAL_WORDS)
GENERAL_WEIGHT = 0.25
LEADING_REQUEST_RE = re.compile(
    r"^\s*(?:(?:please|i\s+(?:want|would\s+like|need)\s+to|i'?d\s+like\s+to|help\s+me|can\s+you)\s+)*"
    r"(?:(?:learn|study|understand|master|teach\s+me|explain|cover|get\s+started\s+with|"
    r"an?\s+(?:introduction|intro|course|crash\s+course|primer|overview)\s+(?:to|on|of|about))\s+)?"
    r"(?:(?:about|the\s+basics\s+of|the\s+fundamentals\s+of|all\s+about)\s+)?",
    re.I,
)
DURATION_RE = re.compile(
    r"[,;:(\-–—\s]*\b(?:in\s+|for\s+|over\s+)?(?:about\s+|around\s+)?\d+(?:[.,]\d+)?\s*"
    r"(?:h|hr|hrs|hours?|min|mins|minutes?)\b\)?\.?",
    re.I,
)
# A question asks about what sits between its frame and its verb: "How do references and borrowing
# work?" is about references and borrowing, "What is reduced row-echelon form?" about that form.
QUESTION_FRAME_RE = re.compile(
    r"^(?:how|what|why|when|where|which)\s+(?:do|does|did|is|are|was|were|can|could|should|would|will)\s+"
    r"(?P<body>.+?)(?:\s+(?:work|works|function|mean|happen))?\s*\??$",
    re.I,
)
TOPIC_SPLIT_RE = re.compile(r"\s*(?:[,;:&/]|\band\b|\bvs\.?\b|\bversus\b|\bas\s+well\s+as\b)\s*", re.I)
CONTEXT_RE = re.compile(r"^(?P<topics>.+?)\s+\b(?:in|with|using)\s+(?P<context>[^,;:]+)$", re.I)
WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9'+#\-]*|\d+")
# A dotted name ("Node.js", "ASN.1", "stream.Readable") is one word, as the full-text index keeps it
# (Postgres's parser reads it as a host or file name: one lexeme, lower-cased, not stemmed).
TERM_RE = re.compile(r"[A-Za-z][A-Za-z0-9'+#\-]*(?:\.[A-Za-z0-9]+)+|[A-Za-z][A-Za-z0-9'+#\-]*|\d+")
ACRONYM_RE = re.compile(r"^[A-Z][A-Z0-9]{1,6}s?$")
MAX_CONTEXT_WORDS = 3
MAX_CORE_WORDS = 3  # long topics are matched on their three most distinctive words


@dataclass
class Topic:
    """One thing the learner named, with the alternative phrasings that count as it."""

    label: str  # as the learner wrote it
    phrasings: list[str]  # the label and its expansions, each matched as a whole
    acronyms: list[str] = field(default_factory=list)
    sub: bool = False  # listed after a colon: a part of the topic before it ("Git internals: objects")

    @property
    def stem_sets(self) -> list[frozenset[str]]:
        return [frozenset(stems_of(p)) for p in self.phrasings if stems_of(p)]


@dataclass
class Request:
    subject: str  # the request without "Learn" and the duration: the course's subject
    topics: list[Topic]
    context: list[str]  # words that qualify every topic ("Rust" in "... in Rust")

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Request:
        return cls(data["subject"], [Topic(**t) for t in data["topics"]], list(data["context"]))


def stems_of(text: str) -> list[str]:
    """Content stems of a phrase, in order: no stopwords, no request words."""
    out = []
    for token in TERM_RE.findall(text):
        if "." in token:
            out.append(token.lower())
            continue
        for word in token.lower().replace("'s", "").split("-"):
            low = word.strip("'+#")
            if not low or low in STOPWORDS or low in REQUEST_WORDS:
                continue
            out.append(stem(low))
    return out


def subject_of(query: str) -> str:
    """'Learn DCF valuation: discounting and terminal value, 2 hours' -> 'DCF valuation: discounting
    and terminal value' (punctuation kept, the request phrasing and the duration removed)."""
    text = " ".join(query.split())
    text = DURATION_RE.sub(" ", text).strip(" ,;:.-–—")
    text = LEADING_REQUEST_RE.sub("", text, count=1).strip(" ,;:.-–—")
    return text or " ".join(query.split())


def parse_request(query: str) -> Request:
    subject = subject_of(query)
    head, context = subject, []
    match = CONTEXT_RE.match(subject)
    if match:
        words = [w for w in TERM_RE.findall(match.group("context")) if w.lower() not in STOPWORDS]
        if 0 < len(words) <= MAX_CONTEXT_WORDS and stems_of(match.group("topics")):
            head, context = match.group("topics"), words
    topics = []
    seen: set[frozenset] = set()
    question = QUESTION_FRAME_RE.match(head.strip())
    if question and stems_of(question.group("body")):
        head = question.group("body")
    main, colon, details = head.partition(":")
    pieces = [(p, False) for p in TOPIC_SPLIT_RE.split(main)]
    if colon and stems_of(main):
        pieces += [(p, True) for p in TOPIC_SPLIT_RE.split(details)]
    elif colon:
        pieces = [(p, False) for p in TOPIC_SPLIT_RE.split(details)]
    for piece, sub in pieces:
        piece = _trim(piece)
        key = frozenset(stems_of(piece))
        if not key or key in seen:
            continue
        seen.add(key)
        topics.append(Topic(label=piece, phrasings=[piece], acronyms=_acronyms(piece), sub=sub))
    if not topics and context:  # "Learn Rust": the context is the subject
        topics = [Topic(label=" ".join(context), phrasings=[" ".join(context)])]
        context = []
    return Request(subject=subject, topics=topics, context=context)


def _trim(piece: str) -> str:
    words = piece.strip(" .,;:!?'\"()").split()
    while words and (words[0].lower() in STOPWORDS or words[0].lower() in REQUEST_WORDS):
        words.pop(0)
    while words and (words[-1].lower() in STOPWORDS or words[-1].lower() in REQUEST_WORDS):
        words.pop()
    return " ".join(words)


def _acronyms(text: str) -> list[str]:
    return [
        w.rstrip("s") if w.endswith("s") and w[:-1].isupper() else w
        for w in text.split()
        if ACRONYM_RE.match(w)
    ]


CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")
PLAIN_WORD_RE = re.compile(r"[A-Za-z]{2,}")


def compound_spellings(phrasing: str) -> list[tuple[str, str]]:
    """Other spellings of the compounds in a phrasing, as (what it says, the other spelling):
    two plain words joined ("event emitters" -> "eventemitters", as a manual's "EventEmitter" is
    one word to the index) and a camel-case word split ("EventEmitter" -> "Event Emitter"). The
    library decides which it uses."""
    words = phrasing.split()
    out = []
    for a, b in zip(words, words[1:], strict=False):
        if all(PLAIN_WORD_RE.fullmatch(w) and w.lower() not in STOPWORDS for w in (a, b)):
            out.append((f"{a} {b}", f"{a}{b}".lower()))
    for w in words:
        parts = CAMEL_RE.split(w)
        if len(parts) > 1 and PLAIN_WORD_RE.fullmatch(w):
            out.append((w, " ".join(parts).lower()))
    return out


def initials(phrase: str) -> str:
    """'weighted average cost of capital' -> 'WACC' (small words skipped)."""
    return "".join(w[0] for w in phrase.split() if w.lower() not in STOPWORDS and w[0].isalpha()).upper()


def expansion_in(text: str, acronym: str) -> str | None:
    """The words a passage spells `acronym` out as: 'discounted cash flow (DCF)' or 'DCF (discounted
    cash flow)'."""
    n = len(acronym)
    escaped = re.escape(acronym)
    words_before = r"((?:[A-Za-z][\w\-]*\s+){" + f"{n - 1},{n + 2}" + r"}?[A-Za-z][\w\-]*)"
    before = re.search(words_before + r"\s*\(\s*" + escaped + r"\s*\)", text)
    candidates = []
    if before:
        words = before.group(1).split()
        for start in reversed(range(len(words))):  # the shortest spelling-out first
            if words[start].lower() not in STOPWORDS:
                candidates.append(" ".join(words[start:]))
    after = re.search(r"\b" + escaped + r"\s*\(([^)]{3,80})\)", text)
    if after:
        candidates.append(after.group(1))
    for candidate in candidates:
        if initials(candidate) == acronym.upper():
            return candidate.lower()
    return None


def with_context_as_topic(request: Request) -> Request | None:
    """The request with its context as one more topic ("Search text with regular expressions":
    "Search text" and "regular expressions", no context); None when it has no context."""
    if not request.context:
        return None
    label = " ".join(request.context)
    topics = [*request.topics, Topic(label=label, phrasings=[label], acronyms=_acronyms(label))]
    return Request(subject=request.subject, topics=topics, context=[])


# A request for a task or a process: "How do I undo a patch?", "Learn to limit download speed", "Learn
# how grep decides which lines match". A book may word it otherwise ("reversing a patch",
# "--limit-rate"), unlike a named thing ("the Tokio runtime").
TASK_FRAME_RE = re.compile(
    r"^\s*(?:(?:please|i\s+(?:want|would\s+like|need)\s+to|i'?d\s+like\s+to|help\s+me)\s+)*"
    r"(?:learn\s+how|learn\s+to|how\s+to|how\s+(?:do|can|should|would|could)\s+(?:i|you|we|one))\s+\S",
    re.I,
)


# A request of this many content words or more is a sentence, not the name of a thing ("Measure how
# long a program takes to run", "Download a whole website for offline reading"): the books may word
# it otherwise, as they may a task.
SENTENCE_WORDS = 4


def is_task(query: str) -> bool:
    """Whether the request asks for a task or a process rather than names a thing: framed as one
    ("how do I ...", "learn to ..."), or one of its topics is a whole sentence (SENTENCE_WORDS; a
    list of topics, "Nash equilibrium and mixed strategies", names things)."""
    if TASK_FRAME_RE.match(query) is not None:
        return True
    request = parse_request(query)
    return any(len(set(stems_of(t.label))) >= SENTENCE_WORDS for t in request.topics)
