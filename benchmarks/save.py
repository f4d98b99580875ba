"""Benchmark: one editor's commentary save (the POST of the area page's edit form), in-process.

Usage::

    .venv/bin/python benchmarks/save.py --data-dir DIR [--saves 40] [--before TREE]

On a data dir prepared by ``benchmarks/load.py`` (``kommunkvalitet setup`` and the editor
``redaktor1`` of 2284): the editor signed in (Django's test client, the whole middleware stack), the
form read once, then ``--saves`` saves one after the other, each timed in wall and CPU time (this
process: the server's work without a network or other clients). *Baseline*: the area page the form
belongs to, rendered for the same editor in the same process (GET, no cache: editors never get cached
pages). ``--before TREE`` runs the same in a second process on another source tree (``TREE/src``, e.g.
the commit before a change), so both figures come from the same run.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUNI, YEAR, AREA = "2284", 2022, "stod_och_omsorg"


def measure(saves: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kommunkvalitet.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    import kommunkvalitet

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="redaktor1"))
    form = f"/kommun/{MUNI}/{YEAR}/{AREA}/redigera/"
    page = f"/kommun/{MUNI}/{YEAR}/{AREA}/"
    html = client.get(form).content.decode()
    based_on = re.search(r'name="based_on" value="([^"]*)"', html).group(1)
    save_wall, save_cpu, page_wall, page_cpu = [], [], [], []
    for n in range(saves):
        w, c = time.perf_counter(), time.process_time()
        response = client.post(form, {"action": "save", "text": f"Utkast {n}.", "based_on": based_on})
        save_wall.append(time.perf_counter() - w)
        save_cpu.append(time.process_time() - c)
        assert response.status_code == 302, response.status_code
        w, c = time.perf_counter(), time.process_time()
        assert client.get(page).status_code == 200
        page_wall.append(time.perf_counter() - w)
        page_cpu.append(time.process_time() - c)
        html = client.get(form).content.decode()  # the next save starts from this draft
        based_on = re.search(r'name="based_on" value="([^"]*)"', html).group(1)

    def ms(xs: list[float]) -> str:
        return f"{statistics.median(xs) * 1000:.0f} ms"

    print(f"{Path(kommunkvalitet.__file__).parent.parent}: {saves} saves: wall {ms(save_wall)}, CPU {ms(save_cpu)} "
          f"(median); the area page (baseline): wall {ms(page_wall)}, CPU {ms(page_cpu)}; "
          f"save/page CPU {statistics.median(save_cpu) / statistics.median(page_cpu):.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--saves", type=int, default=40)
    parser.add_argument("--before", type=Path, default=None)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        measure(args.saves)
        return
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    trees = [ROOT] + ([args.before.resolve()] if args.before else [])
    for tree in trees:
        env = dict(os.environ, KOMMUNKVALITET_DATA_DIR=str(args.data_dir), PYTHONPATH=str(tree / "src"))
        env.pop("DATABASE_URL", None)
        command = [sys.executable, __file__, "--child", "--data-dir", str(args.data_dir), "--saves", str(args.saves)]
        subprocess.run(command, env=env, check=True)


if __name__ == "__main__":
    main()
