"""What the KKiK report pages show beside their figures, gathered once for all their forms: the HTML
pages, their JSON twins and the PDFs take the overview, an area's drafts, gender figures, published
commentary and rows from here, so that they cannot disagree.

Only *published* commentary is ever read (``commentary.published_for``); drafts never reach a page,
a JSON twin or a PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from kommunkvalitet.core import pages
from kommunkvalitet.core.gender import GenderFinding, with_gender_gaps
from kommunkvalitet.core.measuresets import MeasureSet, measure_sets, set_for_edition
from kommunkvalitet.core.narrative import Draft, draft_area, draft_measure
from kommunkvalitet.errors import KommunkvalitetError
from kommunkvalitet.reports.area_pictures import area_pictures
from kommunkvalitet.reports.markup import render as render_markup
from kommunkvalitet.store import commentary
from kommunkvalitet.store.comparison import current_settings
from kommunkvalitet.store.gender import gender_findings
from kommunkvalitet.store.models import Commentary
from kommunkvalitet.store.report import AreaReport

FIRST_EDITION = 2016  # the snapshot holds 2015-2022; an edition shows its own and the previous year


def editions() -> list[int]:
    """The KKiK years there are pages for, newest first."""
    return list(range(max(s.edition for s in measure_sets()), FIRST_EDITION - 1, -1))


def edition_set(year: int) -> MeasureSet:
    """The measure set a KKiK edition is shown with; a year that is no edition is refused with the years
    there are."""
    ms = set_for_edition(measure_sets(), year)
    known = editions()
    if ms is None or year not in known:
        raise KommunkvalitetError(f"det finns ingen KKiK-utgåva för {year} (det finns {min(known)}-{max(known)})")
    return ms


@dataclass
class AreaPage:
    report: AreaReport
    genders: dict[str, GenderFinding]  # women and men, where the KPI is divided by gender
    drafts: dict[str, Draft]  # "sv" and "en"; none for Riket and the regions
    texts: dict[str, Commentary]  # published commentary by KPI ("" = the area's own text)
    lang: str = "sv"  # the reader's language: the summaries, sparkline descriptions and shown draft

    @cached_property
    def rows(self) -> list[dict]:
        """One dict per measure for the templates: its report row, finding, one-sentence summary, published
        comment (and whether a figure under it changed since), sparkline and gender figures."""
        report, texts = self.report, self.texts
        pictures = area_pictures(report, self.lang)  # sparklines and links to the measure pages
        figures = report.figures()
        return [
            {
                "r": r,
                "f": r.finding,
                "summary": draft_measure(r.finding, self.lang) if report.is_kommun else None,
                "comment": texts.get(r.finding.kpi),
                "comment_html": render_markup(texts[r.finding.kpi].published_text) if r.finding.kpi in texts else "",
                "revised": commentary.revised_since_publication(texts[r.finding.kpi], figures)
                if r.finding.kpi in texts
                else [],
                "pic": pictures[r.finding.kpi],
                "gender": self.genders.get(r.finding.kpi),
            }
            for r in report.rows
        ]

    def context(self) -> dict:
        """The template context of the area's content (``web/_area_measures.html`` and what surrounds it)."""
        area_text = self.texts.get("")
        return {
            "report": self.report,
            "rows": self.rows,
            "draft": self.drafts.get(self.lang),
            "area_text": area_text,
            "area_text_html": render_markup(area_text.published_text) if area_text else "",
            "area_revised": commentary.revised_since_publication(area_text, self.report.figures()) if area_text else [],
        }


def area_page(report: AreaReport, lang: str = "sv") -> AreaPage:
    """The drafts (written about a kommun among kommuner: Riket and the regions get none), the gender
    figures and the published commentary of one area report."""
    findings = [r.finding for r in report.rows]
    genders = gender_findings(report.municipality.id, findings)
    drafts = (
        {
            lang: with_gender_gaps(
                draft_area(report.area.name if lang == "sv" else report.area.name_en, findings, lang, report.edition,
                           set_edition=report.measure_set.edition),
                list(genders.values()),
                current_settings(),
            )
            for lang in ("sv", "en")
        }
        if report.is_kommun
        else {}
    )  # fmt: skip
    texts = commentary.published_for(report.municipality.id, report.measure_set.slug, report.area.id)
    return AreaPage(report, genders, drafts, texts, lang)


def overview_context(reports: list[AreaReport], ms: MeasureSet, year: int) -> dict:
    """The template context of an edition's overview (``web/_overview_body.html``): band counts per area
    and the biggest changes (core.pages)."""
    return {
        "is_kommun": reports[0].is_kommun,
        "municipality": reports[0].municipality,
        "ms": ms,
        "year": year,
        "overview": pages.overview([(r.area, [row.finding for row in r.rows]) for r in reports], current_settings()),
    }
