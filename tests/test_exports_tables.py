"""The CSV and Excel forms of the report pages, each opened as its reader would and checked against the
page's JSON twin: Örnsköldsvik (2284) KKiK 2022 Stöd och omsorg and its whole edition, a measure page,
and the example goal report of Mark (1463) 2017."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from kommunkvalitet.core import vocabulary
from kommunkvalitet.core.formatting import shown
from kommunkvalitet.core.goals_text import assessment_word
from kommunkvalitet.reports.filenames import EXTENSIONS
from kommunkvalitet.store.demo import load_demo
from kommunkvalitet.store.goals import text_place
from kommunkvalitet.store.models import Commentary, Goal

pytestmark = pytest.mark.django_db

AREA = "/kommun/2284/2022/stod_och_omsorg"
EDITION = "/kommun/2284/2022"
MEASURE = "/nyckeltal/U21401/2022"
GOALS = "/kommun/1463/mal/2017"
SOURCE = "Källa: Kolada; bearbetning: kommunkvalitet"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SWEDISH_NUMBER = re.compile(r"^-?[0-9]+(,[0-9]+)?$")  # no thousands separator, no unit, decimal comma


# --- reading the files as their readers do ------------------------------------------------------------


def _json(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, url
    return json.loads(response.content)


def _excel_csv(client, url: str) -> tuple[list[list[str]], list[dict[str, str]]]:
    """A CSV for Excel as Swedish Excel reads it: (the lines before the header, the rows by header)."""
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response.content.startswith(b"\xef\xbb\xbf")  # the byte-order mark: Excel reads UTF-8
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline=""), delimiter=";"))
    blank = lines.index([])
    header = lines[blank + 1]
    rows = []
    for line in lines[blank + 2 :]:
        if not line:
            break
        assert len(line) == len(header)
        rows.append(dict(zip(header, line, strict=True)))
    return lines[:blank], rows


def _sv(cell: str) -> float | None:
    """A number as Swedish Excel reads it (empty = no value)."""
    if cell == "":
        return None
    assert SWEDISH_NUMBER.match(cell), cell
    return float(cell.replace(",", "."))


def _plain_csv(client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert not response.content.startswith(b"\xef\xbb\xbf")
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8"), newline=""))
    assert len(set(reader.fieldnames)) == len(reader.fieldnames)  # one stable name per column
    rows = list(reader)
    assert rows and all(r["source"] == SOURCE or r["source"].startswith(SOURCE) for r in rows)
    return rows


def _num(cell: str) -> float | None:
    return None if cell == "" else float(cell)


def _workbook(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def _sheet_rows(ws) -> tuple[int, list[str], list[dict]]:
    """(header row number, header, rows as {header: cell}) of a sheet; checks the frame every sheet has."""
    assert ws["A2"].value.startswith(SOURCE)
    header_row = next(r for r in range(3, 12) if ws.cell(r, 1).value and ws.cell(r - 1, 1).value is None)
    assert ws.freeze_panes == f"A{header_row + 1}"  # the header stays in view
    header = [c.value for c in ws[header_row] if c.value is not None]
    assert len(ws.tables) == 1 and next(iter(ws.tables.values())).ref.startswith(f"A{header_row}:")
    rows = []
    for r in range(header_row + 1, ws.max_row + 1):
        cells = [ws.cell(r, c + 1) for c in range(len(header))]
        if all(c.value is None for c in cells):
            break
        rows.append(dict(zip(header, cells, strict=True)))
    for col in range(1, len(header) + 1):
        assert ws.column_dimensions[ws.cell(header_row, col).column_letter].width >= 8
    return header_row, header, rows


def _is_number(cell, decimals: int, value: float | None) -> None:
    if value is None:
        assert cell.value is None
        return
    assert cell.data_type == "n" and cell.value == pytest.approx(value, abs=1e-9)
    assert cell.number_format == "#,##0" + ("." + "0" * decimals if decimals else "")


def _band(code: str | None) -> str:
    return vocabulary.label("band", code) if code else ""


def _status(m: dict) -> str:
    if m["implausible"]:
        return vocabulary.label("implausible", m["implausible"])
    if m["value"] is None:
        return vocabulary.label("gap", m["gap"] or "unknown")
    return ""


# --- one file-name rule for every download of a page ------------------------------------------------


def _saved_as(response) -> str:
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="') and disposition.endswith('"'), disposition
    return disposition.split('filename="', 1)[1][:-1]


@pytest.mark.parametrize(
    ("page", "stem"),
    [
        (AREA + "/", "kkik-2022-ornskoldsvik-2284-stod_och_omsorg"),
        (EDITION + "/", "kkik-2022-ornskoldsvik-2284"),
        (MEASURE + "/?kommun=2284", "nyckeltal-2022-u21401"),
        (GOALS + "/", "mal-2017-mark-1463"),
    ],
)
def test_every_download_of_a_page_is_saved_under_one_stem(client, mark_demo, page, stem):
    """The page's "Ladda ner" list (its Link header) is followed to every file form (CSV, plain CSV,
    Excel, and the PDF where the page has one): each is named <stem><extension> by reports.filenames."""
    response = client.get(page)
    assert response.status_code == 200
    links = re.findall(r'<([^>]+)>; rel="alternate"; type="([^"]+)"', response["Link"])
    files = [url for url, mime in links if mime != "application/json"]
    assert len(files) >= 3, links  # CSV, plain CSV and Excel at least
    names = {}
    for url in files:
        download = client.get(url)
        assert download.status_code == 200, url
        names[url] = _saved_as(download)
    for url, name in names.items():
        path = url.split("?")[0]
        ext = max((e for e in EXTENSIONS.values() if path.endswith(e)), key=len)  # ".plain.csv" over ".csv"
        assert name == stem + ext, (url, name)
    # (the pdf command's files follow the same rule: test_exports_pdf.py)


# --- the area report ------------------------------------------------------------------------------


def test_the_area_csv_for_excel_has_the_json_twins_numbers_as_the_page_shows_them(client):
    data = _json(client, AREA + ".json")
    head, rows = _excel_csv(client, AREA + ".csv")
    assert head[0] == ["Örnsköldsvik – KKiK 2022 – Stöd och omsorg"]
    assert head[1] == [SOURCE]
    by_kpi = {r["Nyckeltal (Kolada-id)"]: r for r in rows}
    assert list(by_kpi) == [m["kpi"] for m in data["measures"]] and len(rows) == 12
    for m in data["measures"]:
        row, d = by_kpi[m["kpi"]], m["decimals"]
        for key, header in (("value", "Värde"), ("national_mean", "Rikssnitt (ovägt medel)"), ("riket", "Riket"),
                            ("previous_value", "Föregående värde"), ("change", "Förändring")):  # fmt: skip
            expected = None if m[key] is None else shown(m[key], d)
            assert _sv(row[header]) == expected, (m["kpi"], key)
        assert row["Placering"] == ("" if m["rank"] is None else str(m["rank"]))
        assert row["Antal kommuner med värde"] == str(m["n"])
        assert row["Dataår"] == str(m["year"])
        assert row["Bland kommunerna"] == _band(m["band"])
        assert row["Status (varför värde saknas eller inte jämförs)"] == _status(m)
        assert "%" not in row["Värde"] and row["Mått"] == m["label"]
    # the unit in its own column, as the page writes it; the band in words
    assert by_kpi["U21401"]["Bland kommunerna"] == "Bland de 25 procent sämsta"
    assert {r["Enhet"] for r in rows} >= {"%", "dagar"}


def test_the_plain_area_csv_has_the_json_twins_numbers_at_full_precision_and_codes(client):
    data = _json(client, AREA + ".json")
    rows = _plain_csv(client, AREA + ".plain.csv")
    assert list(rows[0])[:5] == ["municipality_id", "municipality", "edition", "area_id", "area"]
    assert {"kpi", "value", "unit", "decimals", "status", "band", "rank", "n", "national_mean"} <= set(rows[0])
    by_kpi = {r["kpi"]: r for r in rows}
    assert len(rows) == len(data["measures"])
    for m in data["measures"]:
        row = by_kpi[m["kpi"]]
        assert row["municipality_id"] == "2284" and row["edition"] == "2022" and row["area_id"] == "stod_och_omsorg"
        for key in ("value", "national_mean", "riket", "previous_value", "change"):
            assert _num(row[key]) == m[key], (m["kpi"], key)
        assert row["band"] == (m["band"] or "") and row["unit"] == m["unit"] and int(row["decimals"]) == m["decimals"]
        assert row["rank"] == ("" if m["rank"] is None else str(m["rank"]))
        assert row["status"] == (m["implausible"] or ("" if m["value"] is not None else m["gap"] or "unknown"))


def test_the_area_workbook_has_typed_cells_with_the_shown_format_a_frozen_header_and_the_source(client):
    data = _json(client, AREA + ".json")
    book = _workbook(client, AREA + ".xlsx")
    assert book.sheetnames == ["Stöd och omsorg"]
    ws = book.active
    assert ws["A1"].value == "Örnsköldsvik – KKiK 2022 – Stöd och omsorg" and ws["A1"].font.bold
    _, header, rows = _sheet_rows(ws)
    assert "Värde" in header and "Enhet" in header
    assert [r["Nyckeltal (Kolada-id)"].value for r in rows] == [m["kpi"] for m in data["measures"]]
    for m, row in zip(data["measures"], rows, strict=True):
        for key, head in (("value", "Värde"), ("national_mean", "Rikssnitt (ovägt medel)"), ("riket", "Riket")):
            _is_number(row[head], m["decimals"], m[key])
        assert row["Bland kommunerna"].value == (_band(m["band"]) or None)
        assert row["Dataår"].data_type == "n" and row["Dataår"].number_format == "0"
        if m["rank"] is not None:
            assert row["Placering"].value == m["rank"] and row["Placering"].data_type == "n"
    assert any(m["value"] is not None for m in data["measures"])


def test_riket_has_its_values_without_ranks_or_bands(client):
    data = _json(client, "/kommun/0000/2022/stod_och_omsorg.json")
    rows = {r["kpi"]: r for r in _plain_csv(client, "/kommun/0000/2022/stod_och_omsorg.plain.csv")}
    assert any(m["value"] is not None for m in data["measures"])
    for m in data["measures"]:
        assert _num(rows[m["kpi"]]["value"]) == m["value"]
        assert rows[m["kpi"]]["rank"] == rows[m["kpi"]]["band"] == ""


# --- the whole edition ------------------------------------------------------------------------------


def test_the_edition_workbook_has_an_overview_sheet_and_one_sheet_per_area_matching_the_json(client):
    overview = _json(client, EDITION + ".json")
    book = _workbook(client, EDITION + ".xlsx")
    assert book.sheetnames == ["Översikt", "Största förändringar"] + [a["name"] for a in overview["areas"]]
    _, header, rows = _sheet_rows(book["Översikt"])
    for area, row in zip(overview["areas"], rows, strict=True):
        assert row["Område"].value == area["name"] and row["Antal mått"].value == area["measures"]
        headers = {code: vocabulary.label("band", code) for code in area["bands"]}  # "Ingen placering" too
        counts = {code: row[h].value for code, h in headers.items() if h in header}
        assert set(counts) >= {"best", "middle", "worst", "none"}
        assert counts == {code: area["bands"][code] for code in counts}
        assert sum(counts.values()) == area["measures"]
    for area in overview["areas"]:
        data = _json(client, f"{EDITION}/{area['id']}.json")
        ws = book[area["name"]]
        assert ws["A1"].value == f"Örnsköldsvik – KKiK 2022 – {area['name']}"
        _, _, rows = _sheet_rows(ws)
        assert len(rows) == len(data["measures"])
        for m, row in zip(data["measures"], rows, strict=True):
            assert row["Nyckeltal (Kolada-id)"].value == m["kpi"]
            _is_number(row["Värde"], m["decimals"], m["value"])
            _is_number(row["Rikssnitt (ovägt medel)"], m["decimals"], m["national_mean"])


def test_the_edition_workbook_has_the_overviews_biggest_improvements_and_declines_as_the_json(client):
    overview = _json(client, EDITION + ".json")
    changes = [("improved", c) for c in overview["biggest_improvements"]]
    changes += [("worsened", c) for c in overview["biggest_declines"]]
    assert overview["biggest_improvements"] and overview["biggest_declines"]  # Örnsköldsvik 2022 has both
    ws = _workbook(client, EDITION + ".xlsx")["Största förändringar"]
    assert ws["A1"].value == "Örnsköldsvik – KKiK 2022 – största förändringarna"
    _, header, rows = _sheet_rows(ws)
    assert len(rows) == len(changes)
    page = client.get(EDITION + "/").content.decode()
    for (trend, c), row in zip(changes, rows, strict=True):
        assert row["Nyckeltal (Kolada-id)"].value == c["kpi"] and row["Mått"].value == c["label"]
        assert row["Utveckling"].value == vocabulary.label("trend", trend)
        area = _json(client, f"{EDITION}/{_area_of(overview, client, c['kpi'])}.json")
        m = next(m for m in area["measures"] if m["kpi"] == c["kpi"])
        _is_number(row["Förändring"], m["decimals"], c["change"])
        _is_number(row["Värde"], m["decimals"], m["value"])
        _is_number(row["Föregående värde"], m["decimals"], m["previous_value"])
        assert row["Föregående år"].value == m["previous_year"] and row["Dataår"].value == m["year"]
        assert row["Förändring i standardavvikelser"].value == pytest.approx(c["change_sd"], abs=1e-9)
        assert row["Förändring i standardavvikelser"].number_format == "#,##0.00"
        assert row["Markant"].value == ("markant" if m["marked"] else None)
        assert f"#{c['kpi']}" in page  # the page lists the same measures


def _area_of(overview: dict, client, kpi: str) -> str:
    for area in overview["areas"]:
        if any(m["kpi"] == kpi for m in _json(client, f"{EDITION}/{area['id']}.json")["measures"]):
            return area["id"]
    raise AssertionError(kpi)


def test_the_edition_csvs_hold_every_measure_of_every_area(client):
    overview = _json(client, EDITION + ".json")
    head, rows = _excel_csv(client, EDITION + ".csv")
    assert head[:2] == [["Örnsköldsvik – KKiK 2022"], [SOURCE]]
    plain = _plain_csv(client, EDITION + ".plain.csv")
    for area in overview["areas"]:
        data = _json(client, f"{EDITION}/{area['id']}.json")
        mine = [r for r in rows if r["Område"] == area["name"]]
        machine = [r for r in plain if r["area_id"] == area["id"]]
        assert len(mine) == len(machine) == len(data["measures"]) == area["measures"]
        for m, row, p in zip(data["measures"], mine, machine, strict=True):
            assert row["Nyckeltal (Kolada-id)"] == p["kpi"] == m["kpi"]
            assert _sv(row["Värde"]) == (None if m["value"] is None else shown(m["value"], m["decimals"]))
            assert _num(p["value"]) == m["value"] and _num(p["national_mean"]) == m["national_mean"]


# --- the measure page ------------------------------------------------------------------------------


def test_the_measure_files_list_every_kommun_with_the_json_twins_values(client):
    data = _json(client, MEASURE + ".json?kommun=2284")
    d = data["kpi"]["decimals"]
    head, rows = _excel_csv(client, MEASURE + ".csv?kommun=2284")
    assert "U21401" in head[0][0] and "2022" in head[0][0] and head[1] == [SOURCE]
    plain = {r["municipality_id"]: r for r in _plain_csv(client, MEASURE + ".plain.csv")}
    ws = _workbook(client, MEASURE + ".xlsx").active
    _, _, cells = _sheet_rows(ws)
    expected = len(data["municipalities"]) + len(data["not_comparable"]) + len(data["missing"])
    assert len(rows) == len(plain) == len(cells) == expected
    by_id = {r["Kommunkod"]: r for r in rows}
    xl = {r["Kommunkod"].value: r for r in cells}
    for m in data["municipalities"]:
        assert _sv(by_id[m["id"]]["Värde"]) == shown(m["value"], d)
        assert by_id[m["id"]]["Placering"] == str(m["rank"]) and by_id[m["id"]]["Bland kommunerna"] == _band(m["band"])
        assert _num(plain[m["id"]]["value"]) == m["value"] and plain[m["id"]]["band"] == (m["band"] or "")
        _is_number(xl[m["id"]]["Värde"], d, m["value"])
    for m in data["missing"]:
        assert by_id[m["id"]]["Värde"] == "" and by_id[m["id"]]["Status (varför värde saknas eller inte jämförs)"]
        assert plain[m["id"]]["value"] == "" and plain[m["id"]]["status"] == "unknown"
    for m in data["not_comparable"]:
        assert by_id[m["id"]]["Status (varför värde saknas eller inte jämförs)"].startswith("Ej jämförbart")
        assert plain[m["id"]]["status"] == m["implausible"] and by_id[m["id"]]["Placering"] == ""
    assert plain["2284"]["national_mean"] and _num(plain["2284"]["national_mean"]) == data["distribution"]["T"]["mean"]


# --- the goal report ---------------------------------------------------------------------------------


@pytest.fixture
def mark_demo():
    ((structure, _created),) = load_demo()
    return structure


def test_the_goal_report_files_hold_every_goal_and_indicator_of_the_json(client, mark_demo):
    data = _json(client, GOALS + ".json")

    def walk(goals):
        for g in goals:
            yield g
            yield from walk(g["children"])

    goals = list(walk(data["goals"]))
    indicators = [(g, i) for g in goals for i in g["indicators"]]
    assert goals and indicators
    book = _workbook(client, GOALS + ".xlsx")
    assert book.sheetnames == ["Mål", "Indikatorer"]
    assert book["Mål"]["A1"].value == "Målbedömning 2017 – Mark"
    _, _, goal_rows = _sheet_rows(book["Mål"])
    assert [r["Mål"].value for r in goal_rows] == [g["title"] for g in goals]
    for g, row in zip(goals, goal_rows, strict=True):
        assert row["Sammanvägd bedömning"].value == g["assessment"]["overall"]["word"]
        assert row["Bedömning utifrån nämndernas indikatorer"].value == g["assessment"]["committee"]["word"]
        assert row["Bedömning utifrån relevanta nyckeltal"].value == g["assessment"]["key_figures"]["word"]
    _, _, ind_rows = _sheet_rows(book["Indikatorer"])
    assert len(ind_rows) == len(indicators)
    for (g, i), row in zip(indicators, ind_rows, strict=True):
        assert row["Indikator"].value == i["name"] and row["Mål"].value == g["title"]
        _is_number(row["Värde"], i["decimals"], i["value"])
        _is_number(row["Målnivå"], i["decimals"], i["target"])
        assert row["Resultat"].value == i["result"]["word"] == assessment_word(i["result"]["code"])
    # the CSVs: one row per indicator beside its goal's assessment (a goal without one has a row too)
    head, rows = _excel_csv(client, GOALS + ".csv")
    assert head[0] == ["Målbedömning 2017 – Mark"] and head[1][0].startswith(SOURCE)
    plain = _plain_csv(client, GOALS + ".plain.csv")
    with_indicators = [r for r in rows if r["Indikator-id"]]
    assert len(with_indicators) == len([r for r in plain if r["indicator_id"]]) == len(indicators)
    assert {r["Mål-id"] for r in rows} == {str(g["id"]) for g in goals}
    for (g, i), row in zip(indicators, with_indicators, strict=True):
        assert row["Mål"] == g["title"] and row["Sammanvägd bedömning"] == g["assessment"]["overall"]["word"]
        assert _sv(row["Värde"]) == (None if i["value"] is None else shown(i["value"], i["decimals"]))
        assert row["Resultat"] == i["result"]["word"]
    by_indicator = {r["indicator_id"]: r for r in plain if r["indicator_id"]}
    for g, i in indicators:
        row = by_indicator[str(i["id"])]
        assert _num(row["value"]) == i["value"] and _num(row["target"]) == i["target"]
        assert row["result"] == i["result"]["code"] and row["overall"] == g["assessment"]["overall"]["code"]


def test_a_goal_pages_files_hold_the_goal_and_its_sub_goals(client, mark_demo):
    council = Goal.objects.filter(structure=mark_demo, parent=None).order_by("order").first()
    data = _json(client, f"{GOALS}/mal-{council.pk}.json")
    ids = set()

    def walk(g):
        ids.add(str(g["id"]))
        for c in g["children"]:
            walk(c)

    walk(data["goal"])
    _, rows = _excel_csv(client, f"{GOALS}/mal-{council.pk}.csv")
    assert {r["Mål-id"] for r in rows} == ids
    assert _workbook(client, f"{GOALS}/mal-{council.pk}.xlsx").sheetnames == ["Mål", "Indikatorer"]


# --- errors and commentary ----------------------------------------------------------------------


@pytest.mark.parametrize("ext", [".csv", ".plain.csv", ".xlsx"])
def test_an_unknown_municipality_area_year_kpi_or_goal_is_404(client, ext, mark_demo):
    for url in ("/kommun/9999/2022/stod_och_omsorg", "/kommun/2284/2022/nope", "/kommun/2284/1999/stod_och_omsorg",
                "/kommun/9999/2022", "/kommun/2284/1999", "/nyckeltal/NOPE99/2022", "/kommun/1463/mal/1999",
                "/kommun/2284/mal/2017", f"{GOALS}/mal-999999"):  # fmt: skip
        assert client.get(url + ext).status_code == 404, url + ext


@pytest.fixture
def texts(mark_demo):
    """Published texts with a draft beside them (a newer draft of a published text, and a draft never
    published), one of which starts like a spreadsheet formula."""
    now = timezone.now()
    place = {"municipality_id": "2284", "measure_set": "kkik_2022", "area": "stod_och_omsorg"}
    Commentary.private_objects.create(**place, kpi="", published_text="Områdets **publicerade** text.",
                                      published_at=now, draft_text="HEMLIGT UTKAST för området")  # fmt: skip
    Commentary.private_objects.create(**place, kpi="U21401", published_text="=HYPERLINK(\"http://x\")",
                                      published_at=now, draft_text="HEMLIGT UTKAST om kontinuiteten")  # fmt: skip
    Commentary.private_objects.create(**place, kpi="U23401", draft_text="HEMLIGT UTKAST aldrig publicerat")
    goal = Goal.objects.filter(structure=mark_demo, parent=None).first()
    p = text_place(goal, "year")
    Commentary.private_objects.create(municipality_id=p.municipality_id, measure_set=p.measure_set, area=p.area,
                                      published_text="Målets publicerade text.", published_at=now,
                                      draft_text="HEMLIGT UTKAST om målet")  # fmt: skip


def _all_text(response) -> str:
    if response["Content-Type"] == XLSX:
        book = load_workbook(io.BytesIO(response.content))
        return "\n".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None)
    return response.content.decode("utf-8-sig")


@pytest.mark.parametrize("url", [AREA, EDITION, GOALS])
@pytest.mark.parametrize("ext", [".csv", ".plain.csv", ".xlsx"])
def test_only_published_commentary_is_in_a_download_and_never_a_draft(client, texts, url, ext):
    text = _all_text(client.get(url + ext))
    assert "HEMLIGT UTKAST" not in text
    if url == GOALS:
        assert "Målets publicerade text." in text
    else:
        assert "Områdets publicerade text." in text  # as plain text, without the Markdown
        assert 'HYPERLINK(""http://x"")' in text if ext.endswith(".csv") else '=HYPERLINK("http://x")' in text


def test_a_users_text_is_never_a_formula_in_excel(client, texts):
    ws = _workbook(client, AREA + ".xlsx").active
    _, _, rows = _sheet_rows(ws)
    cell = next(r["Kommunens kommentar"] for r in rows if r["Nyckeltal (Kolada-id)"].value == "U21401")
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"
    _, rows = _excel_csv(client, AREA + ".csv")
    row = next(r for r in rows if r["Nyckeltal (Kolada-id)"] == "U21401")
    assert row["Kommunens kommentar"] == '\'=HYPERLINK("http://x")'


def test_no_two_municipalities_share_a_file_name():
    """Made ASCII, Håbo and Habo are both "habo": the name alone would give the 290-PDF folder 289 files."""
    from kommunkvalitet.reports.filenames import filename, who
    from kommunkvalitet.store.models import Municipality

    kommuner = list(Municipality.objects.filter(type=Municipality.Type.KOMMUN))
    assert len(kommuner) == 290
    names = {filename("pdf", "kkik", 2022, who(m), "stod_och_omsorg") for m in kommuner}
    assert len(names) == 290
    assert "kkik-2022-habo-0305-stod_och_omsorg.pdf" in names and "kkik-2022-habo-0643-stod_och_omsorg.pdf" in names
