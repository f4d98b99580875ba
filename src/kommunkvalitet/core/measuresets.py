"""Measure sets: versioned data files (``measuresets/*.toml``) naming the KKiK measures per area."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kommunkvalitet.errors import InputError

MEASURESET_DIR = Path(__file__).resolve().parent.parent / "measuresets"


def measure_set_files(folder: Path = MEASURESET_DIR) -> list[Path]:
    return sorted(folder.glob("*.toml"))


def _measures(node: Any) -> Iterator[dict]:
    """Every measure table in a parsed set. ``unavailable`` entries (KPIs known to belong to the edition
    but without usable data) are not measures of the set, so that key is never descended into."""
    if isinstance(node, dict):
        if "kpi" in node and isinstance(node["kpi"], str):
            yield node
        for key, value in node.items():
            if key != "unavailable":
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


def _norm(name: str) -> str:
    return re.sub(r"[\s_-]+", "_", name.strip().lower())


def set_name(path: Path) -> str:
    """The display name of a measure set file (its ``name`` key), or its file stem."""
    with open(path, "rb") as fh:
        return str(tomllib.load(fh).get("name") or path.stem)


def find_measure_set(name: str, folder: Path = MEASURESET_DIR) -> Path:
    """The shipped measure set whose file stem or ``name`` key is ``name`` ("kkik_2022" or "KKiK 2022";
    case, spaces, hyphens and underscores do not matter)."""
    wanted = _norm(name)
    files = measure_set_files(folder)
    for path in files:
        if wanted in (_norm(path.stem), _norm(set_name(path))):
            return path
    known = ", ".join(f"{set_name(p)!r} ({p.stem})" for p in files) or "none"
    raise InputError(f"no measure set named {name!r}; the shipped sets are {known}")


def measure_set_kpi_ids(name: str, folder: Path = MEASURESET_DIR) -> list[str]:
    """The KPI ids of the measures of one shipped set, in file order (``unavailable`` entries excluded)."""
    return list(dict.fromkeys(m["kpi"] for m in raw_measures(find_measure_set(name, folder))))
