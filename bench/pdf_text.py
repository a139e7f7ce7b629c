"""PDF passage text: concrete defects per 1,000 sentences of the passages the product stores.

    .venv/bin/python bench/pdf_text.py                 # every PDF in ../shared/corpus
    .venv/bin/python bench/pdf_text.py A.pdf -e 5      # one PDF, five examples of each defect

Each PDF is parsed and chunked as ingestion does (``parse_book`` + ``chunk_chapter``). The page
layout is read a second time, raw (``PageReader``), to know what each page holds: its edge lines
(the first and last two), its footnotes (a run of lines set smaller than the body text at the foot
of the page, opened by a number that is also set in the text above) and its display headings (lines
set at least 15% larger than the body text, or 5% larger and bold). Defects counted:

- running_head: an edge line repeated (digits aside) at the same edge of three or more pages that
  is found in the passage text of its page more often than in the page's other lines;
- page_number: a bare number alone on an edge line found in its page's passage text more often than
  in the page's other lines (glued to a word or not);
- hyphen_split: a word broken at a line end left in two ("informa- tion", "informa tion") where
  the book has the whole word and one half is not a word of the book;
- hyphen_lost: a hyphenated word whose hyphen was lost at a line break ("makerat") where the book
  writes it with the hyphen ("make-rat") more often than without;
- footnote_marker: a footnote number of the page glued to the text ("procedure.28",
  "28Embedded") or standing alone after a sentence ("f. 61 For");
- footnote_mid_sentence: a footnote's text placed where the sentence before it has not ended;
- heading_runin: a display heading followed, in the same passage, by the next sentence with no
  punctuation between ("1.2 Procedures ... Generate We have now");
- odd_char: characters that carry no text (private-use glyphs, control characters, U+FFFD/FFFE,
  ligature code points).

Also checked: that passages cite the right pages. Six-word runs of each passage (every 40th word)
are looked up, letters only, in the raw text of the pages the passage cites; a run found on other
pages only is counted (a run found nowhere spans text left out or moved, and is not).

Printed per book: sentences, each defect's count and rate per 1,000 sentences, parse seconds
(CPU), the runs not found on their pages, and examples; then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus"

KINDS = (
    "running_head",
    "page_number",
    "hyphen_split",
    "hyphen_lost",
    "footnote_marker",
    "footnote_mid_sentence",
    "heading_runin",
    "odd_char",
)
_WORD_RE = re.compile(r"[a-z]+(?:-[a-z]+)*")
_DIGITS_RE = re.compile(r"\d+")
_NOT_LETTER_RE = re.compile(r"[\W\d_]+")
_BARE_NUMBER_RE = re.compile(r"^(?:\d{1,4}|[ivxlcdm]{1,7})$", re.I)
_FOOTNOTE_LABEL_RE = re.compile(r"^(\d{1,3})(?=\s?(?:[“\"(]?[A-Za-z]{2}))")
_ODD_RE = re.compile("[\ue000-\uf8ff\x00-\x08\x0b\x0e-\x1f\x7f\ufffd\ufffe\ufb00-\ufb06]")
_SPLIT_HYPHEN_RE = re.compile(r"\b([A-Za-z]{2,})- ([a-z]{2,})\b")
_SPLIT_FOLIO_RE = re.compile(r"\b([a-z]{2,})\d{1,4} ([a-z]{2,})\b")
_SPLIT_SPACE_RE = re.compile(r"\b([a-z]{2,}) (?=([a-z]{2,})\b)")
_SENTENCE_END = tuple('.!?:;)”"’]')


# --- what each page holds, from the raw layout ------------------------------------------------------


class PageFacts:
    def __init__(self):
        self.edges: list[tuple[str, str]] = []  # (where, text)
        self.other: list[str] = []  # every line that is not an edge line
        self.footnotes: list[tuple[str, str]] = []  # (label, first words of the note)
        self.headings: list[str] = []
        self.letters = ""  # every letter of the page, lower case (to find a passage's words on it)


def read_layout(path: Path) -> tuple[list[PageFacts], float]:
    import pypdfium2 as pdfium

    from library.parsing.pdf_layout import PageReader

    pdf = pdfium.PdfDocument(str(path))
    try:
        reader = PageReader(pdf)
        pages = [reader.read(i) for i in range(len(pdf))]
        body = reader.body
    finally:
        pdf.close()
    repeats: Counter = Counter()
    for page in pages:
        lines = [ln.text.replace("\ufffe", "") for ln in page.lines if ln.text]
        for where, edge in (("top", lines[:2]), ("bottom", lines[-2:])):
            for text in edge:
                repeats[where, _DIGITS_RE.sub("#", text.lower())] += 1
    facts = []
    for page in pages:
        f = PageFacts()
        f.letters = _letters(" ".join(ln.text for ln in page.lines))
        lines = [ln for ln in page.lines if ln.text]
        edge_ids = {id(ln) for ln in lines[:2] + lines[-2:]} if len(lines) >= 3 else set()
        for i, ln in enumerate(lines):
            text = ln.text.replace("\ufffe", "")
            if id(ln) in edge_ids:
                where = "top" if i < 2 else "bottom"
                if _BARE_NUMBER_RE.match(text):
                    f.edges.append(("page_number", text))
                    continue
                words = [w for w in text.split() if any(c.isalpha() for c in w)]
                if repeats[where, _DIGITS_RE.sub("#", text.lower())] >= 3 and len(words) >= 3:
                    f.edges.append(("running_head", text))
                    continue
            f.other.append(text)
        # footnotes: the run of small lines at the foot (page numbers and running feet aside)
        end = len(lines)
        while end and (id(lines[end - 1]) in edge_ids and lines[end - 1].size >= 0.92 * body):
            end -= 1
        start = end
        while start and 0 < lines[start - 1].size < 0.92 * body:
            start -= 1
        body_text = "\n".join(ln.text for ln in lines[:start])
        for ln in lines[start:end]:
            m = _FOOTNOTE_LABEL_RE.match(ln.text)
            # a footnote's number is also set in the text above it, after a word or a punctuation mark
            prose = len(re.findall(r"\b[A-Za-z]{2,}\b", ln.text[:40])) >= 3
            if m and prose and re.search(rf"(?<=[A-Za-z.,;:!?)”’\"]){m.group(1)}(?!\d)", body_text):
                f.footnotes.append((m.group(1), ln.text[len(m.group(1)) :].strip()[:30]))
        run: list[str] = []
        for ln in lines + [None]:
            large = ln is not None and (
                ln.size >= 1.15 * body or (ln.size >= 1.05 * body and (ln.weight >= 600 or ln.bold_name))
            )
            if large and id(ln) not in edge_ids and ln.top >= 0:
                run.append(ln.text.replace("\ufffe", ""))
                continue
            if run:
                heading = " ".join(run)
                letters = sum(c.isalpha() or c.isspace() for c in heading)
                if 2 <= len(heading.split()) <= 16 and letters >= 0.8 * len(heading):
                    f.headings.append(heading)
                run = []
        facts.append(f)
    return facts, body


def _letters(text: str) -> str:
    return _NOT_LETTER_RE.sub("", text.lower())


def off_page(chunks, facts: list[PageFacts], every: int = 40, size: int = 6) -> tuple[int, int, list[str]]:
    """(runs on other pages, runs, examples): runs of ``size`` words taken every ``every`` words of
    each passage, looked up, letters only, in the raw text of the pages the passage cites; a run not
    there but on another page is cited with the wrong pages (a run found nowhere spans text left
    out or moved, a heading or a footnote, and is not counted)."""
    book = "\n".join(f.letters for f in facts)
    wrong, total, examples = 0, 0, []
    for c in chunks:
        if not c.page_start:
            continue
        pages = "".join(f.letters for f in facts[c.page_start - 1 : (c.page_end or c.page_start)])
        words = c.text.split()
        for i in range(0, max(1, len(words) - size), every):
            run = " ".join(words[i : i + size])
            letters = _letters(run)
            if len(letters) < 12:
                continue
            total += 1
            if letters not in pages and letters in book:
                wrong += 1
                examples.append(f"p.{c.page_start}-{c.page_end}: {run}")
    return wrong, total, examples


# --- counting ----------------------------------------------------------------------------------------


def _count(pattern: str, text: str) -> int:
    return len(re.findall(pattern, text))


def _context(text: str, start: int, end: int, width: int = 50) -> str:
    return "…" + text[max(0, start - width) : end + width].replace("\n", " ") + "…"


def count_defects(path: Path, examples: int, seed: int = 0) -> dict:
    from library.chunking import chunk_chapter, split_sentences
    from library.parsing import parse_book

    cpu = time.process_time()
    book = parse_book(path, "pdf")
    parse_cpu = time.process_time() - cpu
    chunks = [d for chapter in book.chapters for d in chunk_chapter(chapter)]
    facts, _ = read_layout(path)
    page_text: dict[int, list[str]] = defaultdict(list)
    for chapter in book.chapters:
        for block in chapter.blocks:
            page_text[block.page or 0].append(block.text)

    all_text = "\n".join(c.text for c in chunks)
    vocab = Counter(_WORD_RE.findall(all_text.lower()))
    found: dict[str, list[str]] = {k: [] for k in KINDS}

    def hit(kind: str, text: str, start: int, end: int) -> None:
        found[kind].append(_context(text, start, end))

    # page-local defects: furniture and footnote markers, in the blocks of their page
    for index, f in enumerate(facts):
        texts = page_text.get(index + 1, [])
        joined = "\n".join(texts)
        other = "\n".join(f.other)
        for kind, edge in f.edges:
            pattern = rf"(?<!\d){re.escape(edge)}(?!\d)" if kind == "page_number" else re.escape(edge)
            extra = _count(pattern, joined) - _count(pattern, other)
            if extra > 0:
                for m in list(re.finditer(pattern, joined))[:extra]:
                    hit(kind, joined, m.start(), m.end())
        for label, _ in f.footnotes:
            for pattern in (
                # procedure.28 (not "Section 1.28")
                rf"(?:(?<=[A-Za-z])|(?<=\S[,;:!?)”’\"])|(?<=[A-Za-z)”’\"]\.)){label}(?![\d\w])",
                rf"(?<![\w\d]){label}(?=[A-Za-z])",  # 28Embedded
                rf"(?<=[.!?:;”’\"] ){label}(?= [A-Z])",  # f. 61 For
            ):
                for m in re.finditer(pattern, joined):
                    hit("footnote_marker", joined, m.start(), m.end())
        for _, opening in f.footnotes:
            words = opening.split()[:4]
            if len(words) < 3:
                continue
            probe = re.compile(r"\d{0,3}\s?" + r"\s+".join(re.escape(w) for w in words))
            for m in probe.finditer(all_text):
                before = all_text[: m.start()].rstrip()
                if before and not before.endswith(_SENTENCE_END) and all_text[m.start() - 1] != "\n":
                    hit("footnote_mid_sentence", all_text, m.start(), m.end())

    for heading in sorted({h for f in facts for h in f.headings}):
        for m in re.finditer(re.escape(heading) + r" (?=[A-Z(“\"])", all_text):
            hit("heading_runin", all_text, m.start(), m.end() + 20)

    # book-wide defects: broken and lost hyphens, odd characters
    for m in _SPLIT_HYPHEN_RE.finditer(all_text):
        a, b = m.group(1).lower(), m.group(2)
        if vocab[a + b] and not vocab[f"{a}-{b}"]:
            hit("hyphen_split", all_text, m.start(), m.end())
    for m in _SPLIT_SPACE_RE.finditer(all_text):
        a, b = m.group(1), m.group(2)
        if vocab[a + b] >= 2 and min(vocab[a], vocab[b]) <= 2:
            hit("hyphen_split", all_text, m.start(), m.end() + len(b) + 1)
    for m in _SPLIT_FOLIO_RE.finditer(all_text):  # charac44 terized
        if vocab[m.group(1) + m.group(2)]:
            hit("hyphen_split", all_text, m.start(), m.end())
    for m in re.finditer(r"[a-z]{5,}", all_text):
        w = m.group(0)
        if (
            vocab[w] > 3
            or (m.end() < len(all_text) and all_text[m.end()] == "-")
            or all_text[m.start() - 1] == "-"
        ):
            continue
        best = max((vocab[f"{w[:i]}-{w[i:]}"] for i in range(2, len(w) - 1)), default=0)
        if best >= 2 and best > vocab[w]:
            hit("hyphen_lost", all_text, m.start(), m.end())
    for m in _ODD_RE.finditer(all_text):
        hit("odd_char", all_text, m.start(), m.end())

    sentences = sum(len(split_sentences(c.text)) for c in chunks)
    wrong, windows, wrong_examples = off_page(chunks, facts)
    rng = random.Random(seed)
    result = {
        "file": path.name,
        "pages": book.pages,
        "passages": len(chunks),
        "sentences": sentences,
        "parse_cpu_s": round(parse_cpu, 2),
        "off_page": [wrong, windows],
        "counts": {k: len(v) for k, v in found.items()},
        "per_1000_sentences": {k: round(1000 * len(v) / max(sentences, 1), 2) for k, v in found.items()},
    }
    result["total_per_1000"] = round(sum(result["per_1000_sentences"].values()), 2)
    found["off_page"] = wrong_examples
    result["examples"] = {k: rng.sample(v, min(examples, len(v))) for k, v in found.items() if v}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("-e", "--examples", type=int, default=3, help="examples printed per defect")
    args = parser.parse_args()
    paths = args.paths or (sorted(CORPUS.glob("*.pdf")) if CORPUS.exists() else [])
    if not paths:
        print(f"(no PDFs given and none in {CORPUS})")
        return
    results = [count_defects(p, args.examples) for p in paths]
    for r in results:
        print(
            f"\n{r['file']}: {r['pages']} pages, {r['passages']} passages, {r['sentences']} sentences, "
            f"parse {r['parse_cpu_s']} s CPU"
        )
        for kind in KINDS:
            rate = r["per_1000_sentences"][kind]
            print(f"  {kind:22} {r['counts'][kind]:>6} {rate:>9.2f} per 1,000 sentences")
        print(f"  {'all':22} {sum(r['counts'].values()):>6} {r['total_per_1000']:>9.2f}")
        wrong, windows = r["off_page"]
        print(f"  six-word runs of passage text found on other pages than those cited: {wrong} of {windows}")
        for kind, samples in r["examples"].items():
            for s in samples:
                print(f"    {kind}: {s}")
    print(json.dumps({"pdf_text": [{k: v for k, v in r.items() if k != "examples"} for r in results]}))


if __name__ == "__main__":
    main()
