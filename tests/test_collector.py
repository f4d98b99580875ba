"""The server's garbage-collector tuning (web/collector.py): done by kommunkvalitet/wsgi.py in every
server process, and what it changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from kommunkvalitet.web.collector import OLDER_THRESHOLDS, YOUNG_THRESHOLD

# In a fresh process: load the server's WSGI module as gunicorn does, then count the young collections
# while a request's worth of short-lived objects comes and goes.
_PROBE = """
import gc, json
import kommunkvalitet.wsgi
runs = []
gc.callbacks.append(lambda phase, info: runs.append(info["generation"]) if phase == "start" else None)
alive = []
for _ in range(200_000):  # containers that live a while, as a request's rows and dicts live until the page is done
    alive.append([object()])
    if len(alive) == 1000:
        alive = []
print(json.dumps({"threshold": gc.get_threshold(), "frozen": gc.get_freeze_count(), "runs": len(runs)}))
"""


def test_the_wsgi_module_freezes_the_loaded_app_and_collects_a_request_s_objects_rarely(tmp_path):
    env = dict(os.environ, KOMMUNKVALITET_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="kommunkvalitet.settings")
    done = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert tuple(seen["threshold"]) == (YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
    assert seen["frozen"] > 50_000  # Django, the URLconf and the project's modules, out of the collector's sight
    # 200,000 allocations: at most 20 young collections (Python's defaults: about 200).
    assert seen["runs"] <= 200_000 // YOUNG_THRESHOLD
