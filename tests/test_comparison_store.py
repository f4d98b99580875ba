"""The comparison kept in the store: real figures, and only touched KPI-years are recomputed."""

from __future__ import annotations

import pytest

from kommunkvalitet.store import comparison
from kommunkvalitet.store.importing import SnapshotImporter
from kommunkvalitet.store.models import ComparisonStat, Value

pytestmark = pytest.mark.django_db
HEADER = "kpi,municipality_id,year,gender,value"


@pytest.mark.parametrize(
    ("kpi", "mark", "riksmedel"),
    [
        ("U21401", 19, 15),  # KKiK 2017 mått 10: personalkontinuitet hemtjänst, Mark: 19, riksmedel: 15
        ("U23471", 81, 83),  # nöjda med sitt särskilda boende, Mark: 81 %, riksmedel 83 %
        ("U21468", 94, 92),  # nöjda med sin hemtjänst, Mark 94 %, riksmedel: 92 %
    ],
)
def test_the_three_kkik_2017_figures_of_marks_goal_follow_up(kpi, mark, riksmedel):
    """Seed 002 quotes these as Mark's value and the 'riksmedel': the unweighted mean, not Riket."""
    stat = comparison.kpi_year(kpi, 2017)
    assert round(stat.mean) == riksmedel
    assert "1463" in stat.positions
    assert round(Value.objects.get(kpi=kpi, municipality="1463", year=2017, gender="T").value) == mark


def test_personalkontinuitet_ranks_mark_among_the_worst():
    stat = comparison.kpi_year("U21401", 2017)
    rank, band, *_ = stat.positions["1463"]
    assert stat.direction == "lower"
    assert band == 5  # worst: 19 staff in 14 days against a mean of 15
    assert rank > 0.75 * stat.n


def test_every_kpi_year_with_values_has_a_comparison():
    assert ComparisonStat.objects.filter(kpi_id="U21401", gender="T").count() == 8  # 2015-2022
    assert ComparisonStat.objects.filter(kpi_id="U21401", year=2022, gender="K").exists()  # gender-divided


def test_an_import_recomputes_only_the_kpi_years_it_touched(snapshot_dir, write_values_file):
    before = {(s.kpi_id, s.year, s.gender): (s.computed_at, s.mean) for s in ComparisonStat.objects.all()}
    path = write_values_file("rev.csv", HEADER, ["U21401,1463,2017,T,190"])
    SnapshotImporter(snapshot_dir, kpis=["U21401"]).import_values_file(path)
    after = {(s.kpi_id, s.year, s.gender): (s.computed_at, s.mean) for s in ComparisonStat.objects.all()}
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == {("U21401", 2017, "T"), ("U21401", 2017, "K"), ("U21401", 2017, "M")}
    assert after[("U21401", 2017, "T")][1] > before[("U21401", 2017, "T")][1]  # the mean moved with the value


def test_thresholds_are_settings_from_the_environment(monkeypatch):
    from kommunkvalitet.errors import ConfigurationError

    monkeypatch.setenv("KOMMUNKVALITET_COMPARISON", "four_groups=true, min_n_for_bands=12")
    settings = comparison.current_settings()
    assert settings.four_groups is True and settings.min_n_for_bands == 12
    comparison.recompute([("U21401", 2017)])
    bands = {band for _rank, band, *_ in comparison.kpi_year("U21401", 2017).positions.values()}
    assert bands == {1, 2, 4, 5}  # best, second, third, worst: the four-group variant
    monkeypatch.setenv("KOMMUNKVALITET_COMPARISON", "marked_change=3")
    with pytest.raises(ConfigurationError, match="unknown comparison setting 'marked_change'"):
        comparison.current_settings()
    monkeypatch.setenv("KOMMUNKVALITET_COMPARISON", "min_n_for_bands=many")
    with pytest.raises(ConfigurationError, match="not a valid value"):
        comparison.current_settings()
