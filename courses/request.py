"""What a course request is about: 'Learn DCF valuation, 2 hours' -> topic 'DCF valuation'."""

from __future__ import annotations

import re

from docprof.ai.text import STOPWORDS

# Words that say what kind of request it is, not what it is about.
REQUEST_WORDS = frozenset(
    """learn learning teach teaching me course courses class lesson lessons understand understanding
    intro introduction introductory basic basics fundamentals fundamental overview study studying
    master mastering guide tutorial want wanna like would please help know get started start quick
    hour hours hr hrs minute minutes min mins day days week weeks crash everything all things""".split()
)


def topic_of(query: str) -> str:
    text = re.sub(r"\b\d+(\.\d+)?\s*(h|hr|hrs|hours?|min|mins|minutes?)\b", " ", query, flags=re.I)
    words = re.findall(r"[\w'\-]+", text)
    kept = [w for w in words if w.lower() not in REQUEST_WORDS]
    while kept and kept[0].lower() in STOPWORDS:
        kept.pop(0)
    while kept and kept[-1].lower() in STOPWORDS:
        kept.pop()
    topic = " ".join(kept).strip()
    return topic or query.strip()
