"""Titles a teacher would write: chapter numbers stripped where they read badly, old-style "Of the
..." headings turned into plain noun phrases, distinct part titles, no "X and X and Y" joins, and a
course title that keeps the learner's punctuation."""

from __future__ import annotations

import re

from courses.planning.request import subject_of

NUMBER_PREFIX_RE = re.compile(
    r"^\s*(?:(?:chapter|part|section|unit|lesson|lecture|book|appendix|module)\s+"
    r"(?:\d+(?:\.\d+)*|[IVXLC]+|[A-Z])\b\.?\s*[:.\-–—]?\s*"
    r"|\d+(?:\.\d+)*\.?\s*[:.\-–—]?\s+"
    r"|[IVXLC]+\s*[:.)]\s*"
    r"|[A-H]\s*[-–—:.]\s+)",
    re.I,
)
OLD_STYLE_RE = re.compile(r"^of\s+(?=(?:the|a|an|[A-Za-z]))", re.I)
GREEK = dict(
    zip(
        "alpha beta gamma delta epsilon theta lambda mu pi rho sigma tau phi chi psi omega".split(),
        "αβγδεθλμπρστφχψω",
        strict=True,
    )
)
TEX_RE = re.compile(r"\\(" + "|".join(GREEK) + r")\b")
# A call's parameter list in a reference manual's heading ("child_process.exec(command[, options][,
# callback])", "asn1_der_coding(element, name, ...)"): the name is the title, "exec()". An identifier
# is a name with a dot, an underscore or an inner capital -- "Price(s)" or "f(x)" keep theirs.
SIGNATURE_RE = re.compile(r"(?<![\w$])((?:new\s+)?[A-Za-z_$][\w$]*(?:(?:\.|::|#)[\w$]+)*)\(([^()]+)\)")
# An element with attributes in a configuration manual's heading (<cachedir prefix="default">).
MARKUP_RE = re.compile(r"<([A-Za-z][\w\-]*)\s+[^<>]*>")


def identifier(name: str) -> bool:
    """A name from code: dotted, with an underscore or with an inner capital ("emitter.on",
    "spawn_sync", "removeListener")."""
    return bool(re.search(r"[._$:#]|[a-z][A-Z]", name))


def without_parameters(text: str) -> str:
    """'emitter.on(eventName, listener)' -> 'emitter.on()'; '<dir prefix="x">' -> '<dir>'."""
    text = SIGNATURE_RE.sub(lambda m: f"{m.group(1)}()" if identifier(m.group(1)) else m.group(0), text)
    return MARKUP_RE.sub(r"<\1>", text)


def unshouted(text: str) -> str:
    """'ADDRESS TYPES' -> 'Address types', 'IP4 AND IP6 OPTION GROUPS' -> 'IP4 and IP6 option groups':
    a manual page's headings are set in capitals; acronyms (three letters, or with a digit) keep theirs."""
    words = re.findall(r"[A-Za-z]{4,}", text)
    if not words or any(not w.isupper() for w in words) or (len(words) == 1 and len(words[0]) < 6):
        return text  # not shouted, or one word an acronym may be ("SICP", "HTTPS")

    def lower(m: re.Match) -> str:
        w = m.group(0)
        keep = (len(w) <= 3 and w.lower() not in SMALL_WORDS) or any(c.isdigit() for c in w)
        return w if keep else w.lower()

    out = re.sub(r"[A-Za-z][A-Za-z0-9]*", lower, text)
    return out[:1].upper() + out[1:]


SMALL_WORDS = frozenset("a an and or of the to in on for by at as is not".split())


def clean_title(title: str) -> str:
    """'Chapter 5 Elasticity' -> 'Elasticity'; '5.1 Price Elasticity' -> 'Price Elasticity';
    'IX: Of the Profits of Stock' -> 'The Profits of Stock'; 'Book I' stays 'Book I';
    'emitter.on(eventName, listener)' -> 'emitter.on()'."""
    original = " ".join((title or "").split())
    text = re.sub(r"\\[()\[\]]|\$", "", original)  # TeX math delimiters: "\\(p\\) value" -> "p value"
    text = TEX_RE.sub(lambda m: GREEK[m.group(1)], text).replace("^2", "²")  # "\\chi^2" -> "χ²"
    text = without_parameters(text)
    for _ in range(2):  # "Part IV. Chapter 9 ..." has two prefixes
        stripped = NUMBER_PREFIX_RE.sub("", text, count=1).strip(" :.-–—")
        if not stripped:
            break
        text = stripped
    text = unshouted(text)
    if OLD_STYLE_RE.match(text) and len(text.split()) > 2:
        rest = OLD_STYLE_RE.sub("", text, count=1)
        text = rest[:1].upper() + rest[1:]
    return text or original


def course_title(query: str) -> str:
    subject = subject_of(query)
    return subject[:1].upper() + subject[1:] if subject else "Your course"


def join_two(a: str, b: str) -> str | None:
    """'Bonds' + 'Stocks' -> 'Bonds and Stocks'; None when either already joins things."""
    if any(re.search(r"\band\b|,|&|;|\?|:", t, re.I) for t in (a, b)):
        return None
    if a.lower() == b.lower():
        return a
    if len(f"{a} {b}".split()) > 8:
        return None
    return f"{a} and {b}"


CONTENTS_RE = re.compile(r"^(?:table\s+of\s+)?contents$", re.I)


def part_title(chapters: list[str], sections: list[tuple[str, float]]) -> str:
    """A part's title from the chapters it draws on (most minutes first) and its sections: one
    chapter -> its title; two plain chapters -> 'A and B'; otherwise the main chapter's title."""
    # "Contents" wrapping a one-page manual's every section names no part (material.wrapper_chapter)
    chapters = list(dict.fromkeys(clean_title(c) for c in chapters if c and not CONTENTS_RE.match(c.strip())))
    if len(chapters) == 1:
        return chapters[0]
    if len(chapters) == 2:
        joined = join_two(chapters[0], chapters[1])
        if joined:
            return joined
    if chapters:
        return chapters[0]
    return sections[0][0] if sections else "Foundations"


def distinct_titles(titles: list[str], alternatives: list[list[str]]) -> list[str]:
    """Make repeated part titles distinct with the part's own leading section title ('Eigenvalues:
    Similarity and Diagonalization'), never by repeating or numbering the same words."""
    result = list(titles)
    for _ in range(3):
        counts: dict[str, int] = {}
        for t in result:
            counts[t.lower()] = counts.get(t.lower(), 0) + 1
        repeated = [i for i, t in enumerate(result) if counts[t.lower()] > 1]
        if not repeated:
            break
        used = {t.lower() for t in result}
        for i in repeated:
            for alt in alternatives[i]:
                alt = clean_title(alt)
                candidate = alt if result[i].lower() in alt.lower() else f"{result[i]}: {alt}"
                if len(candidate.split()) > 9 or candidate.lower().count(" and ") > 1:
                    candidate = alt  # the section's own title reads better than a long join
                if alt and candidate.lower() not in used and alt.lower() != result[i].lower():
                    used.add(candidate.lower())
                    result[i] = candidate
                    break
    seen: dict[str, int] = {}
    for i, t in enumerate(result):  # last resort, never reached with distinct sections
        n = seen.get(t.lower(), 0)
        seen[t.lower()] = n + 1
        if n:
            result[i] = f"{t} (continued)" if n == 1 else f"{t} (part {n + 1})"
    return result


def section_title(unit_title: str, chapter_title: str) -> str:
    title = clean_title(unit_title)
    if not title:
        return clean_title(chapter_title)
    return title
