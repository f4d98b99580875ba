"""core.pages: the rules of the report pages (base year, trend, rank text, band counts, biggest
changes), and the overview page that displays them under every band setting."""

from __future__ import annotations

import json

import pytest

from kommunkvalitet.core import pages
from kommunkvalitet.core.comparison import ComparisonSettings
from kommunkvalitet.core.findings import MeasureFinding


def finding(kpi="K1", *, band=None, trend=None, change=None, sd=None, unit="percent", **kw) -> MeasureFinding:
    base = {"label": kpi, "label_en": kpi, "decimals": 0, "direction": "higher", "is_cost": False, "year": 2022}
    return MeasureFinding(
        kpi=kpi, unit=unit, band=band, trend=trend, change=change, sd=sd, **{**base, "value": 1.0, **kw}
    )


# --- base year, trend, rank text -----------------------------------------------------------------


def test_the_base_is_the_latest_earlier_year_with_a_value_within_the_fallback_limit():
    series = {2019: 80.0, 2020: None, 2021: 86.5}
    change = pages.change_since_base("1463", series, 2021, "higher", is_share=True)
    assert (change.base_year, change.base_value, change.absolute) == (2019, 80.0, 6.5)
    assert change.percentage_points == 6.5 and change.marked and pages.trend_word(change, "higher") == "improved"
    strict = pages.change_since_base("1463", series, 2021, "higher", settings=ComparisonSettings(max_fallback_years=0))
    assert strict.base_year is None and strict.absolute is None and pages.trend_word(strict, "higher") is None


def test_a_missing_value_still_names_its_base_but_has_no_change():
    change = pages.change_since_base("1463", {2020: 10.0}, 2022, "lower")
    assert (change.base_year, change.value, change.absolute, change.movement) == (2020, None, None, None)


@pytest.mark.parametrize(
    ("old", "new", "direction", "word"),
    [(10, 12, "higher", "improved"), (10, 12, "lower", "worsened"), (10, 10, "lower", "unchanged"),
     (10, 12, "none", "increased"), (10, 8, "none", "decreased"), (10, 10, "none", "unchanged")],
)  # fmt: skip
def test_trend_word(old, new, direction, word):
    change = pages.change_since_base("1463", {2021: old, 2022: new}, 2022, direction)
    assert pages.trend_word(change, direction) == word


def test_rank_text():
    assert pages.rank_text(193, 233) == "plats 193 av 233"
    assert pages.rank_text(None, 233) is None


# --- band counts ---------------------------------------------------------------------------------


def test_four_groups_count_every_measure_in_its_band():
    bands = ["best", "second", "second", "third", "worst", None, "third", "third", "best", "second", "worst", "third"]
    ov = pages.overview(
        [("area", [finding(f"K{i}", band=b) for i, b in enumerate(bands)])], ComparisonSettings(four_groups=True)
    )
    (area,) = ov.areas
    assert ov.columns == ("best", "second", "third", "worst", "none")
    assert area.cells == [2, 3, 4, 2, 1] and sum(area.cells) == area.measures == 12
    assert area.counts["none"] == 1 and area.counts["middle"] == 0


def test_three_groups_show_their_bands_and_any_band_stored_under_another_setting():
    ov = pages.overview([("area", [finding("A", band="best"), finding("B", band="middle"), finding("C")])])
    assert ov.columns == ("best", "middle", "worst", "none") and ov.areas[0].cells == [1, 1, 0, 1]
    stale = pages.overview([("area", [finding("A", band="second"), finding("B", band="middle")])])
    assert stale.columns == ("best", "second", "middle", "worst", "none") and stale.areas[0].cells == [0, 1, 1, 0, 0]


# --- biggest changes on one scale ----------------------------------------------------------------


def test_biggest_changes_are_ranked_without_units():
    """+8 percentage points on a share that varies by 20 points between municipalities is a smaller
    change than +5 % on a cost that varies by 500 kr: the old scale (pp beside %) put it first."""
    share = finding("SHARE", trend="improved", change=8.0, change_pp=8.0, change_pct=11.0, sd=20.0)
    cost = finding("COST", trend="improved", change=1000.0, change_pct=5.0, sd=500.0, unit="kr_per_inhabitant")
    days = finding("DAYS", trend="worsened", change=3.0, change_pct=30.0, sd=6.0, unit="days")
    improved, declined = pages.biggest_changes([("a", share), ("b", cost), ("c", days)])
    assert [c.finding.kpi for c in improved] == ["COST", "SHARE"]
    assert [c.size for c in improved] == [2.0, 0.4]
    assert [c.finding.kpi for c in declined] == ["DAYS"]
    # the scale has no unit: the same cost in thousands of kronor is the same size
    in_thousands = finding("COST", trend="improved", change=1.0, sd=0.5, unit="tkr")
    assert pages.change_size(in_thousands) == pages.change_size(cost)


def test_changes_without_a_spread_or_a_direction_are_not_ranked():
    flat = finding("FLAT", trend="improved", change=2.0, sd=0.0)
    unknown = finding("NOSD", trend="worsened", change=2.0, sd=None)
    cost = finding("NONE", trend="increased", change=2.0, sd=1.0, direction="none")
    assert pages.biggest_changes([("a", flat), ("a", unknown), ("a", cost)]) == ([], [])


# --- the overview page, with the four-group band setting ------------------------------------------


@pytest.mark.django_db
def test_the_four_group_overview_counts_every_measure_in_its_band(client, monkeypatch):
    """KOMMUNKVALITET_COMPARISON=four_groups=true: Örnsköldsvik's measures in 'second' and 'third'
    are counted there, not as without a band."""
    from kommunkvalitet.store import comparison
    from kommunkvalitet.store.models import ComparisonStat

    monkeypatch.setenv("KOMMUNKVALITET_COMPARISON", "four_groups=true")
    pairs = set(ComparisonStat.objects.values_list("kpi_id", "year").distinct())
    comparison.recompute(pairs)
    data = json.loads(client.get("/kommun/2284/2022.json").content)
    area = next(a for a in data["areas"] if a["id"] == "stod_och_omsorg")
    assert sum(area["bands"].values()) == area["measures"] == 12
    assert area["bands"]["second"] + area["bands"]["third"] > 0 and area["bands"]["middle"] == 0
    measures = json.loads(client.get("/kommun/2284/2022/stod_och_omsorg.json").content)["measures"]
    assert area["bands"]["none"] == sum(1 for m in measures if m["band"] is None)
    html = client.get("/kommun/2284/2022/").content.decode()
    assert "25 procent näst bästa" in html and "25 procent näst sämsta" in html
    for m in data["biggest_improvements"] + data["biggest_declines"]:
        assert m["change_sd"] > 0
