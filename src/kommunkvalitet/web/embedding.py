"""Which charts of a measure page can be embedded, and the "Bädda in" code the measure page shows for
them (the embeds themselves: web.views.embeds)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from kommunkvalitet.reports.figures import Figure

SOURCE = "Källa: Kolada; bearbetning: kommunkvalitet"
#: The charts that can be embedded: URL slug -> (figure kind, what the snippet calls it).
CHARTS = {
    "stapel": ("bar", _("Stapeldiagram: alla kommuner")),
    "tidsserie": ("series", _("Linjediagram: över tid")),
    "karta": ("map", _("Karta")),
}
HEIGHTS = {"bar": 580, "series": 600, "map": 1200}  # px: the chart, its description, the closed table, the source


def snippets(request, kpi_id: str, year: int, query: str, shown: list[Figure | None]) -> list[dict]:
    """The "Bädda in" code of each chart the measure page shows: an ``<iframe>`` titled with the chart's
    accessible name, so that a screen reader on the host site says what the frame holds."""
    out = []
    by_kind = {f.kind: f for f in shown if f is not None and (f.kind != "bar" or f.svg)}
    for chart, (kind, label) in CHARTS.items():
        if kind not in by_kind:
            continue
        url = request.build_absolute_uri(reverse("web:embed", args=[kpi_id, year, chart]) + query)
        code = (f'<iframe src="{escape(url)}" title="{escape(by_kind[kind].name)}" width="100%" '
                f'height="{HEIGHTS[kind]}" loading="lazy"></iframe>')  # fmt: skip
        out.append({"chart": chart, "label": label, "url": url, "code": code})
    return out
