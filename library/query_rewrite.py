"""With a model configured, a question is rewritten into the books' vocabulary before retrieval
(a keyword list, searched with the question at a lower weight); through the AI ledger."""

from __future__ import annotations

from docprof.ai.errors import AIError
from docprof.ai.prompts import load_prompt

MAX_BOOK_TITLES = 20


def vocabulary_rewrite(question: str, llm, *, book_titles: list[str] = (), job=None) -> str:
    """Keywords for `question` in textbook vocabulary; "" without a model or when the model fails
    (retrieval then uses the question alone)."""
    if llm is None:
        return ""
    prompt = load_prompt("library.prompts", "rewrite_query")
    try:
        result = llm.complete(
            "You help a search engine find passages in textbooks.",
            [
                {
                    "role": "user",
                    "content": prompt.render(
                        question=question, books="; ".join(list(book_titles)[:MAX_BOOK_TITLES]) or "-"
                    ),
                }
            ],
            max_tokens=80,
            temperature=0.0,
            purpose="library.rewrite_query",
            job=job,
            prompt_version=prompt.key,
            allow_truncated=True,
        )
    except AIError:
        return ""
    return " ".join(result.text.split())[:400]
