"""Everything an area page (and its JSON twin) shows, from a handful of queries.

The rules live in core: :mod:`core.comparison` (computed into :class:`ComparisonStat` by imports),
:mod:`core.pages` (base year, change, trend and rank text, on :mod:`core.trend`) and
:mod:`core.groups` (which comparison group fits).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Q

from kommunkvalitet.core import pages
from kommunkvalitet.core.comparison import BAND_NAMES, group_mean
from kommunkvalitet.core.findings import MeasureFinding
from kommunkvalitet.core.gaps import gap_reason
from kommunkvalitet.core.groups import group_year, similar_theme
from kommunkvalitet.core.measuresets import Area, MeasureSet
from kommunkvalitet.store.comparison import current_settings
from kommunkvalitet.store.dataversion import DATA, versions
from kommunkvalitet.store.models import KPI, ComparisonStat, Municipality, Value

HISTORY_YEARS = 8  # how far back a page looks for the previous value and the series


@dataclass(frozen=True)
class GroupReference:
    title: str
    kind: str  # "skr", "similar" or "county"
    year: int | None
    mean: float | None
    n: int  # members with a value
    n_members: int


@dataclass
class MeasureRow:
    finding: MeasureFinding
    rank_text: str | None  # "plats 37 av 286"
    series: list[tuple[int, float | None]] = field(default_factory=list)  # the municipality's values by year
    groups: list[GroupReference] = field(default_factory=list)


@dataclass
class AreaReport:
    municipality: Municipality
    measure_set: MeasureSet
    area: Area
    edition: int
    rows: list[MeasureRow]

    @property
    def is_kommun(self) -> bool:
        """False for Riket and the regions: they have values, but ranks and bands are for kommuner."""
        return self.municipality.type == Municipality.Type.KOMMUN

    @property
    def data_years(self) -> list[int]:
        return sorted({r.finding.year for r in self.rows})

    def figures(self) -> dict[str, float | None]:
        """ "kpi:year" -> value of every figure on the page (what a published comment rests on)."""
        return {f"{r.finding.kpi}:{r.finding.year}": r.finding.value for r in self.rows}


def _band(code: int | None) -> str | None:
    return BAND_NAMES[code] if code else None


def area_report(municipality_id: str, ms: MeasureSet, area_id: str, edition: int | None = None) -> AreaReport:
    """One area of a measure set for one municipality."""
    return measure_set_report(municipality_id, ms, edition, areas=[area_id])[area_id]


_shared: ContextVar[dict | None] = ContextVar("shared_reports", default=None)


@contextmanager
def shared_reports() -> Iterator[None]:
    """Within this block a municipality's whole measure set is computed once per edition and data version
    and shared by every page that asks for it or for one of its areas (the overview, the area pages and
    their JSON twins, which ``kommunkvalitet warm`` renders one after another: web.warm), instead of once
    per page. Only the latest municipality and edition is kept. The pages read the reports, never change
    them (tests/test_warm.py compares the bytes with a page rendered alone)."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def measure_set_report(
    municipality_id: str, ms: MeasureSet, edition: int | None = None, *, areas: list[str] | None = None
) -> dict[str, AreaReport]:
    """A municipality's whole measure set (or the ``areas`` named), area by area, in one pass of
    a handful of queries whatever the number of measures."""
    memo = _shared.get()
    if memo is None:
        return _measure_set_report(municipality_id, ms, edition, areas)
    key = (municipality_id, ms.name, ms.edition, edition, versions([DATA])[DATA])
    if key not in memo:
        memo.clear()
        memo[key] = _measure_set_report(municipality_id, ms, edition, None)
    whole = memo[key]
    return whole if areas is None else {a: whole[a] for a in areas}


def _measure_set_report(
    municipality_id: str, ms: MeasureSet, edition: int | None, areas: list[str] | None
) -> dict[str, AreaReport]:
    muni = Municipality.objects.get(pk=municipality_id)  # 1
    settings = current_settings()
    chosen = [ms.area(a) for a in areas] if areas is not None else list(ms.areas)
    measures = [m for area in chosen for m in area.measures]
    edition = edition if edition is not None else ms.edition
    kpis = [m.kpi for m in measures]
    years_of = {m.kpi: edition + m.data_year_offset for m in measures}
    last, first = max(years_of.values()), min(years_of.values()) - HISTORY_YEARS

    own: dict[str, dict[int, tuple[float | None, str]]] = defaultdict(dict)
    for kpi, year, value, status in Value.objects.filter(  # 2
        kpi_id__in=kpis, municipality_id=municipality_id, gender="T", year__range=(first, last)
    ).values_list("kpi_id", "year", "value", "status"):
        own[kpi][year] = (value, status)

    # The change against the latest earlier year with a value: core's one rule (and its fallback limit).
    # The id only labels the one series; Riket and the regions, never compared, go under a kommun's form.
    is_kommun = muni.type == Municipality.Type.KOMMUN
    label = municipality_id if is_kommun else "9999"
    # A value that is not comparable (core.plausibility) is neither the start nor the end of a change.
    first_years, flagged_years = kpi_history(kpis, municipality_id)  # 3
    changes = {
        m.kpi: pages.change_since_base(
            label, {y: v for y, (v, _) in own[m.kpi].items() if y not in flagged_years[m.kpi]}, years_of[m.kpi],
            m.direction,
            is_share=m.unit == "percent", settings=settings, decimals=m.decimals,
        )
        for m in measures
    }  # fmt: skip
    wanted = set(years_of.items()) | {(m.kpi, c.base_year) for m in measures if (c := changes[m.kpi]).base_year}
    pairs = Q()
    for kpi, year in wanted:  # only the KPI-years shown: each row carries every kommun's position
        pairs |= Q(kpi_id=kpi, year=year)
    stats = {(s.kpi_id, s.year): s for s in ComparisonStat.objects.filter(pairs, gender="T")}  # 4
    kpi_meta = {k.id: k for k in KPI.objects.filter(pk__in=kpis).only("id", "title", "operating_area")}  # 5
    groups = groups_for(muni, measures, kpi_meta, years_of)  # 6 (+ 7 for their members' values)
    members_values = group_values(groups, kpis, years_of)

    rows: dict[str, MeasureRow] = {}
    for m in measures:
        year, change = years_of[m.kpi], changes[m.kpi]
        base = change.base_year
        value, status = own[m.kpi].get(year, (None, ""))
        stat = stats.get((m.kpi, year))
        base_stat = stats.get((m.kpi, base)) if base else None
        pos = (stat.position_of(municipality_id) if stat else None) or (0, 0, 0, 0)
        base_pos = (base_stat.position_of(municipality_id) if base_stat else None) or (0, 0, 0, 0)
        implausible = stat.flagged.get(municipality_id) if stat and value is not None else None
        # a position against the rikssnitt only for a kommun's comparable value (as rank and band)
        compared = value if is_kommun and implausible is None else None
        finding = MeasureFinding(
            kpi=m.kpi, label=m.label, label_en=m.label_en, unit=m.unit, decimals=m.decimals,
            direction=m.direction, is_cost=m.is_cost, year=year, value=value,
            missing_reason=(status or None) if value is None else None,
            gap=_gap(status, _with_value(stat), first_years.get(m.kpi), year, is_kommun) if value is None else None,
            implausible=implausible,
            previous_year=base, previous_value=change.base_value,
            change=change.absolute, change_pct=change.percent, change_pp=change.percentage_points,
            trend=pages.trend_word(change, m.direction), marked=change.marked,
            band=_band(pos[1]), previous_band=_band(base_pos[1]), rank=pos[0] or None,
            n=stat.n if stat else 0, national_mean=stat.mean if stat else None, sd=stat.sd if stat else None,
            position=pages.position_against_mean(compared, stat.mean if stat else None, m.unit),
            riket=stat.riket if stat else None, label_short=m.label_short, label_short_en=m.label_short_en,
            event=m.event,
            group=m.group.name if m.group else "", group_en=m.group.name_en if m.group else "",
        )  # fmt: skip
        rows[m.kpi] = MeasureRow(
            finding=finding,
            rank_text=pages.rank_text(finding.rank, finding.n),
            series=[(y, own[m.kpi][y][0]) for y in sorted(own[m.kpi]) if y <= year],
            groups=[ref for ref in (group_reference(g, members_values, m.kpi, year)
                                    for g in groups.get(m.kpi, [])) if ref],
        )  # fmt: skip
    return {a.id: AreaReport(muni, ms, a, edition, [rows[m.kpi] for m in a.measures]) for a in chosen}


def kpi_history(kpis: list[str], municipality_id: str) -> tuple[dict[str, int], defaultdict[str, set[int]]]:
    """Per KPI: the first year any kommun has a (total) value (for the reason of a gap), and the years
    in which this municipality's value is not comparable. One query over the comparisons."""
    first: dict[str, int] = {}
    flagged: defaultdict[str, set[int]] = defaultdict(set)
    rows = ComparisonStat.objects.filter(kpi_id__in=kpis, gender="T").values_list("kpi_id", "year", "n", "flagged")
    for kpi, year, n, flags in rows:
        if n or flags:
            first[kpi] = min(year, first.get(kpi, year))
        if municipality_id in flags:
            flagged[kpi].add(year)
    return first, flagged


def _gap(status: str, n_that_year: int, first_year: int | None, year: int, is_kommun: bool) -> str | None:
    """The gap code; for Riket or a region "not reported" would speak of a kommun, so it is left unsaid."""
    code = gap_reason(status, n_that_year, first_year, year)
    return code if is_kommun or code != "not_reported" else None


def _with_value(stat: ComparisonStat | None) -> int:
    """Kommuner with a value in a comparison, comparable or not."""
    return stat.n + len(stat.flagged) if stat else 0


@dataclass(slots=True)
class Group:
    """What the pages read of a :class:`MunicipalityGroup`, and its members' ids (a model instance for each
    of a kommun's hundred-odd groups cost a goal report a few milliseconds)."""

    pk: str
    title: str
    kind: str
    area: str
    year: int | None
    member_ids: list[str] = field(default_factory=list)


def groups_for(muni, measures, kpi_meta, years_of) -> dict[str, list[Group]]:
    """Per KPI: the municipality's SKR kommungrupp, its liknande kommuner group for the KPI's theme
    and its county (the kommuner of its län)."""
    with connection.cursor() as cur:
        cur.execute(_CANDIDATES_SQL, [muni.pk, muni.pk])
        candidates = [Group(*row) for row in cur.fetchall()]
    skr = [g for g in candidates if g.kind == "skr"][:1]
    county = [g for g in candidates if g.kind == "county"][:1]
    by_theme: dict[str, list[Group]] = defaultdict(list)
    for g in candidates:
        if g.kind == "similar":
            by_theme[g.area].append(g)
    out = {}
    for m in measures:
        meta = kpi_meta.get(m.kpi)
        theme = similar_theme(meta.title if meta else m.label, meta.operating_area if meta else "")
        options = by_theme.get(theme) or by_theme.get("övergripande") or []
        chosen_year = group_year([g.year for g in options if g.year], years_of[m.kpi])
        similar = [g for g in options if g.year == chosen_year][:1]
        out[m.kpi] = skr + similar + county
    # The members of the chosen groups only (a kommun has dozens of liknande-kommuner groups).
    chosen = {g.pk: g for gs in out.values() for g in gs}
    members: dict[str, list[str]] = defaultdict(list)
    if chosen:
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT group_id, municipality_id FROM store_groupmember WHERE group_id IN ({placeholders(chosen)})",
                list(chosen),
            )
            for group_id, member in cur.fetchall():
                members[group_id].append(member)
    for g in chosen.values():
        g.member_ids = members[g.pk]
    return out


# A kommun's SKR kommungrupp and county (it is a member) and its liknande kommuner groups (it is their
# focus), by kind and title. Plain SQL, as group_values: Django's join made a row per member of each group.
_CANDIDATES_SQL = (
    "SELECT id, title, kind, area, year FROM store_municipalitygroup WHERE (kind IN ('skr', 'county') AND id IN "
    "(SELECT group_id FROM store_groupmember WHERE municipality_id = %s)) OR (kind = 'similar' AND focus_id = %s) "
    "ORDER BY kind, title"
)


def group_values(groups, kpis, years_of) -> dict[tuple[str, int], dict[str, float]]:
    """{(kpi, year): {member: value}} of the members of each KPI's own groups.

    A KPI's liknande kommuner depend on its theme, so the KPIs of one theme are asked for with their
    members, not every KPI for every member (each pair is an index look-up: a goal report's 16 KPIs
    took 1,536 for 1,238 values, now about 900). Plain SQL: Django built the query of a few hundred
    parameters in about as long as SQLite ran it."""
    kpis_of: dict[frozenset[str], list[str]] = defaultdict(list)
    for kpi in kpis:
        members = frozenset(m for g in groups.get(kpi, []) for m in g.member_ids)
        if members:
            kpis_of[members].append(kpi)
    out: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    if not kpis_of:
        return out
    clauses, params = [], []
    for members, theirs in kpis_of.items():
        clauses.append(f"(kpi_id IN ({placeholders(theirs)}) AND municipality_id IN ({placeholders(members)}))")
        params += [*theirs, *sorted(members)]
    years = ", ".join(str(int(y)) for y in sorted(set(years_of.values())))
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT kpi_id, municipality_id, year, value FROM {Value._meta.db_table} "
            f"WHERE ({' OR '.join(clauses)}) AND gender = 'T' AND year IN ({years}) AND value IS NOT NULL",
            params,
        )
        for kpi, muni, year, value in cur.fetchall():
            out[(kpi, year)][muni] = value
    return out


def placeholders(items) -> str:
    """ "%s, %s, %s": a parameter's place for each item (plain SQL's IN lists)."""
    return ", ".join(["%s"] * len(items))


def group_reference(group, members_values, kpi, year) -> GroupReference | None:
    values = members_values.get((kpi, year), {})
    ids = np.array(list(values), dtype=object)
    arr = np.array(list(values.values()), dtype=np.float64)
    gm = group_mean(ids, arr, group.member_ids)  # as Kolada publishes a group: the mean of all its members
    if gm.n_members == 0:  # no comparison against a group with no other members
        return None
    return GroupReference(group.title, group.kind, group.year, gm.mean, gm.n, gm.n_members)
