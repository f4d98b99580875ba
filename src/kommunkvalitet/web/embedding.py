"""Which charts can be embedded, and the "Bädda in" code the pages show for them: the measure page's bar
chart, time series and map, and the area page's sparkline of each measure (the embeds themselves:
web.views.embeds)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kommunkvalitet.reports.figures import Figure
from kommunkvalitet.web.language import page_lang

#: The charts of a measure page that can be embedded: URL slug -> (figure kind, what the snippet calls it).
CHARTS = {
    "stapel": ("bar", _("Stapeldiagram: alla kommuner")),
    "tidsserie": ("series", _("Linjediagram: över tid")),
    "karta": ("map", _("Karta")),
}
# px: the chart, its description, the closed table, the source
HEIGHTS = {"bar": 580, "series": 600, "map": 1200, "sparkline": 360}


def snippet(request, key: str, label: str, path: str, name: str, height: int) -> dict:
    """One chart's "Bädda in" entry: an ``<iframe>`` titled with the chart's accessible name, so that a
    screen reader on the host site says what the frame holds. From an English page the embed is English
    (``?lang=en``: the host site does not send our language cookie)."""
    if page_lang() == "en":
        path += ("&" if "?" in path else "?") + "lang=en"
    url = request.build_absolute_uri(path)
    code = (f'<iframe src="{escape(url)}" title="{escape(name)}" width="100%" '
            f'height="{height}" loading="lazy"></iframe>')  # fmt: skip
    return {"chart": key, "label": label, "url": url, "code": code}


def snippets(request, kpi_id: str, year: int, query: str, shown: list[Figure | None]) -> list[dict]:
    """The "Bädda in" code of each chart the measure page shows."""
    by_kind = {f.kind: f for f in shown if f is not None and (f.kind != "bar" or f.svg)}
    return [
        snippet(
            request,
            chart,
            label,
            reverse("web:embed", args=[kpi_id, year, chart]) + query,
            by_kind[kind].name,
            HEIGHTS[kind],
        )  # fmt: skip
        for chart, (kind, label) in CHARTS.items()
        if kind in by_kind
    ]


def sparkline_name(label: str, municipality_name: str) -> str:
    """The accessible name of an area page's sparkline when it stands alone (an embed, its SVG)."""
    return gettext("Linjediagram: %(label)s, %(who)s över tid") % {"label": label, "who": municipality_name}


def area_snippets(request, report, rows: list[dict]) -> list[dict]:
    """The "Bädda in" code of each measure's sparkline on an area page (``rows``: AreaPage.rows)."""
    m = report.municipality
    return [
        snippet(
            request,
            row["f"].kpi,
            row["f"].label,
            reverse("web:area_embed", args=[m.id, report.edition, report.area.id, row["f"].kpi]),
            sparkline_name(row["f"].label, m.name),
            HEIGHTS["sparkline"],
        )  # fmt: skip
        for row in rows
        if row["pic"].spark is not None
    ]
