"""Issue 11, bad input: every broken values file gives one ``Fel:`` line naming file, line and field,
exit 1 and no change; out-of-range numbers and years are refused, not dropped; and a seeded fuzz run
over thousands of mutated files finds no traceback and no change after a refused file."""

from __future__ import annotations

import json
import os
import random

import pytest
from click.testing import CliRunner

from kommunkvalitet.cli import main
from kommunkvalitet.errors import InputError
from kommunkvalitet.store.importing import SnapshotImporter
from kommunkvalitet.store.models import Value

pytestmark = pytest.mark.django_db

HEADER = "kpi,municipality_id,year,gender,value,status,count"
# U21401 (personalkontinuitet) for Örnsköldsvik 2022 exists in the test database (the default import)
GOOD = "U21401,2284,2022,T,19,,"


def _fingerprint():
    """The newest id of any value (a row added anywhere) and every stored value the files of this module
    can name: KPI U21401 for their municipalities and Riket (the only known id among the fuzz's junk)."""
    rows = (
        Value.objects.filter(kpi_id="U21401", municipality_id__in=["2260", "2262", "2280", "2284", "0000"])
        .order_by("id")
        .values_list("id", "value", "status", "count")
    )
    return Value.objects.order_by("-id").values_list("id", flat=True)[:1][0], hash(tuple(rows))


def _import(snapshot_dir, tmp_path, *files, extra=()):
    argv = ["import", "snapshot", str(snapshot_dir), "--kpi", "U21401", "--report-dir", str(tmp_path)]
    for f in files:
        argv += ["--file", str(f)]
    return CliRunner().invoke(main, [*argv, *extra])


def _refused(result, *, file: str, line: int | None, field: str | None, says: str):
    assert result.exit_code == 1, result.output
    (message,) = [x for x in result.output.splitlines() if x.startswith("Fel:")]
    assert file in message and says in message, message
    if line is not None:
        assert f"line {line}" in message, message
    if field is not None:
        assert f"field '{field}'" in message, message
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)


CASES = {
    # name: (rows after the header, line, field, what the message says)
    "huge count": ([GOOD, "U21401,2260,2022,T,12,,99999999999999999999"], 3, "count", "out of range"),
    "huge year": ([GOOD, "U21401,2260,99999999999999999999,T,12,,"], 3, "year", "outside 1950-2100"),
    "negative year": ([GOOD, "U21401,2260,-2022,T,12,,"], 3, "year", "outside 1950-2100"),
    "value near the float limit": ([GOOD, "U21401,2260,2022,T,1.7e308,,"], 3, "value", "out of range"),
    "infinite value": (["U21401,2260,2022,T,inf,,"], 2, "value", "not a number"),
    "unknown KPI": ([GOOD, "X99999,2260,2022,T,12,,"], 3, "kpi", "unknown KPI"),
    "unknown municipality": ([GOOD, "U21401,9999,2022,T,12,,"], 3, "municipality_id", "unknown municipality"),
    "long status": ([GOOD, "U21401,2260,2022,T,,{},".format("x" * 5000)], 3, "status", "5000 characters"),
    "unterminated quote": ([GOOD, 'U21401,2260,2022,T,"12,,'], 3, None, "malformed CSV"),
    "conflicting duplicates of an existing key": (
        ["U21401,2284,2022,T,17,,", GOOD.replace(",19,", ",18,")],
        3,
        "value",
        "different values for the same kpi, municipality, year and gender",
    ),
    # the first row repeats the stored value (no change, so no write marks it): the later one differs
    "the stored value repeated, then a different one": (
        [GOOD, "U21401,2260,2022,T,12,,", GOOD.replace(",19,", ",18,")],
        4,
        "value",
        "different values for the same kpi, municipality, year and gender (line 2)",
    ),
    "the stored value repeated, then another status": (
        [GOOD, GOOD.replace(",19,", ",19,x")],
        3,
        "status",
        "(line 2)",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_values_file_is_refused_with_one_line_and_changes_nothing(
    case, snapshot_dir, tmp_path, write_values_file
):
    rows, line, field, says = CASES[case]
    path = write_values_file("bad.csv", HEADER, rows)
    before = _fingerprint()
    _refused(_import(snapshot_dir, tmp_path, path), file="bad.csv", line=line, field=field, says=says)
    assert _fingerprint() == before
    # the real previous value survives a refused revision
    kept = Value.objects.get(kpi_id="U21401", municipality_id="2284", year=2022, gender="T")
    assert kept.value == 19


def test_skip_bad_rows_counts_every_row_it_skips(snapshot_dir, tmp_path, write_values_file):
    # every row-level fault (an unterminated quote ends the file, conflicting duplicates refuse the whole file)
    whole_file = {"unterminated quote", *(name for name in CASES if "repeated" in name or "duplicates" in name)}
    rows = [GOOD, *(r for name, (rs, *_) in CASES.items() if name not in whole_file for r in rs[1:])]
    path = write_values_file("mixed.csv", HEADER, rows)
    result = _import(snapshot_dir, tmp_path, path, extra=["--skip-bad-rows"])
    assert result.exit_code == 0, result.output
    (line,) = [x for x in result.output.splitlines() if x.startswith("mixed.csv")]
    skipped = len(rows) - 1  # every row but GOOD
    assert line.split()[-1] == str(skipped)
    report = (tmp_path / "rejected-mixed.csv").read_text(encoding="utf-8").splitlines()
    assert len(report) == 1 + skipped


def test_a_missing_file_is_one_line(snapshot_dir, tmp_path):
    _refused(_import(snapshot_dir, tmp_path, tmp_path / "finns-inte.csv"), file="finns-inte.csv", line=None,
             field=None, says="no such file")  # fmt: skip


def test_a_byte_order_mark_is_not_part_of_the_first_column(snapshot_dir, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(("\ufeff" + HEADER + "\n" + GOOD.replace(",19,", ",21,") + "\n").encode("utf-8"))
    result = _import(snapshot_dir, tmp_path, path)
    assert result.exit_code == 0, result.output
    assert Value.objects.get(kpi_id="U21401", municipality_id="2284", year=2022, gender="T").value == 21


def test_an_encoding_error_is_reported_on_its_own_line(snapshot_dir, tmp_path):
    lines = [HEADER] + [f"U21401,{m},2022,T,{i % 50},," for i, m in enumerate(["2260", "2262", "2280", "2281"] * 800)]
    data = "\n".join(lines).encode("utf-8").split(b"\n")
    data[3001] = b"U21401,2260,2022,T,1\xe92,,"  # line 3002: Latin-1, not UTF-8
    path = tmp_path / "latin.csv"
    path.write_bytes(b"\n".join(data) + b"\n")
    before = _fingerprint()
    _refused(_import(snapshot_dir, tmp_path, path), file="latin.csv", line=3002, field=None, says="not UTF-8")
    assert _fingerprint() == before


def test_no_json_twin_holds_infinity_or_nan_with_extreme_values(client, snapshot_dir, write_values_file):
    """Every kind of JSON twin (area, overview, measure, goal report, goal, search) on the most extreme
    values the import and the goal forms accept: ±10¹², the smallest floats, 0 before 10¹² (an endless
    relative change). Strict JSON: ``NaN``/``Infinity`` refused by the parser."""
    from kommunkvalitet.store.models import Goal, GoalStructure, Indicator, IndicatorTarget, IndicatorValue

    def refuse(name):
        raise AssertionError(f"{name} in JSON")

    rows = ["U21401,2284,2021,T,0,,", "U21401,2260,2021,T,1e-300,,", "U21401,2262,2021,T,-1e12,,",
            "U21401,2284,2022,T,1e12,,", "U21401,2260,2022,T,-1e12,,", "U21401,2262,2022,T,5e-324,,",
            "U21401,2280,2022,T,1e12,,", "U21401,0000,2022,T,1e12,,", "U21401,2284,2022,K,-0,,"]  # fmt: skip
    assert _import(snapshot_dir, snapshot_dir, write_values_file("extreme.csv", HEADER, rows)).exit_code == 0
    struct = GoalStructure.objects.create(municipality_id="2284", year=2022)
    goal = Goal.objects.create(structure=struct, title="Ytterligheter")
    sub = Goal.objects.create(structure=struct, parent=goal, title="Delmål")
    kinds = [("own", "level", 1e12, -1e12), ("own", "improved", 5e-324, 0.0), ("external", "better_than_national",
             -1e12, 1e12), ("own", "level", 0.0, 0.0)]  # fmt: skip
    for i, (kind, target_kind, value, level) in enumerate(kinds):
        ind = Indicator.objects.create(goal=sub if i % 2 else goal, kind=kind, name=f"I{i}", unit="percent",
                                       target_kind=target_kind, tolerance=1e12 if i == 0 else None,
                                       baseline_value=0.0, baseline_year=2020, weight=1e12 if i else 5e-324)  # fmt: skip
        IndicatorTarget.objects.create(indicator=ind, year=2022, level=level)
        IndicatorValue.objects.create(indicator=ind, year=2021, value=0.0, reference=0.0)
        IndicatorValue.objects.create(indicator=ind, year=2022, value=value, reference=-value or 1e12)
    Indicator.objects.create(goal=goal, kind="kpi", kpi_id="U21401", name="Personalkontinuitet",
                             target_kind="improved", direction="lower")  # fmt: skip
    urls = ["/kommun/2284/2022/stod_och_omsorg.json", "/kommun/2284/2022.json", "/nyckeltal/U21401/2022.json",
            "/nyckeltal/U21401/2022.json?kommun=2284", "/kommun/2284/mal/2022.json",
            f"/kommun/2284/mal/2022/mal-{goal.pk}.json", f"/kommun/2284/mal/2022/mal-{sub.pk}.json",
            "/sok.json?q=personalkontinuitet"]  # fmt: skip
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        data = json.loads(response.content, parse_constant=refuse)
        assert data, url
    report = json.loads(client.get("/kommun/2284/mal/2022.json").content)
    values = [i["value"] for g in report["goals"] for i in g["indicators"] if i["kind"] != "kpi"]
    assert 1e12 in values and -1e12 in values  # the extremes did reach the twin


# -- fuzz --------------------------------------------------------------------------------------------

# CI reads 5,000 files (about 2.5 minutes on 2 cores); a local `make test` 1,000
FUZZ_FILES = int(os.environ.get("KOMMUNKVALITET_FUZZ_FILES") or (5000 if os.environ.get("CI") else 1000))
_BASE_ROWS = [f"U21401,{m},{y},{g},{v},," for m, v in (("2260", 18), ("2262", 14), ("2280", 16)) for y in (2021, 2022)
              for g in "T"]  # fmt: skip
_JUNK = ["", "0", "-1", "1e400", "nan", "inf", "-inf", "99999999999999999999", "1,5", "1 234", "\u2212" + "3",
         "NULL", '"', '""', "x" * 300, "\x00", "2022.5", "1e12", "1e13", "-0", "U21401", "0000", "K", "Ö"]  # fmt: skip


def _mutate(rng: random.Random) -> bytes:
    rows = [r.split(",") for r in rng.sample(_BASE_ROWS, rng.randint(1, len(_BASE_ROWS)))]
    header = HEADER.split(",")
    for _ in range(rng.randint(1, 4)):
        kind = rng.random()
        row = rng.choice(rows)
        if kind < 0.45:
            row[rng.randrange(len(row))] = rng.choice(_JUNK)
        elif kind < 0.55:
            rows.append(list(row))  # a duplicate, changed or not below
            if rng.random() < 0.5 and len(row) > 4:
                rows[-1][4] = str(rng.randint(0, 40))
        elif kind < 0.62:
            row.append(rng.choice(_JUNK))  # a field too many
        elif kind < 0.68:
            row.pop()  # a field too few
        elif kind < 0.74:
            header[rng.randrange(len(header))] = rng.choice(["", "kpi", "valu", "year", "Status"])
        elif kind < 0.80 and len(row) > 2:
            row[2] = str(rng.choice([-5, 0, 1949, 1950, 2100, 2101, 10**19, 2022]))
        elif kind < 0.86:
            row[-1] = str(rng.choice([-1, 0, 10**9, 10**9 + 1, 10**30]))
        elif kind < 0.92 and len(row) > 4:
            row[4] = repr(rng.uniform(-1e14, 1e14))
        elif len(row) > 5:
            row[5] = rng.choice(["", "Saknas", "x" * rng.randint(1, 80)])
    text = "\n".join([",".join(header), *(",".join(r) for r in rows)]) + "\n"
    data = text.encode("utf-8")
    roll = rng.random()
    if roll < 0.05:
        data = b"\xef\xbb\xbf" + data
    elif roll < 0.10:
        at = rng.randrange(len(data))
        data = data[:at] + bytes([rng.randrange(128, 256)]) + data[at:]
    elif roll < 0.13:
        data = data[: rng.randrange(len(data))]
    return data


def test_fuzzed_values_files_never_end_in_a_traceback_and_a_refused_one_changes_nothing(snapshot_dir, tmp_path):
    rng = random.Random(20261202)
    importer = SnapshotImporter(snapshot_dir, kpis=["U21401"], years=(2015, 2022))
    refused = accepted = 0
    path = tmp_path / "fuzz.csv"
    for n in range(FUZZ_FILES):
        path.write_bytes(_mutate(rng))
        before = _fingerprint()
        try:
            importer.import_values_file(path)
        except InputError as err:
            refused += 1
            assert err.file == str(path), err
            assert _fingerprint() == before, f"file {n} was refused but changed the store: {err}"
        else:
            accepted += 1
    assert refused > FUZZ_FILES // 4 and accepted > FUZZ_FILES // 20, (refused, accepted)
