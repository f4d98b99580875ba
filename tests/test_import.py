"""The snapshot import on the real snapshot: what it loads, idempotence, and no half-imports."""

from __future__ import annotations

import os

import pytest

from kommunkvalitet.core.measuresets import default_kpi_ids
from kommunkvalitet.errors import InputError
from kommunkvalitet.store.importing import SnapshotImporter
from kommunkvalitet.store.models import KPI, ImportLog, Municipality, MunicipalityGroup, Value

pytestmark = pytest.mark.django_db
HEADER = "kpi,municipality_id,year,gender,value"


def test_default_import_loads_municipalities_groups_kpis_and_values():
    assert Municipality.objects.filter(type="kommun").count() == 290
    assert Municipality.objects.get(pk="0000").type == "national"
    assert Municipality.objects.get(pk="1463").county_id == "0014"
    assert MunicipalityGroup.objects.filter(kind="skr").count() == 9
    mark_skr = MunicipalityGroup.objects.get(kind="skr", groupmember__municipality="1463")
    assert mark_skr.title == "Pendlingskommun nära större stad"
    similar = MunicipalityGroup.objects.get(kind="similar", focus="1463", area="äldreomsorg")
    assert similar.year == 2024 and similar.members.count() == 7
    assert KPI.objects.get(pk="N00914").is_retired  # only in the 2024 catalogue
    assert KPI.objects.get(pk="U21401").direction == "lower"  # from the measure set
    assert KPI.objects.get(pk="N00003").unit == "kr_per_inhabitant"
    # Exactly the default set: every KPI a shipped measure set names has values in the snapshot, and
    # nothing else is imported (a KPI missing here is a KPI the import lost).
    assert set(Value.objects.values_list("kpi_id", flat=True).distinct()) == default_kpi_ids()
    mark = Value.objects.get(kpi="U21401", municipality="1463", year=2017, gender="T")
    assert round(mark.value) == 19  # seed 002: "Personalkontinuitet hemtjänst ... Mark: 19"


def test_first_import_counts_and_second_import_changes_nothing(snapshot_dir):
    first = pytest.first_import_summary
    assert first.total("added") > 100_000
    again = SnapshotImporter(snapshot_dir).run()
    assert again.total("added") == 0
    assert again.total("changed") == 0
    assert again.nothing_changed
    assert again.total("unchanged") == first.total("added") + first.total("changed") + first.total("unchanged")
    assert again.touched == set()


def _import_file(snapshot_dir, path, **kw):
    return SnapshotImporter(snapshot_dir, value_files=[path], **kw).import_values_file(path)


@pytest.mark.parametrize(
    ("header", "rows", "field"),
    [
        (HEADER, ["U21401,1463,2030,T,5", "U21401,1463,2031,T,oops"], "value"),  # non-numeric
        (HEADER, ["U21401,1463,2030,T,5", "U21401,9998,2030,T,5"], "municipality_id"),  # unknown municipality
        (HEADER, ["U21401,1463,2030,T,5", "X00000,1463,2030,T,5"], "kpi"),  # unknown KPI
        (HEADER, ["U21401,1463,2030,T,5", "U21401,1463"], None),  # malformed row
        ("kpi,kommun,year,gender,value", ["U21401,1463,2030,T,5"], "municipality_id"),  # wrong header
    ],
)
def test_bad_input_rolls_back_the_whole_file(snapshot_dir, write_values_file, header, rows, field):
    path = write_values_file("bad.csv", header, rows)
    before = Value.objects.count()
    with pytest.raises(InputError) as exc:
        _import_file(snapshot_dir, path, years=(2015, 2035), kpis=["U21401", "X00000"])
    assert exc.value.field == field and exc.value.file == str(path)
    assert Value.objects.count() == before
    assert not Value.objects.filter(year=2030).exists()
    assert ImportLog.objects.filter(file=str(path), ok=False).exists()


def test_empty_and_truncated_files_import_nothing(snapshot_dir, write_values_file, tmp_path):
    before = Value.objects.count()
    with pytest.raises(InputError, match="empty"):
        _import_file(snapshot_dir, write_values_file("empty.csv", None, []))
    full = write_values_file(
        "full.csv.gz",
        HEADER,
        [f"U21401,{m.id},2030,T,{i}" for i, m in enumerate(Municipality.objects.filter(type="kommun"))] * 1,
    )
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(full.read_bytes()[:-30])
    with pytest.raises(InputError, match="truncated"):
        _import_file(snapshot_dir, cut, years=(2015, 2035), kpis=["U21401"])
    assert Value.objects.count() == before


def test_skip_bad_rows_imports_the_good_ones_and_reports_the_rest(snapshot_dir, write_values_file, tmp_path):
    path = write_values_file(
        "mixed.csv", HEADER, ["U21401,1463,2030,T,5", "U21401,1463,2031,T,x", 'U21401,0114,2030,T,"7,5"']
    )
    result = _import_file(
        snapshot_dir, path, years=(2015, 2035), kpis=["U21401"], skip_bad_rows=True, report_dir=tmp_path / "reports"
    )
    assert (result.added, result.rejected) == (2, 1)
    assert Value.objects.get(kpi="U21401", municipality="0114", year=2030).value == 7.5
    report = (tmp_path / "reports" / "rejected-mixed.csv").read_text(encoding="utf-8").splitlines()
    assert report[0] == "file,line,field,reason"
    assert report[1].endswith(",3,value,not a number: 'x'")


def test_a_revised_value_keeps_the_previous_one(snapshot_dir, write_values_file):
    old = Value.objects.get(kpi="U21401", municipality="1463", year=2017, gender="T")
    path = write_values_file("rev.csv", HEADER, [f"U21401,1463,2017,T,{old.value + 1}"])
    result = _import_file(snapshot_dir, path, kpis=["U21401"])
    assert (result.added, result.changed, result.touched) == (0, 1, {("U21401", 2017)})
    new = Value.objects.get(pk=old.pk)
    assert (new.value, new.previous_value) == (old.value + 1, old.value)
    assert new.changed_at is not None


def test_a_new_count_is_not_a_change_and_a_new_status_keeps_the_previous_number(snapshot_dir, write_values_file):
    a = Value.objects.get(kpi="U21401", municipality="1463", year=2018, gender="T")
    b = Value.objects.get(kpi="U21401", municipality="0114", year=2018, gender="T")
    assert a.count is None and a.previous_value is None and b.value is not None
    header = HEADER + ",status,count"
    path = write_values_file(
        "meta.csv", header, [f"U21401,1463,2018,T,{a.value},,1", f"U21401,0114,2018,T,{b.value},X,1"]
    )
    result = _import_file(snapshot_dir, path, kpis=["U21401"])
    assert (result.added, result.changed, result.unchanged, result.touched) == (0, 1, 1, {("U21401", 2018)})
    a2, b2 = Value.objects.get(pk=a.pk), Value.objects.get(pk=b.pk)
    assert (a2.count, a2.previous_value, a2.changed_at) == (1, None, None)  # the count, quietly
    assert (b2.status, b2.previous_value, b2.value) == ("X", None, b.value) and b2.changed_at is not None
    # A new number after that: previous_value is the last different number, not the status change's.
    path = write_values_file("meta2.csv", header, [f"U21401,0114,2018,T,{b.value + 1},X,1"])
    assert _import_file(snapshot_dir, path, kpis=["U21401"]).changed == 1
    assert Value.objects.get(pk=b.pk).previous_value == b.value


def test_conflicting_duplicate_rows_in_one_file_are_rejected(snapshot_dir, write_values_file):
    path = write_values_file("dup.csv", HEADER, ["U21401,1463,2030,T,5", "U21401,1463,2030,T,6"])
    with pytest.raises(InputError, match="same kpi, municipality, year and gender"):
        _import_file(snapshot_dir, path, years=(2015, 2035), kpis=["U21401"])
    assert not Value.objects.filter(year=2030).exists()


def test_the_import_runs_under_spawn_without_fork(tmp_path, snapshot_dir, write_values_file):
    """Windows has no ``fork``: a new process where ``spawn`` is forced and ``os.fork`` is gone imports the
    snapshot's metadata and a values file (good rows in, a bad one reported), parsing in its reader."""
    import sqlite3
    import subprocess
    import sys
    import textwrap

    path = write_values_file(
        "spawn.csv",
        HEADER + ",status,count",
        [
            "U21401,1463,2030,T,5,,1",
            'U21401,0114,2030,K,"7,5",,',
            "U21401,1463,2031,T,tolv,,",
            "U21401,0180,2031,M,,X,",
        ],
    )
    code = textwrap.dedent(
        """
        import multiprocessing, os, sys
        multiprocessing.set_start_method("spawn", force=True)
        del os.fork  # as on Windows
        from kommunkvalitet.cli import main
        main(sys.argv[1:])
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(KOMMUNKVALITET_DATA_DIR=str(tmp_path / "var"), KOMMUNKVALITET_SNAPSHOT=str(snapshot_dir))
    args = ["import", "snapshot", "--years", "2015-2035", "--kpi", "U21401", "--file", str(path), "--skip-bad-rows"]
    run = subprocess.run(
        [sys.executable, "-c", code, *args, "--report-dir", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    line = next(x for x in run.stdout.splitlines() if x.startswith("spawn.csv"))
    assert line.split()[1:] == ["3", "0", "0", "1"]  # added, changed, unchanged, rejected
    assert (tmp_path / "rejected-spawn.csv").read_text(encoding="utf-8").count("not a number: 'tolv'") == 1
    with sqlite3.connect(tmp_path / "var" / "kommunkvalitet.sqlite3") as db:
        stored = db.execute(
            "SELECT municipality_id, year, gender, value, status, count FROM store_value ORDER BY municipality_id"
        ).fetchall()
    assert stored == [
        ("0114", 2030, "K", 7.5, "", None),
        ("0180", 2031, "M", None, "X", None),
        ("1463", 2030, "T", 5.0, "", 1),
    ]


def test_a_kpi_new_to_the_store_beside_one_already_there_is_compared_from_each_row_once(
    snapshot_dir, write_values_file, monkeypatch
):
    """Issue 11: after an import the recompute takes a KPI whose every stored row the import has just
    written from those rows, and reads the other KPIs from the store. Read by a scan of the whole table
    (more than ``_SCAN_ABOVE`` KPIs, as with ``--all``), the store gave the first KPI's rows a second
    time ("a municipality appears twice in one (kpi, year, gender)"). The scan is forced here with two
    KPIs of the real snapshot: one new to the store, U21401 beside it (stored for 2015-2021 too)."""
    import csv

    from kommunkvalitet.store import comparison
    from kommunkvalitet.store.models import ComparisonStat

    monkeypatch.setattr(comparison, "_SCAN_ABOVE", 0)
    with open(snapshot_dir / "kolada/values/kkik_core_1994-2022.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh) if r[2] == "2022"]
    new = next(r[0] for r in rows if r[0] not in default_kpi_ids() and not Value.objects.filter(kpi=r[0]).exists())
    mine = [",".join(r) for r in rows if r[0] in (new, "U21401")]
    path = write_values_file("two.csv", HEADER, mine)
    _import_file(snapshot_dir, path, years=(2022, 2022), kpis=[new, "U21401"])
    assert Value.objects.filter(kpi=new).count() == sum(r.startswith(new + ",") for r in mine)
    after_import = list(ComparisonStat.objects.filter(kpi=new, year=2022).order_by("gender").values())
    assert after_import and after_import[0]["n"] > 200
    comparison.recompute([(new, 2022), ("U21401", 2022)])  # from the store alone
    again = list(ComparisonStat.objects.filter(kpi=new, year=2022).order_by("gender").values())
    assert [{k: v for k, v in r.items() if k not in ("id", "computed_at")} for r in after_import] == [
        {k: v for k, v in r.items() if k not in ("id", "computed_at")} for r in again
    ]
