"""The layers of docs/architecture.md, checked rather than hoped for.

Which layer may import which is written once, as import-linter contracts in pyproject.toml; this test
runs them (as .ci/run does) so that `make test` fails on a broken layer too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "kommunkvalitet"


def test_the_import_linter_contracts_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout and "core imports no Django" in run.stdout


def test_core_does_no_io():
    for path in sorted((SRC / "core").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for call in ("open(", "urlopen(", "socket.", "subprocess."):
            if call in text and not (path.name == "measuresets.py" and call == "open("):
                pytest.fail(f"{path.relative_to(SRC)} calls {call}")
