"""Measure sets: versioned data files (``measuresets/*.toml``) naming the KKiK measures per area."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from kommunkvalitet.errors import InputError

MEASURESET_DIR = Path(__file__).resolve().parent.parent / "measuresets"


def measure_set_files(folder: Path = MEASURESET_DIR) -> list[Path]:
    return sorted(folder.glob("*.toml"))


def default_kpi_ids(folder: Path = MEASURESET_DIR) -> set[str]:
    """Every KPI id that a shipped measure set names: what the default import brings in.

    Entries a set lists as ``unavailable`` are not measures of the set and are not included."""
    return {m.kpi for ms in measure_sets(folder) for m in ms.measures}


def default_directions(folder: Path = MEASURESET_DIR) -> dict[str, str]:
    """KPI id -> direction as the measure sets give it (the first set that names a KPI wins)."""
    out: dict[str, str] = {}
    for ms in measure_sets(folder):
        for m in ms.measures:
            out.setdefault(m.kpi, m.direction)
    return out


def _norm(name: str) -> str:
    return re.sub(r"[\s_-]+", "_", name.strip().lower())


def set_name(path: Path) -> str:
    """The display name of a measure set file (its ``name`` key)."""
    return load_measure_set(path).name


def find_measure_set(name: str, folder: Path = MEASURESET_DIR) -> Path:
    """The shipped measure set whose file stem or ``name`` key is ``name`` ("kkik_2022" or "KKiK 2022";
    case, spaces, hyphens and underscores do not matter)."""
    wanted = _norm(name)
    files = measure_set_files(folder)
    for path in files:
        if wanted in (_norm(path.stem), _norm(set_name(path))):
            return path
    known = ", ".join(f"{set_name(p)!r} ({p.stem})" for p in files) or "none"
    raise InputError(f"no measure set named {name!r}; the shipped sets are {known}")


def measure_set_kpi_ids(name: str, folder: Path = MEASURESET_DIR) -> list[str]:
    """The KPI ids of the measures of one shipped set, in file order (``unavailable`` entries excluded)."""
    return [m.kpi for m in load_measure_set(find_measure_set(name, folder)).measures]


# -- Typed measure sets ------------------------------------------------------------------------------

UNITS = frozenset(
    {
        "percent",
        "days",
        "count",
        "ratio",
        "index",
        "per_1000",
        "per_inhabitant",
        "hours_per_week",
        "kr_per_inhabitant",
        "kr_per_inhabitant_80plus",
        "kr_per_child",
        "kr_per_pupil",
        "kr_per_user",
    }
)
DIRECTIONS = frozenset({"higher", "lower", "none"})
#: Events a measure can be tied to: its value changes only when the event takes place (docs/method.md).
EVENTS = frozenset({"election"})
_REQUIRED = ("kpi", "label", "label_en", "direction", "unit", "decimals", "is_cost", "data_year_offset", "source")


@dataclass(frozen=True)
class Group:
    """An activity the measures of a set are grouped by in running text ("individ- och familjeomsorg")."""

    id: str
    name: str  # Swedish, as it stands inside a sentence
    name_en: str


@dataclass(frozen=True)
class Measure:
    kpi: str
    label: str
    label_short: str
    label_en: str
    direction: str
    unit: str
    decimals: int
    is_cost: bool
    data_year_offset: int
    source: str
    note: str = ""
    kolada_title: str = ""
    group: Group | None = None
    event: str | None = None
    label_short_en: str = ""  # English label for running text; defaults to label_en  # one of EVENTS: the value changes only when the event takes place


@dataclass(frozen=True)
class Area:
    id: str
    name: str
    name_en: str
    measures: tuple[Measure, ...]


@dataclass(frozen=True)
class MeasureSet:
    name: str
    edition: int
    description: str
    areas: tuple[Area, ...]
    path: str = ""

    @property
    def slug(self) -> str:
        return Path(self.path).stem if self.path else _norm(self.name)

    def area(self, area_id: str) -> Area:
        for area in self.areas:
            if area.id == area_id:
                return area
        raise KeyError(area_id)

    @property
    def measures(self) -> tuple[Measure, ...]:
        return tuple(m for a in self.areas for m in a.measures)

    def data_year(self, measure: Measure, edition: int | None = None) -> int:
        """The year of data a measure shows in an edition (this set's, unless another is given)."""
        return (edition if edition is not None else self.edition) + measure.data_year_offset


def load_measure_set(path: Path) -> MeasureSet:
    """Read and validate a measure set file; :class:`InputError` names the file and the measure.

    Parsed once per process and file version (pages ask for the sets on every request)."""
    path = Path(path)
    return _load_measure_set(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=32)
def _load_measure_set(path: Path, _mtime_ns: int) -> MeasureSet:
    fname = str(path)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", file=fname) from None
    for key in ("name", "edition", "areas"):
        if key not in data:
            raise InputError(f"missing top-level key '{key}'", file=fname, field=key)
    areas, seen = [], set()
    groups = {
        gid: Group(gid, str(raw.get("name", gid)), str(raw.get("name_en", raw.get("name", gid))))
        for gid, raw in data.get("groups", {}).items()
    }
    for area_id, raw_area in data["areas"].items():
        measures = []
        for i, raw in enumerate(raw_area.get("measures", []), start=1):
            where = f"areas.{area_id}.measures[{i}]"
            missing = [k for k in _REQUIRED if k not in raw]
            if missing:
                raise InputError(f"{where} ({raw.get('kpi', '?')}) lacks '{missing[0]}'", file=fname, field=missing[0])
            if raw["direction"] not in DIRECTIONS:
                raise InputError(
                    f"{where} ({raw['kpi']}): direction must be higher, lower or none, not {raw['direction']!r}",
                    file=fname,
                    field="direction",
                )
            if raw["unit"] not in UNITS:
                raise InputError(f"{where} ({raw['kpi']}): unknown unit {raw['unit']!r}", file=fname, field="unit")
            if raw.get("group") is not None and raw["group"] not in groups:
                raise InputError(
                    f"{where} ({raw['kpi']}): group {raw['group']!r} is not in [groups]", file=fname, field="group"
                )
            if raw.get("event") is not None and raw["event"] not in EVENTS:
                raise InputError(f"{where} ({raw['kpi']}): unknown event {raw['event']!r}", file=fname, field="event")
            if raw["kpi"] in seen:
                raise InputError(f"{where}: KPI {raw['kpi']} appears twice in the set", file=fname, field="kpi")
            seen.add(raw["kpi"])
            measures.append(
                Measure(
                    kpi=raw["kpi"],
                    label=raw["label"],
                    label_short=raw.get("label_short") or raw["label"],
                    label_en=raw["label_en"],
                    direction=raw["direction"],
                    unit=raw["unit"],
                    decimals=int(raw["decimals"]),
                    is_cost=bool(raw["is_cost"]),
                    data_year_offset=int(raw["data_year_offset"]),
                    source=raw["source"],
                    note=raw.get("note", ""),
                    kolada_title=raw.get("kolada_title", ""),
                    group=groups.get(raw.get("group") or ""),
                    label_short_en=raw.get("label_short_en") or raw["label_en"],
                    event=raw.get("event"),
                )
            )
        areas.append(Area(area_id, raw_area.get("name", area_id), raw_area.get("name_en", area_id), tuple(measures)))
    return MeasureSet(data["name"], int(data["edition"]), data.get("description", "").strip(), tuple(areas), fname)


def measure_sets(folder: Path = MEASURESET_DIR) -> list[MeasureSet]:
    return [load_measure_set(p) for p in measure_set_files(folder)]


#: The longest short label (in words) that keeps a sentence naming two measures readable.
SHORT_LABEL_WORDS = 12


@dataclass(frozen=True)
class CheckProblem:
    kpi: str
    message: str
    fatal: bool = True


def check_measure_set(
    ms: MeasureSet,
    *,
    catalogue: dict[str, bool],
    coverage: dict[tuple[str, int], int],
    municipalities: int,
    min_coverage: float = 0.25,
) -> list[CheckProblem]:
    """Problems of a measure set against the KPI catalogue and the data.

    ``catalogue``: KPI id -> retired?; ``coverage``: (kpi, year) -> municipalities with a total value;
    ``municipalities``: how many there are. Unknown ids, missing data for the data year and retired
    ids are fatal; thin coverage (under ``min_coverage`` of the municipalities) is a warning.
    """
    problems = []
    for m in ms.measures:
        year = ms.data_year(m)
        words = len(m.label_short.split())
        if m.group is None:
            problems.append(CheckProblem(m.kpi, "no group: the narrative cannot give it an activity", fatal=False))
        if m.label_short == m.label and not m.is_cost:
            problems.append(CheckProblem(m.kpi, "no label_short: the narrative would use the full label", fatal=False))
        elif words > SHORT_LABEL_WORDS:
            problems.append(
                CheckProblem(m.kpi, f"label_short has {words} words (at most {SHORT_LABEL_WORDS})", fatal=False)
            )
        if m.kpi not in catalogue:
            problems.append(CheckProblem(m.kpi, "unknown KPI id: in neither the current nor the 2024 catalogue"))
            continue
        if catalogue[m.kpi]:
            problems.append(CheckProblem(m.kpi, "retired KPI: not in the current Kolada catalogue", fatal=False))
        n = coverage.get((m.kpi, year), 0)
        if n == 0:
            problems.append(CheckProblem(m.kpi, f"no values for its data year {year}"))
        elif n < min_coverage * municipalities:
            problems.append(
                CheckProblem(m.kpi, f"only {n} of {municipalities} municipalities have a value for {year}", fatal=False)
            )
    return problems


def set_for_edition(sets: list[MeasureSet], year: int) -> MeasureSet | None:
    """The measure set to show an edition with: the latest set whose edition is not after ``year``,
    else the earliest set (older editions are shown with the oldest list we have)."""
    if not sets:
        return None
    ordered = sorted(sets, key=lambda s: s.edition)
    earlier = [s for s in ordered if s.edition <= year]
    return earlier[-1] if earlier else ordered[0]
