"""Plain text: encoding detection, paragraphs at blank lines, chapters from heading-like lines.

Headings recognised: "Chapter 1 ...", "CHAPTER ONE", "Part II", "Book 3", "Appendix A", Markdown
``#`` headings at the start of a line, underlined headings (``****`` / ``====`` / ``----`` ...),
numbered ones ("2.1. What is sed?", "1. GENERAL INFORMATION", "IV. Writing") and, in a text laid out
like a manual page or an RFC, the lines that stand left of the text they head. GNU info manuals lose
makeinfo's markup first (`without_info_markup`). Without any heading, the book is split into parts of
about ``WORDS_PER_PART`` words.
"""

from __future__ import annotations

import re
from pathlib import Path

from library.parsing.base import (
    ORDINAL_PATTERN,
    Block,
    IngestError,
    OutlineBuilder,
    choose_chapter_level,
    finish_book,
    normalize_ws,
    read_text_file,
    split_words_into_parts,
)

WORDS_PER_PART = 5000

_NUM = ORDINAL_PATTERN
_PART_RE = re.compile(rf"^(?:part|book|volume)\s+{_NUM}\b[.:]?(?:\s*[-–—:.]?\s*\S.*)?$", re.I)
_CHAPTER_RE = re.compile(rf"^(?:chapter|appendix)\s+{_NUM}\b[.:]?(?:\s*[-–—:.]?\s*\S.*)?$", re.I)
_NAMED_RE = re.compile(
    r"^(?:prologue|epilogue|preface|foreword|introduction|afterword|conclusion)[.:]?$", re.I
)
_ATX_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
# "2.1. What is sed?", "4.31.1. ... on Unix platforms?", "1. GENERAL INFORMATION": a numbered heading
# on a line of its own (a numbered list item is neither multi-level nor in capitals).
_NUMBERED_RE = re.compile(
    r"^(\d+(?:\.\d+)+)\.?\s+(\S.*)$"
    r"|^(\d+)\.\s+([A-Z][A-Z0-9 ,&'’/()-]*[A-Z)?])$"
    r"|^([IVXL]+)\.\s+([A-Z].{0,80})$"  # "IV. Writing"
)
_UNDERLINE_RE = re.compile(r"^(=+|-+|\*+|~+|\^+|\.+)\s*$")
# Underlines rank * (a GNU info chapter) above = above - above the rest (~ ^ .), whichever a text uses.
_UNDERLINE_RANK = {"*": 0, "=": 1, "-": 2, "~": 3, "^": 3, ".": 3}
# What makeinfo writes around a GNU info manual's text: node lines and the closing tag table.
_INFO_NODE_RE = re.compile(r"^File: [^,\s]+,\s+Node: .*$")
# Its menus ("* Menu:", "* Invoking::  Command-line options.") and index entries
# ("* resume download:   Download Options.   (line 118)"): navigation, not the manual's text.
_INFO_MENU_RE = re.compile(
    r"^\* (?:Menu:|[^:]+::|.+:\s.*\(line\s+\d+\)\s*$|[^:]+:\s+[^.]+\.\s*$)"  # an entry
    r"|^\s+\(line\s+\d+\)\s*$"  # the locator of a long index entry, on a line of its own
    r"|^\[index\]\s*$"  # the index's marker (NUL and backspace around it are already gone)
)
_INFO_START_RE = re.compile(r"^This is \S+\.info, produced by makeinfo\b")
_INFO_TAIL_RE = re.compile(r"^Tag Table:\s*$", re.M)
# Emacs's file variables, which end every file of a manual ("Local Variables:" ... "End:").
_INFO_LOCALS_RE = re.compile(r"^Local Variables:\s*\n(?:.*\n)*?End:[ \t]*(?:\n|\Z)", re.M)
# A manual makeinfo split into files (find.info, find.info-1, ...): the first file lists the others
# ("Indirect:") and where each node is ("Tag Table:" then "(Indirect)"); the others repeat the preamble.
_INFO_INDIRECT_RE = re.compile(
    r"^Indirect:\s*\n(?:.*\n)*?\s*\n|^Tag Table:\s*\n\(Indirect\)\s*\n(?:.*\n)*?End Tag Table\s*$", re.M
)
# The copyright and permission notice of a manual's preamble (its licence is an appendix).
_INFO_NOTICE_RE = re.compile(
    r"\s*(?:Copyright\s+(?:\(C\)|©|\d{4})|Permission is granted to copy|\(a\) The FSF's)"
)
_INFO_ANY_NODE_RE = re.compile(_INFO_NODE_RE.pattern, re.M)
_INFO_DIR_RE = re.compile(
    r"^INFO-DIR-SECTION .*\n|^START-INFO-DIR-ENTRY\s*\n(?:.*\n)*?END-INFO-DIR-ENTRY\s*$", re.M
)
_INFO_PART_RE = re.compile(r"^[^\s:]+\.info-\d+(?=:)", re.M)
_INFO_PREAMBLE_RE = re.compile(
    r"^This is \S+\.info, produced by makeinfo\b[^\n]*\n.*?"
    r"(?=^\x1f?\s*File: |^This is \S+\.info, produced by makeinfo\b)",
    re.M | re.S,
)
# The manual's entry in the Info directory: "* bc: (bc).      An arbitrary precision calculator language."
_INFO_DIR_ENTRY_RE = re.compile(
    r"^START-INFO-DIR-ENTRY\s*\n\* ([^:]+): \([^)]*\)[^.]*\.\s+(.+?)\.?\s*$", re.M
)
# A header block of "Field: value" lines (a Usenet FAQ's "Archive-Name: ..."): not the title.
_HEADER_LINE_RE = re.compile(r"^[A-Z][\w-]*:\s+\S")
MAX_HEADING_CHARS = 100
# A numbered chapter or appendix heading of an info manual: "1 Introduction", "A.2 Options".
_NUMBERED_HEADING_RE = re.compile(r"^(?:\d+(?:\.\d+)*|[A-Z](?:\.\d+)*)\.?\s+\S")


# A word a typesetter broke at a line's end with a hyphenation hyphen (U+2010, as man writes it, or
# a soft hyphen): "ar‐ rival" is "arrival".
_HYPHENATED_RE = re.compile(r"(?<=[a-z])[\u2010\u00ad]\s+(?=[a-z])")
INDENTED_BODY_SHARE = 0.6  # of the non-blank lines: a manual page's or an RFC's layout


def _man_header(line: str) -> bool:
    """A manual page's running header or footer: "BASH(1)   General Commands Manual   BASH(1)",
    "GNU Bash 5.2      2022 September 19      BASH(1)": it ends with the page's name(section), and
    opens with it or sets its columns apart with wide gaps."""
    words = line.split()
    if len(words) < 2 or not re.fullmatch(r"[\w.:+-]+\(\w+\)", words[-1]):
        return False
    return words[0] == words[-1] or len(re.findall(r"\S\s{3,}\S", line)) >= 2


def _indent(raw: str) -> int:
    return len(raw) - len(raw.lstrip())


def _indented_body(lines: list[str]) -> bool:
    """Most of the text is indented (a manual page, an RFC, a FAQ): its headings are the lines that
    stand further left than the text they head."""
    filled = [ln for ln in lines if ln.strip()]
    return bool(filled) and sum(1 for ln in filled if ln[:1] in " \t") >= INDENTED_BODY_SHARE * len(filled)


def _layout_heading(raw: str, line: str, lines: list[str], i: int) -> bool:
    """A short line that starts in capitals or a number, does not end a sentence, and stands left of
    the text that follows it ("SHELL GRAMMAR", "   Simple Commands", "1.  Introduction")."""
    words = line.split()
    if not 1 <= len(words) <= 10 or len(line) > 70 or not (line[0].isupper() or line[0].isdigit()):
        return False
    if not re.search(r"[A-Za-z]{3}", line):
        return False  # "0", "1": the values of a list, not headings
    if line.endswith((".", ",", ";", ":")) or _man_header(line):
        return False
    following = next((ln for ln in lines[i + 1 : i + 4] if ln.strip()), "")
    return bool(following) and _indent(following) > _indent(raw)


def _atx_heading(title: str) -> bool:
    """A "# ..." line that reads as a heading: not a sentence that ends with a full stop, nor one that
    starts in lower case (a shell or script comment in an example)."""
    first = title.lstrip("'\"‘“`(")[:1]
    ends_sentence = title.endswith(".") and not title.endswith("..")
    return not ends_sentence and not (first.isalpha() and first.islower())


def _underline_levels(lines: list[str]) -> dict[str, int]:
    """Heading level by underline character, 1 for the highest rank the text uses."""
    used = {ln.strip()[0] for ln in lines if len(ln.strip()) >= 3 and _UNDERLINE_RE.match(ln.strip())}
    ranks = sorted({_UNDERLINE_RANK[c] for c in used})
    return {c: ranks.index(r) + 1 for c, r in _UNDERLINE_RANK.items() if r in ranks}


def _paragraphs(lines: list[str]):
    """Yield ("heading", level, text, kind) and ("block", text) events."""
    para: list[str] = []
    n = len(lines)
    underline_level = _underline_levels(lines)
    indented_body = not underline_level and _indented_body(lines)  # layout only where nothing marks headings
    prev_blank = True

    def flush():
        if para:
            text = normalize_ws(_HYPHENATED_RE.sub("", " ".join(para)))
            para.clear()
            if text:
                return ("block", text)
        return None

    i = 0
    while i < n:
        raw = lines[i]
        line = raw.strip()
        if not line or _man_header(line):
            ev = flush()
            if ev:
                yield ev
            prev_blank = True
            i += 1
            continue
        next_line = lines[i + 1].strip() if i + 1 < n else ""
        heading = None
        if prev_blank and len(line) <= MAX_HEADING_CHARS:
            m = _ATX_RE.match(line) if raw.startswith("#") else None  # indented: a comment in an example
            numbered = _NUMBERED_RE.match(line) if raw[:1] in "0123456789IVXL" and not next_line else None
            if m and _atx_heading(m.group(2)):
                heading = (len(m.group(1)), m.group(2), "atx")
            elif m:
                pass  # "# Log in to the server first." in a text file: a comment of an example, not a heading
            elif numbered and not line.endswith((".", ",", ";", ":")):
                number = numbered.group(1) or ""
                heading = (number.count(".") + 1, line, "numbered")
            elif (
                next_line
                and _UNDERLINE_RE.match(next_line)
                and len(next_line) >= max(3, len(line) // 2)
                and not _UNDERLINE_RE.match(line)
            ):
                heading = (underline_level[next_line[0]], line, "underline")
                i += 1
            elif _PART_RE.match(line) and not line.endswith((",", ";")):
                heading = (1, line, "part")
            elif (_CHAPTER_RE.match(line) or _NAMED_RE.match(line)) and not line.endswith((",", ";")):
                heading = (2, line, "chapter")
            elif indented_body and _layout_heading(raw, line, lines, i):
                heading = (1 if _indent(raw) == 0 else 2, line, "layout")
        if heading:
            ev = flush()
            if ev:
                yield ev
            level, title, kind = heading
            # "CHAPTER ONE" followed by a one-line title paragraph: join them.
            j = i + 1
            if kind in ("part", "chapter") and len(title.split()) <= 3:
                while j < n and not lines[j].strip():
                    j += 1
                if (
                    j < n
                    and (j + 1 >= n or not lines[j + 1].strip())
                    and len(lines[j].strip()) <= 70
                    and not lines[j].strip().endswith((".", ",", ";", ":"))
                    and not _PART_RE.match(lines[j].strip())
                    and not _CHAPTER_RE.match(lines[j].strip())
                ):
                    title = f"{title} {lines[j].strip()}"
                    i = j
            yield ("heading", level, normalize_ws(title), kind)
            prev_blank = True
            i += 1
            continue
        para.append(line)
        prev_blank = False
        i += 1
    ev = flush()
    if ev:
        yield ev


# A cross-reference: "(*note Startup File::)", "*Note Wgetrc Syntax::", "*note Label: Node.": the
# reader of the book sees "see Startup File".
_INFO_XREF_RE = re.compile(r"\*([Nn])ote\s+([^:*]{1,80}?)(?:::|:\s*[^.,:*()]{1,80}?(?:\.(?=,)|(?=[.,])))")


def _xref(m: re.Match) -> str:
    """As the printed manual reads: "*Note X::" is "See X", "(*note X::)" is "(see X)", and any
    other "*note X::" ("described in *note X::", "see *note X::") is just "X"."""
    label = " ".join(m.group(2).split())
    if m.group(1) == "N":
        return f"See {label}"
    return f"see {label}" if m.string[max(0, m.start() - 1) : m.start()] == "(" else label


def is_info_manual(text: str) -> bool:
    return _INFO_START_RE.match(text.lstrip()) is not None


def without_info_markup(text: str) -> str:
    """A GNU info manual's text without makeinfo's node lines, menus, index and closing tag table,
    its cross-references read as "see ..."."""
    if not is_info_manual(text):
        return text
    if not _INFO_ANY_NODE_RE.search(text) and (parts := _INFO_PART_RE.findall(text)):
        listed = ", ".join(dict.fromkeys(parts))
        name = parts[0].rsplit(".info-", 1)[0]
        raise IngestError(
            f"This Info file only lists the parts the manual is split into ({listed}). "
            f"Join them into one file (for example: zcat {name}.info.gz {name}.info-*.gz > {name}.info) "
            "and upload that.",
            422,
        )
    text = text.lstrip()
    for markup in (_INFO_INDIRECT_RE, _INFO_DIR_RE, _INFO_LOCALS_RE):
        text = markup.sub("", text)
    # A split manual joined into one file: every part after the first repeats the preamble.
    head = _INFO_PREAMBLE_RE.match(text)
    start = head.end() if head else 0
    text = text[:start] + _INFO_PREAMBLE_RE.sub("", text[start:])
    if _INFO_START_RE.match(text):  # makeinfo's own sentence, up to the first blank line
        text = text.split("\n\n", 1)[-1]
    # The copyright and permission notices (in the preamble, again on the top node): the licence
    # they point to is an appendix of its own. What the manual documents stays.
    text = "\n\n".join(p for p in text.split("\n\n") if not _INFO_NOTICE_RE.match(p))
    tail = _INFO_TAIL_RE.search(text)
    text = text[: tail.start()] if tail else text
    text = _INFO_XREF_RE.sub(_xref, text)
    return "\n".join(
        ln for ln in text.split("\n") if not (_INFO_NODE_RE.match(ln) or _INFO_MENU_RE.match(ln))
    )


def build_text_chapters(text: str, *, words_per_part: int = WORDS_PER_PART):
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    events = list(_paragraphs(lines))
    headings = [e for e in events if e[0] == "heading"]
    if not headings:
        blocks = [Block(text=e[1], page=None, heading_path=[]) for e in events if e[0] == "block"]
        return split_words_into_parts(blocks, words_per_part)
    kinds = {e[3] for e in headings}
    if "chapter" in kinds and sum(1 for e in headings if e[3] == "chapter") >= 2:
        chapter_level = 2
    else:
        chapter_level = choose_chapter_level([e[1] for e in headings])
    builder = OutlineBuilder(chapter_level)
    for ev in events:
        if ev[0] == "heading":
            builder.heading(ev[1], ev[2])
        else:
            builder.block(ev[1])
    return builder.chapters


def parse_text(path: Path, *, words_per_page: int = 300, max_bytes: int = 500 * 2**20):
    path = Path(path)
    raw = read_text_file(path, max_bytes=max_bytes)
    text = without_info_markup(raw)
    chapters = build_text_chapters(text)
    return finish_book(
        title=text_title(raw), authors="", fmt="text", chapters=chapters, words_per_page=words_per_page
    )


def text_title(text: str) -> str:
    """The first line, unless it is a header block ("Archive-Name: ...", skipped) or makeinfo's
    preamble (the manual's first underlined heading is its title); "" when it is a chapter heading."""
    lines = [normalize_ws(ln) for ln in text.splitlines()]
    if is_info_manual(text):
        for line, under in zip(lines, lines[1:], strict=False):
            if line and len(under) >= 3 and under[0] == "*" and _UNDERLINE_RE.match(under):
                if not _NUMBERED_HEADING_RE.match(line):
                    return line[:120]
                break  # the manual opens with its first chapter ("1 Introduction"): no title page
        entry = _INFO_DIR_ENTRY_RE.search(text)
        return f"{entry.group(1).strip()}: {entry.group(2).strip()}"[:120] if entry else ""
    start = next((i for i, ln in enumerate(lines) if ln), len(lines))
    if start < len(lines) and _man_header(lines[start]):  # a manual page: its NAME line
        rest = [ln for ln in lines[start + 1 :] if ln]
        if len(rest) >= 2 and rest[0].upper() == "NAME":
            return rest[1][:120]
        start += 1
    if start < len(lines) and _HEADER_LINE_RE.match(lines[start]):
        while start < len(lines) and lines[start] and _HEADER_LINE_RE.match(lines[start]):
            start += 1
    first_line = next((ln for ln in lines[start:] if ln), "")
    is_heading = _CHAPTER_RE.match(first_line) or _PART_RE.match(first_line) or _ATX_RE.match(first_line)
    return first_line if 0 < len(first_line) <= 120 and not is_heading else ""
