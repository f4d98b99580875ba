"""The layers of docs/architecture.md, checked rather than hoped for."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "kommunkvalitet"
FORBIDDEN = {
    "core": ("django", "httpx", "kommunkvalitet.store", "kommunkvalitet.web", "kommunkvalitet.sources", "requests"),
    "sources": ("django", "kommunkvalitet.store", "kommunkvalitet.web"),
    "store": ("kommunkvalitet.web", "kommunkvalitet.reports"),
}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_it_must_not(layer):
    offenders = []
    for path in sorted((SRC / layer).rglob("*.py")):
        for name in _imports(path):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer]):
                offenders.append(f"{path.relative_to(SRC)} imports {name}")
    assert offenders == []


def test_core_does_no_io():
    for path in sorted((SRC / "core").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for call in ("open(", "urlopen(", "socket.", "subprocess."):
            if call in text and not (path.name == "measuresets.py" and call == "open("):
                pytest.fail(f"{path.relative_to(SRC)} calls {call}")
