"""Measure sets: versioned data files (``measuresets/*.toml``) naming the KKiK measures per area."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MEASURESET_DIR = Path(__file__).resolve().parent.parent / "measuresets"


def measure_set_files(folder: Path = MEASURESET_DIR) -> list[Path]:
    return sorted(folder.glob("*.toml"))


def _measures(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        if "kpi" in node and isinstance(node["kpi"], str):
            yield node
        for value in node.values():
            yield from _measures(value)
    elif isinstance(node, list):
        for item in node:
            yield from _measures(item)


def raw_measures(path: Path) -> list[dict]:
    with open(path, "rb") as fh:
        return list(_measures(tomllib.load(fh)))


def default_kpi_ids(folder: Path = MEASURESET_DIR) -> set[str]:
    """Every KPI id that a shipped measure set names: what the default import brings in."""
    return {m["kpi"] for path in measure_set_files(folder) for m in raw_measures(path)}


def default_directions(folder: Path = MEASURESET_DIR) -> dict[str, str]:
    """KPI id -> direction as the measure sets give it (the first set that names a KPI wins)."""
    out: dict[str, str] = {}
    for path in measure_set_files(folder):
        for m in raw_measures(path):
            if m.get("direction") in ("higher", "lower", "none"):
                out.setdefault(m["kpi"], m["direction"])
    return out
