"""The import graph is a ladder: domain apps -> workers -> docprof.ai, and among the domain apps
qa -> lectures -> courses -> library. Parsed with `ast` from the product files (tests excluded):
this fails on a new cycle (between packages or between files) or a wrong-way import."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["qa", "lectures", "courses", "library", "workers"]  # a package may import only those after it
DOMAIN = ["qa", "lectures", "courses", "library"]
# The composition root: settings, URL maps, WSGI, the Celery app and project-wide commands may
# import anything, and nothing in an app imports them.
# docprof.warmup is the WSGI entry's own start-up (it loads what the apps and the AI layer use), and
# docprof.gunicorn_conf the web server's hooks that call it.
ROOT_MODULES = (
    "docprof.settings",
    "docprof.urls",
    "docprof.api_urls",
    "docprof.wsgi",
    "docprof.warmup",
    "docprof.gunicorn_conf",
    "docprof.management",
)


def product_files():
    for package in [*APPS, "docprof"]:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            yield path


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every project module a file imports (at module level or inside functions)."""
    tree = ast.parse(path.read_text(), str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in {*APPS, "docprof"}}


def node_of(module: str) -> str:
    """The package a module belongs to for the ladder: an app, 'ai', 'root' or 'core'."""
    top = module.split(".")[0]
    if top in APPS:
        return top
    if module.startswith("docprof.ai"):
        return "ai"
    if module.startswith(ROOT_MODULES) or module in ("docprof", "docprof.celery"):
        return "root"
    return "core"  # docprof's own infrastructure: embedded services, redis client, DB backend


def build_graph():
    files = {module_name(p): p for p in product_files()}
    edges = {}
    for name, path in files.items():
        targets = set()
        for imported in imports_of(path):
            # `from x import y` may name a module x.y or an attribute of x: keep whichever exists
            target = imported if imported in files else imported.rpartition(".")[0]
            if target in files and target != name:
                targets.add(target)
        edges[name] = targets
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def package_edges(edges):
    packages: dict[str, set[str]] = {}
    for source, targets in edges.items():
        for target in targets:
            a, b = node_of(source), node_of(target)
            if a != b:
                packages.setdefault(a, set()).add(b)
    return packages


def test_no_import_cycle_between_files():
    assert find_cycle(build_graph()) is None


def test_no_import_cycle_between_packages():
    assert find_cycle(package_edges(build_graph())) is None


def test_imports_follow_the_ladder():
    wrong = []
    for source, targets in build_graph().items():
        src = node_of(source)
        for target in targets:
            dst = node_of(target)
            if src == dst or dst == "core" or src == "root":
                continue
            if dst == "root":
                wrong.append(f"{source} -> {target} (imports the composition root)")
            elif src == "ai" and dst != "ai":
                wrong.append(f"{source} -> {target} (the AI layer imports no app)")
            elif src == "core" and dst != "ai":
                wrong.append(f"{source} -> {target} (infrastructure imports no app)")
            elif src in APPS and dst in APPS and APPS.index(dst) <= APPS.index(src):
                wrong.append(f"{source} -> {target} (against the ladder {' -> '.join(APPS)})")
    assert wrong == []


def test_domain_apps_use_workers_only_through_its_engine():
    wrong = [
        f"{source} -> {target}"
        for source, targets in build_graph().items()
        if node_of(source) in DOMAIN
        for target in targets
        if node_of(target) == "workers" and target != "workers.engine"
    ]
    assert wrong == []


def test_the_checker_sees_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
