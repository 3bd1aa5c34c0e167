from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from common.api_errors import api_error_response, is_api_path


def _unreadable(raw: bytes) -> bool:
    """NUL (PostgreSQL refuses it in text) or bytes that are not UTF-8 (a lone surrogate
    included)."""
    if b"\x00" in raw:
        return True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _path_bytes(request: HttpRequest) -> bytes:
    """The path's bytes. Django has already decoded it and put bytes that are not UTF-8 back
    as %-escapes, so those are decoded again (no address of ours holds a '%')."""
    return unquote_to_bytes(request.path_info)


class UnreadableRequestMiddleware:
    """Answer 400 to a request whose path or query string holds NUL or is not UTF-8.

    Such a value cannot be stored or searched (PostgreSQL refuses NUL in text) and no page or
    link of ours produces one; refusing it here keeps every view from failing on it. Under
    /api/ the answer is the API's JSON error; elsewhere a small translated page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = str(request.META.get("QUERY_STRING", ""))
        try:
            query_bytes = unquote_to_bytes(query.replace("+", " "))
        except UnicodeEncodeError:
            query_bytes = b"\x00"
        if _unreadable(_path_bytes(request)) or _unreadable(query_bytes):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse:
        message = _(
            "The address holds characters that cannot be read (a NUL character or text that "
            "is not UTF-8). Check the link and try again."
        )
        if is_api_path(request.path_info):
            return api_error_response(400, "bad_request", message)
        html = render_to_string("common/bad_request.html", {"message": message}, request=None)
        return HttpResponse(html, status=400)


class HtmxMessagesMiddleware:
    """Append pending messages to HTMX responses as an out-of-band swap into the toast area.

    Full pages render messages in the base layout; a fragment swapped in by HTMX would otherwise
    leave them queued until the next full page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or request.htmx.boosted:  # type: ignore[attr-defined]
            return response
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response
        if 300 <= response.status_code < 400 or "HX-Redirect" in response:
            return response
        storage = get_messages(request)
        if getattr(storage, "used", False) or not len(storage):  # already shown by the page
            return response
        html = render_to_string("common/toasts.html", {"messages": storage, "oob": True})
        response.content += html.encode(response.charset)
        return response


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every answer to a signed-in user.

    Staff pages, HTMX fragments and downloads (CSV, Excel, PDF) carry customer names, phones
    and figures: neither a shared proxy nor the browser's disk cache (a shop computer, the back
    button after signing out) may keep them. A view that already chose a private policy keeps
    it (product images stay in the signed-in browser's cache for a day; never_cache pages are
    already no-store). Static files are answered by WhiteNoise before this runs, and answers to
    anonymous requests (the sign-in page, /healthz, the website API) are left as their views
    made them.
    """

    VALUE = "private, no-store"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        directives = {
            d.strip().split("=")[0].lower() for d in response.get("Cache-Control", "").split(",")
        }
        if "private" not in directives:
            response["Cache-Control"] = self.VALUE
        return response
