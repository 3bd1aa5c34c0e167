from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def json_errors(
    status: int, code: str, message: str, field: str | None = None, **headers: str
) -> JsonResponse:
    """An answer in the website API's error format: {"errors": [{field, code, message}]}."""
    body: dict[str, Any] = {"errors": [{"field": field, "code": code, "message": message}]}
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


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
        if request.path_info.startswith(API_PREFIX):
            return json_errors(400, "invalid_format", message)
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
