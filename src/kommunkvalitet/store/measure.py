"""Everything the measure page (/nyckeltal/<kpi>/<år>/) and the map show, from about ten queries.

One KPI, one data year, all kommuner: their values ordered from best to worst with rank and band (as
stored by the comparison engine), the distribution per gender, and for a chosen municipality its
series against the rikssnitt, its SKR kommungrupp, its liknande kommuner and Riket. Any KPI with values
works, not only the measures of a measure set: a KPI outside every set is shown with the direction it
was compared with (usually none: no rank, no band) and the unit its Kolada title gives.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from kommunkvalitet.core.charts import BandLimits, BarRow, SeriesLine, band_limits, order_rows
from kommunkvalitet.core.comparison import BAND_NAMES, POSITION_NAMES
from kommunkvalitet.core.measuresets import Area, Measure, MeasureSet, measure_sets
from kommunkvalitet.store.dataversion import kpi_version
from kommunkvalitet.store.models import KPI, ComparisonStat, Municipality, Value
from kommunkvalitet.store.report import group_reference, groups_for

GENDER_NAMES = {"T": "Totalt", "K": "Kvinnor", "M": "Män"}


@dataclass(frozen=True)
class KpiInfo:
    id: str
    title: str  # Kolada's title
    label: str  # the measure set's label when the KPI is a measure, else the title
    description: str
    operating_area: str
    perspective: str
    unit: str
    decimals: int
    direction: str  # the direction its comparisons were computed with
    is_divided_by_gender: bool
    is_retired: bool
    memberships: tuple[tuple[MeasureSet, Area, Measure], ...] = ()

    @property
    def measure(self) -> Measure | None:
        return self.memberships[0][2] if self.memberships else None


@dataclass(frozen=True)
class GenderStats:
    """One gender's distribution, and where the chosen municipality (if any) lies in it."""

    gender: str
    n: int
    mean: float | None
    median: float | None
    min: float | None
    max: float | None
    riket: float | None
    limits: BandLimits
    value: float | None = None
    rank: int | None = None
    band: str | None = None
    position: str | None = None
    implausible: str | None = None  # the chosen kommun's value is not comparable (core.plausibility)

    @property
    def name(self) -> str:
        return GENDER_NAMES[self.gender]


@dataclass
class MeasurePage:
    info: KpiInfo
    year: int
    years: list[int]  # years with a comparison (gender T)
    municipality: Municipality | None
    rows: list[BarRow]  # kommuner with a value, best to worst (gender T)
    missing: list[tuple[str, str]]  # kommuner without a value: (id, name)
    genders: dict[str, GenderStats]  # "T", plus "K" and "M" when the KPI is divided by gender
    series: list[SeriesLine] = field(default_factory=list)
    version: str = "0"
    # kommuner whose value is not comparable: (id, name, value, code); not in ``rows`` nor the charts
    flagged: list[tuple[str, str, float, str]] = field(default_factory=list)

    @property
    def total(self) -> GenderStats | None:
        return self.genders.get("T")

    @property
    def chosen(self) -> BarRow | None:
        mid = self.municipality.id if self.municipality else None
        return next((r for r in self.rows if r.id == mid), None)


def default_decimals(unit: str, typical: float | None) -> int:
    """Decimals for a KPI outside every measure set: one for shares, none for kronor and days, otherwise
    by the size of a typical value (so that two or three significant digits show)."""
    if unit == "percent":
        return 1
    if unit.startswith("kr") or unit in ("days", "count"):
        return 0
    size = abs(typical) if typical is not None else 0.0
    return 0 if size >= 100 else 1 if size >= 10 else 2


def memberships(kpi_id: str) -> tuple[tuple[MeasureSet, Area, Measure], ...]:
    """The measure sets (newest first) and areas in which the KPI is a measure."""
    found = []
    for ms in sorted(measure_sets(), key=lambda s: -s.edition):
        for area in ms.areas:
            for m in area.measures:
                if m.kpi == kpi_id:
                    found.append((ms, area, m))
    return tuple(found)


def kpi_info(kpi: KPI, direction: str | None = None, typical: float | None = None) -> KpiInfo:
    member = memberships(kpi.id)
    measure = member[0][2] if member else None
    unit = measure.unit if measure else kpi.unit
    return KpiInfo(
        id=kpi.id, title=kpi.title, label=measure.label if measure else kpi.title, description=kpi.description,
        operating_area=kpi.operating_area, perspective=kpi.perspective, unit=unit,
        decimals=measure.decimals if measure else default_decimals(unit, typical),
        direction=direction or kpi.direction, is_divided_by_gender=kpi.is_divided_by_gender,
        is_retired=kpi.is_retired, memberships=member,
    )  # fmt: skip


def years_with_values(kpi_id: str) -> list[int]:
    return sorted(ComparisonStat.objects.filter(kpi_id=kpi_id, gender="T").values_list("year", flat=True))


def measure_page(kpi_id: str, year: int, municipality_id: str | None = None) -> MeasurePage:
    """The measure page's figures. Raises ``KPI.DoesNotExist`` for an unknown KPI and
    ``Municipality.DoesNotExist`` for an unknown kommun; a year without values gives empty rows."""
    kpi = KPI.objects.get(pk=kpi_id)  # 1
    kommuner = {mid: (name, county) for mid, name, county in Municipality.objects.filter(
        type=Municipality.Type.KOMMUN).values_list("id", "name", "county_id")}  # 2  # fmt: skip
    muni = None
    if municipality_id:
        if municipality_id not in kommuner:
            raise Municipality.DoesNotExist(municipality_id)
        muni = Municipality.objects.get(pk=municipality_id)  # 3
    yearly = {y: (mean, riket) for y, mean, riket in ComparisonStat.objects.filter(kpi_id=kpi_id, gender="T")
              .values_list("year", "mean", "riket")}  # 4  # fmt: skip
    stats = {s.gender: s for s in ComparisonStat.objects.filter(kpi_id=kpi_id, year=year)}  # 5
    values: dict[str, dict[str, float]] = defaultdict(dict)
    for mid, gender, value in Value.objects.filter(kpi_id=kpi_id, year=year, value__isnull=False).values_list(
        "municipality_id", "gender", "value"
    ):  # 6
        if mid in kommuner:
            values[gender][mid] = value
    total = stats.get("T")
    info = kpi_info(kpi, total.direction if total else None, total.median if total else None)
    genders: dict[str, GenderStats] = {}
    rows: list[BarRow] = []
    for gender in ("T", "K", "M"):
        stat = stats.get(gender)
        if stat is None:
            continue
        grows = _rows(values[gender], stat, kommuner, info.direction)
        if gender == "T":
            rows = grows
        pos = stat.position_of(municipality_id)
        genders[gender] = GenderStats(
            gender, stat.n, stat.mean, stat.median, stat.min, stat.max, stat.riket, band_limits(grows),
            value=values[gender].get(municipality_id) if municipality_id else None,
            rank=(pos[0] or None) if pos else None, band=BAND_NAMES[pos[1]] if pos and pos[1] else None,
            position=POSITION_NAMES[pos[2]] if pos and pos[2] else None,
            implausible=stat.flagged.get(municipality_id) if municipality_id else None,
        )  # fmt: skip
    total_flags = total.flagged if total else {}
    flagged = sorted(((mid, kommuner[mid][0], values["T"][mid], code) for mid, code in total_flags.items()
                      if mid in values["T"]), key=lambda f: f[1])  # fmt: skip
    present = {r.id for r in rows} | {f[0] for f in flagged}
    missing = sorted(((mid, name) for mid, (name, _) in kommuner.items() if mid not in present), key=lambda m: m[1])
    years = sorted(yearly)
    page = MeasurePage(
        info, year, years, muni, rows, missing, genders, version=kpi_version(kpi_id), flagged=flagged
    )  # 7
    # The series runs over every year from the first to the last with values: a year nobody has (a survey
    # not made in 2021) is a gap in every line, not a year left out of the axis.
    span = list(range(years[0], years[-1] + 1)) if years else []
    page.series = _series(kpi, info, year, span, yearly, muni)  # 8-11 with a municipality
    return page


def _rows(values: dict[str, float], stat, kommuner, direction: str) -> list[BarRow]:
    rows = []
    for mid, value in values.items():
        if mid in stat.flagged:  # not comparable: listed apart, not in the charts
            continue
        pos = stat.position_of(mid) or (0, 0, 0, 0)
        rows.append(BarRow(mid, kommuner[mid][0], value, pos[0] or None, BAND_NAMES[pos[1]] if pos[1] else None))
    return order_rows(rows, direction)


def _series(kpi: KPI, info: KpiInfo, year: int, years: list[int], yearly, muni) -> list[SeriesLine]:
    """The lines of the time series: the municipality (when chosen), the rikssnitt, its SKR kommungrupp and
    liknande kommuner (the group for the page's year, as the area page chooses it), and Riket."""
    if not years:
        return []
    lines: list[SeriesLine] = []
    national = SeriesLine(
        "national_mean", "Rikssnitt (ovägt medel)", tuple((y, yearly.get(y, (None, None))[0]) for y in years)
    )
    riket = SeriesLine("riket", "Riket (viktat)", tuple((y, yearly.get(y, (None, None))[1]) for y in years))  # fmt: skip
    if muni is None:
        return [national, riket]
    own = dict(Value.objects.filter(kpi_id=kpi.id, municipality_id=muni.id, gender="T").values_list("year", "value"))
    lines.append(SeriesLine("municipality", muni.name, tuple((y, own.get(y)) for y in years)))
    lines.append(national)
    measure = SimpleNamespace(kpi=kpi.id, label=info.label)
    groups = [g for g in groups_for(muni, [measure], {kpi.id: kpi}, {kpi.id: year})[kpi.id] if g.kind != "county"]
    members = {m for g in groups for m in g.member_ids}
    members_values: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    for mid, y, value in Value.objects.filter(
        kpi_id=kpi.id, municipality_id__in=members, gender="T", value__isnull=False
    ).values_list("municipality_id", "year", "value"):
        members_values[(kpi.id, y)][mid] = value
    for g in groups:
        refs = [(y, group_reference(g, members_values, kpi.id, y)) for y in years]
        if all(ref is None for _, ref in refs):
            continue
        label = f"Kommungrupp: {g.title}" if g.kind == "skr" else g.title
        lines.append(SeriesLine(g.kind, label, tuple((y, ref.mean if ref else None) for y, ref in refs)))
    lines.append(riket)
    return lines


def measure_label(kpi_id: str) -> str:
    """The measure set's label of a KPI, else its Kolada title (for links and titles elsewhere)."""
    member = memberships(kpi_id)
    if member:
        return member[0][2].label
    return KPI.objects.filter(pk=kpi_id).values_list("title", flat=True).first() or kpi_id
