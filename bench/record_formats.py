"""One formatter per bench: its stored JSON result -> Markdown table lines, and a headline
(value, target, met) for the summary. A bench without a formatter gets a generic table."""

from __future__ import annotations


def table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return lines


# --- ingest -------------------------------------------------------------------------------------
def ingest(result: dict) -> list[str]:
    rows = [
        [
            r["file"],
            r["format"],
            r["pages"],
            r["chapters"],
            r["chunks"],
            r["parse_chunk_pages_per_s"],
            r["embed_chunks_per_s"],
            r["peak_rss_mb"],
        ]
        for r in result["ingest"]
    ]
    return table(
        ["book", "format", "pages", "chapters", "chunks", "parse+chunk pages/s", "embed chunks/s", "peak MB"],
        rows,
    ) + [
        "",
        "Targets: at least 100 PDF pages/s parse+chunk on one core; "
        "peak memory under 500 MB for 1,000 pages.",
    ]


def ingest_headline(result: dict):
    pdfs = [r for r in result["ingest"] if r["format"] == "pdf"]
    slowest = min(r["parse_chunk_pages_per_s"] for r in pdfs) if pdfs else None
    peak = max(r["peak_rss_mb"] for r in result["ingest"])
    met = slowest is not None and slowest >= 100 and peak < 500
    return f"slowest PDF {slowest} pages/s, peak {peak} MB", "≥ 100 pages/s, < 500 MB", met


# --- pdf_structure ------------------------------------------------------------------------------
def pdf_structure(result: dict) -> list[str]:
    rows = [
        [
            r["file"],
            r["pages"],
            r["expected"],
            r["found"],
            r["matched"],
            f"{r['share']:.0%}" if r.get("share") is not None else "",
            r["unmatched_found"],
            r["pages_per_s"],
            r["pages_per_cpu_s"],
        ]
        for r in result["pdf_structure"]
    ]
    return table(
        [
            "PDF (bookmarks ignored)",
            "pages",
            "chapters",
            "found",
            "matched",
            "share",
            "extra",
            "pages/s",
            "pages/CPU s",
        ],
        rows,
    ) + ["", "Targets: ≥ 90% of the bookmarked chapters found from the layout alone; ≥ 100 pages/s."]


def pdf_structure_headline(result: dict):
    shares = [r["share"] for r in result["pdf_structure"] if r.get("share") is not None]
    low = min(shares) if shares else None
    return (
        f"lowest share matched {low:.0%}" if low is not None else "no ground truth",
        "≥ 90%",
        (low is not None and low >= 0.9),
    )


# --- search -------------------------------------------------------------------------------------
def search(result: dict) -> list[str]:
    rows = []
    for scope, data in result.get("scopes", {}).items():
        for mode in ("vector", "text", "hybrid"):
            m = data.get(mode)
            if m:
                rows.append(
                    [f"{scope} ({data.get('books')} books)", mode, m["p50_ms"], m["p95_ms"], m["p99_ms"]]
                )
    lines = table(["scope", "mode", "p50 ms", "p95 ms", "p99 ms"], rows)
    recall_rows = []
    for scope, data in result.get("scopes", {}).items():
        for ef, r in (data.get("recall") or {}).items():
            recall_rows.append(
                [scope, ef, r["recall10_limit10"], r["recall10_limit40"], r["vector_ids_limit10_p50_ms"]]
            )
    if recall_rows:
        lines += [
            "",
            *table(
                ["scope", "ef_search", "recall@10 (limit 10)", "recall@10 (limit 40)", "index scan p50 ms"],
                recall_rows,
            ),
        ]
    t, z = result.get("timings_s", {}), result.get("sizes", {})
    lines += [
        "",
        f"{result.get('chunks')} synthetic passages, {result.get('queries')} queries per measure; product "
        f"ef_search {result.get('ef_search_product')}. Build: load {t.get('load_s')} s, HNSW "
        f"{t.get('hnsw_build_s')} s; sizes: table {z.get('table_total')}, HNSW {z.get('hnsw')}.",
    ]
    return lines


def search_headline(result: dict):
    scope = result.get("scopes", {}).get("all_books", {})
    hybrid = scope.get("hybrid", {})
    recall = (scope.get("recall") or {}).get(str(result.get("ef_search_product")), {}).get("recall10_limit10")
    return (
        f"hybrid p95 {hybrid.get('p95_ms')} ms, recall@10 {recall} ({result.get('chunks')} passages)",
        "",
        None,
    )


# --- pipeline -----------------------------------------------------------------------------------
def pipeline(result: dict) -> list[str]:
    s, c, st, po = (result[k] for k in ("single_course", "concurrent_courses", "status", "post"))
    rows = [
        [
            f"one course, {s['parts']} parts, L = {s['latency_s']} s: wall (median)",
            f"{s['wall_s_median']} s",
            "",
        ],
        ["  its critical path 3·L", f"{s['critical_path_s']} s", ""],
        ["  ratio to the critical path", f"{s['ratio_to_critical_path']}×", f"≤ {s['target_ratio']}×"],
        ["  a sequential design (P+3)·L", f"{s['sequential_design_s']} s", ""],
        [
            f"{c['courses']} courses at once, one worker ({c['worker_threads']} threads)",
            f"{c['completed']} done in {c['total_s']} s",
            "all",
        ],
        [
            f"status, {st['pollers']} pollers every {st['interval_s']} s: p50 / p99",
            f"{st['p50_ms']} / {st['p99_ms']} ms",
            f"p99 ≤ {st['target_p99_ms']} ms",
        ],
        [
            "POST /api/courses (worker stopped): p50 / p99",
            f"{po['p50_ms']} / {po['p99_ms']} ms",
            f"p99 ≤ {po['target_p99_ms']} ms",
        ],
    ]
    return table(["measure", "value", "target"], rows)


def pipeline_headline(result: dict):
    s = result["single_course"]
    return (
        f"{s['ratio_to_critical_path']}× the critical path",
        f"≤ {s['target_ratio']}×",
        (s["ratio_to_critical_path"] <= s["target_ratio"]),
    )


# --- ai_overhead --------------------------------------------------------------------------------
def ai_overhead(result: dict) -> list[str]:
    rows = [[name, v["p50_ms"], v["p95_ms"]] for name, v in result["overhead"].items()]
    return table(["configuration (overhead per call)", "p50 ms", "p95 ms"], rows) + [
        "",
        f"{result['calls']} calls each; the bare FakeLLM's median "
        f"({result['bare_median_ms']} ms) is subtracted. "
        f"Target: ledger + limiter p95 < {result['target_p95_ms']} ms.",
    ]


def ai_overhead_headline(result: dict):
    p95 = result["overhead"]["ledger + limiter"]["p95_ms"]
    return f"ledger + limiter p95 {p95} ms", f"< {result['target_p95_ms']} ms", p95 < result["target_p95_ms"]


# --- plan_eval ----------------------------------------------------------------------------------
PLAN_ROWS = [
    "requests",
    "precision",
    "recall",
    "refusals_correct",
    "wrongly_refused",
    "missing_reported",
    "falsely_reported_covered",
    "sections",
    "templated_objectives",
    "sections_without_2_to_6_objectives",
    "sections_over_support",
    "repeated_part_titles",
    "and_joined_titles",
    "time_contract_ok",
]


def plan_eval(result: dict) -> list[str]:
    splits = [s for s in ("dev", "test", "holdout", "all") if s in result]
    rows = [[key, *(result[s].get(key) for s in splits)] for key in PLAN_ROWS]
    return table(["measure", *splits], rows) + [
        "",
        "Targets: precision ≥ 0.9, recall ≥ 0.8, refusals 100%, templated objectives 0.",
    ]


def plan_eval_headline(result: dict):
    a = result.get("all") or next(iter(result.values()))
    done, total = (int(x) for x in str(a["refusals_correct"]).split("/"))
    met = a["precision"] >= 0.9 and a["recall"] >= 0.8 and done == total and a["templated_objectives"] == 0
    return (
        f"precision {a['precision']}, recall {a['recall']}, refusals {a['refusals_correct']}",
        ("≥ 0.9, ≥ 0.8, all"),
        met,
    )


# --- load ---------------------------------------------------------------------------------------
def load(result: dict) -> list[str]:
    a = result["args"]
    server = result.get("server_side", {})
    rows = []
    for name, s in result["endpoints"].items():
        inside = server.get(name, {})
        target = {"GET /api/jobs/{id}": "p99 ≤ 30 ms", "GET /api/sections/{id}/lecture": "p99 ≤ 30 ms"}.get(
            name, ""
        )
        rows.append(
            [
                name,
                s["n"],
                s["errors"],
                s.get("reconnects", 0),
                s["p50_ms"],
                s["p95_ms"],
                s["p99_ms"],
                inside.get("p50_ms"),
                inside.get("p99_ms"),
                target,
            ]
        )
    c, w = result["courses"], result["workers"]
    lines = table(
        [
            "endpoint",
            "requests",
            "errors",
            "reconnects",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "server p50",
            "server p99",
            "target",
        ],
        rows,
    )
    lines += [
        "",
        f"{a['seconds']:.0f} s; {a['pollers']} pollers every {a['poll_interval']} s, {a['courses']} course "
        f"generations, {a['readers']} readers, {a['askers']} askers; gunicorn as `make run` starts it "
        f'({a["web_workers"]} processes); "server" = time inside gunicorn (its access log); '
        '"reconnects" = GETs sent just as the server closed an idle keep-alive connection, retried '
        "once as a browser does (not counted as errors).",
        f"Courses complete: {c['completed']}/{c['requested']}. Workers (2 processes × 4 threads): "
        f"{w.get('courses_per_minute')} courses/min, {w.get('job_steps_per_minute')} job steps/min, "
        f"course request to complete p50 {w.get('course_seconds_p50')} s, "
        f"max {w.get('course_seconds_max')} s.",
    ]
    cpu, served = result.get("cpu_s") or {}, sum(s["n"] for s in result["endpoints"].values())
    if cpu.get("web") is not None and served:
        lines.append(
            f"CPU used during the window: web server {cpu['web']} s ({cpu['web'] / served * 1000:.2f} ms per "
            f"request), workers {cpu.get('w1')} + {cpu.get('w2')} s."
        )
    lag = result.get("client_loop_lag_ms")
    if lag:
        lines.append(
            f"Clients: {result.get('client_processes')} processes ({a.get('client', 'httpx')} HTTP client), "
            f"{result.get('client_cpu_s')} s of CPU; "
            f"their event loops ran late by p50 {lag['p50']} / p99 {lag['p99']} / max {lag['max']} ms "
            "(included in the client latencies)."
        )
    lines += slow_by_slice(result)
    lines += [f"Not run: {note}." for note in result.get("not_run", [])]
    lines.append(f"Targets met: {'yes' if result.get('targets_met') else 'no'}.")
    return lines


def slow_by_slice(result: dict) -> list[str]:
    """When the slow requests came: per 5 s slice of the window, next to the CPU the machine used."""
    slow, cpu = result.get("slow_over_time") or {}, result.get("cpu_over_time") or []
    if not cpu:
        return []

    def series(label: str) -> str:
        counts = slow.get(label, {})
        return " ".join(str(counts.get(str(i * 5), counts.get(i * 5, 0))) for i in range(len(cpu)))

    machine = " ".join(f"{row.get('machine', 0):.1f}" for row in cpu)
    return [
        "Requests slower than 100 ms at the client, per 5 s slice of the window: status polls "
        f"[{series('GET /api/jobs/{id}')}], cached lectures [{series('GET /api/sections/{id}/lecture')}]; "
        f"CPU s the whole machine used per slice (other work included; 10 = both cores): [{machine}]."
    ]


def load_headline(result: dict):
    jobs = result["endpoints"].get("GET /api/jobs/{id}", {})
    courses = result["courses"]
    return (
        f"{result.get('errors')} errors, status p99 {jobs.get('p99_ms')} ms, "
        f"courses {courses['completed']}/{courses['requested']}",
        "0 errors, p99 ≤ 30 ms, all",
        bool(result.get("targets_met")),
    )


# --- faults -------------------------------------------------------------------------------------
def faults(result: dict) -> list[str]:
    k = result["killed_job_moving_again_s"]
    o = result["after_outage_moving_again_max_s"]
    runs = result["args"]["runs"]
    rows = [
        [
            "jobs: " + ", ".join(f"{k} {sum(v.values())}" for k, v in result.get("by_kind", {}).items()),
            result["jobs"],
            "",
        ],
        ["completed", result["complete"], "all"],
        [
            "ended in error: before / after one Resume",
            f"{result['errors_before_resume']} / {result['error']}",
            "",
        ],
        [
            "errors without a message / with a host or URL",
            f"{result['errors_without_message']} / {result['leaking_messages']}",
            "0 / 0",
        ],
        ["stuck", result["stuck"], "0"],
        ["duplicated sections / lecture versions", result["duplicates"], "0"],
        ["ledger duplicates", result["ledger_duplicates"], "0"],
        ["answers billed by the model", result["billed"], ""],
        ["billed twice / in flight at a fault", f"{result['re_paid']} / {result['in_flight_at_faults']}", ""],
        ["billed twice and not in flight at a fault", result["re_paid_unexplained"], "0"],
        [
            f"worker kills ({result['kills']}, steps {', '.join(result['kill_steps'])})",
            f"missed {result['kills_missed']}",
            "",
        ],
        [
            "killed job running again: p50 / p95 / max",
            f"{k['p50']} / {k['p95']} / {k['max']} s",
            f"≤ {k['target_max']} s",
        ],
        [
            "after Redis / Postgres came back: every job moving (max)",
            f"{o.get('redis')} / {o.get('postgres')} s",
            "",
        ],
        ["worker exits nobody asked for (restarted)", result["worker_exits"], "0"],
    ]
    model = ", ".join(f"{k2} {v}" for k2, v in sorted(result["model"].items()))
    lines = table([f"over {runs} runs", "value", "target"], rows)
    lines += ["", f"Model server: {model}."]
    if result.get("error_messages"):
        lines.append(
            "Messages of the jobs that ended in error: "
            + "; ".join(f"“{m}” ×{n}" for m, n in result["error_messages"].items())
            + "."
        )
    if result.get("worker_exit_reasons"):
        lines.append("Worker exits: " + "; ".join(f"`{r}`" for r in result["worker_exit_reasons"]) + ".")
    return lines


def faults_headline(result: dict):
    k = result["killed_job_moving_again_s"]
    bad = result["stuck"] + result["duplicates"] + result["ledger_duplicates"] + result["re_paid_unexplained"]
    met = bad == 0 and result["complete"] == result["jobs"] and (k["max"] or 0) <= k["target_max"]
    dups = result["duplicates"] + result["ledger_duplicates"]
    return (
        f"{result['complete']}/{result['jobs']} complete, {result['stuck']} stuck, {dups} duplicated, "
        f"killed job running again ≤ {k['max']} s",
        "all complete, 0 stuck/dup, ≤ 90 s",
        met,
    )


# --- lectures -----------------------------------------------------------------------------------
def lectures(result: dict) -> list[str]:
    rows = []
    o = result.get("offline_30min")
    if o:
        rows.append(["offline writer, 30-minute lecture: max wall", f"{o['max_s']} s", "≤ 1 s", o["ok"]])
    m = result.get("model_streaming")
    if m:
        rows.append(
            [
                f"model writer, {m['objectives']} objectives, L = {m['latency_s']} s: wall (max)",
                f"{m['wall_max_s']} s",
                f"≤ {m['wall_target_s']} s",
                m["ok"],
            ]
        )
        rows.append(
            [
                "  first segment visible (max)",
                f"{m['first_segment_max_s']} s",
                f"≤ {m['first_segment_target_s']} s",
                "",
            ]
        )
    f = result.get("single_flight")
    if f:
        rows.append(
            [
                f"{f['learners']} learners at once: versions / jobs / paid calls",
                f"{f['lecture_versions']} / {f['lecture_jobs']} / {f['ledger_paid_calls']}",
                f"1 / 1 / {f['expected_calls']}",
                f["ok"],
            ]
        )
        rows.append(
            [
                "  request latency p50 / p99",
                f"{f['request_latency']['p50_ms']} / {f['request_latency']['p99_ms']} ms",
                "",
                "",
            ]
        )
    c = result.get("cached_reads")
    if c:
        rows.append(
            [
                "cached lecture GET, sequential p50 / p99",
                f"{c['sequential']['p50_ms']} / {c['sequential']['p99_ms']} ms",
                "p99 ≤ 20 ms",
                "",
            ]
        )
        cc = c["concurrent"]
        rows.append(
            [
                f"  {cc['readers']} concurrent readers p50 / p99",
                f"{cc['p50_ms']} / {cc['p99_ms']} ms",
                "p99 ≤ 20 ms",
                c["ok"],
            ]
        )
    return table(["measure", "value", "target", "met"], rows)


def lectures_headline(result: dict):
    parts = {k: v.get("ok") for k, v in result.items() if isinstance(v, dict) and "ok" in v}
    failed = [k for k, ok in parts.items() if not ok]
    return (
        f"{len(parts) - len(failed)}/{len(parts)} parts met"
        + (f" (not: {', '.join(failed)})" if failed else ""),
        "all",
        not failed,
    )


# --- helpers ------------------------------------------------------------------------------------
def flat(obj, prefix: str = ""):
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from flat(value, f"{prefix}{key} · ")
    elif isinstance(obj, list) and obj and not isinstance(obj[0], (dict, list)):
        yield prefix.rstrip(" ·"), ", ".join(map(str, obj))
    elif isinstance(obj, list):
        yield prefix.rstrip(" ·"), f"{len(obj)} items"
    else:
        yield prefix.rstrip(" ·"), obj


def find_key(obj, key: str):
    if isinstance(obj, dict):
        if key in obj:
            return obj[key]
        for value in obj.values():
            found = find_key(value, key)
            if found is not None:
                return found
    return None


FORMATS = {
    "ingest": ingest,
    "pdf_structure": pdf_structure,
    "search": search,
    "pipeline": pipeline,
    "ai_overhead": ai_overhead,
    "plan_eval": plan_eval,
    "load": load,
    "faults": faults,
    "lectures": lectures,
}
HEADLINES = {
    "ingest": ingest_headline,
    "pdf_structure": pdf_structure_headline,
    "search": search_headline,
    "pipeline": pipeline_headline,
    "ai_overhead": ai_overhead_headline,
    "plan_eval": plan_eval_headline,
    "load": load_headline,
    "faults": faults_headline,
    "lectures": lectures_headline,
}


def headline(name: str, result: dict):
    fn = HEADLINES.get(name)
    return fn(result) if fn else ("see below", "", None)
