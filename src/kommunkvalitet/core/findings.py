"""What the report says about one measure for one municipality: the contract between the
comparison engine (which fills it) and the narrative and the pages (which read it). Plain data."""

from __future__ import annotations

from dataclasses import dataclass

# Vocabulary (codes, not words; words are the narrative's job)
BANDS = ("best", "middle", "worst")  # the four-group variant adds "second", "third" (best..worst order)
POSITIONS = ("far_above", "slightly_above", "level", "slightly_below", "far_below")
TRENDS = ("improved", "unchanged", "worsened", "increased", "decreased")  # the last two for direction none
# Why a value is missing (issue 10): no municipality has a value that year | the measure did not exist
# yet | the kommun did not take part or report | withheld by the source (Kolada's status)
GAPS = ("not_collected", "not_yet_measured", "not_reported", "withheld")
# Why a value is not comparable (issue 10): outside what its unit allows, or an extreme outlier by the
# documented robust rule (docs/method.md); such a value is left out of rikssnitt, rank and bands
IMPLAUSIBLE = ("impossible", "outlier")


@dataclass(frozen=True)
class MeasureFinding:
    kpi: str
    label: str  # Swedish label from the measure set, as used in running text
    label_en: str
    unit: str  # measure-set unit code: percent, days, count, kr_per_inhabitant, ...
    decimals: int
    direction: str  # higher | lower | none
    is_cost: bool
    year: int  # the data year shown
    value: float | None  # None: no value for the data year
    missing_reason: str | None = None  # the source's status when it gives one
    gap: str | None = None  # one of GAPS when value is None and the reason is known
    implausible: str | None = None  # one of IMPLAUSIBLE: the value is shown but "ej jämförbart"
    previous_year: int | None = None  # the latest earlier year with a value (may be before year - 1)
    previous_value: float | None = None
    change: float | None = None  # value - previous_value
    change_pct: float | None = None  # relative change in percent of previous_value
    change_pp: float | None = None  # percentage points, when the unit is percent
    trend: str | None = None  # one of TRENDS, None when there is nothing to compare with
    marked: bool = False  # "markant": beyond the documented threshold
    band: str | None = None  # one of BANDS, None: no band (no value, too few values, direction none)
    previous_band: str | None = None  # the band in previous_year
    rank: int | None = None  # 1 = best; ties share the best rank
    n: int = 0  # municipalities with a value that year
    national_mean: float | None = None  # rikssnitt: unweighted mean of municipalities with a value
    sd: float | None = None  # spread of the municipalities' values that year (population sd)
    position: str | None = None  # against national_mean, one of POSITIONS
    riket: float | None = None  # Riket (0000) as the source gives it, weighted
    label_short: str = ""  # Swedish label for running text, a sentence subject ("Väntetiden till ...")
    label_short_en: str = ""
    group: str = ""  # the activity (measure-set group) as named in a Swedish sentence: "särskilt boende"
    group_en: str = ""
    event: str | None = None  # "election": the value changes only in election years
