"""Answering a question asked during a lecture (or about the library): pure services over
retrieval, used by the API, `manage.py ask` and bench/qa_eval.py.

    rewrite a vague follow-up from the history -> meta? -> retrieve from every book the user can
    read (the question rewritten into the books' vocabulary when a model is configured) ->
    answered by the lecture so far? -> the answerer (model or offline), which abstains with
    `not_found` when the passages do not answer.

`answer_events(..., stream=True)` is the same, yielding the answer's text as the model writes it
(the model answerer streams; the offline, meta and lecture answers are whole at once and yield
nothing before the final Answer).
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from functools import lru_cache

from docprof.ai.errors import AIError
from docprof.ai.factory import get_llm
from docprof.ai.llm import collect
from docprof.ai.prompts import load_prompt
from docprof.ai.text import content_terms, split_sentences
from library.boilerplate import asks_about_licence, is_licence_passage
from library.query_rewrite import vocabulary_rewrite
from library.retrieval import analyse_query, clean_query, query_vector, search_chunks
from qa import evidence
from qa.answers import LECTURE, META, Answer
from qa.classify import is_meta, meta_answer, refers_to_lecture
from qa.definitions import asked_term, promote_definitions
from qa.followup import Turn, is_vague, rewrite_offline
from qa.model import ModelAnswerer
from qa.offline import OfflineAnswerer
from qa.position import LectureContext

RETRIEVED = 8
LICENCE_SPARE = 8  # passages searched beyond the limit, for the licence passages left out
DEFINITION_RETRIEVED = 20
WINDOW = 3  # sentences of the lecture judged together
_UNSET = object()


def chosen_llm(llm=_UNSET):
    """`llm`, or when not given the configured model (None: offline)."""
    return get_llm() if llm is _UNSET else llm


def clean_question(question: str | None) -> str:
    return clean_query(question, 1)[0]


def rewrite_followup(question: str, history: Sequence[Turn], llm=None, job=None) -> str | None:
    """A self-contained rewrite of a vague follow-up, or None when it stands alone."""
    offline = rewrite_offline(question, list(history))
    if llm is None or not history or (offline is None and not is_vague(question)):
        return offline
    prompt = load_prompt("qa.prompts", "rewrite_followup")
    lines = "\n".join(f"Q: {t.resolved}\nA: {t.answer[:400]}" for t in list(history)[-3:])
    try:
        result = llm.complete(
            "You rewrite follow-up questions so they stand alone.",
            [{"role": "user", "content": prompt.render(history=lines, question=question)}],
            max_tokens=120,
            temperature=0.0,
            purpose="qa.rewrite_followup",
            job=job,
            prompt_version=prompt.key,
        )
    except AIError:
        return offline
    rewritten = " ".join(result.text.split())
    if rewritten.startswith("{"):
        from docprof.ai.llm import extract_json

        try:
            rewritten = str(extract_json(rewritten).get("question", "")).strip()
        except ValueError:
            rewritten = ""
    return rewritten if rewritten and rewritten != question else offline


@lru_cache(maxsize=32)
def _sentences(text: str) -> tuple[str, ...]:
    return tuple(split_sentences(text))


@lru_cache(maxsize=4096)
def _sentence_terms(sentence: str) -> tuple[str, ...]:
    return tuple(content_terms(sentence))


def best_window(text: str, terms) -> tuple[float, str]:
    """The run of WINDOW sentences of `text` covering most of the question's key terms.

    Each sentence is reduced to its terms once (a window's terms are its sentences' terms in order:
    no word spans the space that joins them), not once per window it is part of. Both are kept
    (per text, per sentence): every question asked in a lecture reads the same script again."""
    sentences = _sentences(text)
    sentence_terms = [_sentence_terms(s) for s in sentences]
    best, best_text = 0.0, ""
    for i in range(max(1, len(sentences) - WINDOW + 1)):
        window_terms = [t for one in sentence_terms[i : i + WINDOW] for t in one]
        score = evidence.coverage(terms, window_terms, terms.groups).score
        if score > best:
            best, best_text = score, " ".join(sentences[i : i + WINDOW])
    return best, best_text


def retrieve(asked: str, book_ids: Sequence[int], terms, embedder=None) -> list:
    """The passages a question is answered from: the search's, with the passage that defines the
    asked term first for a definition question ("What is X?")."""
    if not book_ids:
        return []
    # A definition question looks further down the ranking for the passage that defines the term.
    limit = DEFINITION_RETRIEVED if asked_term(asked) else RETRIEVED
    vector = query_vector(asked, terms, embedder)  # embedded once, for a second search too
    hits = search_chunks(asked, book_ids, limit, embedder=embedder, terms=terms, vector=vector)
    if any(is_licence_passage(h.chapter, h.heading_path) for h in hits) and not asks_about_licence(asked):
        # A licence's everyday words match questions it does not answer (library.boilerplate).
        more = search_chunks(
            asked, book_ids, limit + LICENCE_SPARE, embedder=embedder, terms=terms, vector=vector
        )
        hits = [h for h in more if not is_licence_passage(h.chapter, h.heading_path)][:limit]
    hits = promote_definitions(asked, hits, book_ids)
    return hits[:RETRIEVED]


def answer_question(question: str, book_ids: Sequence[int], **options) -> Answer:
    """The answer to `question` (see `answer_events` for the options)."""
    return collect(answer_events(question, book_ids, **options))[1]


def answer_events(
    question: str,
    book_ids: Sequence[int],
    *,
    context: LectureContext | None = None,
    history: Sequence[Turn] = (),
    llm=_UNSET,
    answerer=None,
    embedder=None,
    job=None,
    book_titles: Sequence[str] = (),
    stream: bool = False,
) -> Generator[str, None, Answer]:
    """Answer `question`; with `stream`, yield the answer's text as a streaming answerer writes it
    (a preview: the returned Answer, with its verified sources, is authoritative)."""
    question = clean_question(question)
    llm = chosen_llm(llm)
    rewritten = rewrite_followup(question, history, llm, job)
    asked = rewritten or question
    if context is not None and is_meta(asked):
        return Answer(META, meta_answer(asked, context), rewritten_question=rewritten, answerer="meta")
    extra = vocabulary_rewrite(asked, llm, book_titles=list(book_titles), job=job) if llm else ""
    terms = analyse_query(asked, book_ids, extra)
    hits = retrieve(asked, book_ids, terms, embedder=embedder)
    later = False
    if context is not None and context.script:
        said, to_come = context.said_and_to_come()
        said_score, said_text = best_window(said, terms)
        come_score, _ = best_window(to_come, terms)
        if evidence.answers(said_score) and (refers_to_lecture(asked) or not hits):
            text = f"Earlier in this lecture: \u201c{said_text}\u201d"
            return Answer(LECTURE, text, [], rewritten, evidence=said_score, answerer="lecture")
        later = evidence.answers(come_score) and come_score > said_score
    if answerer is None:
        answerer = ModelAnswerer(llm, job) if llm is not None else OfflineAnswerer(embedder=embedder)
    if stream and hasattr(answerer, "answer_stream"):
        result = yield from answerer.answer_stream(asked, hits, terms, later=later)
    else:
        result = answerer.answer(asked, hits, terms, later=later)
    result.rewritten_question = rewritten
    result.answerer = result.answerer or answerer.name
    return result
