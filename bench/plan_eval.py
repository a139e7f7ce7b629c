"""Course-planning quality over real books: the right material, honest refusals, concrete objectives,
sections sized to their sources.

    .venv/bin/python bench/plan_eval.py [--split dev|test|holdout|dev2|holdout2|dev3|holdout3|
                                           dev4|holdout4|all]
        [--only ID] [--show]
        [--reingest]

Requests and what a teacher would expect for them are in bench/data/plan_requests.json (2-3 corpus
books loaded at once, so other books are distractors). The corpus is ingested once into the bench's
own database, docprof_plan_eval (kept between runs; re-ingested when the parsing, chunking or
summary code changes, or with --reingest). Each request is planned in this process by the product's
material search and the offline planner (the same functions the course job's steps call), without a
job.

Printed per split -- dev: tuned on; test: reported (its outlines were looked at during tuning);
holdout: requests written after tuning, run once for the record; dev2 / holdout2: a second set
(one-book libraries, "How do ... work?" questions, two topics, 0.25-0.5 h budgets), tuned on /
run once at the end; dev3 / holdout3: a third (a chapter's subject asked for in words that match its
later sections more than its opening ones, which are the expected material), likewise:
- precision: planned sections drawn from expected material (a section counts when at least half of
  its source words come from the request's expected or acceptable material);
- recall: expected topics covered (a topic counts when some section cites its expected material);
- refusals: out-of-library requests refused, and in-library requests wrongly refused;
- missing reported: partially covered requests whose missing topics are listed, and topics reported
  covered that the course does not teach (must be 0);
- templated objectives (0 allowed) and sections with fewer than 2 or more than 6 objectives;
- malformed objectives (0 allowed; checked here, independently of the planner's own filter): an
  object that is a caption ("Define Listing 10-22", "Figure 3.2", "Table 4"), a fragment opening with
  a preposition or conjunction ("Explain in function signatures"), or words the section's sources do
  not use in running prose ("Use the cargo run command" in a section that only shows `$ cargo run`
  output), or wording no teacher would write (`wording_problem`): a heading's capitalised article
  ("Explain A common mistake"), a head that needs a complement ("Explain the issue", "Explain two
  proposed solutions"), a clause ("Explain observation arrives"), an everyday word the section neither
  defines nor heads as a term to define ("Define life"), a term the sources always write with an
  article written bare -- `--show` names each;
- sections whose minutes exceed what their sources support (courses/planning/material.py's rule);
- repeated part titles and composed "X and Y and Z" titles (a book's own heading is not counted);
  the time contract (planned total within 5%).
Targets: precision >= 0.9, recall >= 0.8, refusals 100%, templated objectives 0.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
DATA = ROOT / "bench" / "data" / "plan_requests.json"
DB_NAME = "docprof_plan_eval"
USER = "plan-eval"
PREFERENCES = {"depth": "standard", "presentation_style": "lecture", "pace_wpm": 150, "notes": ""}
SPLITS = ("dev", "test", "holdout", "dev2", "holdout2", "dev3", "holdout3", "dev4", "holdout4")
INGEST_CODE = ["library/parsing", "library/chunking.py", "library/summaries.py", "library/services.py"]


# A numbered caption ("Listing 10-22", "Figure 3.2"), or a numbered or coded theorem-like label
# ("Theorem 4.1", "Definition EEM", "Lemma SER": books label results with numbers or capital codes).
CAPTION_RE = re.compile(
    r"\b(?i:listing|figure|fig\.|table|example|exhibit|equation|eq\.|chart|plate|box)\s+\(?\d+(?:[-.–:]\d+)*"
    r"|\b(?i:theorem|lemma|corollary|definition|proposition|proof|axiom|remark)\s+(?:\(?\d+(?:[-.–:]\d+)*|[A-Z]{2,6}\b)"
)
LEAD_WORDS = frozenset(
    """in of on at by for from to with without within into onto and or but nor as than about via through
    over under after before between against during""".split()
)
NOUN_VERBS = frozenset({"explain", "define", "calculate", "describe", "compare", "identify", "list"})
FRAME_WORDS = frozenset({"command", "commands"})  # "Use the X command": the frame, not the object


def prose_sentences(text: str) -> list[str]:
    """Runs of running text: at least five plain words in a row. Code and program output flattened
    into a passage break the runs, and so does a shell prompt with the command after it ("$ cargo
    run" before a compiler's output)."""
    tokens = text.split()
    # a word, an acronym ("IORB") or a name written in mixed case ("iPhone"), with its punctuation
    word = r"[(\"“‘`]?(?:[A-Za-z][a-z'’\-]*|[A-Z]{2,}s?|[a-z]+[A-Z][A-Za-z]*)[,.;:?!)\"”’`]*"
    plain = [bool(re.fullmatch(word, t)) for t in tokens]
    for k, t in enumerate(tokens):
        if t == "$":
            plain[k + 1 : k + 3] = [False] * len(plain[k + 1 : k + 3])
    runs, current = [], []
    for t, ok in zip(tokens, plain, strict=True):
        if ok:
            current.append(t)
            continue
        if len(current) >= 5:
            runs.append(" ".join(current))
        current = []
    if len(current) >= 5:
        runs.append(" ".join(current))
    return runs


# Heads that say nothing without a complement: "Explain the issue", "Explain two proposed solutions"
VAGUE_HEADS = frozenset(
    """issue issues mistake mistakes solution solutions problem problems view views point points thing things
    idea ideas way ways approach approaches question questions case cases story stories note notes comment
    comments remark remarks detail details digression caveat caveats postscript trap traps option options
    matter matters aside lesson lessons fact facts version versions text refresher summary overview
    discussion difference differences complication complications concern concerns thought thoughts tip tips
    trick tricks basics preliminaries conclusion conclusions look tour""".split()
)
DETERMINERS = r"(?:a|an|the|this|that|these|those|each|every|any|no|its|their|our|your|his|her|my|one|two)"
EXPLICIT_DEFINITION = (
    r"(?:\b(?:called|known\s+as|termed|defined\s+as|definition\s+of|the\s+term)\s+[\"“']?(?:an?\s+|the\s+)?{w}\b"
    r"|\b{w}\s+(?:is\s+defined\s+as|refers?\s+to|means)\b)"
)
EVERYDAY_ZIPF = 4.5  # a word this common in general English is no term unless the section makes it one


def english_zipf() -> dict[str, float]:
    """How common each stem is in general English (the product's table, read only)."""
    from docprof.ai.rarity import zipf_table

    return zipf_table()


def wording_problem(objective: str, sources: str, headings: str, zipf: dict[str, float]) -> str | None:
    """Why an objective is vague or no objective at all, judged on its words and its section's sources:
    a heading's capitalised article ("Explain A common mistake"), a head that needs a complement
    ("Explain the issue", "Explain two proposed solutions"), a clause ("Explain observation arrives",
    "Explain streams are delayed lists", "Explain how does income affect demand"), an everyday word as a
    term to define that the section neither defines nor heads ("Define life"), or a term written bare that
    the sources always write with an article ("Calculate error rate")."""
    from courses.planning.request import stems_of

    verb, *rest = objective.split()
    if not rest:
        return None
    if rest[0] in ("A", "An", "The"):
        return "heading-case"
    words = [w.strip(",.;:") for w in rest]
    bare = [w for w in words if w.lower() not in ("a", "an", "the")]
    complement = re.search(r"\b(?:of|in|for|between|to|on|with|about)\b", " ".join(words))
    if complement is None and bare and bare[-1].lower() in VAGUE_HEADS:
        return "vague"
    low = " ".join(words).lower()
    if re.match(r"^(?:how|why|when|where)\s+(?:do|does|did)\b", low):
        return "clause"
    if not re.match(r"^(?:what|who|how|why|when|where|which)\b", low) and re.search(
        r"\s(?:is|are|was|were)\s", f" {low} "
    ):
        return "clause"
    last = bare[-1] if bare else ""
    if 2 <= len(bare) <= 3 and re.fullmatch(r"[a-z]+[^su]s", last) and not last.endswith("ies"):
        forms = "|".join(re.escape(b) for b in {last, last[:-1], last[:-2]} if len(b) > 2)
        # "a <form>", "the new <form>" -- not "an observation arrives", the objective's own words
        noun = any(
            (m.group(1) or "").strip().lower() != bare[-2].lower()
            for m in re.finditer(rf"\b{DETERMINERS}\s+([\w\-]+\s+)?(?:{forms})\b", sources, re.I)
        )
        verb_use = re.search(
            rf"\b(?:to|will|would|can|could|may|might|must|should|it|they|we|you|he|she)\s+(?:{forms})\b",
            sources,
            re.I,
        )
        if verb_use and not noun:
            return "clause"  # "observation arrives": the sources use "arrive" as a verb, never as a noun
    if verb == "Define" and len(bare) == 1 and "-" not in bare[0]:
        word = bare[0]
        stem = (stems_of(word) or [word.lower()])[0]
        w = re.escape(word.lower().rstrip("s")) + r"s?"
        if (
            zipf.get(stem, 0.0) >= EVERYDAY_ZIPF
            and stem not in set(stems_of(headings))
            and not re.search(EXPLICIT_DEFINITION.format(w=w), sources, re.I)
        ):
            return "everyday-word"
    if len(bare) == len(words) and 2 <= len(bare) <= 4 and not last.endswith("s") and last.islower():
        phrase = r"\s+".join(re.escape(x) for x in bare)
        with_article = len(re.findall(rf"\b(?:a|an|the)\s+{phrase}\b", sources, re.I))
        total = len(re.findall(rf"\b{phrase}\b", sources, re.I))
        if total >= 2 and with_article == total:
            return "article"
    return None


def objective_problem(objective: str, prose_stems: set[str]) -> str | None:
    """Why an objective is malformed (a caption, a fragment, words the sources' prose lacks), or None."""
    from courses.planning.request import stems_of

    verb, *rest = objective.split()
    if CAPTION_RE.search(" ".join(rest)):
        return "caption"
    if verb.lower() in NOUN_VERBS and rest and rest[0].lower() in LEAD_WORDS:
        return "fragment"  # "Push to your remotes" is a whole verb phrase; "Explain in function ..." is not
    # a placeholder ("<tagname>") or a command's option ("-d") is no word of the sources' prose
    words = [w for w in rest if w.lower() not in FRAME_WORDS and not re.fullmatch(r"<[^>]*>[.,]?|-+\w+", w)]
    content = set(stems_of(" ".join(words)))
    if content - prose_stems:
        return "off-source"
    return None


def setup() -> None:
    os.environ.update(
        {
            "DOCPROF_DB_NAME": DB_NAME,
            "REDIS_DB": "12",
            "DJANGO_SETTINGS_MODULE": "docprof.settings",
            "DOCPROF_MEDIA_ROOT": str(ROOT / "var" / "plan_eval_media"),
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "bench-only-secret-key",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import psycopg
    from django.core.management import call_command
    from django.db import connection

    params = connection.get_connection_params()
    kw = {k: params[k] for k in ("user", "password", "host", "port") if params.get(k)}
    with psycopg.connect(dbname="postgres", autocommit=True, **kw) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone():
            admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    call_command("migrate", verbosity=0, interactive=False)


def ingest_version() -> str:
    digest = hashlib.sha256()
    for name in INGEST_CODE:
        path = ROOT / name
        for f in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


def ensure_books(files: dict[str, str], reingest: bool) -> dict[str, int]:
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile

    from library.models import Book
    from library.services import add_book, pending_embedding
    from workers import engine

    user, _ = get_user_model().objects.get_or_create(username=USER)
    marker = ROOT / "var" / "plan_eval_ingest_version"
    version = ingest_version()
    if reingest or not marker.exists() or marker.read_text() != version:
        Book.objects.filter(owner=user).delete()
    ids = {}
    for key, name in files.items():
        book = Book.objects.filter(owner=user, original_filename=name, status=Book.Status.READY).first()
        if book is None:
            Book.objects.filter(owner=user, original_filename=name).delete()
            start = time.perf_counter()
            added = add_book(
                owner=user, fileobj=ContentFile((CORPUS / name).read_bytes()), filename=name, enqueue=False
            )
            engine.run_inline(added.job.pk)
            for job_id in pending_embedding(added.book.pk):  # a model embedder's passages
                engine.run_inline(job_id)
            book = Book.objects.get(pk=added.book.pk)
            print(f"ingested {name}: {book.status} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        ids[key] = book.id
    marker.parent.mkdir(exist_ok=True)
    marker.write_text(version)
    return ids


def plan(query: str, hours: float, book_ids: list[int]) -> dict:
    """The course job's steps in this process (no job row): search, parts, expand, review."""
    from courses import steps
    from courses.budget import rebalance
    from courses.planning import PlanContext, material
    from courses.planning.offline import OfflinePlanner
    from courses.request import topic_of

    minutes = round(hours * 60)
    topic = topic_of(query)
    try:
        found = material.find_material(query, book_ids, minutes, PREFERENCES)
    except material.NoMaterial as exc:
        return {"refused": str(exc)}
    search = material.search_state(found)
    ctx = PlanContext.from_search(query, topic, minutes, PREFERENCES, search)
    planner = OfflinePlanner()
    title, drafts, _missing = planner.generate_parts(ctx)
    expanded = {str(i): planner.expand_part(ctx, drafts, i) for i in range(len(drafts))}
    final = rebalance(planner.review(ctx, steps.to_plans(drafts, expanded)), ctx.minutes)
    parts = [steps.plan_to_dict(p) for p in final]
    taught = {c for p in parts for s in p["sections"] for c in s["source_chunk_ids"]}
    return {"title": title, "search": search, "parts": parts, "coverage": material.coverage(search, taught)}


HEADING_NUMBER_RE = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[IVXLC]+[.:])\s+")


def matches(ref: list[str], book_key: str, chapter: str, path: list[str]) -> bool:
    """A passage is in `ref`'s material: its book, a chapter title containing ref[1], and (when given)
    a heading containing ref[2] -- or, for "^Heading", a heading that opens with it after its number."""
    if ref[0] != book_key or ref[1].lower() not in chapter.lower():
        return False
    if len(ref) < 3:
        return True
    if ref[2].startswith("^"):
        start = ref[2][1:].lower()
        return any(HEADING_NUMBER_RE.sub("", str(h), count=1).lower().startswith(start) for h in path[1:])
    return any(ref[2].lower() in str(h).lower() for h in path[1:])


def evaluate(request: dict, result: dict, keys: dict[int, str]) -> dict:
    from courses.planning.objectives import is_templated
    from courses.planning.request import stems_of
    from courses.planning.sizing import supported_minutes
    from courses.planning.titles import clean_title
    from library.models import Chunk

    row = {
        "id": request["id"],
        "split": request["split"],
        "refuse": bool(request.get("refuse")),
        "n_topics": len(request.get("topics", {})),
    }
    if "refused" in result:
        row.update(refused=True, message=result["refused"])
        return row
    row["refused"] = False
    if request.get("refuse"):
        return row
    ids = {c for p in result["parts"] for s in p["sections"] for c in s["source_chunk_ids"]}
    texts = dict(Chunk.objects.filter(id__in=ids).values_list("id", "text"))
    chunks = {
        c.id: (keys[c.book_id], c.chapter.title, c.heading_path, c.word_count)
        for c in Chunk.objects.filter(id__in=ids)
        .select_related("chapter")
        .only("id", "book_id", "word_count", "heading_path", "chapter__title")
    }
    expected = [r for refs in request["topics"].values() for r in refs] + request.get("also", [])
    sections, good, over, templated, bad_count, objectives = [], 0, 0, 0, 0, 0
    zipf = english_zipf()
    malformed: list[str] = []
    for part in result["parts"]:
        for s in part["sections"]:
            rows = [chunks[c] for c in s["source_chunk_ids"] if c in chunks]
            words = sum(r[3] for r in rows)
            ok_words = sum(r[3] for r in rows if any(matches(e, r[0], r[1], r[2]) for e in expected))
            on = words > 0 and ok_words >= 0.5 * words
            good += on
            limit = supported_minutes(words, PREFERENCES["depth"], PREFERENCES["pace_wpm"])
            over += s["minutes"] > math.ceil(limit)
            bad = [o for o in s["learning_objectives"] if is_templated(o, s["title"])]
            prose = " ".join(p for c in s["source_chunk_ids"] for p in prose_sentences(texts.get(c, "")))
            heads = " ".join(str(h) for r in rows for h in r[2][1:])
            prose_stems = set(stems_of(f"{prose} {heads} {s['title']}"))
            sources = " ".join(texts.get(c, "") for c in s["source_chunk_ids"])
            for o in s["learning_objectives"]:
                problem = objective_problem(o, prose_stems) or wording_problem(
                    o, sources, f"{heads} {s['title']}", zipf
                )
                if problem:
                    malformed.append(f"{problem}: {o} [{s['title']}]")
            templated += len(bad)
            objectives += len(s["learning_objectives"])
            bad_count += not 2 <= len(s["learning_objectives"]) <= 6
            sections.append((s, on, words, limit, bad, rows))
    covered_topics = []
    for name, refs in request["topics"].items():
        if any(any(matches(e, *r[:3]) for e in refs) for r in chunks.values()):
            covered_topics.append(name)
    reported = result["coverage"]
    titles = [p["title"] for p in result["parts"]]
    # the book's own headings are the author's words; only titles the planner composed are judged
    headings = {clean_title(str(h)).lower() for r in chunks.values() for h in [r[1], *r[2]]}
    total = sum(s["minutes"] for p in result["parts"] for s in p["sections"])
    planned = result["search"]["planned_minutes"]
    false_cover = [t for t in reported["covered_topics"] if t in request.get("missing", [])]
    row.update(
        sections=len(sections),
        on_material=good,
        topics=len(request["topics"]),
        topics_covered=len(covered_topics),
        missing_expected=request.get("missing", []),
        missing_reported=reported["missing_topics"],
        false_cover=false_cover,
        over_support=over,
        objectives=objectives,
        templated=templated,
        malformed=malformed,
        objective_count_bad=bad_count,
        repeated_titles=len(titles) - len({t.lower() for t in titles}),
        and_joins=sum(t.lower().count(" and ") >= 2 and t.lower() not in headings for t in titles),
        contract_ok=abs(total - planned) <= 0.05 * planned,
        planned=planned,
        requested=round(request["hours"] * 60),
        detail=(result, sections, covered_topics),
    )
    return row


def summary(rows: list[dict]) -> dict:
    covered = [r for r in rows if not r["refuse"]]
    planned = [r for r in covered if not r["refused"]]
    outside = [r for r in rows if r["refuse"]]
    sections = sum(r["sections"] for r in planned)
    partial = [r for r in planned if r["missing_expected"]]
    reported = sum(set(r["missing_expected"]) <= set(r["missing_reported"]) for r in partial)
    return {
        "requests": len(rows),
        "precision": round(sum(r["on_material"] for r in planned) / max(1, sections), 3),
        "recall": round(
            sum(r["topics_covered"] for r in planned) / max(1, sum(r["n_topics"] for r in covered)), 3
        )
        if covered
        else None,
        "refusals_correct": f"{sum(r['refused'] for r in outside)}/{len(outside)}",
        "wrongly_refused": f"{sum(r['refused'] for r in covered)}/{len(covered)}",
        "missing_reported": f"{reported}/{len(partial)}",
        "falsely_reported_covered": sum(len(r["false_cover"]) for r in planned),
        "sections": sections,
        "objectives": sum(r["objectives"] for r in planned),
        "templated_objectives": sum(r["templated"] for r in planned),
        "malformed_objectives": sum(len(r["malformed"]) for r in planned),
        "sections_without_2_to_6_objectives": sum(r["objective_count_bad"] for r in planned),
        "sections_over_support": sum(r["over_support"] for r in planned),
        "repeated_part_titles": sum(r["repeated_titles"] for r in planned),
        "and_joined_titles": sum(r["and_joins"] for r in planned),
        "time_contract_ok": f"{sum(r['contract_ok'] for r in planned)}/{len(planned)}",
    }


def show(request: dict, row: dict) -> None:
    print(
        f"\n## {request['id']} [{request['split']}] {request['query']} "
        f"({request['hours']} h, {request['books']})"
    )
    if row["refused"]:
        print(f"   REFUSED: {row['message']}")
        return
    if "detail" not in row:
        print("   planned a course (should have refused)")
        return
    result, sections, covered = row["detail"]
    print(
        f"   title: {result['title']} | planned {row['planned']} of {row['requested']} min | "
        f"notes: {result['coverage']['notes']}"
    )
    print(f"   topics covered (expected material): {covered} | reported missing: {row['missing_reported']}")
    i = 0
    for part in result["parts"]:
        print(f"   PART {part['title']}")
        for s in part["sections"]:
            s_, on, words, limit, bad, rows = sections[i]
            i += 1
            chapters = sorted({f"{r[0]}:{r[1][:30]}" for r in rows})
            flag = "" if on else "  <-- off"
            print(
                f"     - {s['title'][:60]} | {s['minutes']} min ({words} w, max {limit:.0f}) {chapters}{flag}"
            )
            for o in s["learning_objectives"]:
                flag = "  <-- TEMPLATED" if o in bad else ""
                problems = [m.split(":")[0].upper() for m in row["malformed"] if f": {o} [" in m]
                flag += "".join(f"  <-- {m}" for m in problems)
                print(f"         * {o}{flag}")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    p.add_argument("--only", help="one request id")
    p.add_argument("--show", action="store_true", help="print every outline")
    p.add_argument("--reingest", action="store_true")
    args = p.parse_args(argv)
    data = json.loads(DATA.read_text())
    setup()
    ids = ensure_books(data["books"], args.reingest)
    keys = {v: k for k, v in ids.items()}
    rows = []
    start = time.perf_counter()
    for request in data["requests"]:
        if args.only and request["id"] != args.only:
            continue
        if args.split != "all" and request["split"] != args.split:
            continue
        result = plan(request["query"], request["hours"], [ids[b] for b in request["books"]])
        row = evaluate(request, result, keys)
        rows.append(row)
        if args.show or args.only:
            show(request, row)
    elapsed = time.perf_counter() - start
    report = {}
    for split in SPLITS:
        subset = [r for r in rows if r["split"] == split]
        if subset:
            report[split] = summary(subset)
    report["all"] = summary(rows)
    print(f"\n{len(rows)} requests planned in {elapsed:.1f} s")
    names = list(report["all"])
    print(f"{'':38}" + "".join(f"{s:>10}" for s in report))
    for name in names:
        print(f"{name:38}" + "".join(f"{str(report[s][name]):>10}" for s in report))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
