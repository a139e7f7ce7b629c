"""Terms and claims of a section's passages, for its objectives: repeated multi-word terms of running
prose (not code, paths or tables), single key terms, shell commands, and short causal claims."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from docprof.ai.text import STOPWORDS, split_sentences

GENERIC = frozenset(
    """idea ideas thing things way ways result results example examples case cases point points problem
    problems reason reasons fact facts part parts kind kinds type types one ones answer answers question
    questions goal purpose rest below above following section chapter book text figure table page lot
    basic basics key main important concept concepts overview introduction summary conclusion something
    anything everything nothing other others same first second third next last new old good bad simple
    little many much more most less least few several number numbers amount data value values term terms
    note notes exercise exercises review time times people person way end start word words one two three
    four five six seven eight nine ten hundred thousand million billion percent per cent size form image
    images photograph photo picture illustration caption credit""".split()
)
WORD_RE = re.compile(r"[A-Za-z][A-Za-z'\-]*")
NOT_A_TERM_START = frozenset(
    """since because if when although though thus hence then also however so while whereas unless until
    once after before where which what who whose this that these those it its there here such each every
    some any all both either neither one our their your his her my another other""".split()
)
COMPARATIVES = frozenset(
    """better worse more less greater smaller larger higher lower much very real whole same different various
    certain particular general specific given possible actual usual common simple following available
    existing corresponding respective additional appropriate relevant necessary suitable""".split()
)
PRONOUN_START = frozenset("i we you it this these that those they he she there here such our its".split())
CAUSAL_RE = re.compile(
    r"\b(?:because|so that|therefore|which means|causes?|leads? to|results? in|allows?|prevents?|"
    r"depends? on|requires?|determines?|increases?|decreases?|reduces?|raises?|lowers?|guarantees?|"
    r"ensures?|makes?)\b",
    re.I,
)
CLAIM_START_RE = re.compile(r"^(?:The|A|An|Each|Every|Most|Many)\s+[a-z]")
CHATTY_RE = re.compile(r"\b(?:you|your|we|our|us|i|me|my)\b|['’]ll\b|['’]s\b|\bnext\b|\bhowever\b|\d", re.I)
COMMAND_RE = re.compile(r"(?:^|\s)\$\s+(?P<tool>[a-z][\w.+-]*)\s+(?P<sub>[a-z][\w-]{2,})")
# A numbered caption ("Listing 10-22", "Figure 3.2"), or a numbered or coded theorem-like label
# ("Theorem 4.1", "Definition EEM", "Lemma SER": books label results with numbers or capital codes).
CAPTION_RE = re.compile(
    r"\b(?i:listing|figure|fig\.|table|example|exhibit|equation|eq\.|chart|plate)\s+\(?\d+(?:[-.–:]\d+)*"
    r"|\b(?i:theorem|lemma|corollary|definition|proposition|proof|axiom|remark)\s+(?:\(?\d+(?:[-.–:]\d+)*|[A-Z]{2,6}\b)"
)
# Words that open a fragment, not a noun phrase: "In Function Signatures" leans on the heading before it.
LEAD_WORDS = frozenset(
    """in of on at by for from to with without within into onto and or but nor as than about via through
    over under after before between against during""".split()
)


@lru_cache(maxsize=64)
def prose_sentences(text: str) -> tuple[str, ...]:
    """The sentences of running prose in `text` (is_prose), in order."""
    return tuple(s for s in split_sentences(text) if is_prose(s))


def key_words(text: str, vocab: Counter) -> list[str]:
    """Single terms of six letters or more that the prose of the passages uses at least three times."""
    counts: Counter = Counter()
    for sentence in prose_sentences(text):
        counts.update(w for w in WORD_RE.findall(sentence) if len(w) >= 6 and term_word(w, vocab))
    words = [w.lower() for w, n in counts.most_common(20) if n >= 3]
    return list(dict.fromkeys(w for w in words if not w.endswith(("ed", "ly", "ing"))))


def commands(text: str) -> list[str]:
    """Shell commands the passages run ('$ git update-ref ...' -> 'git update-ref') and also name in
    their own words ("... run git update-ref to ..."), most used first: a command seen only at a
    prompt, in front of a program's output ("$ cargo run" before a compiler error), is not what a
    passage teaches."""
    found = Counter(f"{m.group('tool')} {m.group('sub')}" for m in COMMAND_RE.finditer(text))
    result = []
    for command, _ in found.most_common():
        unprompted = re.sub(r"\$\s+" + re.escape(command), " ", text)
        if re.search(r"(?<![\w$])" + re.escape(command) + r"\b", unprompted):
            result.append(command)
    return result


def natural_case(phrase: str, vocab: Counter) -> str:
    """Title-case words lowered where the passages write them in lower case ('The Shutdown Point' ->
    'the shutdown point'; 'Git' and 'RefCell<T>' stay)."""
    out = []
    for word in phrase.split():
        bare = word.strip("()[]{},.:;\"'")
        proper = vocab.get(bare, 0) >= 2 and vocab.get(bare.lower(), 0) == 0
        if bare[:1].isupper() and bare[1:].islower() and not proper:
            word = word.replace(bare, bare.lower(), 1)
        out.append(word)
    return " ".join(out)


def key_terms(text: str, vocab: Counter, exclude: str = "", limit: int = 6, min_count: int = 3) -> list[str]:
    """Two- and three-word terms the passages repeat in running prose (words separated by spaces
    only, so code and paths such as refs/heads/master are not terms), most frequent first; proper
    names and acronym-laden labels are skipped."""
    grams: Counter = Counter()
    prose = " ".join(prose_sentences(text))
    for fragment in re.split(r"[^\w'\s\-]+|\s-+\s", prose):
        tokens = fragment.split()
        for n in (2, 3):
            for i in range(len(tokens) - n + 1):
                gram = tokens[i : i + n]
                inner_of = n == 3 and gram[1].lower() == "of"  # "division of labour", "rate of interest"
                if all(term_word(g, vocab) for g in (gram[::2] if inner_of else gram)):
                    grams[" ".join(g.lower() for g in gram)] += 1
    skip = exclude.lower()
    terms: list[str] = []
    for gram, count in grams.most_common(60):
        if count < min_count or gram in skip or any(gram in t.lower() for t in terms):
            continue
        longer = [g for g, c in grams.items() if c >= 0.6 * count and gram in g and g != gram]
        if longer:
            continue  # "force participation" inside "labor force participation"
        first, last = gram.split()[0], gram.split()[-1]
        if last.endswith(("ed", "ly", "ing")) or first.endswith(("ly", "ing")) or first in COMPARATIVES:
            continue  # "better cultivated", "funds destined": not a term
        if any(used_as_verb(w, text) for w in gram.split()) or takes_an_object(gram, prose):
            continue  # "observation arrives", "readers judge (whether ...)": a clause, not a term
        if any(has_a_subject(w, text) for w in gram.split()[:-1]):
            continue  # "(bash) executes commands": a verb and its object, not a term
        if opens_with_a_verb(first, text):
            continue  # "reduce competition", "keep track": a verb and its object, not a term
        if cut_short(gram, prose) or cut_before(gram, prose) or needs_its_complement(gram, prose):
            continue  # "system of linear" (equations), (type) "parameter name", "great quantity" (of)
        terms.append(natural_case(gram, vocab))
        if len(terms) >= limit:
            break
    return terms


@lru_cache(maxsize=1024)  # the same text is asked again for each section's objectives
def used_as_verb(word: str, text: str) -> bool:
    """`word` ("arrives") is a verb in `text`: its base follows "to" or a modal ("to arrive") and
    neither form ever follows an article or a possessive ("the arrival" is another word)."""
    low = word.lower()
    if not re.fullmatch(r"[a-z]+[^su]s", low):
        return False
    forms = "|".join(re.escape(f) for f in {low, low[:-1], low[:-2]} if len(f) > 2)
    verb = re.search(rf"\b(?:to|will|would|can|could|may|might|must|should|not)\s+(?:{forms})\b", text, re.I)
    noun = re.search(
        rf"\b(?:the|an?|its|their|our|your|his|her|my|this|these|those)\s+(?:{forms})\b", text, re.I
    )
    return bool(verb) and not noun


@lru_cache(maxsize=1024)
def has_a_subject(word: str, text: str) -> bool:
    """`word` ("executes") follows a subject pronoun in `text` ("it reads and executes", "which
    executes"): a verb in the third person, not the start of a term."""
    low = word.lower()
    if not re.fullmatch(r"[a-z]+[^su]s", low):
        return False
    return (
        re.search(rf"\b(?:it|he|she|which|who)\s+(?:\w+\s+and\s+)?{re.escape(low)}\b", text, re.I) is not None
    )


MODALS = r"(?:to|will|would|can|could|may|might|must|should|cannot|not|don't|doesn't)"
DETERMINER_BEFORE = r"\b(?:the|an?|its|their|our|your|his|her|my|this|these|those|each|every|some|any|no)\s+"


@lru_cache(maxsize=1024)  # the same text is asked again for each section's objectives
def opens_with_a_verb(word: str, text: str) -> bool:
    """`word` ("reduce", "keep") is a verb in `text`: it follows "to" or a modal, and never an article
    or a possessive ("the trade" makes "trade balance" a term, "to reduce" alone does not)."""
    low = re.escape(word.lower())
    verb = re.search(rf"\b{MODALS}\s+{low}\b", text, re.I)
    return bool(verb) and not re.search(rf"{DETERMINER_BEFORE}{low}\b", text, re.I)


def spaced(gram: str) -> str:
    """A pattern for `gram` whatever spaces its words (books use no-break spaces and line breaks)."""
    return r"\s+".join(re.escape(w) for w in gram.split())


@lru_cache(maxsize=1024)  # the same text is asked again for each section's objectives
def cut_before(gram: str, text: str) -> bool:
    """`gram` is nearly always preceded by the same word: it is the tail of a longer term ("parameter
    name" in "type parameter name"), not a term."""
    before = Counter(w.lower() for w in re.findall(r"\b([A-Za-z]+)\s+" + spaced(gram) + r"\b", text, re.I))
    total = len(re.findall(r"\b" + spaced(gram) + r"\b", text, re.I))
    if not before or total < 2:
        return False
    word, n = before.most_common(1)[0]
    return word not in STOPWORDS and n >= 0.8 * total


@lru_cache(maxsize=1024)  # the same text is asked again for each section's objectives
def needs_its_complement(gram: str, text: str) -> bool:
    """`gram` is nearly always followed by "of": a head waiting for what it measures or belongs to
    ("a great quantity of corn", "the productive powers of labour"), not a term on its own."""
    uses = re.findall(r"\b" + spaced(gram) + r"\b(\s+of\b)?", text, re.I)
    return len(uses) >= 2 and sum(1 for of in uses if of) >= 0.8 * len(uses)


OBJECT_START = frozenset(
    "the a an that whether what how it them this these those his her their our its".split()
)


@lru_cache(maxsize=1024)  # the same text is asked again for each section's objectives
def takes_an_object(gram: str, text: str) -> bool:
    """Most uses of `gram` are followed by a determiner, a pronoun or "that"/"whether": its last word is a
    verb taking an object ("readers judge whether it convinces them"); a term is rarely followed so."""
    after = re.findall(r"\b" + re.escape(gram) + r"\s+([a-z]+)", text, re.I)
    return len(after) >= 2 and sum(w.lower() in OBJECT_START for w in after) * 2 > len(after)


SYMBOL_AFTER = r"\s+(?:[A-Za-z]|\d[\d.,]*)(?![\w'’])"


@lru_cache(maxsize=1024)  # the same text is asked again for each section's objectives
def cut_short(gram: str, text: str) -> bool:
    """`gram` is nearly always followed by the same word: it is the start of a longer term ("a system
    of linear" equations), not a term."""
    after = Counter(w.lower() for w in re.findall(r"\b" + re.escape(gram) + r"\s+([A-Za-z]+)", text, re.I))
    total = len(re.findall(r"\b" + re.escape(gram) + r"\b", text, re.I))
    # "polynomial of degree" (n), "matrix of size" (3): a quantity's name waiting for its value
    valued = len(re.findall(r"\b" + re.escape(gram) + SYMBOL_AFTER, text, re.I))
    if " of " in gram and total and valued >= 0.5 * total:
        return True
    if not after or total < 2:
        return False
    word, n = after.most_common(1)[0]
    return word not in STOPWORDS and n >= 0.8 * total


def central_claims(sentences: list[str], vocab: Counter, topics: list[str]) -> list[str]:
    """'Explain why <claim>' for short declarative sentences of the passage that state a cause or a
    mechanism ("... prevents ...", "... because ..."), most typical of the section first."""
    topic_words = {w.lower() for t in topics for w in WORD_RE.findall(t)}
    scored = []
    for sentence in sentences:
        words = sentence.split()
        if not 8 <= len(words) <= 18 or not is_prose(sentence) or not sentence.endswith("."):
            continue
        if not CLAIM_START_RE.match(sentence) or CHATTY_RE.search(sentence) or not CAUSAL_RE.search(sentence):
            continue
        tokens = [w.lower() for w in WORD_RE.findall(sentence) if w.lower() not in STOPWORDS]
        typical = sum(vocab.get(t, 0) for t in tokens) / max(1, len(tokens))
        scored.append((typical + 5 * len(topic_words & set(tokens)), sentence))
    result = []
    for _, sentence in sorted(scored, key=lambda x: -x[0])[:3]:
        claim = sentence.rstrip(".")
        result.append(f"Explain why {claim[:1].lower()}{claim[1:]}")
    return result


# Marks of code inside a sentence: a lone operator or pointer star, an identifier with an underscore,
# a call ("exec(" or "f()"), a subscript, a brace, a C keyword-type pair: a function's prototype run into its
# description ("int asn1_read_value (asn1 node const root, const char * name, ...)").
CODE_MARK_RE = re.compile(
    r"(?:^|\s)(?:[*&=|{}<>]+|->|=>|::)(?=\s|$)|\b[a-z]\w*_\w+|\w\(|\w\[|[{}]|"
    r"\b(?:const|void|char|int|unsigned|struct|typedef)\s+(?:\w+\s+)?[*\w]"
)


@lru_cache(maxsize=8192)
def is_prose(sentence: str) -> bool:
    """A sentence of running text (not code, output or a table): mostly plain words, ends with a stop,
    and at most two marks of code in it."""
    tokens = sentence.split()
    if not 6 <= len(tokens) <= 90 or not sentence.rstrip().endswith((".", "?", "!")):
        return False
    plain = sum(1 for t in tokens if re.fullmatch(r"[(\"“‘]?[A-Za-z][a-z'’\-]*[,.;:?!)\"”’]*", t))
    return plain >= 0.8 * len(tokens) and len(CODE_MARK_RE.findall(sentence)) <= 2


# Closed-class words no term is made of: prepositions the stopword list lacks ("bounty upon") and the
# commonest irregular verb forms ("gave occasion").
FUNCTION_WORDS = LEAD_WORDS | frozenset(
    """upon unto towards toward among amongst beyond whether thereby therein thereof whereby gave made took
    came went got had did said found brought thought became began kept left held stood told knew saw gone
    given taken become seen done""".split()
)


def term_word(word: str, vocab: Counter) -> bool:
    low = word.lower()
    if len(low) < 4 or not low.isalpha() or low in STOPWORDS or low in GENERIC or low in NOT_A_TERM_START:
        return False
    if low in FUNCTION_WORDS:
        return False
    if word.isupper():
        return False  # acronyms and theorem labels ("SSNS")
    if word[1:] != word[1:].lower():
        return False  # a name written in mixed case ("BayesFactor", "iPhone") is no term to lower-case
    proper = vocab.get(word.capitalize(), 0) > 2 * vocab.get(low, 0)
    return not proper  # "United States", "North America"


def numeric_near(text: str, term: str) -> bool:
    return bool(re.search(re.escape(term) + r"[^.]{0,60}(?:=|\d+(?:\.\d+)?\s*%)", text, re.I))
