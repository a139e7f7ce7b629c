"""How rare a word is in general English, by its Postgres 'english' lexeme (snowball stem).

The table (data/english_lexeme_zipf.txt) is derived once from wordfreq by bench/build_word_rarity.py:
each line is a lexeme and its Zipf value (log10 occurrences per billion words); a lexeme not listed
is rarer than Zipf 3. An everyday word ("make", "play") says little about a topic, a rare one
("convexity", "hypothesis") a lot: the answer judge weighs a question's key terms by it, and the
quiz blanks a sentence's rarest topic word rather than its verb.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

LEXEME_ZIPF = Path(__file__).resolve().parent / "data" / "english_lexeme_zipf.txt"
COMMON_ZIPF = 6.0  # at or above: an everyday word ("play", "make"), weight RARITY_FLOOR
RARE_ZIPF = 3.5  # at or below: a rare word ("convexity", "scholes"), full weight
RARITY_FLOOR = 0.1


@cache
def zipf_table() -> dict[str, float]:
    """{lexeme: Zipf value}, read once."""
    table = {}
    with LEXEME_ZIPF.open() as fh:
        for line in fh:
            if not line.startswith("#"):
                lexeme, zipf = line.split()
                table[lexeme] = float(zipf)
    return table


def zipf(lexeme: str) -> float:
    """The lexeme's Zipf value (0.0 when rarer than the table lists)."""
    return zipf_table().get(lexeme, 0.0)


def rarity(lexeme: str) -> float:
    """1 for a rare word, down to RARITY_FLOOR for an everyday one. A compound counts as its rarest
    part."""
    if "-" in lexeme:
        return max(rarity(part) for part in lexeme.split("-") if part) if lexeme.strip("-") else 1.0
    zipf = zipf_table().get(lexeme, 0.0)
    return min(1.0, max(RARITY_FLOOR, (COMMON_ZIPF - zipf) / (COMMON_ZIPF - RARE_ZIPF)))
