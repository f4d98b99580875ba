"""The interface language of a request: Swedish first, English when the reader chose it.

- The language switch on every page (base.html) posts to Django's ``set_language`` (``/i18n/setlang/``),
  which sets the language cookie and sends the reader back to the same page.
- A JSON twin, a PDF and an embed (``…/inbadda/…``, framed on another site, where our cookie is not sent)
  also take ``?lang=sv`` or ``?lang=en``; it wins over the cookie.
- Without a choice the page is Swedish. The browser's ``Accept-Language`` is not read: the product is
  Swedish first, and many Swedish readers run an English browser.

:func:`request_language` is the one rule: :class:`LanguageMiddleware` activates what it says, and the
page cache (``web.pagecache``, which answers before any other middleware) keys on it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

LANGS = ("sv", "en")
QUERY_PARAMETER = "lang"  # JSON twins, PDFs and embeds only
_QUERY_FORMS = (".json", ".pdf")
EMBEDS = "/inbadda/"  # the path segment of every embed (web.urls)


def request_language(request: HttpRequest) -> str:
    """``"sv"`` or ``"en"``: a JSON twin's, PDF's or embed's ``?lang=``, else the language cookie, else Swedish."""
    if request.path_info.endswith(_QUERY_FORMS) or EMBEDS in request.path_info:
        asked = request.GET.get(QUERY_PARAMETER)
        if asked in LANGS:
            return asked
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in LANGS else settings.LANGUAGE_CODE


def page_lang() -> str:
    """The active language as the core's formatting and drafts name it (``"sv"`` or ``"en"``)."""
    return "en" if (translation.get_language() or "sv").startswith("en") else "sv"


class LanguageMiddleware:
    """Renders the request in :func:`request_language` and says so (``Content-Language``, ``Vary: Cookie``)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request_language(request)
        request.LANGUAGE_CODE = language
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response
