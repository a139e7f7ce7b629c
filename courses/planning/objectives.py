"""Concrete learning objectives from the passages a section cites: an action verb and a specific
object taken from the text -- its sub-headings ("Calculating Price Elasticity of Demand" ->
"Calculate price elasticity of demand"), its definitions ("An annuity is ..." -> "Define an
annuity"), its formulas and procedures, and its most frequent terms. Never a template ("Explain the
key ideas of X") and never a fragment ("Define below")."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from courses.planning.terms import (
    CAPTION_RE,
    COMPARATIVES,
    GENERIC,
    LEAD_WORDS,
    NOT_A_TERM_START,
    WORD_RE,
    central_claims,
    commands,
    key_terms,
    key_words,
    natural_case,
    numeric_near,
)
from courses.planning.titles import clean_title, identifier
from docprof.ai.text import STOPWORDS, is_everyday, split_sentences

MIN_OBJECTIVES, MAX_OBJECTIVES = 2, 6
SKIP_HEADINGS_RE = re.compile(
    r"^(?:summing\s+up.*|putting\s+it\s+(?:all\s+)?together|key\s+concepts(?:\s+and\s+summary)?|summary|introduction|conclusions?|examples?|"
    r"self-check\s+questions|review\s+questions|critical\s+thinking\s+questions?|problems|exercises|"
    r"key\s+terms|references|further\s+reading|notes|done!?|wrapping\s+up|recap|"
    r"introduction\s+to\s+.*|chapter\s+\d+.*|don.?t\s+panic)$",
    re.I,
)
TEMPLATE_RES = [
    re.compile(p, re.I)
    for p in (
        r"\bkey\s+(?:ideas|concepts|points)\s+of\b",
        r"\bthe\s+results\s+that\b.*\bdescribes\b",
        r"\bmain\s+(?:ideas|concepts|points)\b",
        r"\bthe\s+basics\s+of\b",
        r"\bworked\s+example\s+in\s+the\s+text\b",
        r"\bin\s+a\s+few\s+sentences\b",
        r"\bfrom\s+given\s+figures\b",
        r"\bunderstand\s+(?:the\s+)?(?:topic|material|content)\b",
    )
]
# A heading that names an activity or an instance, not a concept ("A Fully Worked Example", "A Closer
# Look", "Case Study"): it never becomes "Explain <heading>".
NOT_A_CONCEPT_RE = re.compile(
    r"^(?:(?:an?|the|one|another|some|more|further)\s+)?(?:[\w\-]+\s+){0,3}?"
    r"(?:examples?|case\s+stud(?:y|ies)|illustrations?|walk-?throughs?|exercises?|closer\s+look|"
    r"(?:quick\s+)?tour|first\s+look|demonstrations?|demos?|applications?\s+in\s+practice)$",
    re.I,
)
# A heading opening with an indefinite article names an instance or an aside ("A common mistake", "A
# softer view of decision making"), and one opening with "More" names more of something already
# taught ("More Interesting Rebases"), not a concept to learn ("Two types of errors" is one).
INSTANCE_LEAD_RE = re.compile(r"^(?:an?|one|some|another|a\s+few|more)\s+", re.I)
# Heads that say nothing without a complement: "The issue", "The orthodox text", "Traps".
VAGUE_HEADS = frozenset(
    """issue issues mistake mistakes solution solutions problem problems view views point points thing things
    idea ideas way ways approach approaches question questions story stories note notes comment comments
    remark remarks detail details digression digressions caveat caveats postscript trap traps option options
    matter matters aside asides lesson lessons version versions text texts refresher difference differences
    complication complications concern concerns thought thoughts tip tips trick tricks summary overview
    preliminaries""".split()
)
COMPLEMENT_RE = re.compile(r"\b(?:of|in|for|between|to|on|with|about|from)\b", re.I)
CLAUSE_VERB_RE = re.compile(r"\s(?:is|are|was|were)\s", re.I)
INVERTED_QUESTION_RE = re.compile(r"^(?:how|why|when|where)\s+(?:do|does|did)\s", re.I)
# A heading that runs on into a clause with a person or a thing as its subject ("Rebase When You
# Rebase", "What to Do If It Fails"): advice, not a concept.
SUBORDINATE_RE = re.compile(
    r"\s(?:when|if|while|until|unless|because|before|after|once)\s+(?:you|we|i|it|they|he|she)\b", re.I
)
DEFINITION_RE = re.compile(
    r"^(?:(?:An?|The)\s+)?(?P<term>[A-Za-z][\w\-']*(?:\s+[\w\-']+){0,4}?)\s+"
    r"(?:is|are|refers\s+to|means|is\s+defined\s+as|is\s+called)\s+(?P<rest>(?:an?|the)\s+.{8,})$"
)
CALC_RE = re.compile(
    r"(?:to\s+(?:calculate|compute|find|estimate)\s+(?P<a>(?:the\s+)?[a-z][\w\s\-]{3,50}?)[,.]"
    r"|(?P<b>(?:the\s+)?[a-z][\w\s\-]{3,50}?)\s+(?:is|can\s+be)\s+(?:calculated|computed)\b)",
    re.I,
)
PROCEDURE_RE = re.compile(
    r"^To\s+(?P<goal>[a-z][^,]{5,60}),\s+(?:you\s+)?(?:can\s+|should\s+|need\s+to\s+)?"
    r"(?P<verb>use|run|call|type|add|write)\s+(?P<tool>[^.,;:]{2,40})[.,:]"
)
QUESTION_RE = re.compile(r"^(?P<w>what|why|how|when|where|which|who)(?:'s|’s)?\s+(?P<rest>.+?)\??$", re.I)
WHAT_IS_RE = re.compile(r"^what\s+(?P<verb>is|are)\s+(?P<rest>.+?)\??$", re.I)
VERSUS_RE = re.compile(r"^(?P<a>.+?)\s+(?:vs\.?|versus)\s+(?P<b>.+)$", re.I)
GERUND_RE = re.compile(r"^(?P<verb>[A-Z][a-z]+ing)\s+(?P<rest>.+)$")
# Gerund headings become objectives only when the verb is something a learner does ("Calculating
# ...", "Installing ..."), not something the subject matter does ("Intimidating Potential Competition").
LEARNER_VERBS = frozenset(
    """add analyse analyze apply assess build calculate call check choose classify clone combine commit
    compare compute configure construct convert count create customize customise debug declare define delete
    derive describe design detect determine diagnose distinguish draw estimate evaluate examine explain export
    extract fetch filter find fit format graph handle identify implement import inspect install interpret
    invert list load manage map match measure merge model organize organise parse plot predict prove pull
    push read record refactor remove rename report represent reset revert rewrite round run save select set
    share sign simplify solve sort specify split stage start stash store submit summarize summarise tag
    test track transform translate undo update use validate verify view write work""".split()
)
QUANTITY_RE = re.compile(
    r"\b(?:rate|ratio|value|cost|costs|price|index|probability|mean|median|mode|variance|deviation|"
    r"determinant|interest|return|elasticity|revenue|profit|coefficient|sum|product|percentage|score|"
    r"inverse|payment|present|future|growth|size|total|average|multiplier|correlation|statistic|"
    r"interval|error|residuals?|output|quantity|gdp|wage|income|tax)\b",
    re.I,
)


NOUN_FRAMES = frozenset({"explain", "define", "calculate", "describe", "compare", "identify"})


def is_templated(objective: str, section_title: str = "") -> bool:
    """A generic frame, a fragment ("Explain in function signatures"), a caption ("Define Listing
    10-22"), or nothing but a verb and the section's own title."""
    text = objective.strip().rstrip(".")
    if any(p.search(text) for p in TEMPLATE_RES):
        return True
    words = text.split()
    if len(words) < 2:
        return True
    if CAPTION_RE.search(" ".join(words[1:])):
        return True
    if words[0].lower() in NOUN_FRAMES and words[1].lower() in LEAD_WORDS:
        return True
    content = [w for w in WORD_RE.findall(" ".join(words[1:])) if w.lower() not in STOPWORDS]
    if not content or all(w.lower() in GENERIC for w in content):
        return True
    if words[-1].lower() in STOPWORDS:
        return True
    if NOT_A_CONCEPT_RE.match(" ".join(words[1:])):
        return True
    title = clean_title(section_title).lower().strip(" .?")
    return bool(title) and " ".join(words[1:]).lower().strip(" .?") in (title, f"the {title}")


def objectives_for(
    title: str, subheadings: list[str], texts: list[str], topics: list[str], taken: set[str] | None = None
) -> list[str]:
    """2-6 objectives for a section titled `title` that teaches from `texts` (its cited passages);
    objectives in `taken` (other sections' of the course) are not repeated, and this section's are
    added to it."""
    taken = taken if taken is not None else set()
    joined = " ".join(texts)
    vocab = Counter(w for w in WORD_RE.findall(joined))
    found: list[str] = []
    spare: list[str] = []  # objectives on an object `found` has with another verb
    tail = lead_in_start(texts, " ".join([title, *subheadings]))

    def add(objective: str | None, from_text: bool = True) -> None:
        if not objective:
            return
        objective = " ".join(objective.split()).strip(" ,;:")
        if any(objective.count(a) != objective.count(b) for a, b in ("()", "[]", "{}")):
            return  # a call or a list cut short: "Use png_set_write_status_fn(png_ptr to inform ..."
        if 2 <= len(objective.split()) <= 22 and not is_templated(objective, title):
            if from_text and introduced_after(objective, joined, tail):
                return  # a term the section only introduces in its closing lines leads into the next one
            key = same_key(objective)
            objective = objective[:1].upper() + objective[1:]
            same = [i for i, f in enumerate(found) if same_key(f) == key or spelled_out(f, objective)]
            if key in {same_key(t) for t in taken}:
                return
            if not same:
                found.append(objective)
            elif objective.startswith("Define ") and not found[same[0]].startswith("Define "):
                spare.append(found[same[0]])
                found[same[0]] = objective  # the text defines what a heading named: the measurable one
            elif objective.lower() not in {f.lower() for f in found}:
                spare.append(objective)  # the same object asked another way: only if nothing else

    def add_unless_everyday(objective: str | None) -> None:
        if objective and not everyday_term(objective, " ".join([title, *subheadings, *topics]), joined):
            add(objective)

    for objective in labelled_definitions(joined, vocab)[:4]:
        add(objective)
    for heading in subheadings:
        if len(found) >= 4:
            break
        add(from_heading(heading, vocab, passages=joined), from_text=False)
    sentences = [s for t in texts for s in split_sentences(t) if 5 <= len(s.split()) <= 45]
    for sentence in sentences:
        if len(found) >= MAX_OBJECTIVES:
            break
        add_unless_everyday(from_definition(sentence, vocab, joined))
        add(from_procedure(sentence))
    for sentence in sentences:
        if len(found) >= MAX_OBJECTIVES:
            break
        add(from_calculation(sentence, vocab))
        add_unless_everyday(from_naming(sentence, joined))
    for sentence in sentences:  # a short section may define a term only once ("Oven spring is ...")
        if len(found) >= MIN_OBJECTIVES + 1:
            break
        add_unless_everyday(from_definition(sentence, vocab, joined, uses=1))
    for command in commands(joined)[:2]:
        if len(found) >= MIN_OBJECTIVES + 1:
            break
        add(f"Use the {command} command")
    if len(found) < MIN_OBJECTIVES + 1:
        add(from_heading(title, vocab, allow_title=True, passages=joined), from_text=False)
    for term in key_terms(joined, vocab, exclude=title):
        if len(found) >= max(MIN_OBJECTIVES + 1, 3):
            break
        if term.split()[0].lower() in UNIT_WORDS:
            continue  # "bushels of corn": a measure of the example, not a term
        if vague_term(term):
            continue  # "command line options", "build versions": which ones the term does not say
        if premise_term(term, joined):
            continue  # "Suppose A is a square matrix": what the section assumes, not what it teaches
        quantity = QUANTITY_RE.search(term) and numeric_near(joined, term)
        article = article_for(term, joined)
        if quantity and not article and not term.endswith("s"):
            article = "the "  # a quantity to calculate is a definite one: "Calculate the error rate"
        add(f"{'Calculate' if quantity else 'Explain'} {article}{term}")
    for sentence in central_claims(sentences, vocab, topics):
        if len(found) >= MIN_OBJECTIVES + 1:
            break
        add(sentence)
    for topic in topics:  # a topic the passages name (not the course's whole subject: `topics`)
        if len(found) >= MIN_OBJECTIVES:
            break
        named = len(re.findall(r"\b" + re.escape(topic) + r"\b", joined, re.I)) >= 2
        add(f"Explain {topic}" if named and topic.lower() not in title.lower() else None)
    for phrase in title_terms(title):  # the terms a title names ("... with if let and let...else")
        if len(found) >= MIN_OBJECTIVES:
            break
        add(f"Explain {phrase}" if named_in(joined, phrase) else None, from_text=False)
    for word in key_words(joined, vocab):  # last resort: the section's own most used terms
        if len(found) >= MIN_OBJECTIVES:
            break
        add_unless_everyday(f"Define {word}" if is_topic_word(word, sentences) else None)
    for word in key_words(joined, vocab):  # a section with little to go on: a term it opens one sentence with
        if len(found) >= MIN_OBJECTIVES:
            break
        add_unless_everyday(f"Define {word}" if is_topic_word(word, sentences, subject_of=1) else None)
    # A section with little prose of its own (a chapter's opening around a data listing) still gets
    # its two objectives: the requested topics its passages name, then terms they use twice.
    for topic in topics:
        if len(found) >= MIN_OBJECTIVES:
            break
        add(f"Explain {topic}" if re.search(r"\b" + re.escape(topic) + r"\b", joined, re.I) else None)
    for term in key_terms(joined, vocab, exclude=title, min_count=2):
        if len(found) >= MIN_OBJECTIVES:
            break
        if vague_term(term):
            continue
        add(f"Explain {article_for(term, joined)}{term}", from_text=False)
    for objective in spare:  # a section about one thing: define it, and explain it
        if len(found) >= MIN_OBJECTIVES:
            break
        if objective.lower() not in {f.lower() for f in found}:
            found.append(objective)
    taken.update(f.lower() for f in found[:MAX_OBJECTIVES])
    return found[:MAX_OBJECTIVES]


EXPLICIT_DEFINITION = (
    r"\b(?:called|known\s+as|termed|defined\s+as|definition\s+of|the\s+term)\s+[\"“']?(?:an?\s+|the\s+)?{w}\b"
    r"|\b{w}\s+(?:is\s+defined\s+as|refers?\s+to|means)\b"
)


def everyday_term(objective: str, headings: str, text: str) -> bool:
    """ "Define life", "Define salt": a word of everyday English is a term to define only where the
    section or the request makes it one -- its headings or the requested topics (`headings`) name
    it, or its passages define it in so many words ("... is called ownership", "X is defined as")."""
    words = objective.split()
    if len(words) < 2 or words[0] != "Define":
        return False
    rest = [w for w in words[1:] if w.lower() not in ("a", "an", "the")]
    if len(rest) != 1 or not is_everyday(rest[0]):
        return False
    word = rest[0].lower()
    w = re.escape(word[:-1] if word.endswith("s") else word) + r"s?"
    if re.search(rf"\b{w}\b", headings, re.I):
        return False
    return not re.search(EXPLICIT_DEFINITION.format(w=w), text, re.I)


def vague_term(term: str) -> bool:
    """A term whose head needs a complement it lacks ("command line options", "two proposed
    solutions"): which ones, the term does not say."""
    return term.split()[-1].lower() in VAGUE_HEADS and not COMPLEMENT_RE.search(term)


def aside_heading(text: str) -> bool:
    """A heading that names an instance, an aside or a clause, not a concept: "A common mistake",
    "Two proposed solutions", "The issue", "Streams Are Delayed Lists", "How Does Income Affect
    Demand?" (no objective reads well from it)."""
    if INSTANCE_LEAD_RE.match(text) or INVERTED_QUESTION_RE.match(text) or SUBORDINATE_RE.search(text):
        return True
    if not QUESTION_RE.match(text) and CLAUSE_VERB_RE.search(f" {text} "):
        return True
    words = [w for w in ARTICLE_RE.sub("", text).split() if w]
    return bool(words) and not COMPLEMENT_RE.search(text) and words[-1].lower().strip("?.") in VAGUE_HEADS


TITLE_JOINS_RE = re.compile(r"\s*(?:\b(?:with|and|or|using|via|versus|vs\.)\b|[:,;()\u2013\u2014])\s*", re.I)


def title_terms(title: str) -> list[str]:
    """The terms a title is made of when it joins several: "Concise Control Flow with if let and
    let...else" -> ["Concise Control Flow", "if let", "let...else"] (a title of one term gives none)."""
    phrases = [p.strip(" .?!") for p in TITLE_JOINS_RE.split(clean_title(title))]
    phrases = [re.sub(r"^(?:the|a|an)\s+", "", p, flags=re.I) for p in phrases]
    phrases = [p for p in phrases if p and len(p.split()) <= 5]
    return phrases if len(phrases) > 1 else []


def named_in(text: str, phrase: str) -> bool:
    """The passages use `phrase` as a term of their own, twice or more ("a dangling reference")."""
    words = phrase.lower().split()
    pattern = r"\b" + r"\s+".join(re.escape(w.rstrip("s")) for w in words) + r"s?\b"
    return len(re.findall(pattern, text, re.I)) >= 2


def article_for(term: str, text: str) -> str:
    """The article the passages write a term with, when they mostly do ("the augmented matrix",
    "a headed list"); none for a term they write bare ("monetary policy", "linear equations")."""
    found = re.findall(r"\b(the|an?|)\s*" + re.escape(term) + r"\b", text, re.I)
    articles = Counter(a.lower() for a in found if a)
    if not found or sum(articles.values()) * 2 < len(found):
        return ""
    return articles.most_common(1)[0][0] + " "


LEAD_IN_SHARE = 0.15  # a section's closing share of words, where books point at what comes next
ARTICLE_RE = re.compile(r"^(?:the|an?)\s+", re.I)
REMARK_RE = re.compile(r"\s*\((?:[a-z]+\s*){1,2}\)$")
INTRO_RE = re.compile(r"^introduction\s+to\s+(?P<x>[^:;?]+)$", re.I)


def same_key(objective: str) -> str:
    """Objectives that differ only in case, articles or plurals ("Explain (a) mutable reference(s)"),
    or in the verb that asks to understand their object ("Define oven spring", "Explain oven
    spring"), are one."""
    words = [w.rstrip("s") for w in objective.lower().split() if w not in ("the", "a", "an")]
    if words and words[0] in UNDERSTAND_VERBS:
        words[0] = "explain"
    return " ".join(words)


UNDERSTAND_VERBS = frozenset(("define", "explain", "describe"))  # as same_key strips them


def spelled_out(a: str, b: str) -> bool:
    """One objective asks for an acronym, the other for what it stands for ("Define URL", "Define a
    uniform resource locator"): the same thing twice."""

    def obj(objective: str) -> list[str]:
        words = [w for w in objective.split() if w.lower() not in ("the", "a", "an")]
        return words[1:] if words and words[0].lower() in UNDERSTAND_VERBS else []

    x, y = obj(a), obj(b)
    for short, long in ((x, y), (y, x)):
        if len(short) == 1 and 2 <= len(short[0]) <= 6 and short[0].isupper() and len(long) >= 2:
            initials = "".join(w[0] for w in long if w.lower() not in ("of", "and", "for", "to", "in", "on"))
            if initials.lower() == short[0].lower():
                return True
    return False


def without_repeats(sections: list[tuple[str, list[str], Callable[[], list[str]]]]) -> list[list[str]]:
    """Objectives for each (title, objectives, passages) section of a course, in order, without
    those an earlier section has (in other words too: "Define the characteristic polynomial" in
    part 1, "Explain the characteristic polynomial" in part 2): parts are planned apart. A repeat
    is replaced from the section's own passages (read only then: `passages` is called); it stays
    when nothing else would keep the section at MIN_OBJECTIVES."""
    seen: set[str] = set()
    out = []
    for title, objectives, passages in sections:
        fresh = [o for o in objectives if same_key(o) not in seen]
        if len(fresh) < len(objectives):
            taken = {o.lower() for o in fresh} | seen
            texts = passages()
            more = objectives_for(title, [], texts, [], taken) if texts else []
            fresh = (fresh + more)[: len(objectives)]
            if len(fresh) < MIN_OBJECTIVES:
                fresh = objectives
        seen.update(same_key(o) for o in fresh)
        out.append(fresh)
    return out


def lead_in_start(texts: list[str], headings: str) -> int:
    """Where the closing lines of a section of several passages begin in " ".join(texts) (the last
    LEAD_IN_SHARE of its words), or the end of the text when it has a single passage."""
    joined = " ".join(texts)
    if len(texts) < 2:
        return len(joined)
    words = list(re.finditer(r"\S+", joined))
    cut = int(len(words) * (1 - LEAD_IN_SHARE))
    return words[cut].start() if cut < len(words) else len(joined)


def introduced_after(objective: str, text: str, start: int) -> bool:
    """The objective's object first appears in `text` at or after `start` ("Next, we'll look at a
    different kind of reference: slices. ... A slice is a kind of reference ...")."""
    if start >= len(text):
        return False
    words = objective.split()[1:]
    if words and words[0].lower() in ("why", "how", "what", "when", "where", "which"):
        return False  # a claim, not a term
    obj = ARTICLE_RE.sub("", " ".join(words))
    head = [w for w in WORD_RE.findall(obj) if w.lower() not in STOPWORDS]
    if not head:
        return False
    first = re.search(r"\b" + re.escape(head[-1].rstrip("s")), text, re.I)
    return bool(first) and first.start() >= start


# Units of time and measure: a passage's "minutes" or "grams" are not what it teaches.
UNIT_WORDS = frozenset(
    """second seconds minute minutes hour hours day days week weeks month months year years decade decades
    century centuries gram grams kilogram kilograms milligram milligrams pound pounds ounce ounces degree
    degrees percent percentage metre metres meter meters kilometre kilometres kilometer kilometers
    centimetre centimetres inch inches foot feet mile miles litre litres liter liters gallon gallons
    dollar dollars cents euro euros byte bytes kilobyte kilobytes megabyte megabytes times bushel bushels
    barrel barrels ton tons tonne tonnes acre acres""".split()
)


# A symbol given a type: "A is a square matrix", "let B be a nonsingular matrix", "x is an integer".
PREMISE_RE = r"(?<![\w'’])[A-Za-z](?:_?\d+)?\s+(?:is|be|are)\s+(?:an?\s+|the\s+)?{t}\b"


def premise_term(term: str, text: str) -> bool:
    """The passages use `term` to say what their symbols are, at least twice and in a third of its uses
    ("Suppose A is a square matrix"): a hypothesis of the section's results, taught elsewhere."""
    t = re.escape(term) + r"s?"
    given = len(re.findall(PREMISE_RE.format(t=t), text, re.I))
    total = len(re.findall(rf"\b{t}\b", text, re.I))
    return given >= 2 and given * 3 >= total


# A setting's value, not a definition: "Default is 8192 bytes.", "Timeout is 0.5 seconds."
VALUE = r"[-+]?\.?\d"


def a_setting(term: str, text: str) -> bool:
    """`text` gives `term` values twice or more ("Default is 1.", "Default is no limit.", "Default is
    /dev/net/tun."): a manual's setting, not a term it defines."""
    w = re.escape(term) + r"s?"
    valued = rf"(?:^|[.!?:]\s+)(?:the\s+)?{w}\s+(?:is|are)\s+(?:{VALUE}|no\b|none\b|[/$])"
    return len(re.findall(valued, text, re.I)) >= 2


def is_topic_word(word: str, sentences: list[str], subject_of: int = 2) -> bool:
    """`word` is a term the passages teach: they define it ("Gluten is the elastic network ...",
    "... is called gluten") or make it the subject of two sentences (`subject_of`) -- not an adjective or a
    comparative ("longer"), nor a unit of time or measure ("minutes")."""
    low = word.lower()
    if low in UNIT_WORDS or low in COMPARATIVES:
        return False
    w = re.escape(low) + r"(?:s|es)?"
    defined = re.compile(
        rf"^(?:(?:an?|the)\s+)?{w}\s+(?:is|are|refers\s+to|means)\s+(?!the\b\s*$)(?!{VALUE})"
        rf"|\b(?:is|are)\s+(?:called|known\s+as|termed)\s+[\"“']?(?:an?\s+|the\s+)?{w}\b",
        re.I,
    )
    subject = re.compile(rf"^(?:(?:an?|the)\s+)?{w}\s+(?!the\b)(?!(?:is|are)\s+{VALUE})[a-z]+", re.I)
    if a_setting(low, " ".join(sentences)):
        return False  # "Default is 1.", "Default is no limit.": a setting the manual gives values of
    if any(defined.search(s) for s in sentences):
        return True
    return sum(1 for s in sentences if subject.match(s)) >= subject_of


LABEL_PREFIX_RE = re.compile(
    r"^(?:(?:extended|worked)\s+)?(?:examples?|exercises?|case\s+stud(?:y|ies)|applications?)\s*:\s+(?=\S)",
    re.I,
)
SUBTITLE_RE = re.compile(r"^(?P<head>[^—–:]{3,60}?)\s*[—–]\s*(?P<tail>\S.*)$")  # a subtitle after a dash
WH_RE = re.compile(r"^(?:where|what|how|why|when|which|who)\b", re.I)


# The headings of a reference manual name what they document: "Class: EventEmitter", "Event:
# 'close'", "Static method: Buffer.from()", "emitter.on()", "<dir>".
API_LABEL_RE = re.compile(
    r"^(?:static\s+|instance\s+)?(?P<kind>class|interface|struct|trait|enum|module|type|event|method|"
    r"function|constructor|property|attribute|option|macro)\s*:\s*(?P<name>\S.*)$",
    re.I,
)
CALL_RE = re.compile(r"^(?:new\s+)?(?P<name>[A-Za-z_$][\w$]*(?:(?:\.|::|#)[\w$]+)*)\(\)$")
ELEMENT_RE = re.compile(r"^<(?P<tag>[A-Za-z][\w\-]*)/?>$")
CODE_WORD_RE = re.compile(r"^[`'\"]?[\w$.:#\[\]'\-]+(?:\(\))?[`'\"]?$")


def from_api_heading(text: str) -> str | None:
    """An objective from a reference manual's heading that names what it documents: "Class:
    EventEmitter" -> "Explain the EventEmitter class", "Event: 'close'" -> "Handle the 'close' event",
    "emitter.on()" -> "Use emitter.on()", "<dir>" -> "Explain the <dir> element"; "" when the heading
    is code of another kind ("eventTarget.x[y]"), None when it is no such heading."""
    text = text.replace("`", "")
    label = API_LABEL_RE.match(text)
    if label:
        kind, name = label["kind"].lower(), label["name"].strip()
        if not CODE_WORD_RE.match(name):
            return None
        if kind == "event":
            return f"Handle the {name} event"
        if name.endswith("()") or kind in ("method", "function", "constructor", "macro"):
            return f"Use {name if name.endswith(')') else name + '()'}"
        if kind in ("property", "attribute", "option"):
            return f"Explain {name}"
        return f"Explain the {name} {kind}"
    call = CALL_RE.match(text)
    if call and identifier(call["name"]):
        return f"Use {text}"
    element = ELEMENT_RE.match(text)
    if element:
        return f"Explain the {text} element"
    bare = text
    for _ in range(3):
        bare = re.sub(r"\([^()]*\)|\[[^\[\]]*\]", "", bare)
    if bare != text and " " not in bare.strip():
        return ""  # a code expression, not a name ("emitter[Symbol.for()](err, ...args)")
    return None


def from_heading(heading: str, vocab: Counter, allow_title: bool = False, passages: str = "") -> str | None:
    """An objective from a heading of the section (`passages`: its text)."""
    text = re.sub(r"\\[()\[\]]|\$", "", clean_title(heading)).strip(" .:")
    api = from_api_heading(text)
    if api is not None:
        return api or None
    text = REMARK_RE.sub("", text)  # "... the meaning of F (advanced)": a note to the reader
    text = LABEL_PREFIX_RE.sub("", text)  # "Example: Arithmetic Operations for ...": what it works on
    subtitled = SUBTITLE_RE.match(text)
    if subtitled:  # "Equilibrium—Where Demand and Supply Intersect", "Money and Banks—Benefits and Dangers"
        head, tail = subtitled["head"].strip(), subtitled["tail"].strip()
        text = f"{head}, {tail[:1].lower()}{tail[1:]}" if WH_RE.match(tail) else f"{head}: {tail}"
    intro = INTRO_RE.match(text)
    if intro and allow_title:  # a section opening a chapter: what its subject is
        subject = natural_case(intro.group("x"), vocab)
        if " and " in subject or not named_in(passages, ARTICLE_RE.sub("", subject)):
            return None
        return f"Define {subject}"
    if not text or SKIP_HEADINGS_RE.match(text) or len(text.split()) > 14 or NOT_A_CONCEPT_RE.match(text):
        return None
    if text.split()[0].lower() in LEAD_WORDS:
        return None  # "In Function Signatures" leans on the heading before it
    if aside_heading(text):
        return None
    m = WHAT_IS_RE.match(text)
    if m:
        return f"Explain what {natural_case(m.group('rest'), vocab)} {m.group('verb').lower()}"
    m = QUESTION_RE.match(text)
    if m and text.endswith("?"):
        rest = natural_case(m.group("rest"), vocab).rstrip("?")
        verb = " is" if re.match(r"^(?:who|what)(?:'s|’s)", text, re.I) else ""
        if not verb and re.match(r"^\w+(?:'s|’s)\s", text):
            return None  # "Where's the -> Operator?": no objective reads well from it
        return f"Explain {m.group('w').lower()}{verb} {rest}"
    if text.endswith("?"):
        return None  # a yes/no question heading does not turn into an objective cleanly
    m = VERSUS_RE.match(text)
    if m:
        return f"Compare {natural_case(m.group('a'), vocab)} with {natural_case(m.group('b'), vocab)}"
    m = GERUND_RE.match(text)
    if m:
        verb = base_verb(m.group("verb"), vocab)
        rest = natural_case(m.group("rest"), vocab)
        more = re.match(r"^and\s+([a-z]+ing)\b", rest)
        if more:  # "Fetching and Pulling from ..." -> "Fetch and pull from ..."
            rest = rest.replace(more.group(1), base_verb(more.group(1), vocab) or more.group(1), 1)
        if verb in LEARNER_VERBS and rest.split()[0].lower() not in NOT_A_TERM_START:
            return f"{verb.capitalize()} {rest}"
        if not named_in(passages, m.group(0)):
            return None  # "Intimidating Potential Competition": what the subject does, not a term
        # an adjective, not an activity, when the passages name the phrase: "Dangling References"
    if not allow_title and len(text.split()) == 1 and text.lower() in GENERIC:
        return None
    verb = (
        "Calculate"
        if re.search(r"\b(?:rate|ratio|value|cost|price|formula|index)\b", text, re.I)
        else "Explain"
    )
    return f"{verb} {natural_case(text, vocab)}"


# A definition the author labels and names, as textbooks of mathematics, statistics and computing
# do: "Definition EM Eigenspace of a Matrix", "Definition 5.1 (Eigenvector).", "Definition 2.3:
# Sample Mean". The name is what the book teaches there, in its own words.
LABELLED_DEFINITION_RE = re.compile(
    r"(?:^|(?<=[\n.:;]\s)|(?<=\n))Definition\s+(?:[A-Z]{1,6}\d*|\d+(?:[.\-–]\d+)*)\.?:?[ \t]+"
    r"(?:\((?P<paren>[^()\n]{3,60})\)|(?P<name>[A-Z][^\n]{2,80}))"
)
SYMBOL_WORD_RE = re.compile(r"(?:^|\s)(?:[A-Z]|\w*\d\w*)(?:\s|$)")  # "Rank of A", "Theorem 2"
NAME_CONNECTORS = frozenset("of a an the and for in on to with by".split())
SENTENCE_OPENERS = frozenset(
    "suppose let given if then we for assume consider in a an the this our when there".split()
)


def labelled_definitions(text: str, vocab: Counter) -> list[str]:
    """'Define ...' for each definition `text` labels and names (LABELLED_DEFINITION_RE), in order."""
    out = []
    for m in LABELLED_DEFINITION_RE.finditer(text):
        if m["paren"]:
            name = m["paren"].strip()
        else:
            words = []
            for word in m["name"].split():
                bare = word.strip(",.;:")
                title = bare[:1].isupper() and bare.lower() not in SENTENCE_OPENERS
                if not (title or (words and bare in NAME_CONNECTORS)):
                    break
                words.append(bare)
                if bare != word:  # a word that ends the name with its punctuation
                    break
            while words and words[-1] in NAME_CONNECTORS:
                words.pop()
            name = " ".join(words)
        words = name.split()
        if not 1 <= len(words) <= 7 or not re.search(r"[a-z]{3}", name) or SYMBOL_WORD_RE.search(name):
            continue
        term = natural_case(name, vocab)
        article = article_for(term, text) or ("the " if " of " in term and not term.endswith("s") else "")
        out.append(f"Define {article}{term}")
    return list(dict.fromkeys(out))


def from_definition(sentence: str, vocab: Counter, text: str = "", uses: int = 2) -> str | None:
    m = DEFINITION_RE.match(sentence.strip())
    if not m:
        return None
    term = m.group("term").strip()
    words = term.lower().split()
    if words[0] in STOPWORDS or words[-1] in STOPWORDS or any(w in GENERIC for w in words):
        return None
    if any(w in NOT_A_TERM_START for w in words) or any(len(w) < 3 for w in words):
        return None
    if any("_" in w or any(c.isdigit() for c in w) for w in words):
        return None  # "The largest_i32 function is ...": an identifier of the example's code
    if words[-1].rstrip("s") in ("definition", "term", "name", "word"):
        return None  # "Trait definitions are a way to ...": "Define trait definitions" says nothing
    if any(w in ("the", "a", "an") for w in words[1:]):
        return None  # "usually the HEAD file is ...": not a term
    if a_setting(term, text or sentence):
        return None  # "Default is the actual user name.": one more value of a setting
    if "like" in words[1:] or "such" in words[1:]:
        return None  # "Statements like build foo bar are ...": a term and its example, not a term
    if len(re.findall(r"\b" + re.escape(term) + r"\b", text or sentence, re.I)) < uses:
        return None  # a term the section uses once is not what it teaches (unless it has few)
    if proper_name(term, text or sentence):
        return None  # "Harbour Tools is an invented manufacturer ...": an example's cast, not a term
    if any(re.search(r"[a-z][A-Z]", w) for w in term.split()):
        return None  # "GitHub is a ...", "The NodeEventTarget is ...": a product's or a class's name
    article = "the " if sentence.strip().lower().startswith("the ") else ""
    if sentence.strip()[:2].lower() in ("a ", "an"):
        article = sentence.strip().split()[0].lower() + " "
    return f"Define {article}{natural_case(term, vocab)}"


def proper_name(term: str, text: str) -> bool:
    """Whether `term` is a name: every word capitalised, and the passages write it so inside a
    sentence too, and in lower case mostly in code or not at all ("Git is ..." where only commands
    write "git commit")."""
    words = term.split()
    if not all(w[:1].isupper() and w[1:] == w[1:].lower() for w in words):
        return False
    inside = len(re.findall(r"[a-z,;]\s+" + re.escape(term) + r"\b", text))
    lower = len(re.findall(r"(?<![$`/\-])\b" + re.escape(term.lower()) + r"\b(?![`/\-])", text))
    return inside > 0 and lower * 2 < inside


CALLED_RE = re.compile(
    r"\b(?:is|are)\s+(?:called|known\s+as|termed)\s+[\"“']?(?P<term>[a-z][\w\-]*(?:\s+[a-z][\w\-]*){0,3})"
)


def from_naming(sentence: str, text: str) -> str | None:
    """'... these simple names are called "references" ...' -> 'Define references'."""
    m = CALLED_RE.search(sentence)
    if not m:
        return None
    term = m.group("term").strip()
    words = term.lower().split()
    if any(w in STOPWORDS or w in GENERIC or w in NOT_A_TERM_START for w in words[-1:] + words[:1]):
        return None
    if len(re.findall(r"\b" + re.escape(term) + r"\b", text, re.I)) < 2:
        return None
    return f"Define {term}"


def from_calculation(sentence: str, vocab: Counter) -> str | None:
    m = CALC_RE.search(sentence)
    if not m:
        return None
    target = (m.group("a") or m.group("b") or "").strip()
    if not target or target.split()[0].lower() in STOPWORDS - {"the"}:
        return None
    words = [w for w in target.lower().split() if w not in STOPWORDS]
    if not words or any(w in GENERIC for w in words) or len(words) > 6:
        return None
    if any(w in NOT_A_TERM_START or w in ("you", "we", "they") for w in words) or not QUANTITY_RE.search(
        target
    ):
        return None
    if set(target.lower().split()) & DEICTIC:
        return None  # "the mean of these scores", "its cigarette tax": the example's own, not a quantity
    if re.search(r"\d", target):
        return None
    return f"Calculate {natural_case(target, vocab)}"


DEICTIC = frozenset("this these that those its their his her our your my".split())


def from_procedure(sentence: str) -> str | None:
    m = PROCEDURE_RE.match(sentence.strip())
    if not m:
        return None
    tool = m.group("tool").strip()
    if tool.split()[0].lower() in ("it", "this", "that", "them", "the", "a", "an") and len(tool.split()) < 2:
        return None
    goal = m.group("goal").strip()
    if re.match(r"(?:calculate|compute|estimate|find)\s", goal):
        return goal[:1].upper() + goal[1:]  # "To calculate NNP, use the following formula:"
    if tool.split()[-1].lower() in STOPWORDS | {"your"} or re.search(r"\bfollowing\b", tool, re.I):
        return None  # cut short ("the following line to your .gitattributes"): it points at a listing
    # "add --all to your git log command" is no tool to use: the sentence's own verb says what to do
    verb = m.group("verb").capitalize() if m.group("verb") in ("add", "type", "write") else "Use"
    tool = re.sub(r"\byour\b", "the", tool)
    return f"{verb} {tool} to {goal}"


def base_verb(gerund: str, vocab: Counter) -> str | None:
    """'Calculating' -> 'calculate', 'Running' -> 'run', 'Installing' -> 'install': the candidate
    the passages themselves use, so no dictionary is needed."""
    stem = gerund[:-3].lower()
    candidates = [stem, stem + "e"]
    if len(stem) > 2 and stem[-1] == stem[-2]:
        candidates.insert(0, stem[:-1])
    candidates = [c for c in candidates if c not in STOPWORDS and len(c) > 1]
    known = [c for c in candidates if c in LEARNER_VERBS]
    if known:
        return known[0]
    lower = Counter({k.lower(): v for k, v in vocab.items()})
    seen = [c for c in candidates if lower.get(c, 0) or lower.get(c + "s", 0) or lower.get(c + "d", 0)]
    if seen:
        return max(seen, key=lambda c: lower.get(c, 0) + lower.get(c + "s", 0))
    for c in candidates:
        if lower.get(c + "ed", 0) or lower.get(c + "es", 0):
            return c
    return None
