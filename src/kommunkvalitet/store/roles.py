"""Who may do what where: the one module that answers every permission question.

Every editing view asks it before it shows or takes a form, and every store function that writes asks
it again, so a refused user changes nothing whichever way she comes in. Roles are per municipality
(:class:`EditorRole` rows), each including the one before:

- **reader** (läsare): sees the drafts on the editing pages; changes nothing.
- **editor** (redaktör): writes drafts and enters indicators, targets and values, for the committees
  (nämnder) her rows name: an indicator belongs to its committee, a goal's text to every committee the
  goal lists. An editor *without* a committee writes for every committee of the municipality, and also
  the municipality's KKiK texts and the indicators and goals no committee owns.
- **publisher** (publicerare): everything an editor of every committee may, and publishes texts and
  records the combined assessments (decisions).
- **admin** (administratör): everything a publisher may, and the goal structure (structures, goals,
  committees, copying to the next year), users' roles in the municipality and its audit log.
- **site administrator** (a Django superuser): everything in every municipality; the only one who may
  make users site administrators.

An inactive (deactivated) user may do nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kommunkvalitet.errors import KommunkvalitetError
from kommunkvalitet.store.models import EditorRole

Role = EditorRole.Role
READER, EDITOR, PUBLISHER, ADMIN = str(Role.READER), str(Role.EDITOR), str(Role.PUBLISHER), str(Role.ADMIN)
ROLES = (READER, EDITOR, PUBLISHER, ADMIN)  # in the order they include each other
_LEVEL = {role: i + 1 for i, role in enumerate(ROLES)}


class PermissionDenied(KommunkvalitetError):
    """The user may not do this here."""


@dataclass(frozen=True)
class Rights:
    """What one user may do in one municipality."""

    municipality_id: str
    role: str | None = None  # the highest role she has there; None = none
    committees: frozenset[int] | None = None  # an editor's committees; None = every committee
    site_admin: bool = False

    def at_least(self, role: str) -> bool:
        return self.site_admin or (self.role is not None and _LEVEL[self.role] >= _LEVEL[role])

    @property
    def may_view_drafts(self) -> bool:
        return self.at_least(READER)

    @property
    def is_editor(self) -> bool:
        """Writes something here (for at least one committee)."""
        return self.at_least(EDITOR)

    def may_edit(self, committees: Iterable[int | None] = ()) -> bool:
        """May write what belongs to any of ``committees`` (no committee: what only an editor of every
        committee may write, e.g. the KKiK texts)."""
        if not self.at_least(EDITOR):
            return False
        if self.committees is None or self.at_least(PUBLISHER):
            return True
        return bool(self.committees & {c for c in committees if c is not None})

    @property
    def may_publish(self) -> bool:
        return self.at_least(PUBLISHER)

    @property
    def may_manage(self) -> bool:
        """The goal structure, the users' roles and the audit log."""
        return self.at_least(ADMIN)


def rights(user, municipality_id: str) -> Rights:
    """The user's rights in a municipality (one query; none for anonymous or inactive users)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Rights(municipality_id)
    if user.is_superuser:
        return Rights(municipality_id, ADMIN, None, site_admin=True)
    rows = list(EditorRole.objects.filter(user=user, municipality_id=municipality_id).values_list("role", "committee"))
    if not rows:
        return Rights(municipality_id)
    role = max((r for r, _ in rows), key=_LEVEL.__getitem__)
    everywhere = any(c is None and _LEVEL[r] >= _LEVEL[EDITOR] for r, c in rows)
    committees = None if everywhere else frozenset(c for r, c in rows if c is not None)
    return Rights(municipality_id, role, committees)


def managed_municipalities(user) -> list[str] | None:
    """The municipalities whose users and audit log the user manages; None = every one (a site admin)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    rows = EditorRole.objects.filter(user=user, role=ADMIN).values_list("municipality_id", flat=True)
    return sorted(set(rows))


def goal_committees(goal) -> set[int]:
    """The committees a goal's text belongs to (the goal's own)."""
    return {c.pk for c in goal.committees.all()}


def indicator_committees(indicator) -> set[int | None]:
    return {indicator.committee_id}


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def require_view(user, municipality_id: str) -> None:
    _require(rights(user, municipality_id).may_view_drafts, "du har ingen roll i den här kommunen")


def require_editor(user, municipality_id: str) -> None:
    """Writes something in the municipality (what exactly, each write checks with :func:`require_edit`)."""
    _require(rights(user, municipality_id).is_editor, "du har inte behörighet att ändra något i den här kommunen")


def require_edit(user, municipality_id: str, committees: Iterable[int | None] = (), what: str = "texter") -> None:
    committees = tuple(committees)
    _require(
        rights(user, municipality_id).may_edit(committees),
        f"du har inte behörighet att ändra den här kommunens {what}"
        + (" för den nämnden" if any(c is not None for c in committees) else ""),
    )


def require_publish(user, municipality_id: str, what: str = "publicera den här kommunens texter") -> None:
    _require(rights(user, municipality_id).may_publish, f"du har inte behörighet att {what}")


def require_manage(user, municipality_id: str, what: str = "ändra den här kommunens målstruktur") -> None:
    _require(rights(user, municipality_id).may_manage, f"du har inte behörighet att {what}")
