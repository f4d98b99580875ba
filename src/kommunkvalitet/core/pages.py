"""The rules of the report pages: what a page says, decided here so that views and templates only
display. Pure functions over findings; no Django. The rules are described in docs/method.md (§14).

- the base year of a change and the change itself (:func:`change_since_base`, the rule of
  :func:`core.trend.base_rows`);
- the change as shown: the difference of the shown (rounded) values, "unchanged" when that is zero
  (:func:`as_shown`);
- the position against rikssnittet by the size rule of §14 (:func:`position_against_mean`);
- the trend code of a measure (:func:`trend_word`) and its rank as text (:func:`rank_text`);
- how many measures of an area lie in each band (:func:`band_counts`), for every band setting;
- the biggest improvements and declines of an edition, on one unit-free scale (:func:`biggest_changes`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np

from kommunkvalitet.core import trend
from kommunkvalitet.core.comparison import BAND_NAMES, DEFAULT_SETTINGS, ComparisonSettings
from kommunkvalitet.core.findings import MeasureFinding
from kommunkvalitet.core.formatting import shown

A = TypeVar("A")  # whatever the caller groups measures by (an area of a measure set)

#: Every band code a stored comparison can carry, best first (three groups use best, middle, worst;
#: four groups best, second, third, worst), and "none" for a measure without a band.
BAND_KEYS = (*BAND_NAMES[1:], "none")


def change_since_base(
    municipality_id: str,
    series: Mapping[int, float | None],
    year: int,
    direction: str,
    *,
    is_share: bool = False,
    settings: ComparisonSettings = DEFAULT_SETTINGS,
    decimals: int | None = None,
) -> trend.MunicipalityChange:
    """The change of one municipality's value in ``year`` against the latest earlier year with a value
    (at most ``settings.max_fallback_years`` before the previous year): :func:`core.trend.change` on
    its own series. ``base_year`` and ``base_value`` are given even when ``year`` has no value.
    With ``decimals``, the change as a page shows it (:func:`as_shown`)."""
    years = sorted({y for y in series if y < year} | {year})
    values = np.array([[np.nan if series.get(y) is None else series[y]] for y in years], dtype=np.float64)
    ids = np.array([municipality_id], dtype=object)
    result = trend.change(ids, values, years, direction, year=year, is_share=is_share, settings=settings)  # type: ignore[arg-type]
    found = result.municipality(municipality_id)
    return found if decimals is None else as_shown(found, decimals)


def as_shown(change: trend.MunicipalityChange, decimals: int) -> trend.MunicipalityChange:
    """The change as the page shows it: the difference of the two values rounded as shown
    ("6,8 dagar från 6,6 dagar" is +0,2, not the +0,1 of the unrounded values), and "unchanged"
    (not marked) when the shown values are equal, whatever the unrounded difference."""
    if change.value is None or change.base_value is None or change.absolute is None:
        return change
    diff = shown(shown(change.value, decimals) - shown(change.base_value, decimals), decimals)
    pp = diff if change.percentage_points is not None else None
    if diff != 0:
        return dataclasses.replace(change, absolute=diff, percentage_points=pp)
    return dataclasses.replace(
        change, absolute=0.0, percentage_points=0.0 if pp is not None else None,
        movement="unchanged" if change.movement else None,
        assessment="unchanged" if change.assessment else None, marked=False,
    )  # fmt: skip


#: The size rule of position words (docs/method.md §14): shares in percentage points, everything else
#: relative to rikssnittet. Below the first threshold "i nivå med", from the second "långt".
POSITION_PP = (2.0, 10.0)
POSITION_RELATIVE = (0.05, 0.25)


def position_against_mean(value: float | None, mean: float | None, unit: str) -> str | None:
    """A position code of findings.POSITIONS by the size rule: a share (unit percent) by its distance
    in percentage points (under 2: level, 2 to 10: slightly, 10 or more: far), any other unit by the
    distance relative to the mean (under 5 %, 5-25 %, 25 % or more). None without a value or a mean."""
    if value is None or mean is None or not (math.isfinite(value) and math.isfinite(mean)):
        return None
    diff = value - mean
    if unit == "percent":
        size, (level, far) = abs(diff), POSITION_PP
    else:
        size, (level, far) = (abs(diff) / abs(mean) if mean else math.inf * bool(diff)), POSITION_RELATIVE
    if size < level or diff == 0:
        return "level"
    side = "above" if diff > 0 else "below"
    return f"{'far' if size >= far else 'slightly'}_{side}"


def verdict(position: str | None, direction: str) -> str | None:
    """The position read with the measure's direction (vocabulary kind "verdict"): far_above for a
    lower-is-better measure is "far_worse". None without a position or without a direction."""
    if position is None or direction not in ("higher", "lower"):
        return None
    if position == "level":
        return "level"
    size, side = position.split("_")
    better = (side == "above") == (direction == "higher")
    return f"{size}_{'better' if better else 'worse'}"


def trend_word(change: trend.MunicipalityChange | None, direction: str) -> str | None:
    """The trend code of a measure (findings.TRENDS): improved / unchanged / worsened by its direction,
    or increased / unchanged / decreased when neither way is better; None without a change."""
    if change is None or change.movement is None:
        return None
    if direction == "none":
        return {"up": "increased", "down": "decreased", "unchanged": "unchanged"}[change.movement]
    return change.assessment


_RANK_TEXT = {"sv": "plats {rank} av {n}", "en": "rank {rank} of {n}"}


def rank_text(rank: int | None, n: int, lang: str = "sv") -> str | None:
    """ "plats 37 av 286" / "rank 37 of 286": the rank among the municipalities with a value, or None without a rank."""
    return _RANK_TEXT[lang].format(rank=rank, n=n) if rank else None


# --- an edition's overview --------------------------------------------------------------------------


def bands_in_use(settings: ComparisonSettings) -> tuple[str, ...]:
    """The bands of the band setting, best first."""
    return ("best", "second", "third", "worst") if settings.four_groups else ("best", "middle", "worst")


def band_counts(bands: Iterable[str | None]) -> dict[str, int]:
    """How many measures lie in each band: every key of :data:`BAND_KEYS`, so that every measure is
    counted once, in its own band or under "none"."""
    counts = dict.fromkeys(BAND_KEYS, 0)
    for band in bands:
        counts[band if band in counts else "none"] += 1
    return counts


@dataclass(frozen=True)
class RankedChange(Generic[A]):
    """A measure's change placed on the overview's scale."""

    group: A
    finding: MeasureFinding
    size: float  # |change| / sd: the change in standard deviations of the municipalities' values


def change_size(finding: MeasureFinding) -> float | None:
    """The size of a measure's change without its unit: the change as a share of the spread of the
    municipalities' values in the data year (|change| / sd). None when there is no change or no
    spread to measure it by (sd missing or 0)."""
    if finding.change is None or not finding.sd:
        return None
    return abs(finding.change) / finding.sd


def biggest_changes(
    findings: Iterable[tuple[A, MeasureFinding]], limit: int = 5
) -> tuple[list[RankedChange[A]], list[RankedChange[A]]]:
    """The ``limit`` biggest improvements and declines, biggest first, on the unit-free scale of
    :func:`change_size`: a change of 8 percentage points and one of 8 % weigh by how unusual each is
    for its own measure, not by their numbers. Measures without a direction are not ranked."""
    ranked = []
    for group, f in findings:
        size = change_size(f)
        if size is not None and f.trend in ("improved", "worsened"):
            ranked.append(RankedChange(group, f, size))
    ranked.sort(key=lambda c: -c.size)  # stable: equal sizes keep the measure set's order
    improved = [c for c in ranked if c.finding.trend == "improved"][:limit]
    declined = [c for c in ranked if c.finding.trend == "worsened"][:limit]
    return improved, declined


@dataclass(frozen=True)
class AreaSummary(Generic[A]):
    group: A
    counts: dict[str, int]  # every key of BAND_KEYS
    cells: list[int]  # the counts in the order of Overview.columns
    measures: int
    data_years: list[int]


@dataclass(frozen=True)
class Overview(Generic[A]):
    columns: tuple[str, ...]  # the bands shown, best first, then "none"
    areas: list[AreaSummary[A]]
    improved: list[RankedChange[A]] = field(default_factory=list)
    declined: list[RankedChange[A]] = field(default_factory=list)


def overview(
    areas: Iterable[tuple[A, list[MeasureFinding]]], settings: ComparisonSettings = DEFAULT_SETTINGS, limit: int = 5
) -> Overview[A]:
    """An edition's overview: per area the measures in each band, and the biggest changes.

    The columns are the bands of the setting in force, plus any other band a measure carries (a
    comparison stored under an earlier setting), so that no measure is counted as without a band."""
    areas = list(areas)
    per_area = [(group, findings, band_counts(f.band for f in findings)) for group, findings in areas]
    present = {b for _, _, counts in per_area for b, n in counts.items() if n}
    columns = tuple(b for b in BAND_NAMES[1:] if b in bands_in_use(settings) or b in present) + ("none",)
    summaries = [
        AreaSummary(group, counts, [counts[c] for c in columns], len(findings), sorted({f.year for f in findings}))
        for group, findings, counts in per_area
    ]
    improved, declined = biggest_changes(((g, f) for g, findings in areas for f in findings), limit)
    return Overview(columns, summaries, improved, declined)
