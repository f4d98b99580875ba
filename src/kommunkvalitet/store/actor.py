"""Who is making the changes in this request or command, for the audit log (no Django import here, so
that the CLI can name itself before Django is set up)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

_actor: ContextVar[tuple[Any, str] | None] = ContextVar("kommunkvalitet_actor", default=None)


@contextlib.contextmanager
def acting_as(user: Any = None, name: str | None = None) -> Iterator[None]:
    """Changes inside are logged as made by ``user`` (or by ``name``, e.g. "kommandorad: restore")."""
    token = _actor.set((user, name or (user.get_username() if user is not None else "system")))
    try:
        yield
    finally:
        _actor.reset(token)


def current() -> tuple[Any, str]:
    return _actor.get() or (None, "system")
