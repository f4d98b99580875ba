"""KoladaClient against a real HTTP server on 127.0.0.1 (tests/kolada_server.py). No internet, fake sleeps."""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from kolada_server import FakeKolada, FakeTime, rows_from_csv
from kommunkvalitet.errors import NotFoundError, SourceError
from kommunkvalitet.sources.kolada import (
    KoladaClient,
    KoladaNote,
    RateLimiter,
    ValueRecord,
    minimum_requests,
)

SNAPSHOT_VALUES = "kolada/values/kkik_core_1994-2022.csv"


def make_rows(kpis, munis, years, genders=("T",)):
    rows = []
    for k in kpis:
        for m in munis:
            for y in years:
                for g in genders:
                    rows.append({"kpi": k, "municipality_id": m, "year": y, "gender": g, "value": float(y) / 7})
    return rows


def as_records(rows):
    return {
        ValueRecord(r["kpi"], r["municipality_id"], r["year"], r["gender"], r["value"], r.get("status", ""), 1)
        for r in rows
    }


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def client_factory(fake_time):
    clients = []

    def make(server, **kw):
        opts = {
            "connect_timeout": 2.0,
            "read_timeout": 2.0,
            "sleep": fake_time.sleep,
            "clock": fake_time.clock,
            "rng": random.Random(1),
        }
        opts.update(kw)
        opts.setdefault("base_url", server.base_url if server is not None else None)
        client = KoladaClient(**opts)
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()


KPIS3 = ["N00001", "N00002", "N00003"]
MUNIS10 = [f"{i:04d}" for i in range(180, 190)]


# ------------------------------------------------------------------------------------------ pagination


def test_pagination_follows_next_url_over_several_pages(server_factory, client_factory):
    rows = make_rows(KPIS3, MUNIS10, [2020, 2021])  # 60 data objects
    server = server_factory(rows)
    client = client_factory(server, per_page=7)
    got = list(client.values(KPIS3, years=[2020, 2021]))
    assert len(got) == 60
    assert set(got) == as_records(rows)
    reqs = server.data_requests()
    assert len(reqs) == 9 == client.request_count  # ceil(60 / 7)
    assert [int(r.query.get("page", "1")) for r in reqs] == list(range(1, 10))
    assert all(r.query["per_page"] == "7" for r in reqs)


def test_default_per_page_is_5000_and_v2_next_page_key_is_accepted(server_factory, client_factory):
    rows = make_rows(KPIS3, MUNIS10, [2020])
    server = server_factory(rows, next_key="next_page", count_mode="page")
    got = list(client_factory(server).values(KPIS3, years=2020))
    assert set(got) == as_records(rows)
    assert server.data_requests()[0].query["per_page"] == "5000"
    client = client_factory(server, per_page=4)
    assert set(client.values(KPIS3, years=2020)) == as_records(rows)
    assert client.request_count == 8  # ceil(30 / 4) pages via next_page


# ------------------------------------------------------------------------------------------ chunking


def test_chunking_30_kpis_by_30_years_takes_4_requests(server_factory, client_factory):
    kpis = [f"N{i:05d}" for i in range(1, 31)]
    years = list(range(1993, 2023))
    rows = make_rows(kpis, ["0180", "1280"], years)  # 1800 objects
    server = server_factory(rows)
    client = client_factory(server)
    got = list(client.values(kpis, years=years))
    assert len(got) == len(rows) and set(got) == as_records(rows)
    reqs = server.data_requests()
    assert len(reqs) == 4 == client.request_count == minimum_requests(30, 30) == KoladaClient.minimum_requests(30, 30)
    for r in reqs:
        assert r.status == 200
        assert all(len(seg.split(",")) <= 25 for seg in r.segments)
    assert {(r.segments[2].count(",") + 1, r.segments[4].count(",") + 1) for r in reqs} == {
        (25, 25),
        (25, 5),
        (5, 25),
        (5, 5),
    }


def test_chunking_with_municipality_segment(server_factory, client_factory):
    kpis = [f"N{i:05d}" for i in range(1, 31)]
    munis = [f"{i:04d}" for i in range(100, 130)]
    rows = make_rows(kpis, munis, [2021, 2022])
    server = server_factory(rows)
    client = client_factory(server)
    got = list(client.values(kpis, years=[2021, 2022], municipality_ids=munis))
    assert set(got) == as_records(rows) and len(got) == len(rows)
    assert client.request_count == minimum_requests(30, 2, 30) == 4
    assert all(r.segments[1:4:2] == ["kpi", "municipality"] for r in server.data_requests())
    # Without years: /data/kpi/{k}/municipality/{m}
    client2 = client_factory(server)
    assert set(client2.values(kpis[:2], municipality_ids=munis[:3])) == as_records(
        make_rows(kpis[:2], munis[:3], [2021, 2022])
    )
    assert server.data_requests()[-1].segments == [
        "data",
        "kpi",
        "N00001,N00002",
        "municipality",
        "0100,0101,0102",
    ]


def test_minimum_requests():
    assert minimum_requests(1, 1) == 1
    assert minimum_requests(25, 25) == 1
    assert minimum_requests(26, 1) == 2
    assert minimum_requests(1, 1, 290) == 12  # domain.md E2
    assert minimum_requests(30, None, 30) == 4
    assert minimum_requests(0, 5) == 0


def test_fake_server_enforces_the_25_item_limit_and_404(server_factory):
    server = server_factory(make_rows(["N1"], ["0180"], [2020]))
    kpis = ",".join(f"N{i}" for i in range(26))
    assert httpx.get(f"{server.base_url}/data/kpi/{kpis}/year/2020").status_code == 400
    assert httpx.get(f"{server.base_url}/data/kpi/N1/year/2020").json()["values"][0]["period"] == 2020
    assert httpx.get(f"{server.base_url}/nonsense").status_code == 404
    assert httpx.get(f"{server.base_url}/data/kpi/N1").status_code == 404  # needs two segments


# ------------------------------------------------------------------------------------------ retries


def test_429_retry_after_is_honoured(server_factory, client_factory, fake_time):
    rows = make_rows(["N1"], ["0180"], [2020])
    server = server_factory(rows)
    server.fail_429(times=2, retry_after=7)
    client = client_factory(server, backoff_base=0.1)
    assert set(client.values("N1", years=2020)) == as_records(rows)
    assert client.request_count == 3
    retry_sleeps = [s for s in fake_time.sleeps if s >= 7]
    assert len(retry_sleeps) == 2
    assert [r.status for r in server.requests] == [429, 429, 200]


def test_429_retry_after_http_date(server_factory, client_factory, fake_time):
    rows = make_rows(["N1"], ["0180"], [2020])
    server = server_factory(rows)
    now = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)
    server.fail_429(times=1, retry_after=format_datetime(now + timedelta(seconds=30), usegmt=True))
    client = client_factory(server, backoff_base=0.1, now=lambda: now)
    assert len(list(client.values("N1", years=2020))) == 1
    assert max(fake_time.sleeps) >= 30


def test_retry_after_beyond_the_cap_fails_fast(server_factory, client_factory):
    server = server_factory(make_rows(["N1"], ["0180"], [2020]))
    server.fail_429(times=1, retry_after=3600)
    client = client_factory(server, max_retry_after=120)
    with pytest.raises(SourceError, match="Retry-After 3600"):
        list(client.values("N1", years=2020))
    assert client.request_count == 1


def test_500_then_success_with_exponential_backoff(server_factory, client_factory, fake_time):
    rows = make_rows(["N1"], ["0180"], [2020])
    server = server_factory(rows)
    server.fail_status(500, times=1)
    client = client_factory(server)
    assert set(client.values("N1", years=2020)) == as_records(rows)
    assert client.request_count == 2 and client.retry_count == 1

    server.fail_status(503, times=3)
    fake_time.sleeps.clear()
    client2 = client_factory(server, backoff_base=1.0, rate_per_second=0)
    assert len(list(client2.values("N1", years=2020))) == 1
    b1, b2, b3 = fake_time.sleeps
    assert 0.5 <= b1 <= 1 and 1 <= b2 <= 2 and 2 <= b3 <= 4


def test_read_timeout_then_success(server_factory, client_factory, fake_time):
    rows = make_rows(["N1"], ["0180"], [2020])
    server = server_factory(rows)
    server.delay(1.5, times=1)
    client = client_factory(server, read_timeout=0.25)
    assert set(client.values("N1", years=2020)) == as_records(rows)
    assert client.request_count == 2
    assert server.requests[0].fault == "delay"


def test_timeout_forever_fails_after_the_retry_cap(server_factory, client_factory):
    server = server_factory(make_rows(["N1"], ["0180"], [2020]))
    server.delay(1.5, times=None)
    client = client_factory(server, read_timeout=0.2, max_retries=2)
    with pytest.raises(SourceError, match="timeout") as info:
        list(client.values("N1", years=2020))
    assert "after 3 attempts" in str(info.value) and "N1" in str(info.value)
    assert client.request_count == 3


def test_total_retry_cap_across_the_client(server_factory, client_factory):
    server = server_factory(make_rows(["N1", "N2"], ["0180"], [2020]))
    server.fail_status(500, times=None)
    client = client_factory(server, max_retries=10, max_total_retries=3)
    with pytest.raises(SourceError, match="cap of 3 retries"):
        list(client.values("N1", years=2020))
    assert client.request_count == 4
    server.clear_faults()
    server.fail_status(502, times=1)
    with pytest.raises(SourceError, match="HTTP 502"):  # the cap is spent: no retry left
        list(client.values("N2", years=2020))


def test_connection_error_is_retried(server_factory, client_factory):
    rows = make_rows(["N1"], ["0180"], [2020])
    server = server_factory(rows)
    server.short_read(times=1)
    client = client_factory(server)
    assert set(client.values("N1", years=2020)) == as_records(rows)
    assert client.request_count == 2

    dead = FakeKolada().start()
    url = dead.base_url
    dead.stop()  # nothing listens on that port any more
    client2 = client_factory(None, base_url=url, max_retries=1)
    with pytest.raises(SourceError, match="connection error"):
        list(client2.values("N1", years=2020))


def test_truncated_json_is_retried_once_then_fails_naming_the_url(server_factory, client_factory):
    rows = make_rows(["N1"], ["0180"], [2020])
    server = server_factory(rows)
    server.truncate(times=1)
    client = client_factory(server)
    assert set(client.values("N1", years=2020)) == as_records(rows)
    assert client.request_count == 2

    server.truncate(times=None)
    client2 = client_factory(server, max_retries=5)
    with pytest.raises(SourceError, match="truncated JSON") as info:
        list(client2.values("N1", years=2020))
    assert f"{server.base_url}/data/kpi/N1/year/2020" in str(info.value)
    assert client2.request_count == 2


# ------------------------------------------------------------------------------------------ pagination loops


def test_next_url_repeating_a_page_raises(server_factory, client_factory):
    server = server_factory(make_rows(KPIS3, MUNIS10, [2020]))
    server.repeat_next_url(at_page=3, to_page=2)
    client = client_factory(server, per_page=5)
    with pytest.raises(SourceError, match="pagination loop") as info:
        list(client.values(KPIS3, years=2020))
    assert "page=2" in str(info.value) and server.base_url in str(info.value)
    assert client.request_count == 3


def test_next_url_pointing_at_itself_raises(server_factory, client_factory):
    server = server_factory(make_rows(KPIS3, MUNIS10, [2020]))
    server.repeat_next_url(at_page=1, to_page=1)
    client = client_factory(server, per_page=5)
    with pytest.raises(SourceError, match="pagination loop"):
        list(client.values(KPIS3, years=2020))
    assert client.request_count == 2  # page 1 once as the first URL, once as ...&page=1


def test_max_pages(server_factory, client_factory):
    server = server_factory(make_rows(KPIS3, MUNIS10, [2020]))
    client = client_factory(server, per_page=1, max_pages=4)
    with pytest.raises(SourceError, match="more than 4 pages"):
        list(client.values(KPIS3, years=2020))
    assert client.request_count == 4


# ------------------------------------------------------------------------------------------ errors, warnings


def test_unknown_kpi_gives_empty_result_and_a_note(server_factory, client_factory, recwarn):
    server = server_factory(make_rows(["N1"], ["0180"], [2020]))
    client = client_factory(server)
    assert list(client.values("N99999", years=[2020])) == []
    (note,) = client.take_notes()
    assert (note.kind, note.endpoint, note.ids) == ("no_values", "data", ("N99999",)) and "N99999" in str(note)
    got = list(client.values(["N1", "N99998"], years=2020))
    assert [r.kpi for r in got] == ["N1"]
    (note,) = client.notes
    assert isinstance(note, KoladaNote) and note.ids == ("N99998",) and "N1," not in note.message
    assert client.take_notes() == [note] and client.notes == []
    assert len(recwarn) == 0  # notes are data, not warnings


def test_404_names_the_requested_ids(server_factory, client_factory):
    server = server_factory(make_rows(["N1"], ["0180"], [2020]))
    wrong = client_factory(server, base_url=server.root + "/v9")  # no such route on the server
    with pytest.raises(NotFoundError, match="KPIs N00001, N00002") as info:
        list(wrong.values(["N00001", "N00002"], years=2020, municipality_ids=["0180"]))
    assert "municipality 0180" in str(info.value)
    assert wrong.request_count == 1  # a 404 is not retried

    server.fail_status(404, times=1)
    with pytest.raises(NotFoundError, match="KPI N1"):
        list(client_factory(server).values("N1", years=2020))


def test_400_is_a_source_error_naming_the_ids(server_factory, client_factory):
    server = server_factory(make_rows(["N1"], ["0180"], [2020]))
    server.fail_status(400, times=1)
    client = client_factory(server)
    with pytest.raises(SourceError, match="400 Bad Request") as info:
        list(client.values("N1", municipality_ids=["0180", "1280"]))
    assert not isinstance(info.value, NotFoundError)
    assert "KPI N1" in str(info.value) and "municipalities 0180, 1280" in str(info.value)


def test_bad_arguments():
    client = KoladaClient(base_url="http://127.0.0.1:9/v3")
    with pytest.raises(ValueError, match="needs years or municipality_ids"):
        list(client.values("N1"))
    with pytest.raises(ValueError, match="invalid KPI id"):
        list(client.values("N1,N2", years=2020))
    with pytest.raises(ValueError, match="invalid year"):
        list(client.values("N1", years=["20x0"]))
    assert list(client.values([], years=2020)) == []
    assert client.request_count == 0
    client.close()


# ------------------------------------------------------------------------------------------ row content


def test_deleted_rows_with_from_date(server_factory, client_factory):
    rows = [
        {
            "kpi": "N1",
            "municipality_id": "0180",
            "year": 2020,
            "gender": "T",
            "value": 1.5,
            "updated": "2025-01-10",
        },
        {
            "kpi": "N1",
            "municipality_id": "1280",
            "year": 2020,
            "gender": "T",
            "value": None,
            "isdeleted": True,
        },
        {
            "kpi": "N1",
            "municipality_id": "1480",
            "year": 2020,
            "gender": "T",
            "value": 3.0,
            "updated": "2024-01-01",
        },
    ]
    server = server_factory(rows)
    client = client_factory(server)
    got = {r.municipality_id: r for r in client.values("N1", years=2020, from_date="2025-01-01")}
    assert server.data_requests()[-1].query["from_date"] == "2025-01-01"
    assert set(got) == {"0180", "1280"}
    assert got["1280"].is_deleted is True and got["1280"].value is None
    assert got["0180"].is_deleted is False and got["0180"].value == 1.5
    # Without from_date nothing is dropped by the client (the server leaves deleted rows out itself).
    assert {r.municipality_id for r in client.values("N1", years=2020)} == {"0180", "1480"}
    with pytest.raises(ValueError):
        list(client.values("N1", years=2020, from_date="yesterday"))


def test_null_value_and_status_are_kept(server_factory, client_factory):
    rows = [
        {"kpi": "N1", "municipality_id": "0180", "year": 2020, "gender": "T", "value": None, "status": ".."},
        {"kpi": "N1", "municipality_id": "0180", "year": 2020, "gender": "K", "value": 0.0, "status": ""},
        {"kpi": "N1", "municipality_id": "G33612", "year": 2020, "gender": "T", "value": 2.5, "count": 26},
        {
            "kpi": "N1",
            "municipality_id": "1280",
            "year": 2020,
            "gender": "T",
            "value": None,
            "status": "Missing",
        },
    ]
    server = server_factory(rows)
    got = {(r.municipality_id, r.gender): r for r in client_factory(server).values("N1", years=2020)}
    assert got["0180", "T"] == ValueRecord("N1", "0180", 2020, "T", None, "..", 1, False)
    assert got["0180", "K"].value == 0.0
    assert got["G33612", "T"].count == 26
    assert got["1280", "T"].value is None and got["1280", "T"].status == "Missing"


def test_malformed_data_object_is_a_source_error(server_factory, client_factory):
    server = server_factory([{"kpi": "N1", "municipality_id": "0180", "year": 2020, "gender": "T", "value": "abc"}])
    with pytest.raises(SourceError, match="malformed data object"):
        list(client_factory(server).values("N1", years=2020))


# ------------------------------------------------------------------------------------------ rate limiting


class RecordingTransport(httpx.BaseTransport):
    def __init__(self, clock):
        self.inner = httpx.HTTPTransport()
        self.clock = clock
        self.times: list[float] = []

    def handle_request(self, request):
        self.times.append(self.clock())
        return self.inner.handle_request(request)

    def close(self):
        self.inner.close()


def test_rate_limiter_spaces_requests(server_factory, client_factory, fake_time):
    server = server_factory(make_rows(KPIS3, MUNIS10, [2020]))
    transport = RecordingTransport(fake_time.clock)
    client = client_factory(server, per_page=6, rate_per_second=5.0, transport=transport)
    assert len(list(client.values(KPIS3, years=2020))) == 30
    assert client.request_count == 5
    gaps = [b - a for a, b in zip(transport.times, transport.times[1:], strict=False)]
    assert gaps == pytest.approx([0.2] * 4)
    assert sum(fake_time.sleeps) == pytest.approx(0.8)


def test_rate_limiter_unit(fake_time):
    limiter = RateLimiter(2.0, burst=3, clock=fake_time.clock, sleep=fake_time.sleep)
    for _ in range(3):
        assert limiter.acquire() == 0  # the burst
    assert limiter.acquire() == pytest.approx(0.5)
    fake_time.now += 10  # idle: the bucket refills to the burst, not beyond
    assert [limiter.acquire() for _ in range(4)] == pytest.approx([0, 0, 0, 0.5])
    off = RateLimiter(0, clock=fake_time.clock, sleep=fake_time.sleep)
    assert off.acquire() == 0


# ------------------------------------------------------------------------------------------ metadata


def test_metadata_endpoints_are_normalised(server_factory, client_factory):
    kpis = [
        {
            "id": "N00001",
            "title": "Invånare",
            "is_divided_by_gender": True,
            "municipality_type": "K",
            "auspice": "E",
            "operating_area": "Kommunen, övergripande",
            "perspective": "Volymer",
            "publ_period": 2026,
            "publication_date": "2026-04-15",
            "prel_publication_date": None,
            "has_ou_data": False,
        },
        {"id": "N00002", "title": "v2-style", "auspices": "T", "is_divided_by_gender": 0},
    ]
    munis = [
        {"id": "0000", "title": "Riket", "type": "L"},
        {"id": "0180", "title": "Stockholm", "type": "K"},
        {"id": "1280", "title": "Malmö", "type": "K"},
    ]
    kgroups = [{"id": "G2KPI1", "title": "KKiK", "members": [{"member_id": "N00001", "member_title": "Invånare"}]}]
    mgroups = [{"id": "G33612", "title": "Stockholms län", "members": [{"id": "0180", "title": "Stockholm"}]}]
    server = server_factory(kpis=kpis, municipalities=munis, kpi_groups=kgroups, municipality_groups=mgroups)
    client = client_factory(server)

    k1, k2 = client.kpis()
    assert (k1.auspice, k1.is_divided_by_gender, k1.operating_area, k1.publ_period) == (
        "E",
        True,
        "Kommunen, övergripande",
        "2026",
    )
    assert (k2.auspice, k2.is_divided_by_gender) == ("T", False)
    assert [k.id for k in client.kpis(title="inv")] == ["N00001"]
    assert [k.id for k in client.kpis(["N00002", "N09999"])] == ["N00002"]
    assert [(n.kind, n.endpoint, n.ids) for n in client.take_notes()] == [("unknown_ids", "kpi", ("N09999",))]

    assert [m.id for m in client.municipalities(region_type="K")] == ["0180", "1280"]
    assert client.municipalities("0000")[0].type == "L"
    assert server.requests[-1].path == "/municipality/0000"

    (g,) = client.kpi_groups()
    assert g.members[0].id == "N00001" and g.members[0].title == "Invånare"
    (mg,) = client.municipality_groups(["G33612"])
    assert mg.member_ids == ("0180",) and mg.title == "Stockholms län"


def test_many_metadata_ids_are_chunked(server_factory, client_factory):
    kpis = [{"id": f"N{i:05d}", "title": str(i)} for i in range(60)]
    server = server_factory(kpis=kpis)
    client = client_factory(server)
    assert [k.id for k in client.kpis([k["id"] for k in kpis])] == [k["id"] for k in kpis]
    assert client.request_count == 3


# ------------------------------------------------------------------------------------------ snapshot loading


def test_rows_from_csv(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text(
        "kpi,municipality_id,year,gender,value\nN1,0180,2020,T,1.5\nN1,0180,2021,T,\nN2,0180,2020,K,3\n",
        encoding="utf-8",
    )
    rows = list(rows_from_csv(path))
    assert rows[1] == {"kpi": "N1", "municipality_id": "0180", "year": 2021, "gender": "T", "value": None}
    assert [r["kpi"] for r in rows_from_csv(path, kpis=["N2"])] == ["N2"]
    assert [r["year"] for r in rows_from_csv(path, years=[2021])] == [2021]


@pytest.mark.snapshot
def test_snapshot_rows_round_trip(server_factory, client_factory, snapshot_dir):
    rows = list(rows_from_csv(snapshot_dir / SNAPSHOT_VALUES, years=range(2020, 2023)))
    kpis = sorted({r["kpi"] for r in rows})[:3]
    rows = [r for r in rows if r["kpi"] in kpis]
    server = server_factory(rows)
    got = list(client_factory(server).values(kpis, years=range(2020, 2023)))
    assert len(got) == len(rows)
    assert {(r.kpi, r.municipality_id, r.year, r.gender, r.value) for r in got} == {
        (r["kpi"], r["municipality_id"], r["year"], r["gender"], r["value"]) for r in rows
    }
