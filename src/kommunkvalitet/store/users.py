"""Users and their roles, for the command line (``kommunkvalitet users ...``): add, list, set a role,
set a password, deactivate. Every mistake is a :class:`KommunkvalitetError` with one Swedish line; what
each role may do is :mod:`store.roles`. Changes go through ``save()``, so the audit log has them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from kommunkvalitet.errors import KommunkvalitetError
from kommunkvalitet.store import roles
from kommunkvalitet.store.models import Committee, EditorRole, Municipality

NO_ROLE = "none"  # set-role ... none: the user keeps her account but has no role in that municipality


def check_username(username: str) -> str:
    """The name as stored, or one line saying what a name may hold (no markup, no spaces, not empty)."""
    model = get_user_model()
    field = model._meta.get_field(model.USERNAME_FIELD)
    name = username.strip()
    try:
        if not name:
            raise ValidationError("")
        field.run_validators(name)
    except ValidationError:
        raise KommunkvalitetError(
            f"ogiltigt användarnamn {username!r}: använd 1-{field.max_length} bokstäver, siffror och @ . + - _"
        ) from None
    return name


def exists(username: str) -> bool:
    return get_user_model().objects.filter(username=check_username(username)).exists()


def get(username: str):
    user = get_user_model().objects.filter(username=check_username(username)).first()
    if user is None:
        raise KommunkvalitetError(f"det finns ingen användare {username!r} (lägg till den med `users add`)")
    return user


def _check_password(password: str, user=None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as err:
        raise KommunkvalitetError("lösenordet duger inte: " + " ".join(err.messages)) from None


def municipality(code: str) -> Municipality:
    found = Municipality.objects.filter(pk=code, type=Municipality.Type.KOMMUN).first()
    if found is None:
        raise KommunkvalitetError(f"okänd kommun {code!r} (ange kommunkoden, t.ex. 2284)")
    return found


@transaction.atomic
def add(username: str, password: str, *, site_admin: bool = False):
    """A new user (refused if the name is taken: set a password with :func:`set_password`)."""
    name = check_username(username)
    if exists(name):
        raise KommunkvalitetError(f"användaren {name!r} finns redan (nytt lösenord: `users set-password`)")
    _check_password(password)
    users = get_user_model().objects
    return (users.create_superuser if site_admin else users.create_user)(name, password=password)


def set_password(username: str, password: str):
    user = get(username)
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def set_active(username: str, active: bool):
    """Deactivate (or activate again) a user: a deactivated one cannot sign in and may do nothing; her
    name stays on what she wrote and in the audit log."""
    user = get(username)
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


def _committees(muni: Municipality, names: Sequence[str]) -> list[Committee]:
    found = []
    known = list(Committee.objects.filter(municipality=muni))
    for name in names:
        wanted = " ".join(name.split()).casefold()
        match = next((c for c in known if c.name.casefold() == wanted or str(c.pk) == wanted), None)
        if match is None:
            listed = ", ".join(c.name for c in known) or "inga ännu (administratören lägger till dem i målstrukturen)"
            raise KommunkvalitetError(f"{muni.name} har ingen nämnd {name!r}; nämnder: {listed}")
        found.append(match)
    return found


@transaction.atomic
def set_role(username: str, code: str, role: str, committees: Sequence[str] = ()) -> list[EditorRole]:
    """Give the user ``role`` in the municipality, replacing the role she had there. An editor may be
    limited to committees (by name or id; none = every committee); ``role`` "none" takes the role away."""
    user = get(username)
    muni = municipality(code)
    if role not in (*roles.ROLES, NO_ROLE):
        raise KommunkvalitetError(f"okänd roll {role!r}: välj {', '.join(roles.ROLES)} eller {NO_ROLE}")
    if committees and role != roles.EDITOR:
        raise KommunkvalitetError("--committee gäller bara rollen editor (de andra rollerna gäller hela kommunen)")
    chosen = _committees(muni, committees)
    for old in EditorRole.objects.filter(user=user, municipality=muni):
        old.delete()  # one by one: the audit log sees each
    if role == NO_ROLE:
        return []
    scopes: list[Committee | None] = [*chosen] or [None]  # no committee: the whole municipality
    return [EditorRole.objects.create(user=user, municipality=muni, role=role, committee=c) for c in scopes]


@dataclass(frozen=True)
class UserLine:
    username: str
    active: bool
    site_admin: bool
    roles: list[str]  # "1463 Mark: editor (Socialnämnden)"


def listing(code: str | None = None) -> list[UserLine]:
    """Every user (or those with a role in one municipality) with their roles, by name."""
    users = get_user_model().objects.order_by("username")
    if code:
        users = users.filter(kk_roles__municipality=municipality(code)).distinct()
    rows = EditorRole.objects.select_related("municipality", "committee").order_by("municipality_id", "committee")
    by_user: dict[int, dict[str, list]] = {}
    for r in rows:
        per = by_user.setdefault(r.user_id, {})
        per.setdefault(f"{r.municipality_id} {r.municipality.name}: {r.role}", []).append(r.committee)
    out = []
    for u in users:
        lines = []
        for head, comms in by_user.get(u.pk, {}).items():
            names = [c.name for c in comms if c is not None]
            everywhere = " (alla nämnder)" if head.endswith(roles.EDITOR) and not names else ""
            lines.append(head + (f" ({', '.join(names)})" if names else everywhere))
        out.append(UserLine(u.get_username(), u.is_active, u.is_superuser, lines))
    return out
