"""Kolada records as plain frozen dataclasses, and the parsers that normalise v2/v3 JSON into them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kommunkvalitet.errors import SourceError


@dataclass(frozen=True)
class KPI:
    id: str
    title: str
    description: str = ""
    operating_area: str = ""  # may itself contain commas ("Kommunen, övergripande"): never split it
    perspective: str = ""
    is_divided_by_gender: bool = False
    municipality_type: str = ""  # K, L or A
    auspice: str | None = None  # v3 "auspice", v2 "auspices"; observed E, T, X or null
    publication_date: str | None = None
    prel_publication_date: str | None = None
    publ_period: str | None = None
    has_ou_data: bool = False


@dataclass(frozen=True)
class Municipality:
    id: str
    title: str
    type: str  # "K" kommun, "L" region/landsting; Riket "0000" is "L"


@dataclass(frozen=True)
class GroupMember:
    id: str
    title: str


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    members: tuple[GroupMember, ...]

    @property
    def member_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.members)


@dataclass(frozen=True)
class ValueRecord:
    """One value of one KPI for one municipality (or group), year and gender.

    ``value`` is ``None`` when Kolada has no number (never replaced by 0); ``status`` is passed on as is.
    ``count`` is the number of members behind a group value (1 for a municipality). ``is_deleted`` is
    only ever true for ``from_date`` queries: the row was removed at Kolada and the caller should drop it.
    """

    kpi: str
    municipality_id: str
    year: int
    gender: str
    value: float | None
    status: str
    count: int | None
    is_deleted: bool = False


def _text(r: dict[str, Any], key: str) -> str | None:
    v = r.get(key)
    return None if v is None else str(v)


def parse_kpi(r: dict[str, Any]) -> KPI:
    return KPI(
        id=str(r["id"]),
        title=str(r.get("title") or ""),
        description=str(r.get("description") or ""),
        operating_area=str(r.get("operating_area") or ""),
        perspective=str(r.get("perspective") or ""),
        is_divided_by_gender=bool(r.get("is_divided_by_gender")),  # v2 int, v3 bool
        municipality_type=str(r.get("municipality_type") or ""),
        auspice=_text(r, "auspice") if "auspice" in r else _text(r, "auspices"),  # v3 / v2 name
        publication_date=_text(r, "publication_date"),
        prel_publication_date=_text(r, "prel_publication_date"),
        publ_period=_text(r, "publ_period"),
        has_ou_data=bool(r.get("has_ou_data")),
    )


def parse_municipality(r: dict[str, Any]) -> Municipality:
    return Municipality(id=str(r["id"]), title=str(r.get("title") or ""), type=str(r.get("type") or ""))


def parse_group(r: dict[str, Any]) -> Group:
    """A group object; members as ``member_id``/``member_title`` (v3) or ``id``/``title`` (v2)."""
    members = tuple(
        GroupMember(
            id=str(m["member_id"] if "member_id" in m else m["id"]),
            title=str(m.get("member_title", m.get("title")) or ""),
        )
        for m in r.get("members") or ()
    )
    return Group(id=str(r["id"]), title=str(r.get("title") or ""), members=members)


def parse_metadata(kind: str, r: dict[str, Any], url: str) -> Any:
    """Parse one metadata object, raising :class:`SourceError` naming ``url`` if it is malformed."""
    parser = {"kpi": parse_kpi, "municipality": parse_municipality}.get(kind, parse_group)
    try:
        return parser(r)
    except (KeyError, TypeError, AttributeError) as exc:
        raise SourceError(f"Kolada answer from {url} has a malformed {kind} object ({exc!r}): {r!r:.200}") from exc


def parse_data_object(obj: dict[str, Any], url: str) -> Iterator[ValueRecord]:
    """Flatten one data object (``kpi``, ``municipality``, ``period``, ``values[]``) into ValueRecords."""
    try:
        kpi = str(obj["kpi"])
        muni = str(obj["municipality"] if "municipality" in obj else obj["municipality_id"])
        year = int(obj["period"] if "period" in obj else obj["year"])
        for entry in obj.get("values") or []:
            value = entry.get("value")
            if value is not None:
                if isinstance(value, bool):
                    raise ValueError(f"value {value!r} is not a number")
                value = float(value)
            count = entry.get("count")
            yield ValueRecord(
                kpi=kpi,
                municipality_id=muni,
                year=year,
                gender=str(entry["gender"]),
                value=value,
                status=str(entry.get("status") or ""),
                count=None if count is None else int(count),
                is_deleted=bool(entry.get("isdeleted", False)),
            )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise SourceError(f"Kolada answer from {url} has a malformed data object ({exc!r}): {obj!r:.200}") from exc
