"""The PDF of an area report and of a whole KKiK edition (WeasyPrint), and the `pdf` batch command, on
real data: Örnsköldsvik (2284), KKiK 2022, Stöd och omsorg. What the PDF says is read back with pypdf
and compared with the page's JSON twin."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner
from django.contrib.auth.models import User
from django.test import Client
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from kommunkvalitet.cli import main
from kommunkvalitet.core.charts import sparkline_svg
from kommunkvalitet.core.measuresets import measure_sets, set_for_edition
from kommunkvalitet.store import commentary
from kommunkvalitet.store.models import EditorRole

pytestmark = pytest.mark.django_db
AREA = "/kommun/2284/2022/stod_och_omsorg"
SOURCE = "Källa: Kolada; bearbetning: kommunkvalitet"
PUBLISHED_AREA = "Hemtjänsten i Örnsköldsvik har fått fler medarbetare under året."
PUBLISHED_KPI = "Nöjdheten med hemtjänsten följs upp varje månad."
DRAFT = "Ett utkast som ingen utanför kommunen får läsa."


def _words(text: str) -> str:
    """Text with every run of white space as one space (a table cell wraps a label over lines)."""
    return " ".join(text.split())


def _pdf(response) -> tuple[PdfReader, list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    return reader, [_words(p.extract_text()) for p in reader.pages]


@pytest.fixture
def published():
    """An area text and a measure's comment published for 2284, then a newer draft of the area text that
    is not published."""
    user = User.objects.create_user("publicerare", password="hemligt-lösen-2")
    EditorRole.objects.create(user=user, municipality_id="2284", role=EditorRole.Role.PUBLISHER)
    ms = set_for_edition(measure_sets(), 2022)
    area = commentary.Place("2284", ms.slug, "stod_och_omsorg")
    measure = commentary.Place("2284", ms.slug, "stod_och_omsorg", ms.area("stod_och_omsorg").measures[0].kpi)
    for place, text in ((area, PUBLISHED_AREA), (measure, PUBLISHED_KPI)):
        commentary.save_draft(user, place, text, based_on=None)
        commentary.publish(user, place, {})
    commentary.save_draft(user, area, DRAFT, based_on=commentary.get(area).draft_at.isoformat())


def test_the_area_pdf_holds_the_municipality_year_measures_published_commentary_and_source(client, published):
    twin = client.get(AREA + ".json").json()
    response = client.get(AREA + ".pdf")
    reader, pages = _pdf(response)
    assert response["Content-Disposition"] == 'attachment; filename="kkik-2022-ornskoldsvik-2284-stod_och_omsorg.pdf"'
    text = " ".join(pages)
    assert twin["municipality"]["name"] == "Örnsköldsvik" and "Örnsköldsvik" in text
    assert twin["area"]["name"] in text
    labels = [m["label"] for m in twin["measures"]]
    assert len(labels) >= 10
    missing = [label for label in labels if _words(label) not in text]
    assert not missing, missing
    assert PUBLISHED_AREA in text and PUBLISHED_KPI in text
    assert DRAFT not in text  # a draft never reaches an export
    assert SOURCE in text
    assert "{#" not in text and "{%" not in text  # no template comment or tag printed
    # every page: the municipality and the year at the top, the source and "Sida i av n" at the bottom
    n = len(pages)
    assert n >= 2
    for i, page in enumerate(pages, start=1):
        assert "Örnsköldsvik · KKiK 2022" in page, i
        assert f"Sida {i} av {n}" in page, i
        assert SOURCE in page, i


def test_the_pdf_is_tagged_with_its_language_and_title(client):
    reader, _ = _pdf(client.get(AREA + ".pdf"))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog  # the structure a screen reader follows
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/Lang"] == "sv"
    assert reader.metadata.title == "Stöd och omsorg – Örnsköldsvik, KKiK 2022"
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/Figure"} <= _structure_types(reader)  # headings, cells
    figures = _structure_elements(reader, "/Figure")  # the sparklines, each with its description as /Alt
    assert figures and all(str(f.get("/Alt", "")).strip() for f in figures)
    assert any(str(f["/Alt"]).startswith("Utveckling 20") for f in figures)


def test_the_pdf_follows_the_readers_language(client):
    """English with ?lang=en or the language cookie, as the page: the words, the area's name, the page
    numbers, the source line, the draft and the ranks; the catalog says /Lang en. The file name stays."""
    twin = client.get(AREA + ".json?lang=en").json()
    english_reader = Client()
    english_reader.cookies["django_language"] = "en"
    for response in (client.get(AREA + ".pdf?lang=en"), english_reader.get(AREA + ".pdf")):
        reader, pages = _pdf(response)
        assert response["Content-Language"] == "en"
        assert (
            response["Content-Disposition"] == 'attachment; filename="kkik-2022-ornskoldsvik-2284-stod_och_omsorg.pdf"'
        )
        assert reader.trailer["/Root"]["/Lang"] == "en"
        assert reader.metadata.title == "Support and care – Örnsköldsvik, KKiK 2022"
        n = len(pages)
        for i, page in enumerate(pages, start=1):
            assert "Örnsköldsvik · KKiK 2022" in page and "Source: Kolada; processing: kommunkvalitet" in page, i
            assert f"Page {i} of {n}" in page, i
        text = " ".join(pages)
        assert "Support and care" in text and "The measures" in text and "National average" in text
        assert twin["draft"]["en"]["text"].split(". ")[0] in text  # the English draft, as on the English page
        assert next(m["rank_text"] for m in twin["measures"] if m["rank_text"]) in text
        for swedish in ("Stöd och omsorg", "Sida ", "Källa", "Rikssnitt", "Måtten"):
            assert swedish not in text, swedish
    # Swedish without a choice, and for a ?lang= that is not one of the languages
    _, pages = _pdf(client.get(AREA + ".pdf?lang=de"))
    assert "Sida 1 av" in pages[0] and "Stöd och omsorg" in pages[0]


def _structure_elements(reader: PdfReader, kind: str | None = None) -> list[DictionaryObject]:
    """Every element (of type ``kind``) of the PDF's structure tree."""
    found, todo = [], [reader.trailer["/Root"]["/StructTreeRoot"]]
    while todo:
        node = todo.pop().get_object()
        if not isinstance(node, DictionaryObject):
            continue
        if "/S" in node and kind in (None, str(node["/S"])):
            found.append(node)
        kids = node.get("/K")
        todo.extend(kids if isinstance(kids, ArrayObject) else [kids] if kids is not None else [])
    return found


def _structure_types(reader: PdfReader) -> set[str]:
    """The types (/S) of every element of the PDF's structure tree."""
    return {str(node["/S"]) for node in _structure_elements(reader)}


def test_the_pdf_sparkline_is_the_pages_drawing_named_by_its_description():
    points = [(2018, 10.0), (2019, None), (2020, 14.0), (2021, 12.0)]
    svg = sparkline_svg(points, title="Utveckling <2018–2021> & mer")
    assert 'role="img"><title>Utveckling &lt;2018–2021&gt; &amp; mer</title>' in svg and "aria-hidden" not in svg
    assert svg.split("<title>")[0].replace('role="img">', "") == sparkline_svg(points).split("aria-hidden")[0]
    assert svg.split("</title>")[1] == sparkline_svg(points).split('focusable="false">')[1]  # the same drawing
    assert sparkline_svg([(2020, None), (2021, None)], title="x") == ""


def test_the_edition_pdf_has_the_overview_then_every_area(client):
    twin = client.get("/kommun/2284/2022.json").json()
    response = client.get("/kommun/2284/2022.pdf")
    _, pages = _pdf(response)
    assert response["Content-Disposition"] == 'attachment; filename="kkik-2022-ornskoldsvik-2284.pdf"'
    text = " ".join(pages)
    assert "Kommunens kvalitet i korthet 2022" in pages[0]
    names = [a["name"] for a in twin["areas"]]
    assert len(names) == 3
    positions = [text.find(name, len(pages[0])) for name in names]  # each area after the overview, in order
    assert all(p > 0 for p in positions) and positions == sorted(positions)
    n = len(pages)
    assert all(f"Sida {i} av {n}" in p and "Örnsköldsvik · KKiK 2022" in p for i, p in enumerate(pages, 1))


def test_a_pdf_of_something_that_is_not_there_is_a_404(client):
    assert client.get("/kommun/2284/2022/inget_omrade.pdf").status_code == 404
    assert client.get("/kommun/9999/2022.pdf").status_code == 404
    assert client.get("/kommun/2284/1990.pdf").status_code == 404


def test_the_command_writes_one_pdf_per_kommun_and_refuses_bad_arguments(tmp_path):
    out = tmp_path / "pdf"
    args = ["pdf", "--year", "2022", "--area", "stod_och_omsorg", "--out", str(out), "--workers", "1"]
    result = CliRunner().invoke(main, [*args, "--kommun", "2284", "--kommun", "1463"])
    assert result.exit_code == 0, result.output
    made = sorted(p.name for p in out.iterdir())
    assert made == ["kkik-2022-mark-1463-stod_och_omsorg.pdf", "kkik-2022-ornskoldsvik-2284-stod_och_omsorg.pdf"]
    for name in made:
        reader = PdfReader(out / name)
        assert ("Mark" if "mark" in name else "Örnsköldsvik") in reader.pages[0].extract_text()
    assert "2 PDF-filer skrivna" in result.output
    english = CliRunner().invoke(main, [*args, "--kommun", "2284", "--lang", "en", "--out", str(tmp_path / "en")])
    assert english.exit_code == 0, english.output
    reader = PdfReader(tmp_path / "en" / "kkik-2022-ornskoldsvik-2284-stod_och_omsorg.pdf")
    assert reader.trailer["/Root"]["/Lang"] == "en" and "Page 1 of" in reader.pages[0].extract_text()
    for bad, says in (
        (["--kommun", "9999"], "okänd kommunkod: 9999"),
        (["--kommun", "2284", "--area", "inget_omrade"], "inget område som heter 'inget_omrade'"),
        ([], "ange antingen --kommun"),
        (["--kommun", "2284", "--year", "1990"], "ingen KKiK-utgåva för 1990"),
    ):
        refused = CliRunner().invoke(main, [*args, *bad])
        assert refused.exit_code == 1, (bad, refused.output)
        assert "Fel: " in refused.output and says in refused.output, refused.output
        assert "Traceback" not in refused.output
