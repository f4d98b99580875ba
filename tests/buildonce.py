"""Set-ups built once per test run and copied to each pytest-xdist worker (`make test` runs two)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock

XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def shared_dir(tmp_path_factory) -> Path | None:
    """Under xdist, the run's directory that every worker sees (the parent of each worker's basetemp, as
    pytest-xdist documents for session data built once); None in one process."""
    return tmp_path_factory.getbasetemp().parent if XDIST_WORKER else None


def build_once(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """A directory that ``build(path)`` fills, built once per run: under xdist, the first worker to ask
    builds it (the others wait on a file lock) and every worker gets its own copy; in one process it is
    built in place. Only for what is the same for every worker (a set-up's starting state)."""
    root = shared_dir(tmp_path_factory)
    if root is None:
        path = tmp_path_factory.mktemp(name)
        build(path)
        return path
    built = root / f"{name}.built"
    with FileLock(str(root / f"{name}.lock")):
        if not (built / ".done").is_file():
            shutil.rmtree(built, ignore_errors=True)
            built.mkdir()
            build(built)
            (built / ".done").touch()
    copy = tmp_path_factory.mktemp(name)
    shutil.copytree(built, copy, dirs_exist_ok=True)
    return copy
