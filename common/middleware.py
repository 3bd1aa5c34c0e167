from __future__ import annotations

from collections.abc import Callable

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string


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
