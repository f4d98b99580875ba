from django.urls import include, path

from kommunkvalitet.web.views import account

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("konto/password_reset/", account.PasswordResetView.as_view(), name="password_reset"),
    path("konto/logg/", account.audit_log, name="audit_log"),
    path("konto/", include("django.contrib.auth.urls")),
    path("", include("kommunkvalitet.web.urls")),
]

# A Swedish 404 page that says what exists (and a JSON error object for .json URLs)
handler404 = "kommunkvalitet.web.views.errors.not_found"
handler500 = "kommunkvalitet.web.busy.server_error"  # a busy database: 503 "försök igen", not 500
