"""PDF of an area report and of a municipality's whole KKiK edition, with WeasyPrint.

The PDF renders templates of its own (``web/pdf/``) around the pages' partials (``web/_area_body.html``,
``web/_overview_body.html``), from the same objects as the pages and their JSON twins
(:mod:`kommunkvalitet.reports.report_pages`): the same figures, sparklines, drafts and *published*
commentary. The print layout is ``web/static/web/print.css`` on top of the site's stylesheet: A4, the
municipality and the year at the top of every page, the source line and "Sida 3 av 12" at the bottom.

Speed (docs/performance.md, "PDF exports"): WeasyPrint's time goes into laying out and drawing boxes of
text, so the measures are a compact table of their own (``web/pdf/_area_measures.html``, one row and one
line of text per measure, no inner tables), the sparklines are drawn for print as three SVG elements
(``core.charts.sparkline_svg``, as on the page, no Vega), and a thread keeps its WeasyPrint font configuration.

The file is a tagged PDF/UA-1 (structure tree, ``/Lang`` and title from the HTML), so a screen reader
reads it in order, with its headings and tables. It is written in the reader's language (``lang``: the
page's words, the area's name, the drafts and the numbers, as the HTML page in that language).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from kommunkvalitet.core.measuresets import MeasureSet
from kommunkvalitet.errors import ConfigurationError
from kommunkvalitet.reports.filenames import filename, who
from kommunkvalitet.reports.report_pages import area_page, overview_context
from kommunkvalitet.store.report import AreaReport

STATIC = Path(__file__).resolve().parent.parent / "web" / "static" / "web"
STYLESHEETS = (STATIC / "site.css", STATIC / "print.css")
MIME = "application/pdf"
PANGO_HINT = "installera libpango-1.0-0 och libpangoft2-1.0-0 (Debian/Ubuntu: apt-get install ...)"
MEASURES = "web/pdf/_area_measures.html"  # the compact measures table in place of the page's
PDF_VARIANT = "pdf/ua-1"  # WeasyPrint's PDF/UA-1: tagged, with the language and the title in the catalog


@dataclass(frozen=True)
class PdfFile:
    content: bytes
    filename: str  # e.g. "kkik-2022-ornskoldsvik-2284-stod_och_omsorg.pdf"


def area_pdf(report: AreaReport, base_url: str | None = None, lang: str = "sv") -> PdfFile:
    """One area of a municipality's KKiK edition in ``lang`` ("sv" or "en"). ``base_url`` (the site's
    address) makes the links to the measure pages work in the PDF; without it they are left out."""
    with translation.override(lang):
        context = {
            **area_page(report, lang).context(),
            "municipality": report.municipality,
            "year": report.edition,
            "measures_template": MEASURES,
        }
        content = _write(render_to_string("web/pdf/area.html", context), base_url)
    return PdfFile(content, filename("pdf", "kkik", report.edition, who(report.municipality), report.area.id))


def edition_pdf(reports: list[AreaReport], ms: MeasureSet, year: int, base_url: str | None = None,
                lang: str = "sv") -> PdfFile:  # fmt: skip
    """A municipality's whole KKiK edition: the overview, then every area (``reports`` in the set's order)."""
    muni = reports[0].municipality
    with translation.override(lang):
        context = {
            **overview_context(reports, ms, year),
            "areas": [area_page(r, lang).context() for r in reports],
            "title": _("%(municipality)s: Kommunens kvalitet i korthet %(year)s")
            % {"municipality": muni.name, "year": year},
            "measures_template": MEASURES,
        }
        content = _write(render_to_string("web/pdf/edition.html", context), base_url)
    return PdfFile(content, filename("pdf", "kkik", year, who(muni)))


def _write(html: str, base_url: str | None) -> bytes:
    try:
        from weasyprint import HTML  # imported on first use: it loads Pango, which the pages never need
    except OSError as err:  # the library is there, Pango is not
        raise ConfigurationError(f"PDF kräver Pango ({err}): {PANGO_HINT}") from None
    document = HTML(string=html, base_url=base_url)
    return document.write_pdf(stylesheets=_stylesheets(), pdf_variant=PDF_VARIANT, font_config=_font_config())


_local = threading.local()


def _font_config():
    """The thread's WeasyPrint font configuration, made once and kept: WeasyPrint makes a new one for each
    document if not given one (fontconfig loaded again and a new Pango font map, whose fonts, glyph
    shapes and line heights are then measured again). One per thread, as Pango's font map is not made to
    be shared between threads (a server's threads may write PDFs at the same time)."""
    fonts = getattr(_local, "fonts", None)
    if fonts is None:
        from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

        fonts = _local.fonts = FontConfiguration()
    return fonts


@cache
def _stylesheets() -> list:
    from weasyprint import CSS

    # site.css has screen rules WeasyPrint does not know (overflow-x, media queries, SVG strokes): it
    # would warn about each, in every process, for every PDF. Errors are still logged.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return [CSS(filename=str(path)) for path in STYLESHEETS]
