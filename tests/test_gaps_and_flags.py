"""Why a value is missing, and a value that is not comparable, on the area pages and their JSON (issue 10)."""

from __future__ import annotations

import json
import re

import pytest

from kommunkvalitet.core.gaps import gap_reason
from kommunkvalitet.core.measuresets import MEASURESET_DIR, load_measure_set

KKIK = load_measure_set(MEASURESET_DIR / "kkik_2022.toml")


@pytest.mark.parametrize(
    ("status", "n", "first", "code"),
    [
        ("..", 250, 2015, "withheld"),  # the source withholds it, whatever the others have
        ("Sekretess", 0, None, "withheld"),
        ("-", 250, 2015, "not_reported"),  # "- Bortfall" only says it is missing
        ("", 0, 2015, "not_collected"),  # nobody has a value this year; some had one earlier
        ("", 0, None, "not_yet_measured"),  # nobody ever had a value
        ("", 0, 2022, "not_yet_measured"),  # the first values come later
        (None, 120, 2015, "not_reported"),  # others have a value: this kommun did not report
    ],
)
def test_the_gap_rule(status, n, first, code):
    assert gap_reason(status, n, first, 2021) == code


def _measures(client, url: str) -> dict[str, dict]:
    data = json.loads(client.get(url).content)
    return {m["kpi"]: m for m in data["measures"]}


@pytest.mark.django_db
def test_a_survey_not_made_in_2021_is_not_collected_not_a_failure_of_the_kommun(client):
    """U23471 (the elderly-care survey, särskilt boende) was not carried out in 2021: no kommun has a
    value, but they had earlier. Örnsköldsvik's 2021 page says so in words, and the JSON has the code."""
    from kommunkvalitet.store.models import ComparisonStat, Value

    assert (
        not Value.objects.filter(kpi="U23471", year=2021, value__isnull=False)
        .exclude(municipality__id__startswith="00")
        .exists()
    )
    assert ComparisonStat.objects.filter(kpi="U23471", year__lt=2021, gender="T", n__gt=0).exists()
    m = _measures(client, "/kommun/2284/2021/stod_och_omsorg.json")["U23471"]
    assert m["year"] == 2021 and m["value"] is None
    assert m["gap"] == "not_collected"
    assert m["gap_text"] == "Samlades inte in i landet"
    html = re.sub(r"\s+", " ", client.get("/kommun/2284/2021/stod_och_omsorg/").content.decode())
    row = html.split('id="U23471"', 1)[1].split("</tr>", 1)[0]
    assert "Samlades inte in i landet" in row


@pytest.mark.django_db
def test_a_value_others_have_is_not_reported_and_a_measure_not_yet_made_is_not_yet_measured(client):
    from kommunkvalitet.store.models import ComparisonStat

    measures = _measures(client, "/kommun/2284/2021/stod_och_omsorg.json")
    missing = [m for m in measures.values() if m["value"] is None and m["gap"] == "not_reported"]
    assert missing, "Örnsköldsvik lacks a 2021 value that other kommuner have"
    for m in missing:
        assert ComparisonStat.objects.get(kpi=m["kpi"], year=m["year"], gender="T").n > 0
        assert m["gap_text"] == "Ej redovisat av kommunen"
    m = _measures(client, "/kommun/2284/2016/barn_och_unga.json")["N15659"]  # the year-8 survey began later
    first = ComparisonStat.objects.filter(kpi="N15659", gender="T", n__gt=0).order_by("year").first()
    assert m["value"] is None and first.year > m["year"]
    assert m["gap"] == "not_yet_measured"
    present = [m for m in measures.values() if m["value"] is not None]
    assert present and all(m["gap"] is None and m["gap_text"] is None for m in present)


@pytest.mark.django_db
def test_uppsalas_impossible_library_hours_are_shown_flagged_with_no_rank(client):
    """The value stays on the page (it is what Kolada has) but says 'Ej jämförbart', in words and a
    symbol, and has no rank, band or position; the JSON says the same with codes."""
    m = _measures(client, "/kommun/0380/2020/samhalle_och_miljo.json")["N09808"]
    assert m["year"] == 2019 and m["value"] > 168
    assert m["implausible"] == "impossible" and m["comparable"] is False
    assert m["rank"] is None and m["band"] is None and m["position"] is None
    assert m["national_mean"] < 60
    assert m["change"] is None and m["trend"] is None and not m["marked"]  # no change from or to it
    html = re.sub(r"\s+", " ", client.get("/kommun/0380/2020/samhalle_och_miljo/").content.decode())
    row = html.split('id="N09808"', 1)[1].split("</tr>", 1)[0]
    assert '<span aria-hidden="true">⚠</span> Ej jämförbart' in row
    assert "plats " not in row
    other = _measures(client, "/kommun/2284/2020/samhalle_och_miljo.json")["N09808"]
    assert other["implausible"] is None and other["comparable"] is True and other["rank"]


@pytest.mark.django_db
def test_the_measure_page_lists_the_flagged_value_apart_from_the_ranked_ones(client):
    data = json.loads(client.get("/nyckeltal/N09808/2019.json?kommun=0380").content)
    assert data["not_comparable"] == [
        {"id": "0380", "name": "Uppsala", "value": data["distribution"]["T"]["value"], "implausible": "impossible"}
    ]
    assert "0380" not in {m["id"] for m in data["municipalities"]} | {m["id"] for m in data["missing"]}
    total = data["distribution"]["T"]
    assert total["implausible"] == "impossible" and total["rank"] is None
    assert total["max"] < 168 < total["value"]  # the distribution is the comparable values'
    html = re.sub(r"\s+", " ", client.get("/nyckeltal/N09808/2019/?kommun=0380").content.decode())
    lead = html.split('<p class="lead">', 1)[1].split("</p>", 1)[0]
    assert "Ej jämförbart" in lead and "plats " not in lead
    assert '<tr class="chosen" data-id="0380"><td class="num">–</td>' in html


@pytest.mark.django_db
def test_the_cli_lists_every_flagged_value_and_filters_by_year_and_kpi():
    from click.testing import CliRunner

    from kommunkvalitet.cli import main
    from kommunkvalitet.core.formatting import format_number
    from kommunkvalitet.store.models import KPI, ComparisonStat, Value

    every = sum(len(s.flagged) for s in ComparisonStat.objects.exclude(flagged={}))
    result = CliRunner().invoke(main, ["values", "flagged"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == every + 1 and lines[-1].startswith(f"{every} ej jämförbar")
    result = CliRunner().invoke(main, ["values", "flagged", "--year", "2019", "--kpi", "N09808"])
    stat = ComparisonStat.objects.get(kpi="N09808", year=2019, gender="T")
    value = Value.objects.get(kpi="N09808", year=2019, gender="T", municipality="0380").value
    shown = f"{format_number(value, 2)} (omöjligt för enheten; median {format_number(stat.median, 2)})"
    assert result.output.splitlines() == [
        f"N09808 2019 T 0380 Uppsala: {shown} {KPI.objects.get(pk='N09808').title}",
        "1 ej jämförbart värde.",
    ]
    result = CliRunner().invoke(main, ["values", "flagged", "--kpi", "U21401"])
    assert result.output == "Inga ej jämförbara värden.\n"


@pytest.mark.django_db
def test_the_map_says_the_flagged_value_is_not_comparable_rather_than_missing(client):
    html = re.sub(r"\s+", " ", client.get("/nyckeltal/N09808/2019/karta/?kommun=0380").content.decode())
    assert re.search(r"<title>Uppsala: 2\W+903 timmar/vecka – ej jämförbart</title>", html)
    assert "Uppsala: uppgift saknas" not in html
    row = html.split('<tr data-id="0380">', 1)[1].split("</tr>", 1)[0]
    assert "Ej jämförbart" in row and "Uppgift saknas" not in row
