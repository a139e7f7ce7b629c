"""The Markdown of docs/BENCHMARKS.md's generated parts, from the stored results (bench/record.py)."""

from __future__ import annotations

import re

from record_formats import FORMATS, headline


def render(text: str, results: dict[str, dict], benches: dict, present: set[str]) -> str:
    text = replace_block(text, "summary", summary(results, benches, present))
    for name in benches:
        record = results.get(name)
        if record is None:
            body = ["_Not run yet._" if name in present else "_This bench is not in bench/ yet._"]
        else:
            body = section(name, record)
        text = replace_block(text, name, body)
    return text


def replace_block(text: str, name: str, lines: list[str]) -> str:
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    block = "\n".join([start, *lines, end])
    if pattern.search(text):
        return pattern.sub(lambda _m: block, text)
    return text.rstrip() + f"\n\n## {name}\n\n{block}\n"


def machine_text(m: dict) -> str:
    load = f", load {m['load_1min']} (1 min) when it ended" if m.get("load_1min") is not None else ""
    if m.get("load_1min_at_start") is not None:
        load += f" ({m['load_1min_at_start']} when it started)"
    return f"{m.get('cores')} cores, {m.get('memory_gb')} GB{load}"


def section(name: str, record: dict) -> list[str]:
    lines = [
        f"Command: `{record['command']}` · {record['date']} · {machine_text(record.get('machine', {}))} · "
        f"{record.get('seconds')} s",
        "",
    ]
    if record.get("status") != "ok":
        lines += [
            f"**{record.get('status')}**: {record.get('detail', '')}",
            "",
            "```",
            record.get("tail", "")[-1500:],
            "```",
        ]
        if "result" not in record:
            return lines
    formatter = FORMATS.get(name)
    lines += formatter(record["result"]) if formatter else generic(record["result"])
    return lines


def generic(result: dict) -> list[str]:
    rows = ["| measure | value |", "|---|---|"]
    for key, value in flatten(result):
        rows.append(f"| {key} | {value} |")
    return rows


def flatten(obj, prefix: str = "", depth: int = 0):
    if isinstance(obj, dict) and depth < 3:
        for key, value in obj.items():
            yield from flatten(value, f"{prefix}{key}." if prefix or depth else f"{key}.", depth + 1)
    elif isinstance(obj, list):
        yield prefix.rstrip("."), f"{len(obj)} items"
    else:
        yield prefix.rstrip("."), obj


def summary(results: dict[str, dict], benches: dict, present: set[str]) -> list[str]:
    rows = ["| bench | date | result | target | met |", "|---|---|---|---|---|"]
    for name in benches:
        record = results.get(name)
        if record is None:
            state = "not run yet" if name in present else "not in bench/ yet"
            rows.append(f"| [{name}](#{name}) | – | {state} | | |")
            continue
        if "result" not in record:
            rows.append(f"| [{name}](#{name}) | {record['date']} | {record.get('status')} | | ✗ |")
            continue
        value, target, met = headline(name, record["result"])
        mark = "✓" if met else ("✗" if met is False else "")
        rows.append(f"| [{name}](#{name}) | {record['date']} | {value} | {target} | {mark} |")
    return rows
