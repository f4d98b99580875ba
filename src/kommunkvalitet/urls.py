from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("konto/", include("django.contrib.auth.urls")),
    path("", include("kommunkvalitet.web.urls")),
]

# A Swedish 404 page that says what exists (and a JSON error object for .json URLs)
handler404 = "kommunkvalitet.web.views.errors.not_found"
