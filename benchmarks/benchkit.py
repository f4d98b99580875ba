"""What the benchmark scripts share."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile by the nearest rank (p95 of 200 requests: the 190th fastest)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def data_arguments(parser: argparse.ArgumentParser, requests: int) -> None:
    """``--data-dir`` (a prepared data dir; without it a fresh temporary one), ``--requests`` and
    ``--snapshot``: the arguments of the in-process page benchmarks."""
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--requests", type=int, default=requests)
    parser.add_argument(
        "--snapshot", type=Path, default=Path(os.environ.get("KOMMUNKVALITET_SNAPSHOT", ROOT.parent / "shared/data"))
    )


def use_data_dir(args: argparse.Namespace, **environ: str) -> None:
    """Point the app at ``args.data_dir`` (or a fresh temporary one), with ``environ`` set, before Django starts."""
    os.environ["KOMMUNKVALITET_DATA_DIR"] = str(args.data_dir or tempfile.mkdtemp())
    os.environ.update(environ)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunkvalitet.settings")
    sys.path.insert(0, str(ROOT / "src"))
