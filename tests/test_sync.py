"""`kommunkvalitet sync` against a real HTTP server on 127.0.0.1 (tests/kolada_server.py) serving values of
the test database (the imported snapshot). No internet; the client's sleeps are fake."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

from kolada_server import FakeTime
from kommunkvalitet.cli import main
from kommunkvalitet.core import measuresets
from kommunkvalitet.errors import InputError
from kommunkvalitet.sources.kolada import KoladaClient
from kommunkvalitet.store.models import KPI, Municipality, SyncKpiYear, SyncRun, Value
from kommunkvalitet.store.sync import EXIT_LOCKED, Change, KoladaSync, SyncLocked, sync_lock

KPIS = ["U21401", "N11008"]
YEARS = [2019, 2020]
FIELDS = ("kpi_id", "municipality_id", "year", "gender", "value", "status", "count")


def db_rows(kpis=KPIS, years=YEARS) -> list[dict]:
    """The test database's values as FakeKolada rows."""
    return [
        {"kpi": k, "municipality_id": m, "year": y, "gender": g, "value": v, "status": s, "count": c}
        for k, m, y, g, v, s, c in Value.objects.filter(kpi_id__in=kpis, year__in=years)
        .order_by("kpi_id", "year", "municipality_id", "gender")
        .values_list(*FIELDS)
    ]


def per_kpi_year(kpis=KPIS, years=YEARS) -> Counter:
    """How many values the store has per (kpi, year)."""
    return Counter(Value.objects.filter(kpi_id__in=kpis, year__in=years).values_list("kpi_id", "year"))


def expected(rows) -> Counter:
    return Counter((r["kpi"], r["year"]) for r in rows if not r.get("isdeleted"))


def drop(kpis=KPIS, years=YEARS) -> None:
    Value.objects.filter(kpi_id__in=kpis, year__in=years).delete()


def municipality_meta() -> list[dict]:
    types = {"kommun": "K", "region": "L", "national": "L"}
    return [{"id": m.id, "title": m.name, "type": types[m.type]} for m in Municipality.objects.all()]


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def server_factory(server_factory):
    """The shared fake-server fixture, serving the store's municipalities unless told otherwise."""

    def start(rows=(), **kw):
        kw.setdefault("municipalities", municipality_meta())
        return server_factory(rows, **kw)

    return start


@pytest.fixture
def make_sync(fake_time):
    clients = []

    def make(server, *, client_kw=None, kpis=KPIS, years=YEARS, **kw):
        opts = {
            "base_url": server.base_url,
            "connect_timeout": 2.0,
            "read_timeout": 2.0,
            "sleep": fake_time.sleep,
            "clock": fake_time.clock,
            "rng": random.Random(1),
            **(client_kw or {}),
        }
        client = KoladaClient(**opts)
        clients.append(client)
        return KoladaSync(client, kpis=kpis, years=years, **kw)

    yield make
    for c in clients:
        c.close()


pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------ the happy path


def test_sync_over_several_pages_adds_everything_and_a_rerun_changes_nothing(server_factory, make_sync):
    rows = db_rows()
    assert len(rows) > 1000
    drop()
    server = server_factory(rows)
    result = make_sync(server, client_kw={"per_page": 200}).run()
    assert result.ok, result.error
    assert result.total("added") == len(rows) and result.total("changed") == 0
    assert per_kpi_year() == expected(rows)
    objects = len({(r["kpi"], r["municipality_id"], r["year"]) for r in rows})
    pages = server.data_requests()
    assert len(pages) == -(-objects // 200) == result.data_requests > 1  # one chunk, every page once
    assert [int(p.query.get("page", "1")) for p in pages] == list(range(1, len(pages) + 1))
    assert result.minimum_requests == 1
    run = SyncRun.objects.get(pk=result.run_id)
    assert run.status == "ok" and run.finished_at and run.added == len(rows) and run.plan == result.plan
    assert run.requests == result.requests
    ledger_rows = Counter({(k.kpi, k.year): k.added for k in run.kpi_years.all()})
    assert ledger_rows == expected(rows)  # every KPI-year, with what it added

    again = make_sync(server).run()
    assert again.ok and again.nothing_changed and not again.resumed
    assert again.total("unchanged") == len(rows) and again.total("added") == 0
    assert per_kpi_year() == expected(rows)


def test_chunking_27_kpis_takes_two_chunks_the_minimum_plus_pages(server_factory, make_sync):
    kpis = sorted(set(Value.objects.filter(year=2020).values_list("kpi_id", flat=True)))[:27]
    assert len(kpis) == 27
    rows = db_rows(kpis, [2020])
    server = server_factory(rows)
    result = make_sync(server, kpis=kpis, years=[2020]).run()
    assert result.ok, result.error
    objects = [
        {(r["kpi"], r["municipality_id"]) for r in rows if r["kpi"] in chunk} for chunk in (kpis[:25], kpis[25:])
    ]
    pages = [-(-len(o) // 5000) for o in objects]  # 5000 objects per page
    assert result.minimum_requests == 2 and result.data_requests == sum(pages)
    assert [len(r.segments[2].split(",")) for r in server.data_requests()] == [25] * pages[0] + [2] * pages[1]
    assert result.total("unchanged") == len(rows) and result.nothing_changed
    # written in short transactions of whole KPI-years, each within one chunk
    assert [k for u in result.units for k in u.kpis] == kpis
    assert all(set(u.kpis) <= set(kpis[:25]) or set(u.kpis) <= set(kpis[25:]) for u in result.units)


def test_cli_sync_reports_and_exits_0(server_factory, monkeypatch, tmp_path):
    rows = db_rows()
    server = server_factory(rows)
    monkeypatch.setenv("KOLADA_BASE_URL", server.base_url)
    monkeypatch.setenv("KOLADA_REQUESTS_PER_SECOND", "0")
    monkeypatch.setenv("KOMMUNKVALITET_DATA_DIR", str(tmp_path))
    args = ["sync", "--kpi", "U21401", "--kpi", "N11008", "--years", "2019-2020"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Inget ändrades" in result.output and f"{len(rows)} oförändrade" in result.output
    assert "skrivlåset hölls som längst" in result.output  # what a web save beside it waited at most
    assert (tmp_path / "sync.lock").exists()


# ------------------------------------------------------------------------------------------ transient failures


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(lambda s: s.fail_429(times=2, retry_after=3, path_contains="/data/"), id="429-retry-after"),
        pytest.param(lambda s: s.fail_status(500, times=1, path_contains="/data/"), id="500-then-success"),
        pytest.param(lambda s: s.delay(1.0, times=1, path_contains="/data/"), id="timeout"),
        pytest.param(lambda s: s.truncate(times=1, path_contains="/data/"), id="truncated-json"),
    ],
)
def test_a_transient_failure_is_retried_and_the_sync_completes(fault, server_factory, make_sync, fake_time):
    rows = db_rows()
    drop()
    server = server_factory(rows)
    fault(server)
    result = make_sync(server, client_kw={"read_timeout": 0.3, "per_page": 500}).run()
    assert result.ok, result.error
    assert result.total("added") == len(rows)
    assert per_kpi_year() == expected(rows)
    assert fake_time.sleeps, "the retry waited (on the fake clock)"
    if any(r.fault == "status 429" for r in server.requests):
        assert max(fake_time.sleeps) >= 3  # Retry-After honoured
    assert any(r.fault for r in server.requests)


def test_a_pagination_loop_fails_the_run_without_writing_half_a_kpi_year(server_factory, make_sync):
    rows = db_rows()
    drop()
    server = server_factory(rows)
    server.repeat_next_url(at_page=2, to_page=1)
    result = make_sync(server, client_kw={"per_page": 200}).run()
    assert not result.ok and "pagination loop" in result.error
    assert per_kpi_year() == Counter()  # nothing from the failed fetch
    run = SyncRun.objects.get(pk=result.run_id)
    assert run.status == "failed" and run.finished_at is None and "pagination loop" in run.error
    assert not run.kpi_years.exists()


def test_cli_exits_non_zero_without_traceback_on_failure(server_factory, monkeypatch, tmp_path):
    rows = db_rows()
    server = server_factory(rows)
    server.fail_status(400, times=None, path_contains="/data/")
    monkeypatch.setenv("KOLADA_BASE_URL", server.base_url)
    monkeypatch.setenv("KOLADA_REQUESTS_PER_SECOND", "0")
    monkeypatch.setenv("KOMMUNKVALITET_DATA_DIR", str(tmp_path))
    before = per_kpi_year()
    result = CliRunner().invoke(main, ["sync", "--kpi", "U21401", "--years", "2019-2020"])
    assert result.exit_code == 1
    assert "Fel:" in result.output and "Traceback" not in result.output
    assert per_kpi_year() == before


# ------------------------------------------------------------------------------------------ interruption


def test_an_interrupted_sync_commits_whole_kpi_years_and_a_rerun_resumes_without_duplicates(server_factory, make_sync):
    rows = db_rows()
    drop()
    server = server_factory(rows)
    server.fail_status(503, times=None, path_contains="/data/kpi/U21401/year/2020")  # the 2nd KPI-year
    opts = {"kpis_per_request": 1, "years_per_request": 1, "client_kw": {"max_retries": 2}}
    first = make_sync(server, **opts).run()
    assert not first.ok and "503" in first.error and "U21401" in first.error
    want = expected(rows)
    assert per_kpi_year() == Counter({("U21401", 2019): want[("U21401", 2019)]})  # whole, and nothing else
    assert [(u.kpis, u.year) for u in first.units] == [(("U21401",), 2019)]

    server.clear_faults()
    server.reset_log()
    second = make_sync(server, **opts).run()
    assert second.ok and second.resumed and second.skipped_kpi_years == 1
    assert [r.path for r in server.data_requests()] == [
        "/data/kpi/U21401/year/2020",
        "/data/kpi/N11008/year/2019",
        "/data/kpi/N11008/year/2020",
    ]
    assert per_kpi_year() == want  # no duplicates (and the unique key would refuse them)
    assert Value.objects.filter(kpi_id__in=KPIS, year__in=YEARS).count() == len(rows)
    assert second.run_id == first.run_id
    run = SyncRun.objects.get(pk=first.run_id)
    assert run.status == "ok" and run.attempts == 2 and run.added == len(rows)

    third = make_sync(server, **opts).run()  # a finished run is not resumed: everything again
    assert not third.resumed and third.total("unchanged") == len(rows)


def test_restart_ignores_an_interrupted_run(server_factory, make_sync):
    rows = db_rows()
    server = server_factory(rows)
    server.fail_status(500, times=None, path_contains="/year/2020")
    opts = {"years_per_request": 1, "client_kw": {"max_retries": 0}}
    assert not make_sync(server, **opts).run().ok
    server.clear_faults()
    again = make_sync(server, resume=False, **opts).run()
    assert again.ok and not again.resumed and {u.year for u in again.units} == {2019, 2020}


# ------------------------------------------------------------------------------------------ content


def test_a_revised_value_is_reported_old_to_new_and_keeps_its_previous_value(server_factory, make_sync):
    rows = db_rows()
    target = next(r for r in rows if r["value"] is not None and r["municipality_id"] == "1463")
    old = target["value"]
    target["value"] = old + 1.5
    server = server_factory(rows)
    result = make_sync(server).run()
    assert result.ok and result.total("changed") == 1 and result.total("added") == 0
    key = (target["kpi"], "1463", target["year"], target["gender"])
    assert result.changes == [Change(*key, old, old + 1.5, target["status"], target["status"])]
    assert f"{old:g} → {old + 1.5:g}" in str(result.changes[0])
    value = Value.objects.get(kpi=key[0], municipality=key[1], year=key[2], gender=key[3])
    assert value.value == old + 1.5 and value.previous_value == old and value.changed_at is not None


def test_cli_lists_changed_values(server_factory, monkeypatch, tmp_path):
    rows = db_rows()
    for r in rows[:3]:
        r["value"] = (r["value"] or 0) + 10
    server = server_factory(rows)
    monkeypatch.setenv("KOLADA_BASE_URL", server.base_url)
    monkeypatch.setenv("KOLADA_REQUESTS_PER_SECOND", "0")
    monkeypatch.setenv("KOMMUNKVALITET_DATA_DIR", str(tmp_path))
    args = ["sync", "--kpi", "U21401", "--kpi", "N11008", "--years", "2019-2020", "--show-changes", "2"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "3 ändrade" in result.output and "Ändrade värden (gammalt → nytt):" in result.output
    assert (
        sum(line.startswith("  ") and " → " in line for line in result.output.splitlines()) == 2
        and "... och 1 till" in result.output
    )


def test_an_unknown_kpi_is_fetched_created_and_synced(server_factory, make_sync):
    rows = [
        {"kpi": "N99901", "municipality_id": m, "year": 2020, "gender": "T", "value": float(i)}
        for i, m in enumerate(["0180", "1463", "0000"])
    ]
    meta = [{"id": "N99901", "title": "Testmått, andel (%)", "municipality_type": "K", "operating_area": "Test, x"}]
    server = server_factory(rows, kpis=meta)
    result = make_sync(server, kpis=["N99901", "N99902"], years=[2020]).run()  # Kolada's warning becomes a note
    assert result.ok, result.error
    assert result.kpis_created == ["N99901"]
    kpi = KPI.objects.get(pk="N99901")
    assert kpi.title == "Testmått, andel (%)" and kpi.operating_area == "Test, x" and not kpi.is_retired
    assert not KPI.objects.filter(pk="N99902").exists()
    assert [(n.kind, n.ids) for n in result.notes] == [("unknown_kpi", ("N99902",))]
    assert "N99902" in str(result.notes[0])
    assert SyncRun.objects.get(pk=result.run_id).notes == [n.as_dict() for n in result.notes]
    assert result.total("added") == 3 and per_kpi_year(["N99901"], [2020]) == Counter({("N99901", 2020): 3})
    assert [r.path for r in server.data_requests()] == ["/data/kpi/N99901/year/2020"]


def test_values_for_unknown_municipality_ids_are_rejected(server_factory, make_sync):
    rows = db_rows(["N11008"], [2020])
    extra = [{"kpi": "N11008", "municipality_id": "G12345", "year": 2020, "gender": "T", "value": 1.0}] * 1
    extra.append({"kpi": "N11008", "municipality_id": "9999", "year": 2020, "gender": "T", "value": 2.0})
    server = server_factory(rows + extra)
    result = make_sync(server, kpis=["N11008"], years=[2020]).run()
    assert result.ok
    assert result.total("rejected") == 2 and result.rejected_ids == Counter({"G12345": 1, "9999": 1})
    assert result.total("unchanged") == len(rows)
    assert not Value.objects.filter(municipality_id__in=["G12345", "9999"]).exists()


def test_since_removes_deleted_rows_and_fetches_only_changes(server_factory, make_sync):
    rows = [dict(r, updated="2023-01-10") for r in db_rows()]
    gone = next(r for r in rows if r["municipality_id"] == "0180")
    rows.append(dict(gone, isdeleted=True, updated="2024-05-02"))
    rows.remove(gone)
    fresh = next(r for r in rows if r["municipality_id"] == "1463" and r["value"] is not None)
    fresh.update(value=fresh["value"] + 1, updated="2024-05-03")
    server = server_factory(rows)
    result = make_sync(server, since="2024-01-01").run()
    assert result.ok, result.error
    assert result.total("deleted") == 1 and result.total("changed") == 1
    assert result.total("unchanged") == 0 and result.total("added") == 0  # only the two changes came back
    assert all(r.query["from_date"] == "2024-01-01" for r in server.data_requests())
    assert not Value.objects.filter(
        kpi=gone["kpi"], municipality=gone["municipality_id"], year=gone["year"], gender=gone["gender"]
    ).exists()
    assert per_kpi_year() == expected(rows)
    again = make_sync(server, since="2024-01-01").run()
    assert again.ok and again.total("deleted") == 0 and again.nothing_changed


# ------------------------------------------------------------------------------------------ the lock


def test_a_second_run_while_the_lock_is_held_exits_75(server_factory, monkeypatch, tmp_path):
    server = server_factory(db_rows())
    monkeypatch.setenv("KOLADA_BASE_URL", server.base_url)
    monkeypatch.setenv("KOMMUNKVALITET_DATA_DIR", str(tmp_path))
    with sync_lock(tmp_path / "sync.lock"):
        with pytest.raises(SyncLocked), sync_lock(tmp_path / "sync.lock"):
            pass
        result = CliRunner().invoke(main, ["sync", "--kpi", "U21401", "--years", "2020"])
    assert result.exit_code == EXIT_LOCKED
    assert "another import or sync is running" in result.output and "Traceback" not in result.output
    assert server.requests == []
    with sync_lock(tmp_path / "sync.lock"):  # released
        pass


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only")
def test_postgresql_advisory_lock_excludes_a_run_on_another_machine(tmp_path):
    import psycopg
    from django.db import connection

    from kommunkvalitet.store.sync import PG_LOCK_KEY

    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [PG_LOCK_KEY])
        with pytest.raises(SyncLocked, match="PostgreSQL"), sync_lock(tmp_path / "a.lock"):
            pass
        other.execute("SELECT pg_advisory_unlock(%s)", [PG_LOCK_KEY])
    with sync_lock(tmp_path / "a.lock"):
        pass


def test_two_concurrent_processes_cannot_both_sync(server_factory, tmp_path):
    """Separate processes on their own SQLite database: the second exits 75, the first completes."""
    rows = db_rows(["N11008"], [2020])
    meta = [
        {"id": k.id, "title": k.title, "municipality_type": k.municipality_type}
        for k in KPI.objects.filter(pk="N11008")
    ]
    server = server_factory(rows, kpis=meta)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        KOMMUNKVALITET_DATA_DIR=str(tmp_path),
        KOLADA_BASE_URL=server.base_url,
        KOLADA_REQUESTS_PER_SECOND="0",
        PYTHONUNBUFFERED="1",
    )
    cmd = [sys.executable, "-m", "kommunkvalitet"]
    subprocess.run([*cmd, "manage", "migrate", "-v0"], env=env, check=True, timeout=120)
    server.delay(60.0, times=1, path_contains="/data/")  # the first run waits there until released
    args = ["sync", "--kpi", "N11008", "--years", "2020"]
    first = subprocess.Popen([*cmd, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while not server.data_requests() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.data_requests(), "the first run did not reach the data request"
    second = subprocess.run([*cmd, *args], env=env, capture_output=True, text=True, timeout=60)
    assert second.returncode == EXIT_LOCKED, second.stdout + second.stderr
    assert "another import or sync is running" in second.stderr and "Traceback" not in second.stderr
    server.release()
    out, _ = first.communicate(timeout=60)
    assert first.returncode == 0, out
    assert f"{len(rows)} nya" in out  # a fresh database: municipalities and the KPI came from Kolada too
    third = subprocess.run([*cmd, *args], env=env, capture_output=True, text=True, timeout=60)
    assert third.returncode == 0 and "Inget ändrades" in third.stdout, third.stdout + third.stderr


# ------------------------------------------------------------------------------------------ measure sets


def test_unavailable_entries_are_not_measures():
    ids = measuresets.default_kpi_ids()
    assert {"N15722", "N17005", "N25022", "U00454"}.isdisjoint(ids)
    assert "U21401" in ids


def test_unavailable_entries_in_any_set_are_skipped(tmp_path):
    (tmp_path / "x_2030.toml").write_text(
        'name = "X 2030"\nedition = 2030\n[areas.a]\nname = "A"\n'
        '[[areas.a.measures]]\nkpi = "N1"\nlabel = "N ett"\nlabel_en = "N one"\ndirection = "higher"\n'
        'unit = "percent"\ndecimals = 0\nis_cost = false\ndata_year_offset = 0\nsource = "test"\n'
        '[[areas.a.unavailable]]\nkpi = "N2"\nlabel = "gone"\n',
        encoding="utf-8",
    )
    assert measuresets.default_kpi_ids(tmp_path) == {"N1"}
    assert measuresets.measure_set_kpi_ids("X 2030", tmp_path) == ["N1"]


def test_measure_sets_are_found_by_name_or_file_stem():
    by_name = measuresets.measure_set_kpi_ids("KKiK 2022")
    assert by_name == measuresets.measure_set_kpi_ids("kkik_2022") == measuresets.measure_set_kpi_ids("kkik-2022")
    assert set(by_name) == measuresets.default_kpi_ids() and by_name[0] == "N11102"
    with pytest.raises(InputError, match="KKiK 2022"):
        measuresets.find_measure_set("KKiK 1999")


def test_cli_rejects_an_unknown_measure_set(tmp_path, monkeypatch):
    monkeypatch.setenv("KOMMUNKVALITET_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(main, ["sync", "--measure-set", "nope"])
    assert result.exit_code == 1 and "no measure set named 'nope'" in result.output


# ------------------------------------------------------------------------------------------ what is a change


def test_a_sync_after_the_snapshot_reports_only_real_changes_when_kolada_sends_count(
    server_factory, make_sync, monkeypatch, tmp_path
):
    """The store came from the snapshot (no count); Kolada sends ``count: 1`` with every value. Only the
    values whose number or status differ are changes, and they keep the value they replaced."""
    assert not Value.objects.filter(kpi_id__in=KPIS, year__in=YEARS, count__isnull=False).exists()
    rows = [{k: v for k, v in r.items() if k != "count"} for r in db_rows()]  # the server's default: count 1
    revised = next(r for r in rows if r["value"] is not None and r["municipality_id"] == "1463")
    old = revised["value"]
    revised["value"] = old + 2
    flagged = next(r for r in rows if r["value"] is not None and r["municipality_id"] == "0114")
    flagged["status"] = "Preliminärt"  # the number stays, the status changes
    server = server_factory(rows)
    monkeypatch.setenv("KOLADA_BASE_URL", server.base_url)
    monkeypatch.setenv("KOLADA_REQUESTS_PER_SECOND", "0")
    monkeypatch.setenv("KOMMUNKVALITET_DATA_DIR", str(tmp_path))
    args = ["sync", "--kpi", "U21401", "--kpi", "N11008", "--years", "2019-2020"]
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    assert f"2 ändrade, {len(rows) - 2} oförändrade" in out.output
    listed = [line.strip() for line in out.output.splitlines() if line.startswith("  ") and " → " in line]
    assert sorted(listed) == sorted(
        [
            f"{revised['kpi']} 1463 {revised['year']} {revised['gender']}: {old:g} → {old + 2:g}",
            f"{flagged['kpi']} 0114 {flagged['year']} {flagged['gender']}: "
            f"{flagged['value']:g} → {flagged['value']:g} (Preliminärt)",
        ]
    )

    def stored(row):
        return Value.objects.get(
            kpi=row["kpi"], municipality=row["municipality_id"], year=row["year"], gender=row["gender"]
        )

    value = stored(revised)
    assert (value.value, value.previous_value, value.count) == (old + 2, old, 1) and value.changed_at
    status_only = stored(flagged)
    assert status_only.previous_value is None and status_only.status == "Preliminärt"  # no different number yet
    quiet = Value.objects.filter(kpi_id__in=KPIS, year__in=YEARS, changed_at__isnull=True)
    assert quiet.count() == len(rows) - 2 and not quiet.filter(previous_value__isnull=False).exists()
    assert not Value.objects.filter(kpi_id__in=KPIS, year__in=YEARS, count__isnull=True).exists()  # count kept

    # Kolada sends another count for the revised value: still no change, and the previous value stays.
    for r in rows:
        r["count"] = 2
    again = make_sync(server_factory(rows)).run()
    assert again.ok and again.total("changed") == 0 and again.changes == []
    value = stored(revised)
    assert (value.value, value.previous_value, value.count) == (old + 2, old, 2)


# ------------------------------------------------------------------------------------------ the ledger


def test_sync_status_shows_runs_the_unfinished_one_and_what_resume_would_skip(
    server_factory, make_sync, monkeypatch, tmp_path
):
    monkeypatch.setenv("KOMMUNKVALITET_DATA_DIR", str(tmp_path))
    empty = CliRunner().invoke(main, ["sync", "--status"])
    assert empty.exit_code == 0 and "Inga synkkörningar ännu." in empty.output

    rows = db_rows()
    server = server_factory(rows)
    server.fail_status(503, times=None, path_contains="/data/kpi/N11008/")
    opts = {"kpis_per_request": 1, "years_per_request": 1, "client_kw": {"max_retries": 0}}
    first = make_sync(server, **opts).run()
    assert not first.ok
    status = CliRunner().invoke(main, ["sync", "--status"])
    assert status.exit_code == 0, status.output
    out = status.output
    assert f"#{first.run_id} " in out and "misslyckades" in out and "2 KPI-år klara" in out
    assert f"Oavslutad: #{first.run_id} (KPI U21401, N11008; år 2019-2020), 2 av 4 KPI-år klara." in out
    assert "fortsätter den och hoppar över 2 KPI-år: 2019-2020: U21401." in out
    assert "503" in out  # the error

    server.clear_faults()
    second = make_sync(server, **opts).run()
    assert second.ok and second.resumed and second.skipped_kpi_years == 2 and second.run_id == first.run_id
    out = CliRunner().invoke(main, ["sync", "--status"]).output
    assert "Ingen körning är oavslutad." in out and "klar (försök 2)" in out and "4 KPI-år klara" in out
    run = SyncRun.objects.get(pk=first.run_id)
    assert run.longest_transaction is not None and run.longest_transaction >= max(u.seconds for u in second.units)
    assert "skrivlåset som längst" in out
    assert CliRunner().invoke(main, ["sync", "--status", "--kpi", "U21401"]).exit_code == 2


def test_the_ledger_records_each_kpi_year_with_its_counts_and_an_old_unfinished_run_is_not_resumed(
    server_factory, make_sync
):
    from datetime import timedelta

    from kommunkvalitet.store import ledger

    rows = db_rows()
    target = next(r for r in rows if r["kpi"] == "N11008" and r["year"] == 2020 and r["value"] is not None)
    target["value"] += 1
    rows.append({"kpi": "U21401", "municipality_id": "G1", "year": 2019, "gender": "T", "value": 1.0})
    server = server_factory(rows)
    server.fail_status(500, times=None, path_contains="/year/2020")
    opts = {"years_per_request": 1, "client_kw": {"max_retries": 0}}
    first = make_sync(server, **opts).run()
    assert not first.ok
    run = SyncRun.objects.get(pk=first.run_id)
    assert run.status == "failed" and run.rejected == 1
    by_key = {(k.kpi, k.year): (k.added, k.changed, k.unchanged, k.rejected) for k in run.kpi_years.all()}
    want = expected(rows)
    assert by_key == {
        ("U21401", 2019): (0, 0, want[("U21401", 2019)] - 1, 1),  # the group id G1 is rejected
        ("N11008", 2019): (0, 0, want[("N11008", 2019)], 0),
    }
    # A day later the unfinished run is not resumed: it is abandoned and a new run does everything.
    SyncRun.objects.filter(pk=run.pk).update(started_at=run.started_at - ledger.RESUME_WITHIN - timedelta(minutes=1))
    assert ledger.status().unfinished.expired
    server.clear_faults()
    second = make_sync(server, **opts).run()
    assert second.ok and not second.resumed and second.run_id != first.run_id
    assert SyncRun.objects.get(pk=first.run_id).status == "abandoned"
    assert second.total("changed") == 1 and SyncKpiYear.objects.filter(run_id=second.run_id).count() == 4
