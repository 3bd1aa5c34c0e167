"""The website API: JSON in, JSON out, authenticated by the website's key only.

Not a staff page: no session, no CSRF (csrf_exempt), public to LoginRequiredMiddleware
(login_not_required); the key goes in `Authorization: Bearer <key>` or `X-Api-Key: <key>`.
Messages follow Accept-Language (LocaleMiddleware; default: the shop's LANGUAGE_CODE, vi).
Every answer is JSON with Cache-Control: no-store; errors are {"errors": [{field, code,
message}]}.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from common.api_errors import api_error_response, api_response
from common.payloads import escape_text
from common.ratelimit import rate_limit_hit
from orders.api.fields import MAX_LENGTH, id_is_valid
from orders.api.handlers import website_order_receive
from orders.api.openapi import openapi_document
from orders.api.selectors import website_order_status
from orders.models import Website
from orders.services.website_requests import MAX_BODY_BYTES
from orders.services.websites import website_authenticate

ApiView = Callable[..., HttpResponse]


def api_error(
    status: int, code: str, message: str, field: str | None = None, **headers: str
) -> JsonResponse:
    return api_error_response(status, code, message, field, **headers)


def api_key_of(request: HttpRequest) -> str:
    """The key from `Authorization: Bearer <key>` or `X-Api-Key: <key>` ("" when neither)."""
    authorization = request.headers.get("Authorization", "")
    scheme, _sep, token = authorization.strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.headers.get("X-Api-Key", "").strip()


def api_endpoint(*methods: str, authenticated: bool = True) -> Callable[[ApiView], ApiView]:
    """JSON 405 for other methods, then JSON 401 unless the key belongs to an active website
    (passed to the view as `website`)."""

    def decorator(view: ApiView) -> ApiView:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                return api_error(
                    405,
                    "method_not_allowed",
                    _("Use %(methods)s for this endpoint.") % {"methods": ", ".join(methods)},
                    Allow=", ".join(methods),
                )
            if authenticated:
                website = website_authenticate(api_key_of(request))
                if website is None:
                    return api_error(
                        401,
                        "unauthorized",
                        _("Send a valid API key in Authorization: Bearer <key> or X-Api-Key."),
                        WWW_Authenticate='Bearer realm="api"',
                    )
                verdict = rate_limit_hit(
                    key=f"api:website:{website.pk}",
                    limit=settings.API_RATE_LIMIT_PER_MINUTE,
                    window=60,
                )
                if not verdict.allowed:
                    return api_error(
                        429,
                        "rate_limited",
                        _("Too many requests; try again in %(seconds)d seconds.")
                        % {"seconds": verdict.retry_after},
                        Retry_After=str(verdict.retry_after),
                    )
                kwargs["website"] = website
            return view(request, *args, **kwargs)

        return csrf_exempt(login_not_required(wrapper))

    return decorator


def _absolute(request: HttpRequest, body: dict[str, Any]) -> dict[str, Any]:
    if "url" in body:
        body = {**body, "url": request.build_absolute_uri(body["url"])}
    return body


@api_endpoint("POST")
def order_create(request: HttpRequest, website: Website) -> HttpResponse:
    # Read at most one byte past the limit: a huge body is refused without being held.
    raw_body = request.read(MAX_BODY_BYTES + 1)
    status, body = website_order_receive(website=website, raw_body=raw_body)
    body = _absolute(request, body)
    if status == 201:
        return api_response(status, body, Location=body["url"])
    return api_response(status, body)


@api_endpoint("GET")
def order_status(request: HttpRequest, external_id: str, website: Website) -> HttpResponse:
    # An id the API never accepts (too long, NUL, other characters) is no order: not looked up.
    status = (
        website_order_status(website=website, external_id=external_id)
        if id_is_valid(external_id)
        else None
    )
    if status is None:
        return api_error(
            404,
            "not_found",
            _("No order of this website has the id %(id)s.")
            % {"id": escape_text(external_id[: MAX_LENGTH["id"]])},
        )
    return api_response(200, status)


@api_endpoint("GET", authenticated=False)
def openapi(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri(reverse("api:order_create")).removesuffix("/orders")
    return api_response(200, openapi_document(server_url=base))
