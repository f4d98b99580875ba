"""The snapshot reader: streaming, Swedish numbers and clear errors naming file, line and field."""

from __future__ import annotations

import gzip

import pytest

from kommunkvalitet.errors import InputError
from kommunkvalitet.sources.jsonstream import iter_array
from kommunkvalitet.sources.snapshot import (
    ValueBatch,
    classify_group,
    parse_number,
    read_values,
    read_values_in_background,
    value_columns,
)

HEADER = "kpi,municipality_id,year,gender,value"


def rows_of(path, **kw):
    return [row for batch in read_values(path, **kw) for row in batch]


def test_swedish_decimal_comma_is_numeric(write_values_file):
    path = write_values_file(
        "v.csv", HEADER, ['N1,1463,2020,T,"12,5"', "N1,1463,2021,T,7.25", 'N1,1463,2022,T,"1 234,5"']
    )
    assert [r[4] for r in rows_of(path)] == [12.5, 7.25, 1234.5]


@pytest.mark.parametrize("text", ["abc", "", "nan", "inf", "1,2,3"])
def test_parse_number_rejects_non_numbers(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_non_numeric_value_names_file_line_and_field(write_values_file):
    path = write_values_file("v.csv", HEADER, ["N1,1463,2020,T,1", "N1,1463,2021,T,tolv"])
    with pytest.raises(InputError) as exc:
        rows_of(path)
    assert (exc.value.file, exc.value.line, exc.value.field) == (str(path), 3, "value")
    assert "v.csv, line 3, field 'value'" in str(exc.value)


def test_unknown_municipality_and_kpi(write_values_file):
    path = write_values_file("v.csv", HEADER, ["N1,1463,2020,T,1", "N1,9999,2020,T,1", "X9,1463,2020,T,1"])
    with pytest.raises(InputError) as exc:
        rows_of(path, known_municipalities=frozenset({"1463"}), known_kpis=frozenset({"N1", "X9"}))
    assert (exc.value.line, exc.value.field) == (3, "municipality_id")
    with pytest.raises(InputError) as exc:
        rows_of(path, known_municipalities=frozenset({"1463", "9999"}), known_kpis=frozenset({"N1"}))
    assert (exc.value.line, exc.value.field) == (4, "kpi")


def test_malformed_row_wrong_field_count(write_values_file):
    path = write_values_file("v.csv", HEADER, ["N1,1463,2020,T,1", "N1,1463,2020"])
    with pytest.raises(InputError, match="expected 5 fields, found 3") as exc:
        rows_of(path)
    assert exc.value.line == 3


def test_bad_gender_and_year(write_values_file):
    path = write_values_file("v.csv", HEADER, ["N1,1463,2020,X,1"])
    with pytest.raises(InputError) as exc:
        rows_of(path)
    assert exc.value.field == "gender"
    path = write_values_file("w.csv", HEADER, ["N1,1463,tjugo,T,1"])
    with pytest.raises(InputError) as exc:
        rows_of(path)
    assert exc.value.field == "year"


def test_wrong_header(write_values_file):
    path = write_values_file("v.csv", "kpi,kommun,year,gender,value", ["N1,1463,2020,T,1"])
    with pytest.raises(InputError, match="missing column") as exc:
        rows_of(path)
    assert (exc.value.line, exc.value.field) == (1, "municipality_id")


def test_empty_file(write_values_file):
    path = write_values_file("v.csv", None, [])
    with pytest.raises(InputError, match="empty"):
        rows_of(path)


def test_truncated_gzip(tmp_path):
    full = tmp_path / "full.csv.gz"
    with gzip.open(full, "wt") as fh:
        fh.write(HEADER + "\n" + "".join(f"N1,1463,{2000 + i % 20},T,{i}\n" for i in range(20000)))
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    with pytest.raises(InputError, match="damaged or truncated") as exc:
        rows_of(cut)
    assert exc.value.file == str(cut) and exc.value.line > 1


def test_skipping_bad_rows_hands_them_over(write_values_file):
    path = write_values_file("v.csv", HEADER, ["N1,1463,2020,T,1", "N1,1463,2021,T,x", "N1,1463,2022,T,3"])
    bad = []
    rows = rows_of(path, on_bad_row=bad.append)
    assert [r[2] for r in rows] == [2020, 2022]
    assert [(e.line, e.field) for e in bad] == [(3, "value")]


def test_selection_by_kpi_and_year_is_not_rejection(write_values_file):
    path = write_values_file("v.csv", HEADER, ["N1,1463,2010,T,1", "N2,1463,2020,T,2", "N1,1463,2020,T,3"])
    rows = rows_of(path, kpis=frozenset({"N1"}), years=(2015, 2022))
    assert rows == [("N1", "1463", 2020, "T", 3.0, "", None)]


def test_rkolada_columns_count_and_status_are_kept(write_values_file):
    path = write_values_file(
        "v.csv",
        "gender,count,status,value,kpi,year,municipality_id,municipality,municipality_type,source_object",
        ["T,1,,31.3,N00945,2000,0180,Stockholm,K,n00945", "T,,Bortfall,,N00945,2001,0180,Stockholm,K,n00945"],
    )
    assert rows_of(path) == [
        ("N00945", "0180", 2000, "T", 31.3, "", 1),
        ("N00945", "0180", 2001, "T", None, "Bortfall", None),
    ]


def test_json_array_streams_objects_with_lines(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('[\n{"id": "A",\n "x": 1},\n{"id": "B"}\n]\n', encoding="utf-8")
    assert list(iter_array(path)) == [(2, {"id": "A", "x": 1}), (4, {"id": "B"})]
    path.write_text('[\n{"id": "A"},\n{"id": "B"', encoding="utf-8")
    with pytest.raises(InputError):
        list(iter_array(path))


def test_group_titles_are_classified():
    assert classify_group("G176623", "Liknande kommuner äldreomsorg, Mark, 2024") == (
        "similar",
        "äldreomsorg",
        2024,
        "Mark",
    )
    assert classify_group("G37325", "Liknande kommuner, övergripande, Ale, 2025") == (
        "similar",
        "övergripande",
        2025,
        "Ale",
    )
    assert classify_group("G33612", "Stockholms läns kommuner (ovägt medel)")[0] == "county"
    assert classify_group("G2328", "Alla kommuner (ovägt medel)")[0] == "all"
    assert classify_group("G114915", "SmåKom (ovägt medel)")[0] == "network"


def test_the_background_reader_is_a_spawned_process_giving_the_same_rows(write_values_file, monkeypatch):
    import multiprocessing

    started = []
    original = multiprocessing.context.SpawnProcess.start
    monkeypatch.setattr(multiprocessing.context.SpawnProcess, "start", lambda p: started.append(p) or original(p))
    path = write_values_file(
        "v.csv", HEADER, [f"N1,{1400 + i // 20},{2000 + i % 20},T,{i}" for i in range(120)] + ["N1,1463,x,T,1"]
    )
    bad = []
    rows = [r for b in read_values_in_background(path, on_bad_row=bad.append, batch_size=50) for r in b]
    assert rows == rows_of(path, on_bad_row=lambda e: None) and len(rows) == 120
    assert [(e.line, e.field) for e in bad] == [(122, "year")]
    assert len(started) == 1 and started[0].exitcode == 0  # spawned, finished
    with pytest.raises(InputError, match="year is not a whole number") as exc:
        list(read_values_in_background(path))
    assert exc.value.line == 122 and exc.value.file == str(path)


def test_the_background_reader_sends_each_batch_with_its_columns_made_there(write_values_file):
    """The columns the import keeps for its recompute (store.comparison.WrittenValues) are made in the
    reader process, beside the writes: a batch's KPIs once each, ids as numbers, a missing value NaN."""
    import numpy as np

    rows = ["N1,1463,2020,T,1.5,", "N1,1463,2020,K,,Missing", "N2,0114,2021,M,3,", "N1,0114,2021,T,2,"]
    path = write_values_file("v.csv", HEADER + ",status", rows)
    (batch,) = read_values_in_background(path)
    assert isinstance(batch, ValueBatch) and batch == rows_of(path)
    c = batch.columns
    assert c.kpis == ("N1", "N2") and c.kpi.tolist() == [0, 0, 1, 0]
    assert c.municipality.tolist() == [1463, 1463, 114, 114] and c.year.tolist() == [2020, 2020, 2021, 2021]
    assert c.gender.tolist() == ["T", "K", "M", "T"] and c.present.tolist() == [True, False, True, True]
    assert np.array_equal(c.value, [1.5, np.nan, 3.0, 2.0], equal_nan=True)
    assert value_columns([("N1", "G1234", 2020, "T", 1.0, "", None)]).municipality is None  # not digits
    assert value_columns([("N1", "01234", 2020, "T", 1.0, "", None)]).municipality is None  # five of them
