"""The offline answerer: extractive (the best sentences of the best passages, with citations),
abstaining when the calibrated judge (qa.evidence.judge) finds that the passages do not answer."""

from __future__ import annotations

import re

from docprof.ai.factory import get_embedder
from library.fulltext import title_lexemes
from library.ranking import QueryTerms
from library.retrieval import (
    SearchHit,
    chunk_lexemes,
    chunk_positions,
    scope_phrases_held,
    scope_uses_word,
    scope_vocabulary_near,
    text_positions,
    word_lexemes,
)
from library.selectors import book_authors
from qa import evidence
from qa.answers import LIBRARY, Answer, best_sentences, cite, not_found, sentence_score, source_for
from qa.comparisons import most_contrasting
from qa.definitions import defining_sentences

MAX_PASSAGES = 3  # passages quoted in an answer
JUDGED = 5  # passages whose coverage is judged
SUPPORT = 0.75  # a passage is quoted when it covers at least this share of what the best one covers
LEAD_SHARE = 0.8  # a lower-ranked passage leads when its best sentence scores this share of the best
SEE_ALSO_SHARE = 0.5  # ... and its quoted sentence at least this share of the lead sentence's key terms


class OfflineAnswerer:
    name = "offline-extractive-v2"

    def __init__(
        self, threshold: float | None = None, *, weights=None, bias: float | None = None, embedder=None
    ):
        """`threshold`: the answer probability below which it abstains (default: the judge's);
        `weights`/`bias`: another judge model (calibration); `embedder`: the one the passages were
        retrieved with (default: the configured one), whose calibrated judge is used when the
        passages carry its similarity (evidence.judge_constants)."""
        self.threshold = evidence.ANSWER_PROBABILITY if threshold is None else threshold
        self.weights, self.bias = weights, bias
        self.embedder = embedder

    def judge_constants(self, similarity: float | None) -> tuple[dict | None, float | None]:
        """The judge's (weights, bias): given ones, else those calibrated for the embedder."""
        if self.weights is not None or similarity is None:
            return self.weights, self.bias
        return evidence.judge_constants((self.embedder or get_embedder()).name)

    def names(self, question: str, terms: QueryTerms) -> dict[str, str]:
        """The question's names (evidence.name_words) among its key terms: lexeme -> the word."""
        keys = set(evidence.key_terms(terms))
        found = {}
        for word, lexemes in word_lexemes(evidence.name_words(question)).items():
            for lexeme in lexemes:
                if lexeme in keys:
                    found[lexeme] = word
        return found

    @staticmethod
    def surfaces(question: str, terms: QueryTerms, names: dict[str, str]) -> dict[str, set[str]]:
        """The question's own words behind each key term that is not a name: lexeme -> words."""
        keys = {t for t in evidence.key_terms(terms) if evidence.checkable(t)} - set(names)
        tokens = re.findall(r"[A-Za-z][\w'\-]*", question)
        words = {w for token in tokens for w in re.split(r"[-_]", token) if w}
        found: dict[str, set[str]] = {}
        for word, lexemes in word_lexemes(sorted(words)).items():
            for lexeme in lexemes:
                if lexeme in keys:
                    found.setdefault(lexeme, set()).add(word)
        return found

    @staticmethod
    def frames(hits: list[SearchHit]) -> dict[int, tuple[str, set[str]]]:
        """Each book's title and authors, and their lexemes, by book id: what frames every passage
        of the book."""
        authors = book_authors({h.book_id for h in hits})
        frames = {h.book_id: f"{h.book_title}\n{authors.get(h.book_id, '')}".strip() for h in hits}
        return {book: (frame, set(text_positions(frame))) for book, frame in frames.items()}

    def coverages(
        self,
        question: str,
        hits: list[SearchHit],
        terms: QueryTerms,
        names: dict[str, str] | None = None,
        frames: dict[int, tuple[str, set[str]]] | None = None,
        asked: dict[str, list[int]] | None = None,
    ) -> list[tuple[SearchHit, evidence.Coverage]]:
        """Key-term coverage of the question by each of the best passages; a passage holds a name
        only if its text has the word itself (`asked`: the question's text_positions, if known)."""
        names = names or {}
        surfaces = self.surfaces(question, terms, names)
        frames = self.frames(hits[:JUDGED]) if frames is None else frames
        ids = [h.chunk_id for h in hits[:JUDGED]]
        lexemes = chunk_lexemes(ids)
        positions = chunk_positions(ids, evidence.key_terms(terms))
        asked = text_positions(question) if asked is None else asked
        keys = set(evidence.key_terms(terms))
        judged = []
        for h in hits[:JUDGED]:
            have, where = set(lexemes.get(h.chunk_id, ())), dict(positions.get(h.chunk_id, {}))
            # The book's title and authors frame every passage of it, like a heading: "hydration in
            # a bread dough" is covered by a passage on hydration in a book called "Bread Dough ...",
            # and "What does Smith mean by ...?" by a passage of Smith's book that does not say "Smith".
            frame, framing = frames[h.book_id]
            for lexeme in framing & keys:
                have.add(lexeme)
                where[lexeme] = (where.get(lexeme, ([], False))[0], True)
            text = "\n".join((h.text, " ".join(h.heading_path or ()), frame))
            for lexeme, word in names.items():
                if lexeme in have and not evidence.mentions(text, word):
                    have.discard(lexeme)
                    where.pop(lexeme, None)
            # a key term held only as another word with its lexeme ("capitation" for "capital")
            for lexeme, words in surfaces.items():
                if lexeme in have and not any(evidence.holds_variant(text, w) for w in words):
                    have.discard(lexeme)
                    where.pop(lexeme, None)
            cover = evidence.coverage(
                terms, have, terms.groups, question_positions=asked, positions=where, names=names
            )
            judged.append((h, cover))
        return judged

    def judge(
        self,
        question: str,
        hits: list[SearchHit],
        terms: QueryTerms,
        frames: dict[int, tuple[str, set[str]]] | None = None,
    ) -> tuple[list[tuple[SearchHit, evidence.Coverage]], evidence.Judgement]:
        names = self.names(question, terms)
        frames = self.frames(hits[:JUDGED]) if frames is None else frames
        asked = text_positions(question)
        judged = self.coverages(question, hits, terms, names, frames, asked)
        unseen = [t for t in evidence.key_terms(terms) if not terms.df.get(t) and evidence.checkable(t)]
        near = scope_vocabulary_near(unseen, terms.book_ids) if unseen and terms.book_ids else set()
        unused = [
            lexeme
            for lexeme, word in names.items()
            if word.lower() != lexeme
            and terms.df.get(lexeme)
            and not scope_uses_word(word, lexeme, terms.book_ids, terms.df[lexeme])
        ]
        absent = evidence.absent_terms(terms, near, names, unused)
        if absent:  # a word of a title or an author's name is no sign of a near miss
            framed = title_lexemes(terms.book_ids) if terms.book_ids else set()
            framed |= {lexeme for _, lexemes in frames.values() for lexeme in lexemes}
            absent = [t for t in absent if t not in framed]
        compounds = evidence.compounds(terms, asked)
        held = scope_phrases_held(compounds, terms.book_ids) if compounds else set()
        unseen = [pair for pair in compounds if pair not in held] if terms.book_ids else []
        similarities = [h.similarity for h in hits[:JUDGED] if h.similarity is not None]
        similarity = max(similarities) if similarities else None
        weights, bias = self.judge_constants(similarity)
        verdict = evidence.judge(
            terms,
            [c for _, c in judged],
            absent,
            weights,
            bias,
            names,
            unseen_compounds=unseen,
            similarity=similarity,
        )
        return judged, verdict

    @staticmethod
    def lead_first(
        question: str,
        support: list[SearchHit],
        terms: QueryTerms,
        keys: list[str],
        contrasting: list[str] | None = None,
        framed: dict[int, set[str]] | None = None,
    ) -> tuple[list[SearchHit], list[str]]:
        """`support` with the passage whose best sentence says most on the question first (among
        those within LEAD_SHARE of the best, the highest ranked), unless the first one defines the
        asked term or compares what the question compares (`contrasting`: its sentence): a passage
        that only names the topic, in code or in a review question, does not lead the answer. Also
        the lead's sentences: its definition of the asked term, its comparison, or its best two
        (`framed`: each book's key terms from its title, see answers.sentence_score)."""
        if not support:
            return support, []
        defining = defining_sentences(question, support[0].text) or contrasting
        if defining:
            return support, defining
        framed = framed or {}
        runs = [best_sentences(h.text, terms, 2, framed.get(h.book_id, ())) for h in support]
        lead = 0
        if len(support) > 1:
            scores = [
                max((sentence_score(s, keys, terms, framed.get(h.book_id, ())) for s in run), default=0.0)
                for h, run in zip(support, runs, strict=True)
            ]
            lead = next(i for i, score in enumerate(scores) if score >= LEAD_SHARE * max(scores))
        ordered = [support[lead], *support[:lead], *support[lead + 1 :]]
        return ordered, (defining_sentences(question, support[lead].text) if lead else None) or runs[lead]

    def answer(
        self, question: str, hits: list[SearchHit], terms: QueryTerms, *, later: bool = False
    ) -> Answer:
        frames = self.frames(hits[:JUDGED])
        judged, verdict = self.judge(question, hits, terms, frames)
        if not judged or verdict.probability < self.threshold:
            result = not_found(question, hits, terms, verdict.missing, absent=verdict.absent)
            result.evidence, result.judgement = verdict.probability, verdict.features
            return result
        best = max(c.score for _, c in judged)
        # every judged passage may lead (an option's entry ranked fourth); at most MAX_PASSAGES are quoted
        support = [h for h, c in judged if c.score > 0 and c.score >= SUPPORT * best]
        contrast, contrasting = most_contrasting(question, [h for h, _ in judged], terms) or (None, None)
        if contrast is not None:
            # a comparison leads with the passage that sets its two sides against each other (it
            # names the two sides, not necessarily every word asked)
            support = [contrast, *[h for h in support if h is not contrast]][:MAX_PASSAGES]
        keys = evidence.key_terms(terms)
        # (a question on the book's title alone, "What is libtasn1?", is weighed as asked)
        framed = {
            book: lexemes & set(keys) for book, (_, lexemes) in frames.items() if not set(keys) <= lexemes
        }
        support, lead_sentences = self.lead_first(question, support, terms, keys, contrasting, framed)
        support = support[:MAX_PASSAGES]
        sources, parts, lead_score = [], [], 0.0
        for hit in support:
            n = len(sources) + 1
            own = framed.get(hit.book_id, ())
            sentences = lead_sentences if n == 1 else best_sentences(hit.text, terms, 1, own)
            score = max((sentence_score(s, keys, terms, own) for s in sentences), default=0.0)
            if n == 1:
                lead_score = score
            elif score <= 0 or score < SEE_ALSO_SHARE * lead_score:
                continue  # the passage matches, but no sentence of it says much on the question
            sources.append(source_for(n, hit, " ".join(sentences)))
            lead = "According to" if n == 1 else "See also"
            parts.append(f"{lead} {cite(hit)}: \u201c{' '.join(sentences)}\u201d [{n}]")
        text = "\n".join(parts)
        if later:
            text = "This comes up later in this lecture; briefly: " + text
        return Answer(
            LIBRARY,
            text,
            sources,
            evidence=verdict.probability,
            judgement=verdict.features,
            later_in_lecture=later,
        )
