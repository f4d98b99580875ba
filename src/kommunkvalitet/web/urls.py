from django.urls import path
from django.views.decorators.http import require_http_methods
from django.views.decorators.http import require_safe as page

from kommunkvalitet.reports.filenames import EXTENSIONS
from kommunkvalitet.web.views import (
    api,
    editing,
    embeds,
    goal_editing,
    goals,
    measures,
    municipalities,
    report,
    search,
)

# ``page(view)``: a public, read-only page that answers GET and HEAD only (405 with ``Allow`` to anything
# else, POST with a valid CSRF token included); ``form(view)``: a signed-in editor's form, GET, HEAD
# and POST only.
form = require_http_methods(["GET", "HEAD", "POST"])
TABLES = ("csv", "plain_csv", "xlsx")  # a page's table as files (web.downloads)


def forms(route: str, view, name: str, fmts: tuple[str, ...] = TABLES) -> list:
    """A page's other forms (web.formats): ``<route><extension>`` named ``<name>_<fmt>``, answered by the
    page's own view with ``fmt``."""
    return [path(f"{route}{EXTENSIONS[fmt]}", page(view), {"fmt": fmt}, name=f"{name}_{fmt}") for fmt in fmts]


app_name = "web"
urlpatterns = [
    path("", page(municipalities.start), name="start"),
    path("kommun/<str:municipality_id>/", page(municipalities.municipality), name="municipality"),
    # The open API: a page and the OpenAPI description (web.apischema)
    path("api/", page(api.index), name="api"),
    path("api/openapi.json", page(api.index), {"fmt": "json"}, name="api_json"),
    # Search and the measure pages: any KPI with values, its bar chart, time series and map
    path("sok/", page(search.search), name="search"),
    path("sok.json", page(search.search), {"fmt": "json"}, name="search_json"),
    path("nyckeltal/", page(search.kpi_areas), name="kpi_areas"),
    path("nyckeltal/omrade/<slug:area_slug>/", page(search.kpi_area), name="kpi_area"),
    path("nyckeltal/<str:kpi_id>/", page(measures.latest), name="measure_latest"),
    path("nyckeltal/<str:kpi_id>/<int:year>/", page(measures.measure), name="measure"),
    path("nyckeltal/<str:kpi_id>/<int:year>.json", page(measures.measure), {"fmt": "json"}, name="measure_json"),
    *forms("nyckeltal/<str:kpi_id>/<int:year>", measures.measure, "measure"),
    path("nyckeltal/<str:kpi_id>/<int:year>/karta/", page(measures.measure_map), name="measure_map"),
    path(
        "nyckeltal/<str:kpi_id>/<int:year>/karta.svg",
        page(measures.measure_map),
        {"fmt": "svg"},
        name="measure_map_svg",
    ),
    # Each chart of a measure page to embed on another site (may be framed: views.embeds)
    path("nyckeltal/<str:kpi_id>/<int:year>/inbadda/<slug:chart>/", page(embeds.embed), name="embed"),
    path(
        "nyckeltal/<str:kpi_id>/<int:year>/inbadda/<slug:chart>.svg",
        page(embeds.embed),
        {"fmt": "svg"},
        name="embed_svg",
    ),
    path("kommun/<str:municipality_id>/<int:year>/", page(report.overview), name="overview"),
    path("kommun/<str:municipality_id>/<int:year>.json", page(report.overview), {"fmt": "json"}, name="overview_json"),
    *forms("kommun/<str:municipality_id>/<int:year>", report.overview, "overview", (*TABLES, "pdf")),
    path("kommun/<str:municipality_id>/<int:year>/<slug:area_id>/", page(report.area), name="area"),
    path(
        "kommun/<str:municipality_id>/<int:year>/<slug:area_id>.json",
        page(report.area),
        {"fmt": "json"},
        name="area_json",
    ),
    *forms("kommun/<str:municipality_id>/<int:year>/<slug:area_id>", report.area, "area", (*TABLES, "pdf")),
    path("kommun/<str:municipality_id>/<int:year>/<slug:area_id>/redigera/", form(editing.edit), name="edit"),
    # Each measure's sparkline of an area page to embed on another site (may be framed: views.embeds)
    path(
        "kommun/<str:municipality_id>/<int:year>/<slug:area_id>/inbadda/<str:kpi_id>/",
        page(embeds.area_embed),
        name="area_embed",
    ),
    path(
        "kommun/<str:municipality_id>/<int:year>/<slug:area_id>/inbadda/<str:kpi_id>.svg",
        page(embeds.area_embed),
        {"fmt": "svg"},
        name="area_embed_svg",
    ),
    # Goal follow-up: the public report and goal pages (with JSON twins) ...
    path("kommun/<str:municipality_id>/mal/", page(goals.index), name="goals"),
    path("kommun/<str:municipality_id>/mal/<int:year>/", page(goals.report), name="goal_report"),
    path(
        "kommun/<str:municipality_id>/mal/<int:year>.json", page(goals.report), {"fmt": "json"}, name="goal_report_json"
    ),
    *forms("kommun/<str:municipality_id>/mal/<int:year>", goals.report, "goal_report"),
    path("kommun/<str:municipality_id>/mal/<int:year>/mal-<int:goal_id>/", page(goals.goal), name="goal"),
    path(
        "kommun/<str:municipality_id>/mal/<int:year>/mal-<int:goal_id>.json",
        page(goals.goal),
        {"fmt": "json"},
        name="goal_json",
    ),  # fmt: skip
    *forms("kommun/<str:municipality_id>/mal/<int:year>/mal-<int:goal_id>", goals.goal, "goal"),
    # ... and the forms that build and fill them in (signed-in editors)
    path("kommun/<str:municipality_id>/mal/ny/", form(goal_editing.structure_new), name="structure_new"),
    path(
        "kommun/<str:municipality_id>/mal/<int:year>/redigera/",
        form(goal_editing.structure_edit),
        name="structure_edit",
    ),
    path(
        "kommun/<str:municipality_id>/mal/<int:year>/redigera/kopiera/",
        form(goal_editing.structure_copy),
        name="structure_copy",
    ),  # fmt: skip
    path(
        "kommun/<str:municipality_id>/mal/<int:year>/mal.xlsx",
        page(goal_editing.structure_xlsx),
        name="structure_template",
    ),
    path(
        "kommun/<str:municipality_id>/mal/<int:year>/redigera/importera/",
        form(goal_editing.structure_import),
        name="structure_import",
    ),  # fmt: skip
    path("kommun/<str:municipality_id>/mal/<int:year>/redigera/mal/ny/", form(goal_editing.goal_new), name="goal_new"),
    path(
        "kommun/<str:municipality_id>/mal/<int:year>/redigera/mal/<int:goal_id>/",
        form(goal_editing.goal_edit),
        name="goal_edit",
    ),  # fmt: skip
    path(
        "kommun/<str:municipality_id>/mal/<int:year>/redigera/mal/<int:goal_id>/bedomning/",
        form(goal_editing.goal_assess),
        name="goal_assess",
    ),  # fmt: skip
    path(
        "kommun/<str:municipality_id>/mal/<int:year>/redigera/mal/<int:goal_id>/ta-bort/",
        form(goal_editing.goal_remove),
        name="goal_remove",
    ),
    path(
        "kommun/<str:municipality_id>/mal/<int:year>/redigera/indikator/<int:indicator_id>/ta-bort/",
        form(goal_editing.indicator_remove),
        name="indicator_remove",
    ),
    path(
        "kommun/<str:municipality_id>/mal/<int:year>/redigera/mal/<int:goal_id>/indikator/ny/",
        form(goal_editing.indicator_new),
        name="indicator_new",
    ),  # fmt: skip
    path(
        "kommun/<str:municipality_id>/mal/<int:year>/redigera/indikator/<int:indicator_id>/",
        form(goal_editing.indicator_edit),
        name="indicator_edit",
    ),  # fmt: skip
]
