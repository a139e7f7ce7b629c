"""One formatter per bench: its stored JSON result -> Markdown table lines, and a headline
(value, target, met) for the summary. A bench without a formatter gets a generic table."""

from __future__ import annotations

FORMATS: dict = {}
HEADLINES: dict = {}


def headline(name: str, result: dict):
    fn = HEADLINES.get(name)
    return fn(result) if fn else ("see below", "", None)
