"""Measure sets: the shipped KKiK 2022 set loads, validates, and `measuresets check` catches breakage."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kommunkvalitet.cli import main
from kommunkvalitet.core.measuresets import MEASURESET_DIR, load_measure_set
from kommunkvalitet.errors import InputError

SHIPPED = MEASURESET_DIR / "kkik_2022.toml"


def test_the_shipped_set_has_three_areas_and_the_seed_measures():
    ms = load_measure_set(SHIPPED)
    assert [a.name for a in ms.areas] == ["Barn och unga", "Stöd och omsorg", "Samhälle och miljö"]
    stod = {m.kpi for m in ms.area("stod_och_omsorg").measures}
    seed_000 = {"U30453", "U31462", "U31402", "U28570", "U28532", "U23401", "U23471", "U23490", "U21401", "U21468"}
    assert seed_000 <= stod
    by_id = {m.kpi: m for m in ms.measures}
    assert by_id["U23401"].direction == "lower" and ms.data_year(by_id["U23401"]) == 2022
    assert by_id["N30101"].is_cost and ms.data_year(by_id["N30101"]) == 2021
    assert all(m.source for m in ms.measures)


@pytest.mark.django_db
def test_check_passes_for_the_shipped_set():
    result = CliRunner().invoke(main, ["measuresets", "check", "KKiK 2022"])
    assert result.exit_code == 0, result.output
    assert "36 mått, 0 fel" in result.output


def _broken_copy(tmp_path, old: str, new: str):
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_check_fails_on_an_unknown_kpi_with_a_clear_message(tmp_path):
    path = _broken_copy(tmp_path, 'kpi = "U21401"', 'kpi = "U99999"')
    result = CliRunner().invoke(main, ["measuresets", "check", str(path)])
    assert result.exit_code == 1
    assert "FEL U99999: unknown KPI id" in result.output
    assert "Fel: a measure set has errors" in result.output and "Traceback" not in result.output


@pytest.mark.django_db
def test_check_fails_on_a_year_without_data(tmp_path):
    path = _broken_copy(tmp_path, "edition = 2022", "edition = 2031")
    result = CliRunner().invoke(main, ["measuresets", "check", str(path)])
    assert result.exit_code == 1
    assert "no values for its data year 2031" in result.output


def test_a_missing_direction_names_the_file_and_measure(tmp_path):
    path = _broken_copy(tmp_path, 'direction = "lower"\n', "")
    with pytest.raises(InputError, match=r"broken.toml.*lacks 'direction'") as exc:
        load_measure_set(path)
    assert exc.value.field == "direction"


def test_a_bad_direction_and_a_duplicate_kpi(tmp_path):
    with pytest.raises(InputError, match="direction must be higher, lower or none"):
        load_measure_set(_broken_copy(tmp_path, 'direction = "lower"', 'direction = "down"'))
    with pytest.raises(InputError, match="appears twice"):
        load_measure_set(_broken_copy(tmp_path, 'kpi = "U21401"', 'kpi = "U21468"'))


def test_every_measure_has_a_group_and_a_short_label_for_running_text():
    ms = load_measure_set(SHIPPED)
    by_id = {m.kpi: m for m in ms.measures}
    assert by_id["U31402"].group.name == "individ- och familjeomsorg"
    assert by_id["U23401"].label_short == "Väntetiden till särskilt boende"
    assert by_id["N05401"].event == "election"
    assert {m.group.id for m in ms.measures if m.is_cost} == {"kostnader"}
    for m in ms.measures:
        assert m.group is not None and len(m.label_short.split()) <= 12, m.kpi


def test_an_unknown_group_is_refused_and_a_missing_one_is_allowed(tmp_path):
    with pytest.raises(InputError, match=r"group 'vard' is not in \[groups\]"):
        load_measure_set(_broken_copy(tmp_path, 'group = "hemtjanst"', 'group = "vard"'))
    loose = {m.kpi: m for m in load_measure_set(_broken_copy(tmp_path, 'group = "hemtjanst"\n', "")).measures}
    assert loose["U21401"].group is None and loose["U21468"].group is not None
    with pytest.raises(InputError, match="unknown event 'match'"):
        load_measure_set(_broken_copy(tmp_path, 'event = "election"', 'event = "match"'))


def test_check_warns_about_a_measure_without_a_group_or_a_short_label():
    import dataclasses

    from kommunkvalitet.core.measuresets import check_measure_set

    ms = load_measure_set(SHIPPED)
    m = dataclasses.replace(ms.measures[0], group=None, label_short=ms.measures[0].label)
    area = dataclasses.replace(ms.areas[0], measures=(m,))
    one = dataclasses.replace(ms, areas=(area,))
    problems = check_measure_set(one, catalogue={m.kpi: False}, coverage={(m.kpi, 2021): 290}, municipalities=290)
    assert [(p.message, p.fatal) for p in problems] == [
        ("no group: the narrative cannot give it an activity", False),
        ("no label_short: the narrative would use the full label", False),
    ]
