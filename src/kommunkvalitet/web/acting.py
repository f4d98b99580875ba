"""Middleware: changes made during a request are logged (store.audit) as the signed-in user's."""

from __future__ import annotations

from kommunkvalitet.store.actor import acting_as


class ActingUserMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            return self.get_response(request)  # reading changes nothing: no session lookup for readers
        user = request.user if request.user.is_authenticated else None
        with acting_as(user, None if user else "anonym"):
            return self.get_response(request)
