"""Layers point one way: core <- travel <- engines/bench <- CLI. Nothing in the matching
core imports bookings, files, the generator or the CLI (imports inside functions count)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "screening"

# What each layer may import besides itself.
ALLOWED = {
    "linkage": {"schema"},
    "matchers": {"linkage", "privacy", "schema"},
    "privacy": {"linkage", "schema"},
    "data": {"schema"},
    "travel": {"linkage", "matchers", "data", "schema"},
    "generate": {"data", "paths", "schema"},
    "evaluate": {"linkage", "data", "schema"},
    "report": {"evaluate"},
    "engines": {"linkage", "matchers", "travel", "data", "schema"},
    "bench": {
        "linkage",
        "matchers",
        "privacy",
        "travel",
        "data",
        "schema",
        "generate",
        "evaluate",
        "engines",
    },
}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "screening":
                found |= {a.name for a in node.names}
            elif node.module.startswith("screening."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("screening.")}
    return found


def test_each_layer_imports_only_the_layers_below_it():
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        layer = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        if layer not in ALLOWED:
            continue
        for target in _imports(path) - {layer} - ALLOWED[layer]:
            wrong.append(f"{rel} imports screening.{target}")
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_a_wrong_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from screening.travel.stages import run_stages\n")
    assert _imports(bad) == {"travel"}
