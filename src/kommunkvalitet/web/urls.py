from django.urls import path

from kommunkvalitet.web.views import editing, goal_editing, goals, measures, municipalities, report, search

app_name = "web"
urlpatterns = [
    path("", municipalities.start, name="start"),
    path("kommun/<str:municipality_id>/", municipalities.municipality, name="municipality"),
    # Search and the measure pages: any KPI with values, its bar chart, time series and map
    path("sok/", search.search, name="search"),
    path("sok.json", search.search, {"fmt": "json"}, name="search_json"),
    path("nyckeltal/", search.kpi_areas, name="kpi_areas"),
    path("nyckeltal/omrade/<slug:area_slug>/", search.kpi_area, name="kpi_area"),
    path("nyckeltal/<str:kpi_id>/", measures.latest, name="measure_latest"),
    path("nyckeltal/<str:kpi_id>/<int:year>/", measures.measure, name="measure"),
    path("nyckeltal/<str:kpi_id>/<int:year>.json", measures.measure, {"fmt": "json"}, name="measure_json"),
    path("nyckeltal/<str:kpi_id>/<int:year>/karta/", measures.measure_map, name="measure_map"),
    path("nyckeltal/<str:kpi_id>/<int:year>/karta.svg", measures.measure_map, {"fmt": "svg"}, name="measure_map_svg"),
    path("kommun/<str:municipality_id>/<int:year>/", report.overview, name="overview"),
    path("kommun/<str:municipality_id>/<int:year>.json", report.overview, {"fmt": "json"}, name="overview_json"),
    path("kommun/<str:municipality_id>/<int:year>/<slug:area_id>/", report.area, name="area"),
    path("kommun/<str:municipality_id>/<int:year>/<slug:area_id>.json", report.area, {"fmt": "json"}, name="area_json"),
    path("kommun/<str:municipality_id>/<int:year>/<slug:area_id>/redigera/", editing.edit, name="edit"),
    # Goal follow-up: the public report and goal pages (with JSON twins) ...
    path("kommun/<str:municipality_id>/mal/", goals.index, name="goals"),
    path("kommun/<str:municipality_id>/mal/<int:year>/", goals.report, name="goal_report"),
    path("kommun/<str:municipality_id>/mal/<int:year>.json", goals.report, {"fmt": "json"}, name="goal_report_json"),
    path("kommun/<str:municipality_id>/mal/<int:year>/mal-<int:goal_id>/", goals.goal, name="goal"),
    path(
        "kommun/<str:municipality_id>/mal/<int:year>/mal-<int:goal_id>.json",
        goals.goal,
        {"fmt": "json"},
        name="goal_json",
    ),  # fmt: skip
    # ... and the forms that build and fill them in (signed-in editors)
    path("kommun/<str:municipality_id>/mal/ny/", goal_editing.structure_new, name="structure_new"),
    path("kommun/<str:municipality_id>/mal/<int:year>/redigera/", goal_editing.structure_edit, name="structure_edit"),
    path(
        "kommun/<str:municipality_id>/mal/<int:year>/redigera/kopiera/",
        goal_editing.structure_copy,
        name="structure_copy",
    ),  # fmt: skip
    path("kommun/<str:municipality_id>/mal/<int:year>/mal.xlsx", goal_editing.structure_xlsx, name="structure_xlsx"),
    path(
        "kommun/<str:municipality_id>/mal/<int:year>/redigera/importera/",
        goal_editing.structure_import,
        name="structure_import",
    ),  # fmt: skip
    path("kommun/<str:municipality_id>/mal/<int:year>/redigera/mal/ny/", goal_editing.goal_new, name="goal_new"),
    path(
        "kommun/<str:municipality_id>/mal/<int:year>/redigera/mal/<int:goal_id>/",
        goal_editing.goal_edit,
        name="goal_edit",
    ),  # fmt: skip
    path(
        "kommun/<str:municipality_id>/mal/<int:year>/redigera/mal/<int:goal_id>/bedomning/",
        goal_editing.goal_assess,
        name="goal_assess",
    ),  # fmt: skip
    path(
        "kommun/<str:municipality_id>/mal/<int:year>/redigera/mal/<int:goal_id>/ta-bort/",
        goal_editing.goal_remove,
        name="goal_remove",
    ),
    path(
        "kommun/<str:municipality_id>/mal/<int:year>/redigera/indikator/<int:indicator_id>/ta-bort/",
        goal_editing.indicator_remove,
        name="indicator_remove",
    ),
    path(
        "kommun/<str:municipality_id>/mal/<int:year>/redigera/mal/<int:goal_id>/indikator/ny/",
        goal_editing.indicator_new,
        name="indicator_new",
    ),  # fmt: skip
    path(
        "kommun/<str:municipality_id>/mal/<int:year>/redigera/indikator/<int:indicator_id>/",
        goal_editing.indicator_edit,
        name="indicator_edit",
    ),  # fmt: skip
]
