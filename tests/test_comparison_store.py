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
    rank, band, *_ = stat.position_of("1463")
    assert stat.direction == "lower"
    assert band == 5  # worst: 19 staff in 14 days against a mean of 15
    assert rank > 0.75 * stat.n


def test_every_kpi_year_with_values_has_a_comparison():
    assert ComparisonStat.objects.filter(kpi_id="U21401", gender="T").count() == 8  # 2015-2022
    assert ComparisonStat.objects.filter(kpi_id="U21401", year=2022, gender="K").exists()  # gender-divided


def test_an_import_recomputes_only_the_kpi_years_it_touched(snapshot_dir, write_values_file):
    before = {(s.kpi_id, s.year, s.gender): (s.computed_at, s.mean) for s in ComparisonStat.objects.all()}
    path = write_values_file("rev.csv", HEADER, ["U21401,1463,2017,T,40"])  # 190 would be an outlier (left out)
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
    stat = comparison.kpi_year("U21401", 2017)
    bands = {stat.position_of(m)[1] for m in stat.positions}
    assert bands == {1, 2, 4, 5}  # best, second, third, worst: the four-group variant
    monkeypatch.setenv("KOMMUNKVALITET_COMPARISON", "marked_change=3")
    with pytest.raises(ConfigurationError, match="unknown comparison setting 'marked_change'"):
        comparison.current_settings()
    monkeypatch.setenv("KOMMUNKVALITET_COMPARISON", "min_n_for_bands=many")
    with pytest.raises(ConfigurationError, match="not a valid value"):
        comparison.current_settings()


def _per_block(kpi: str, year: int, gender: str, settings=None):
    """What compare() says about one KPI, year and gender, from the values as the ORM reads them."""
    import numpy as np

    from kommunkvalitet.core.comparison import DEFAULT_SETTINGS, compare
    from kommunkvalitet.store.models import KPI

    rows = [
        r
        for r in Value.objects.filter(kpi=kpi, year=year, gender=gender, value__isnull=False)
        if not r.municipality_id.startswith("00")  # kommuner only: not Riket, not the regions
    ]
    ids = np.array([r.municipality_id for r in rows], dtype=object)
    values = np.array([r.value for r in rows], dtype=np.float64)
    return ids, compare(ids, values, KPI.objects.get(pk=kpi).direction, settings or DEFAULT_SETTINGS)


@pytest.mark.parametrize("four_groups", [False, True])
def test_the_stored_comparison_is_compare_on_each_block(monkeypatch, four_groups):
    """The store computes every KPI-year at once with the table engine; each stored row equals
    compare() on that block, to the last bit, whatever the band setting."""
    from kommunkvalitet.core.comparison import ComparisonSettings

    settings = ComparisonSettings(four_groups=four_groups)
    wanted = [("U21401", 2017), ("U21401", 2022), ("U23471", 2019), ("N00945", 2021), ("U31462", 2020)]
    assert comparison.recompute(wanted, settings) > 0
    checked = 0
    for stat in ComparisonStat.objects.filter(kpi_id__in=[k for k, _ in wanted]):
        if (stat.kpi_id, stat.year) not in wanted:
            continue
        ids, one = _per_block(stat.kpi_id, stat.year, stat.gender, settings)
        ref = one.reference
        assert (stat.n, stat.mean, stat.median, stat.min, stat.max, stat.sd) == (
            ref.n, ref.mean, ref.median, ref.min, ref.max, ref.sd,
        )  # fmt: skip
        expected = {
            m: (int(one.rank[i]), int(one.band[i]), int(one.position[i]), int(one.reading[i]))
            for i, m in enumerate(ids)
        }
        assert {m: stat.position_of(m) for m in stat.positions} == expected
        riket = Value.objects.filter(kpi=stat.kpi_id, year=stat.year, gender=stat.gender, municipality="0000").first()
        assert stat.riket == (riket.value if riket else None)
        checked += 1
    assert checked >= 8  # T, K and M where the KPI is divided by gender


@pytest.mark.parametrize("chunk", [comparison._CHUNK, 7])
def test_recompute_all_equals_recomputing_kpi_year_by_kpi_year(chunk, monkeypatch):
    """Also in chunks of 7 KPI-years: then each chunk is computed while the one before is written."""
    monkeypatch.setattr(comparison, "_CHUNK", chunk)
    columns = ("n", "mean", "median", "min", "max", "sd", "riket", "positions", "flagged", "direction")
    before = {(s.kpi_id, s.year, s.gender): [getattr(s, c) for c in columns] for s in ComparisonStat.objects.all()}
    written = comparison.recompute_all()
    after = {(s.kpi_id, s.year, s.gender): [getattr(s, c) for c in columns] for s in ComparisonStat.objects.all()}
    assert written == len(after) == len(before) and after == before


def test_an_import_uses_the_rows_it_wrote_only_for_kpis_it_holds_whole(write_values_file, snapshot_dir):
    """The rows just written stand in for the store's only where they are all the store holds of a
    KPI; the result is the same as reading the store."""
    from kommunkvalitet.store.comparison import WrittenValues

    partial = WrittenValues()
    list(partial.watch([[("U21401", "1463", 2017, "T", 19.0, "", None)]]))
    assert partial.whole_kpis({"U21401"}) == set()  # the store holds other years and municipalities
    rows = list(Value.objects.filter(kpi="U21401").values_list("kpi", "municipality", "year", "gender", "value"))
    whole = WrittenValues()
    list(whole.watch([[(*r, "", None) for r in rows]]))
    assert whole.whole_kpis({"U21401"}) == {"U21401"}
    before = {(s.year, s.gender): (s.mean, s.sd, s.positions) for s in ComparisonStat.objects.filter(kpi_id="U21401")}
    pairs = {("U21401", y) for y, _ in before}
    assert comparison.recompute(pairs, written=whole) == len(before)
    after = {(s.year, s.gender): (s.mean, s.sd, s.positions) for s in ComparisonStat.objects.filter(kpi_id="U21401")}
    assert after == before


def _file_copy(tmp_path, tables=("store_value", "store_municipality")):
    """These tables as they are in this test's transaction, in a database file (a second connection
    to the test database would not see them)."""
    import sqlite3

    from django.db import connection

    copy = tmp_path / "copy.sqlite3"
    with connection.cursor() as cur, sqlite3.connect(copy) as target:
        for table in tables:
            cur.execute("SELECT sql FROM sqlite_master WHERE name = %s", [table])
            target.execute(cur.fetchone()[0])
            cur.execute(f"SELECT * FROM {table}")
            rows = cur.fetchall()
            target.executemany(f"INSERT INTO {table} VALUES ({', '.join(['?'] * len(rows[0]))})", rows)
        target.execute("PRAGMA journal_mode = wal")
    target.close()
    return copy


def _same_rows(got, expected) -> None:
    import numpy as np

    assert np.array_equal(np.array(got[0])[got[1]], np.array(expected[0])[expected[1]])
    assert np.array_equal(got[2], expected[2]) and got[2].dtype == np.int64
    assert np.array_equal(got[3].view(np.int64), expected[3].view(np.int64))


def test_an_id_that_is_not_four_digits_keeps_its_gender_and_is_no_kommun():
    """A value of a municipality whose id is not four digits is read with its own year and gender and
    the id -1 (no kommun, not Riket), on both databases; its KPI-year's comparison counts only the four-
    digit kommuner (it once came back as kommun 9999 of the gender before)."""
    import numpy as np
    from django.utils import timezone

    from kommunkvalitet.store.models import Municipality

    now = timezone.now()
    for municipality, gender, value in [
        ("G123", "T", 1.5),
        ("12a4", "K", 2.25),
        ("1463", "K", 3.0),
        ("1480", "T", 4.0),
    ]:
        Municipality.objects.get_or_create(id=municipality, defaults={"name": municipality, "type": "kommun"})
        Value.objects.create(kpi_id="Z00003", municipality_id=municipality, year=2017, gender=gender, value=value,
                             imported_at=now)  # fmt: skip
    met, kpi_idx, key, value = comparison._fetch(["Z00003"], [2017])
    year, gender, municipality = comparison._unpack_key(key)
    mine = np.array(met)[kpi_idx] == "Z00003"
    got = sorted(
        zip(year[mine].tolist(), gender[mine].tolist(), municipality[mine].tolist(), value[mine].tolist(), strict=True)
    )
    assert got == [(2017, 0, -1, 1.5), (2017, 0, 1480, 4.0), (2017, 1, -1, 2.25), (2017, 1, 1463, 3.0)]
    comparison.recompute([("Z00003", 2017)])
    for g, kommun in (("T", "1480"), ("K", "1463")):
        stat = comparison.kpi_year("Z00003", 2017, g)
        assert stat.n == 1 and list(stat.positions) == [kommun], (g, stat.positions)


def test_the_arrow_reader_reads_what_sqlite3_reads(tmp_path):
    """The whole-table read of ``recompute_all`` (ADBC's SQLite driver, Arrow columns) gives the same
    arrays as Python's sqlite3, bit for bit, also for ids that are not four digits and odd genders."""
    from django.db import connection
    from django.utils import timezone

    from kommunkvalitet.store.models import Municipality

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's reader")
    now = timezone.now()
    for municipality, gender, value in [
        ("G123", "T", 1.5),
        ("12a4", "K", 2.25),
        ("0001", "M", -0.1),
        ("1463", "X", 7.0),
    ]:
        Municipality.objects.get_or_create(id=municipality, defaults={"name": municipality, "type": "kommun"})
        Value.objects.create(kpi_id="Z00001", municipality_id=municipality, year=2017, gender=gender, value=value,
                             imported_at=now)  # fmt: skip
    Value.objects.create(kpi_id="Z00001", municipality_id="1480", year=2017, gender="T", value=None, imported_at=now)
    assert comparison._database_file() is None  # inside the test's transaction: a second connection would not see it
    copy = _file_copy(tmp_path)
    for years in (None, [2016, 2017]):
        _same_rows(comparison._fetch_sqlite_arrow(str(copy), years), comparison._fetch_sqlite(None, years))
    assert comparison._fetch_sqlite_arrow(str(copy), [1990]) is comparison._NO_ROWS


def test_the_arrow_reader_reads_the_halves_of_a_table_at_once_as_one(tmp_path, monkeypatch):
    """Split in two halves of its rowids, each read on its own connection in a thread, the table gives
    the arrays of one plain read, rows and KPI numbering in the same order (every id four digits, so
    the ids are read by a plain cast); with a split that leaves one half empty too."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's reader")
    copy = _file_copy(tmp_path)
    monkeypatch.setattr(comparison, "_cores", lambda: 2)
    monkeypatch.setattr(comparison, "_SPLIT_ABOVE", 0)
    split = comparison._split_rowid("store_value")
    assert split is not None
    for years in (None, [2016, 2017]):
        expected = comparison._fetch_sqlite(None, years)
        got = comparison._fetch_sqlite_arrow(str(copy), years)
        _same_rows(got, expected)
        assert got[0] == expected[0]  # the KPIs in the order the plain read met them
    with connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM store_value")
        (top,) = cur.fetchone()
    monkeypatch.setattr(comparison, "_split_rowid", lambda source: top)  # the second half is empty
    _same_rows(comparison._fetch_sqlite_arrow(str(copy), None), comparison._fetch_sqlite(None, None))


def test_the_halves_are_read_again_when_a_write_commits_between_their_transactions(tmp_path, monkeypatch):
    """A write committed between the two read transactions' beginnings: they begin again (here it
    commits each time, so one connection reads everything at last), and the read is whole."""
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's reader")
    copy = _file_copy(tmp_path)
    monkeypatch.setattr(comparison, "_cores", lambda: 2)
    monkeypatch.setattr(comparison, "_SPLIT_ABOVE", 0)
    versions = iter(range(100))
    monkeypatch.setattr(comparison, "_data_version", lambda con: next(versions))  # changes at every look
    expected = comparison._fetch_sqlite(None, None)
    _same_rows(comparison._fetch_sqlite_arrow(str(copy), None), expected)
    assert next(versions) == 6  # three attempts of two looks each, then one connection without a look
    with sqlite3.connect(copy) as db:
        (n,) = db.execute("SELECT count(*) FROM store_value WHERE value IS NOT NULL").fetchone()
    assert n == expected[2].size


def test_a_kpi_year_with_only_riket_gets_a_row_without_kommuner():
    """No kommun value to compare (only Riket's): a row with n = 0, Riket's value and no positions."""
    from django.utils import timezone

    Value.objects.create(
        kpi_id="Z00002", municipality_id="0000", year=2017, gender="T", value=42.5, imported_at=timezone.now()
    )
    assert comparison.recompute([("Z00002", 2017)]) == 1
    stat = comparison.kpi_year("Z00002", 2017)
    assert (stat.n, stat.mean, stat.riket, stat.positions, stat.flagged) == (0, None, 42.5, {}, {})


def test_ahead_gives_the_items_in_order_raises_the_threads_error_and_stops_with_its_caller():
    """``_ahead`` (the next chunk computed while this one is written): the same items in the same
    order; an error in its thread is raised in the caller's; a caller that stops early stops it."""
    import threading

    assert list(comparison._ahead(iter(range(5)))) == [0, 1, 2, 3, 4]
    assert list(comparison._ahead(iter([]))) == []

    def failing():
        yield 1
        raise ValueError("in the thread")

    got = []
    with pytest.raises(ValueError, match="in the thread"):
        for item in comparison._ahead(failing()):
            got.append(item)
    assert got == [1]

    made = []

    def endless():
        while True:
            made.append(len(made))
            yield made[-1]

    items = comparison._ahead(endless())
    assert next(items) == 0
    items.close()  # the caller stops: the thread ends (after at most the item it computes and one queued)
    assert not any(t.name == "kk-compute" for t in threading.enumerate())
    assert len(made) <= 3


def test_a_few_kpi_years_take_the_grid_path_and_give_the_table_paths_rows_bit_for_bit(monkeypatch):
    """A sync's or an edit's KPI-years go through ``_rows_of_few`` (the engines' grid entry points);
    the whole-table path gives the same rows, to the last bit (``repr`` tells -0.0 from 0.0), on real
    KPI-years: one at a time and together, gender-divided, with flagged values, with Riket."""
    import random

    settings = comparison.current_settings()
    met = sorted(set(Value.objects.filter(value__isnull=False).values_list("kpi_id", "year").distinct()))
    named = [("U21401", 2017), ("N09808", 2019), ("U23471", 2019), ("N00945", 2021), ("U31462", 2020)]
    riket = sorted(set(Value.objects.filter(municipality="0000").values_list("kpi_id", "year").distinct()))[:3]
    sample = sorted(set(random.Random(5).sample(met, 40) + named + riket))
    assert ComparisonStat.objects.filter(kpi_id="N09808", year=2019).exclude(flagged={}).exists()
    for pairs in [[p] for p in sample] + [named, sample[: comparison._FEW_PAIRS]]:
        data = comparison._read(pairs)
        directions = comparison._directions(sorted({k for k, _ in pairs}))
        few = comparison._rows_of_few(pairs, data, directions, settings)
        with monkeypatch.context() as m:
            m.setattr(comparison, "_FEW_PAIRS", 0)  # the path of many KPI-years (compare_table)
            table = comparison._rows(pairs, data, directions, settings)
        assert repr(few) == repr(table), pairs


def test_one_kpi_year_read_on_sqlite_is_the_read_of_many():
    """``_read_one_sqlite`` (a sync's or an edit's KPI-year) reads what ``_read`` reads; with an id that
    is not four digits it leaves the KPI-year to ``_read``, and a gender other than T, K, M is left out."""
    import numpy as np
    from django.db import connection
    from django.utils import timezone

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's reader")

    def same(a, b):
        return all(np.array_equal(getattr(a, f), getattr(b, f)) for f in ("pair", "gender", "municipality", "value"))

    for pair in [("U21401", 2017), ("N09808", 2019), ("U23471", 2019), ("Z99999", 2017)]:
        assert same(comparison._read_one_sqlite(*pair), comparison._read([pair]))
    now = timezone.now()
    Value.objects.create(kpi_id="U21401", municipality_id="1463", year=2031, gender="X", value=3.0, imported_at=now)
    Value.objects.create(kpi_id="U21401", municipality_id="1480", year=2031, gender="T", value=4.0, imported_at=now)
    assert same(comparison._read_one_sqlite("U21401", 2031), comparison._read([("U21401", 2031)]))
    assert comparison._read_one_sqlite("U21401", 2031).municipality.tolist() == [1480]
    Value.objects.create(kpi_id="U21401", municipality_id="G123", year=2031, gender="T", value=5.0, imported_at=now)
    assert comparison._read_one_sqlite("U21401", 2031) is None
    assert comparison.recompute([("U21401", 2031)]) == 1  # through _read


def test_the_migration_packs_each_kommuns_positions_entry_into_one_number_and_back():
    """Migration 0015 rewrites the stored lists [rank, band, position, reading] as the packed codes the
    recompute writes now, in the database (SQLite's json_each, PostgreSQL's jsonb_each), and back."""
    import importlib
    from types import SimpleNamespace

    from django.db import connection

    migration = importlib.import_module("kommunkvalitet.store.migrations.0015_packed_positions")
    stat = comparison.kpi_year("U21401", 2017)
    packed = dict(stat.positions)
    assert packed and all(isinstance(code, int) for code in packed.values())
    lists = {m: list(stat.position_of(m)) for m in packed}
    other = comparison.kpi_year("U21401", 2018)
    ComparisonStat.objects.filter(pk=stat.pk).update(positions=lists)  # as a store before 0015 holds it
    empty = ComparisonStat.objects.filter(n=0).update(positions={})
    # (the schema editor's execute, in the test's transaction: SQLite's editor refuses to run inside one)
    editor = SimpleNamespace(connection=connection, execute=lambda sql: connection.cursor().execute(sql))
    migration.pack(None, editor)
    assert ComparisonStat.objects.get(pk=stat.pk).positions == packed
    assert ComparisonStat.objects.get(pk=other.pk).positions == other.positions  # packed already: kept
    assert ComparisonStat.objects.filter(n=0, positions={}).count() == empty
    migration.unpack(None, editor)
    assert ComparisonStat.objects.get(pk=stat.pk).positions == lists
    assert ComparisonStat.objects.get(pk=other.pk).positions == {m: list(other.position_of(m)) for m in other.positions}
    migration.pack(None, editor)
    assert ComparisonStat.objects.get(pk=stat.pk).positions == packed
