"""Benchmark: what the per-file key check (``sources.snapshot.KeyCheck``, issue 11) costs the reader.

Usage::

    .venv/bin/python benchmarks/read_values_keys.py [--snapshot ../shared/data] [--rows 1000000] [--repeat 3]

*Ours*: :func:`read_values` over the first ``--rows`` rows of ``kommun_KA_2015-2022.csv.gz`` as the
import reads it (every row validated, and every key kept and compared at the end of the file).
*Baseline*: the same reader with the key check replaced by one that does nothing (the reader before
issue 11). Alternately in this process, ``--repeat`` times each; prints wall and CPU time, their
medians and the ratio ours / baseline, and the peak memory (max RSS) after each side.
"""

from __future__ import annotations

import argparse
import gzip
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from kommunkvalitet.sources import snapshot  # noqa: E402


class _NoCheck(snapshot.KeyCheck):
    def add(self, *args: object) -> None:
        pass

    def check(self) -> None:
        pass


def _head(path: Path, limit: int) -> Path:
    out = Path(tempfile.mkdtemp()) / "head.csv.gz"
    with gzip.open(path, "rt") as src, gzip.open(out, "wt", compresslevel=1) as dst:
        for i, line in enumerate(src):
            if i > limit:
                break
            dst.write(line)
    return out


def _run(path: Path) -> tuple[float, float, int]:
    wall, cpu, rows = time.perf_counter(), time.process_time(), 0
    for batch in snapshot.read_values(path):
        rows += len(batch)
    return time.perf_counter() - wall, time.process_time() - cpu, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--snapshot", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = _head(args.snapshot / "kolada/values/kommun_KA_2015-2022.csv.gz", args.rows)
    checking = snapshot.KeyCheck
    results: dict[str, list[tuple[float, float]]] = {"baseline": [], "ours": []}
    for i in range(args.repeat):
        for side in ("baseline", "ours"):
            snapshot.KeyCheck = _NoCheck if side == "baseline" else checking  # type: ignore[misc]
            wall, cpu, rows = _run(path)
            results[side].append((wall, cpu))
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            print(f"run {i + 1} {side:8} {rows:,} rows: wall {wall:.2f} s, cpu {cpu:.2f} s, peak {rss} MiB")
    snapshot.KeyCheck = checking  # type: ignore[misc]
    med = {s: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r)) for s, r in results.items()}
    print(f"median wall: baseline {med['baseline'][0]:.2f} s, ours {med['ours'][0]:.2f} s, "
          f"ratio {med['ours'][0] / med['baseline'][0]:.3f}")  # fmt: skip
    print(f"median cpu:  baseline {med['baseline'][1]:.2f} s, ours {med['ours'][1]:.2f} s, "
          f"ratio {med['ours'][1] / med['baseline'][1]:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
