"""Account pages around Django's auth views: the password reset that says when no mail is configured,
and the page a locked-out login gets (django-axes)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by mail when a mail server is configured; otherwise a page that sends the user to
    an administrator (who sets a password with the CLI) and a POST that sends nothing."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(mail_configured=bool(settings.EMAIL_HOST), **kwargs)

    def post(self, request, *args, **kwargs):
        if not settings.EMAIL_HOST:
            return self.get(request, *args, **kwargs)
        return super().post(request, *args, **kwargs)


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): 429 with how many tries and how long."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/locked_out.html", context, status=429)
