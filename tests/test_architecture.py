"""The layout holds: no import cycle between the top-level parts of ``storylens``, SQL
stays in ``store/``, training code stays out of the runtime, presentation out of the
stages. Every import counts, at module level or inside a function."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from tests.conftest import ROOT

PKG = ROOT / "src" / "storylens"
PRESENTATION = {"cli", "server", "web"}
OFFLINE = {"learn"}
"""Training and evaluation tooling: never imported by what runs for users."""


def _unit(module: str) -> str | None:
    parts = module.split(".")
    return parts[1].removesuffix(".py") if parts[0] == "storylens" and len(parts) > 1 else None


def _imports() -> dict[Path, list[str]]:
    out: dict[Path, list[str]] = {}
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG.parent).with_suffix("")
        parts = list(rel.parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg:
            parts = parts[:-1]
        names: list[str] = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names += [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = parts[: len(parts) - node.level + (1 if is_pkg else 0)]
                    names.append(".".join(base + ([node.module] if node.module else [])))
                else:
                    names.append(node.module or "")
        out[path] = names
    return out


def _owner(path: Path) -> str:
    rel = path.relative_to(PKG)
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 else rel.stem


def graph() -> dict[str, set[str]]:
    """Top-level part -> the parts it imports."""
    edges: dict[str, set[str]] = defaultdict(set)
    for path, names in _imports().items():
        me = _owner(path)
        for n in names:
            t = _unit(n)
            if t and t != me:
                edges[me].add(t)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(set(edges) | {w for ws in edges.values() for w in ws}):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_cycles() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_top_level_parts() -> None:
    edges = graph()
    assert "store" in edges and "api" in edges  # the graph is really built
    assert cycles(edges) == []


def test_sql_and_the_concrete_store_stay_inside_store() -> None:
    offenders = sorted(
        str(path.relative_to(PKG)) for path, names in _imports().items()
        if _owner(path) != "store" and any(
            n.split(".")[0] == "sqlite3" or n.startswith("storylens.store.sqlite")
            for n in names))
    assert offenders == []


def test_runtime_never_imports_training_code() -> None:
    edges = graph()
    users = sorted(p for p, ts in edges.items() if ts & OFFLINE and p not in OFFLINE)
    assert users == []


def test_stages_never_import_presentation() -> None:
    edges = graph()
    users = sorted(p for p, ts in edges.items()
                   if ts & PRESENTATION and p not in PRESENTATION)
    assert users == []
