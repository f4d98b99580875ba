from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("konto/", include("django.contrib.auth.urls")),
    path("", include("kommunkvalitet.web.urls")),
]

handler500 = "kommunkvalitet.web.busy.server_error"  # a busy database: 503 "försök igen", not 500
