"""Read queries the web, reports and CLI use; views never build queries of their own."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count

from kommunkvalitet.core.text import matches, search_fold, swedish_sort_key
from kommunkvalitet.store.models import KPI, Municipality, MunicipalityGroup, Value


def kommuner(search: str = "") -> list[Municipality]:
    """All kommuner (not regions, not Riket) in Swedish alphabetical order; ``search`` filters on the
    name (every word, forgiving case and å/ä/ö written as a/a/o: "ornskoldsvik" finds Örnsköldsvik) or
    the start of the code."""
    qs = Municipality.objects.filter(type=Municipality.Type.KOMMUN)
    search = search.strip()
    if not search:
        return sorted(qs, key=lambda m: swedish_sort_key(m.name))
    # Folding is done here, not in SQL (SQLite's LIKE folds neither å nor Ö); only the matches are loaded.
    ids = [mid for mid, name in qs.values_list("id", "name") if mid.startswith(search) or matches(search, name)]
    return sorted(qs.filter(pk__in=ids), key=lambda m: swedish_sort_key(m.name)) if ids else []


# --- KPI search and browsing ------------------------------------------------------------------------


@dataclass(frozen=True)
class KpiEntry:
    """A KPI as search and browsing list it."""

    id: str
    title: str
    operating_area: str
    is_retired: bool
    latest_year: int | None  # the latest year with values in the store; None: no values loaded
    folded: str  # search_fold(id + title): what a query is matched against

    @property
    def has_values(self) -> bool:
        return self.latest_year is not None


_index_lock = threading.Lock()
_index: tuple[tuple, list[KpiEntry]] | None = None


def _index_marker() -> tuple:
    """Changes when the catalogue or the loaded KPI-years may have changed (an import that changed
    something, a recompute)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT (SELECT COUNT(*) FROM store_kpi), (SELECT MAX(id) FROM store_importlog WHERE ok AND "
            "(added > 0 OR changed > 0 OR deleted > 0)), (SELECT COUNT(*) FROM store_comparisonstat)"
        )
        return tuple(cur.fetchone())


def kpi_index() -> list[KpiEntry]:
    """Every KPI of the catalogue with its latest year with values, built once per process and again
    only after an import changed something (three cheap counts decide)."""
    global _index
    marker = _index_marker()
    with _index_lock:
        if _index is not None and _index[0] == marker:
            return _index[1]
    latest: dict[str, int] = {}
    with connection.cursor() as cur:
        cur.execute("SELECT kpi_id, MAX(year) FROM store_comparisonstat WHERE gender = 'T' GROUP BY kpi_id")
        latest = {kpi: int(year) for kpi, year in cur.fetchall()}
    entries = [
        KpiEntry(kpi_id, title, area or "", retired, latest.get(kpi_id), search_fold(f"{kpi_id} {title}"))
        for kpi_id, title, area, retired in KPI.objects.values_list("id", "title", "operating_area", "is_retired")
    ]
    with _index_lock:
        _index = (marker, entries)
    return entries


def search_kpi_entries(query: str, limit: int = 50) -> tuple[list[KpiEntry], int]:
    """KPIs whose id or title holds every word of ``query``, forgiving case and å/ä/ö written as a/a/o
    ("vantetid sarskilt boende" finds U23401); KPIs with values first, then current before retired, then
    the shorter title. Returns the first ``limit`` and how many matched in all."""
    words = search_fold(query).split()
    if not words:
        return [], 0
    hits = [e for e in kpi_index() if all(w in e.folded for w in words)]
    hits.sort(key=lambda e: (not e.has_values, e.is_retired, len(e.title), e.id))
    return hits[:limit], len(hits)


def search_kpis(query: str, limit: int = 20) -> list[KPI]:
    """The KPI rows of :func:`search_kpi_entries` (the goal forms choose among them)."""
    hits, _ = search_kpi_entries(query.strip(), limit)
    found = KPI.objects.in_bulk([h.id for h in hits])
    return [found[h.id] for h in hits if h.id in found]


def operating_areas() -> list[tuple[str, int, int]]:
    """The catalogue's operating areas (verksamhetsområden): name, KPIs with values, KPIs in all; by name."""
    counts: dict[str, list[int]] = {}
    for e in kpi_index():
        c = counts.setdefault(e.operating_area or "Övrigt", [0, 0])
        c[0] += e.has_values
        c[1] += 1
    return sorted(((name, c[0], c[1]) for name, c in counts.items()), key=lambda a: swedish_sort_key(a[0]))


def kpis_in_area(name: str) -> list[KpiEntry]:
    """The KPIs of one operating area that have values, by title."""
    return sorted((e for e in kpi_index() if (e.operating_area or "Övrigt") == name and e.has_values),
                  key=lambda e: swedish_sort_key(e.title))  # fmt: skip


@dataclass(frozen=True)
class MunicipalityProfile:
    municipality: Municipality
    county_names: list[str]
    skr_groups: list[MunicipalityGroup]
    similar_groups: list[MunicipalityGroup]
    value_count: int
    years: list[int]


def municipality_profile(municipality_id: str) -> MunicipalityProfile:
    muni = Municipality.objects.select_related("county").get(pk=municipality_id)
    member_groups = list(MunicipalityGroup.objects.filter(groupmember__municipality=muni, kind__in=["county", "skr"]))
    similar = list(
        MunicipalityGroup.objects.filter(kind=MunicipalityGroup.Kind.SIMILAR, focus=muni)
        .annotate(n=Count("groupmember"))
        .prefetch_related("members")
        .order_by("area", "-year")
    )
    # Filtering on every KPI id lets the (kpi, municipality, ...) key serve the lookup: values have
    # no index on municipality alone (it would slow the import by a quarter).
    values = Value.objects.filter(kpi_id__in=KPI.objects.values_list("id", flat=True), municipality=muni)
    stats = values.aggregate(n=Count("id"))
    years = sorted(values.values_list("year", flat=True).distinct())
    return MunicipalityProfile(
        municipality=muni,
        county_names=[g.title.replace("läns kommuner", "län") for g in member_groups if g.kind == "county"],
        skr_groups=[g for g in member_groups if g.kind == "skr"],
        similar_groups=similar,
        value_count=stats["n"],
        years=years,
    )
