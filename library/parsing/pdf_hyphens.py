"""Words broken by a hyphen at a line end, put back together the way the book itself writes them.

A typeset line may end inside a word ("infor-" / "mation") or at a hyphen the word really has
("make-" / "rat"). Nothing on the page tells the two apart, but the rest of the book usually does:
it writes "information" or "make-rat" elsewhere, on one line. The hyphen stays when the book writes
the hyphenated form more often than the joined one; otherwise the halves are joined (the common
case: most line-end hyphens are the typesetter's).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from library.parsing.pdf_layout import SOFT_HYPHEN

_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_INLINE_RE = re.compile(rf"([^\W\d_]*){SOFT_HYPHEN}([^\W\d_]*)")
_BROKEN_RE = re.compile(rf"\S*{SOFT_HYPHEN}\S*|\S+-$")
_HEAD_RE = re.compile(r"[^\W\d_]+")
_TAIL_RE = re.compile(r"[^\W\d_]+$")


class Hyphenation:
    """Joins line-end hyphens by the vocabulary of the lines it was built from."""

    def __init__(self, lines: Iterable[str] = ()):
        # the halves of a broken word are not words of the book
        text = "\n".join(
            _BROKEN_RE.sub(" ", line) if SOFT_HYPHEN in line or line.endswith("-") else line for line in lines
        )
        self.words: Counter = Counter(_WORD_RE.findall(text.lower()))

    def join(self, left: str, right: str) -> str:
        """``left`` (ending at the hyphen, without it) and ``right`` as one word, with the hyphen or
        without it. When the book has neither form, the hyphen stays only between two words of the
        book ("memory-management", not "manage-ment")."""
        head = _TAIL_RE.search(left)
        tail = _HEAD_RE.match(right)
        if head and tail:
            a, b = head.group(0).lower(), tail.group(0).lower()
            hyphenated, joined = self.words[f"{a}-{b}"], self.words[a + b]
            if hyphenated < joined or (hyphenated == joined and not self._two_words(a, b)):
                return left + right
        return f"{left}-{right}"

    def _two_words(self, a: str, b: str) -> bool:
        return len(a) >= 3 and len(b) >= 3 and bool(self.words[a] and self.words[b])

    def resolve(self, text: str) -> str:
        """``text`` with pdfium's line-end hyphen marks inside it resolved; a mark at its very end
        becomes a plain hyphen (the word goes on on the next line)."""
        if SOFT_HYPHEN not in text:
            return text
        text = _INLINE_RE.sub(lambda m: self.join(m.group(1), m.group(2)) if m.group(2) else m.group(0), text)
        return text.replace(SOFT_HYPHEN, "-")
