"""Uploaded goal workbooks: size and type limits answered on the form in Swedish, no 500, nothing
imported (issue 11). Each hostile file carries a changed note, so an import would show."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from kommunkvalitet import config
from kommunkvalitet.store.models import EditorRole, Goal, GoalStructure, Indicator, IndicatorValue

pytestmark = pytest.mark.django_db
MUNI, YEAR = "1463", 2022
IMPORT = f"/kommun/{MUNI}/mal/{YEAR}/redigera/importera/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSM = "application/vnd.ms-excel.sheet.macroEnabled.12"


@pytest.fixture
def editor() -> Client:
    user = User.objects.create_user("redaktor", password="hemligt-lösen-9")
    EditorRole.objects.create(user=user, municipality_id=MUNI, role=EditorRole.Role.EDITOR)
    struct = GoalStructure.objects.create(municipality_id=MUNI, year=YEAR)
    goal = Goal.objects.create(structure=struct, title="Ett mål")
    ind = Indicator.objects.create(goal=goal, kind="own", name="Egen", unit="percent")
    IndicatorValue.objects.create(indicator=ind, year=YEAR, value=80, note="före")
    c = Client()
    c.force_login(user)
    return c


def _workbook(c: Client, note: str = "ändrad") -> bytes:
    """The exported workbook with the value's note changed."""
    book = load_workbook(io.BytesIO(c.get(f"/kommun/{MUNI}/mal/{YEAR}/mal.xlsx").content))
    ws = book["Värden"]
    ws.cell(2, [cell.value for cell in ws[1]].index("Anteckning") + 1).value = note
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _repacked(data: bytes, extra: dict[str, bytes], change=lambda name, body: body) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info)))
        for name, body in extra.items():
            dst.writestr(name, body)
    return out.getvalue()


def _refused(c: Client, upload: SimpleUploadedFile, says: str) -> None:
    response = c.post(IMPORT, {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Formuläret har fel" in page and says in page, page[page.find("errorlist") - 200 :][:1500]
    assert IndicatorValue.objects.get().note == "före"


def test_the_limits_are_settings_with_documented_defaults():
    assert config.upload_max_bytes() == 5 * 1024 * 1024
    assert config.upload_max_unpacked_bytes() == 50 * 1024 * 1024


def test_a_good_workbook_is_imported(editor):
    response = editor.post(IMPORT, {"file": SimpleUploadedFile("mal.xlsx", _workbook(editor), XLSX)})
    assert response.status_code == 302
    assert IndicatorValue.objects.get().note == "ändrad"


def test_a_file_over_the_size_limit_is_not_read_and_is_refused(editor, monkeypatch):
    big = _workbook(editor) + b"\0" * (config.upload_max_bytes())
    _refused(editor, SimpleUploadedFile("mal.xlsx", big, XLSX), "Filen är för stor: högst 5 MB.")
    monkeypatch.setenv("KOMMUNKVALITET_UPLOAD_MAX_MB", "1")  # the setting moves the limit
    _refused(editor, SimpleUploadedFile("mal.xlsx", b"x" * (1024 * 1024 + 1), XLSX), "Filen är för stor: högst 1 MB.")


def test_a_file_that_is_not_an_xlsx_workbook_is_refused(editor):
    _refused(editor, SimpleUploadedFile("mal.csv", b"a;b\n1;2\n", "text/csv"), "Filen måste vara en Excelfil")
    _refused(editor, SimpleUploadedFile("mal.xlsx", b"a;b\n1;2\n", XLSX), "går inte att läsa som en Excel-arbetsbok")
    not_excel = io.BytesIO()
    with zipfile.ZipFile(not_excel, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    _refused(editor, SimpleUploadedFile("mal.xlsx", not_excel.getvalue(), XLSX), "filen är ingen Excel-arbetsbok")


def test_a_zip_bomb_is_refused_before_it_is_read(editor):
    limit = config.upload_max_unpacked_bytes()
    bomb = _repacked(_workbook(editor), {"xl/media/image1.png": b"\0" * (limit + 1)})
    assert len(bomb) < config.upload_max_bytes()  # small on the wire, big unpacked
    _refused(editor, SimpleUploadedFile("mal.xlsx", bomb, XLSX), "filen packas upp till mer än 50 MB")
    # its headers lie about the size: the parts are unpacked and counted, not their declared sizes trusted
    liar = bytearray(bomb)
    at = liar.find(b"PK\x01\x02", liar.find(b"xl/media/image1.png") - 100)  # the big part's central entry
    liar[at + 24 : at + 28] = (1000).to_bytes(4, "little")  # uncompressed size: 1000
    _refused(editor, SimpleUploadedFile("mal.xlsx", bytes(liar), XLSX), "mal.xlsx")


def test_a_workbook_with_macros_is_refused(editor):
    data = _workbook(editor)
    _refused(editor, SimpleUploadedFile("mal.xlsm", data, XLSM), "Filen måste vara en Excelfil som slutar på .xlsx.")
    _refused(editor, SimpleUploadedFile("mal.xlsx", data, XLSM), "Filen innehåller makron")

    def macro_type(name: str, body: bytes) -> bytes:
        return body.replace(b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")

    renamed = _repacked(data, {}, macro_type)
    _refused(editor, SimpleUploadedFile("mal.xlsx", renamed, XLSX), "filen innehåller makron")
    vba = _repacked(data, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 not really"})
    _refused(editor, SimpleUploadedFile("mal.xlsx", vba, XLSX), "filen innehåller makron")
