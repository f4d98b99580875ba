"""Account pages around Django's auth views: the password reset that says when no mail is configured,
the page a locked-out login gets (django-axes), and the audit log for administrators."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kommunkvalitet.store import audit, roles
from kommunkvalitet.store.models import AuditEntry
from kommunkvalitet.web import downloads


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


@login_required
@require_safe
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log: a site administrator (superuser) sees every change, a municipality's administrator
    that municipality's; ``?kommun=`` narrows it, ``?format=csv`` downloads it."""
    entries = AuditEntry.objects.all()
    mine = roles.managed_municipalities(request.user)
    if mine is not None:
        if not mine:
            raise PermissionDenied
        entries = entries.filter(municipality_id__in=mine)
    kommun = request.GET.get("kommun", "")
    if kommun:
        entries = entries.filter(municipality_id=kommun)
    if request.GET.get("format") == "csv":
        return downloads.attachment(audit.as_csv(entries.iterator()), downloads.MIME["csv"], "andringslogg.csv")
    page = list(entries[:200])
    return render(request, "registration/audit_log.html", {"entries": page, "kommun": kommun})
