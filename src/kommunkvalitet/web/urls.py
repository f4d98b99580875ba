from django.urls import path

from kommunkvalitet.web.views import municipalities

app_name = "web"
urlpatterns = [
    path("", municipalities.start, name="start"),
    path("kommun/<str:municipality_id>/", municipalities.municipality, name="municipality"),
]
