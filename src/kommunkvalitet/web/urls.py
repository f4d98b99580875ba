from django.urls import path

from kommunkvalitet.web.views import editing, municipalities, report

app_name = "web"
urlpatterns = [
    path("", municipalities.start, name="start"),
    path("kommun/<str:municipality_id>/", municipalities.municipality, name="municipality"),
    path("kommun/<str:municipality_id>/<int:year>/", report.overview, name="overview"),
    path("kommun/<str:municipality_id>/<int:year>.json", report.overview, {"fmt": "json"}, name="overview_json"),
    path("kommun/<str:municipality_id>/<int:year>/<slug:area_id>/", report.area, name="area"),
    path("kommun/<str:municipality_id>/<int:year>/<slug:area_id>.json", report.area, {"fmt": "json"}, name="area_json"),
    path("kommun/<str:municipality_id>/<int:year>/<slug:area_id>/redigera/", editing.edit, name="edit"),
]
