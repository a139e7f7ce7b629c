"""Run the benchmarks and keep one record of their numbers: docs/BENCHMARKS.md.

    .venv/bin/python bench/record.py                  # every bench (what `make bench` runs)
    .venv/bin/python bench/record.py --only load faults
    .venv/bin/python bench/record.py --render         # rewrite the tables from the stored results

Each bench runs as its own process with its arguments below and a time limit; its last output line
is one JSON object, stored with the command, date, machine and wall time in
docs/benchmarks/NAME.json. The tables between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in
docs/BENCHMARKS.md (and the summary between `<!-- bench:summary -->` markers) are then rewritten
from every stored result (bench/record_tables.py); the prose around them is left as it is. A bench
that times out or fails is recorded as such, with the tail of its output. Benches not in bench/ yet
(e.g. before a feature lands) are listed as missing.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine  # noqa: E402
from record_tables import render  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "benchmarks"
RECORD = ROOT / "docs" / "BENCHMARKS.md"


@dataclass(frozen=True)
class Bench:
    args: list[str]
    limit_s: int  # the run is stopped after this long and recorded as timed out
    env: dict[str, str] = field(default_factory=dict)

    @property
    def script(self) -> Path:
        return ROOT / self.args[0]


# In the order `make bench` runs them (the cheap ones first).
BENCHES = {
    "pdf_structure": Bench(["bench/pdf_structure.py"], 1200),
    "ingest": Bench(["bench/ingest.py"], 1800),
    "search": Bench(["bench/search.py", "--chunks", "100000", "--keep"], 3600),
    "pipeline": Bench(["bench/pipeline.py"], 900),
    "ai_overhead": Bench(
        ["bench/ai_overhead.py", "--calls", "300"],
        600,
        # its own database and Redis DB (the pipeline bench's, which it migrates), not the dev data
        {"DOCPROF_DB_NAME": "docprof_bench_pipeline", "REDIS_DB": "13", "DOCPROF_TESTING": "1"},
    ),
    "plan_eval": Bench(["bench/plan_eval.py", "--split", "all"], 2400),
    "lectures": Bench(["bench/lectures.py"], 1800),
    "qa_eval": Bench(["bench/qa_eval.py"], 1800),
    "qa_fresh": Bench(["bench/qa_eval.py", "--questions", "bench/data/qa_fresh.json"], 1800),
    "load": Bench(["bench/load.py"], 900),
    "faults": Bench(["bench/faults.py", "--runs", "3"], 2700),
}


def run_one(name: str, bench: Bench) -> dict:
    command = " ".join([".venv/bin/python", *bench.args])
    print(f"== {name}: {command} (limit {bench.limit_s} s)", flush=True)
    started = time.time()
    record = {"bench": name, "command": command, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    load_at_start = machine()["load_1min"]
    # Its own session, so that on time-out the bench gets SIGINT first and stops what it started.
    proc = subprocess.Popen(
        [sys.executable, *bench.args],
        cwd=ROOT,
        env={**os.environ, **bench.env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = proc.communicate(timeout=bench.limit_s)
        code = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            output, _ = proc.communicate(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            output, _ = proc.communicate()
        code = None
    tail = output[-2000:]
    # the load is read when the bench ended (as the record says) and when it started: other work on
    # the machine while it ran shows in its latencies
    record["machine"] = {**machine(), "load_1min_at_start": load_at_start}
    record["seconds"] = round(time.time() - started, 1)
    result = last_json(output)
    if code is None:
        record.update(status="timeout", detail=f"stopped after {bench.limit_s} s", tail=tail)
    elif code != 0 or result is None:
        record.update(status="failed", detail=f"exit code {code}", tail=tail)
    else:
        record["status"] = "ok"
    if result is not None:
        record["result"] = result
    print(output[-3000:] if record["status"] == "ok" else tail, flush=True)
    return record


def last_json(output: str):
    for line in reversed(output.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                return None
    return None


def stored() -> dict[str, dict]:
    out = {}
    for path in sorted(RESULTS.glob("*.json")):
        out[path.stem] = json.loads(path.read_text())
    return out


def rewrite_record() -> None:
    text = RECORD.read_text()
    present = {name for name, b in BENCHES.items() if b.script.exists()}
    RECORD.write_text(render(text, stored(), BENCHES, present))
    print(f"rewrote {RECORD.relative_to(ROOT)}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", nargs="*", choices=sorted(BENCHES), help="run only these")
    p.add_argument("--render", action="store_true", help="only rewrite the tables from stored results")
    args = p.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    if not args.render:
        for name in args.only or list(BENCHES):
            bench = BENCHES[name]
            if not bench.script.exists():
                print(f"== {name}: {bench.args[0]} is not in bench/ yet; skipped", flush=True)
                continue
            record = run_one(name, bench)
            (RESULTS / f"{name}.json").write_text(json.dumps(record, indent=1, default=str) + "\n")
    rewrite_record()
    return 0


if __name__ == "__main__":
    sys.exit(main())
