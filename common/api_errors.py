"""The website API's error format, for every answer under /api/ (routes, middleware, handlers).

An error body is {"errors": [{"field": <path or null>, "code": <word>, "message": <text>}]}
(documented in orders.api.openapi, schema "Error"). `api_error_body` builds one,
`api_error_response` answers with it (JSON, Cache-Control: no-store), and
`ApiErrorsMiddleware` turns every other error answer under /api/ (Django's 404 for an unknown
path, 400 for a bad Host header, a 500 page, a URI that is too long) into the same format.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import resolve
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
# Longer paths plus query strings are refused with 414 (the web server allows 8190).
MAX_URI_LENGTH = 2048


def is_api_path(path: str) -> bool:
    return path == API_PREFIX.rstrip("/") or path.startswith(API_PREFIX)


def api_error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    """{"errors": [{"field": ..., "code": ..., "message": ...}]} for one error."""
    return {"errors": [{"field": field, "code": code, "message": message}]}


def api_response(status: int, body: dict[str, Any], **headers: str) -> JsonResponse:
    """A JSON answer of the API (non-ASCII as is, never cached); `Retry_After="5"` sets
    the header Retry-After."""
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def api_error_response(
    status: int, code: str, message: str, field: str | None = None, **headers: str
) -> JsonResponse:
    """One error as a JSON answer with `status`."""
    return api_response(status, api_error_body(code, message, field), **headers)


def _generic(status: int) -> tuple[str, str]:
    """(code, message) for an error answer that no API view wrote."""
    if status == 404:
        return "not_found", _("There is nothing at this address of the API.")
    if status == 405:
        return "method_not_allowed", _("This endpoint does not accept that HTTP method.")
    if status == 413:
        return "payload_too_large", _("The request is too large.")
    if status == 414:
        return "uri_too_long", _("The address is too long.")
    if status == 401:
        return "unauthorized", _(
            "Send a valid API key in Authorization: Bearer <key> or X-Api-Key."
        )
    if status == 403:
        return "forbidden", _("This request is not allowed.")
    if status >= 500:
        return "server_error", _("Our server failed; send the request again later.")
    return "bad_request", _("The request cannot be read.")


def api_generic_error(status: int, **headers: str) -> JsonResponse:
    code, message = _generic(status)
    return api_error_response(status, code, message, **headers)


class ApiErrorsMiddleware:
    """Under /api/: refuse over-long URIs with 414, and give every error answer that is not
    JSON yet (404 of the URL resolver, 400 of a bad Host, 403, 500 pages) the API's format.

    Put first in MIDDLEWARE, so that it also sees errors raised by the middleware after it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api_path(request.path_info):
            return self.get_response(request)
        uri_length = len(request.path_info) + len(request.META.get("QUERY_STRING", ""))
        if uri_length > MAX_URI_LENGTH:
            return api_generic_error(414)
        response = self.get_response(request)
        if response.status_code < 400 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        headers = {name: response[name] for name in ("Allow", "Retry-After") if name in response}
        return api_generic_error(response.status_code, **headers)


class ApiShortcutMiddleware:
    """Under /api/: resolve and call the view here, without the middleware listed after this
    one (CSRF, authentication, sign-in required, the private cache header, messages, htmx,
    axes), which serve staff pages only: the API's views authenticate the website's key
    themselves, are csrf_exempt and login_not_required, and answer JSON to no signed-in user.
    Their cost went on every website order. A view under /api/ that is not both
    login_not_required and csrf_exempt goes through the whole chain as before. Put it after
    the middleware the API needs (ApiErrorsMiddleware, security headers, LocaleMiddleware,
    the unreadable-request check, CommonMiddleware). A URL that resolves to nothing raises
    Resolver404 -> the API's 404."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api_path(request.path_info):
            return self.get_response(request)
        match = resolve(request.path_info)
        view = match.func
        # Only a view that needs neither: anything else gets the whole chain.
        if getattr(view, "login_required", True) or not getattr(view, "csrf_exempt", False):
            return self.get_response(request)
        request.resolver_match = match
        response: HttpResponse = view(request, *match.args, **match.kwargs)
        return response
