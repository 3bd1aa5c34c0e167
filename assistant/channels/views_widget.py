"""PUBLIC: the website chat widget's JSON endpoint, called from the shop's own site.

    POST /assistant/widget/<key>/messages/   {"text": "...", "client_id": "..."}
        -> 200 {"token", "messages": [...the visitor's message and the answer...]}
    GET  /assistant/widget/<key>/messages/?after=<id>   -> 200 {"messages": [...]}
The visitor's token travels in `X-Visitor-Token` (issued with the first answer). Requests from
an origin the shop did not allow get 403; CORS headers name the calling origin only when it is
allowed (and the preflight OPTIONS answers the same). Too many messages: 429 + Retry-After.
Errors are JSON {"error": {"code", "message"}} with the message in the visitor's language.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import pgettext
from django.views.decorators.csrf import csrf_exempt

from assistant.channels import widget
from assistant.channels.models import ChatAccount
from assistant.channels.selectors import widget_messages


def _cors(response: HttpResponse, origin: str) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = origin
    response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type, X-Visitor-Token"
    response["Access-Control-Max-Age"] = "600"
    response["Vary"] = "Origin"
    response["Cache-Control"] = "no-store"
    return response


def _error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def _request_origin(request: HttpRequest) -> str:
    """The calling page's origin. A browser sends no Origin on a same-origin GET (the widget on
    one of the CRM's own pages, such as its demo page): then the fetch metadata says so and the
    origin is the CRM's own, still to be allowed by the account like any other."""
    origin = request.headers.get("Origin", "")
    if not origin and request.headers.get("Sec-Fetch-Site", "") == "same-origin":
        origin = f"{request.scheme}://{request.get_host()}"
    return origin


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


@csrf_exempt
@login_not_required
def widget_messages_view(request: HttpRequest, key: str) -> HttpResponse:
    account = widget.widget_account(key)
    origin = _request_origin(request)
    if account is None:
        return _error("unknown_widget", pgettext("chat widget", "This chat is not available."), 404)
    if not widget.origin_allowed(account, origin):
        refused = _error(
            "origin_not_allowed",
            pgettext("chat widget", "This site may not use the shop's chat."),
            403,
        )
        refused["Vary"] = "Origin"
        return refused
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204), origin)
    if request.method == "GET":
        return _cors(_poll(request, account), origin)
    if request.method == "POST":
        return _cors(_post(request, account), origin)
    return _cors(_error("method_not_allowed", "GET, POST, OPTIONS", 405), origin)


def _poll(request: HttpRequest, account: ChatAccount) -> HttpResponse:
    visitor = widget.visitor_from_token(account, request.headers.get("X-Visitor-Token", ""))
    if visitor is None:
        return JsonResponse({"messages": []})
    try:
        after = int(request.GET.get("after", "0") or 0)
    except ValueError:
        return _error("bad_after", pgettext("chat widget", "after must be a message number."), 400)
    return JsonResponse({"messages": widget_messages(visitor=visitor, after_id=after)})


def _payload(request: HttpRequest) -> dict[str, Any] | None:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _post(request: HttpRequest, account: ChatAccount) -> HttpResponse:
    token = request.headers.get("X-Visitor-Token", "")
    visitor = widget.visitor_from_token(account, token)
    if visitor is None:  # a new visitor: the first message counts against its own limit too
        visitor, token = widget.visitor_token_issue(account)
    verdict = widget.rate_limit(account=account, visitor=visitor, ip=_client_ip(request))
    if not verdict.allowed:
        limited = _error(
            "rate_limited",
            pgettext("chat widget", "Too many messages. Please wait %(seconds)d seconds.")
            % {"seconds": verdict.retry_after},
            429,
        )
        limited["Retry-After"] = str(verdict.retry_after)
        return limited
    data = _payload(request)
    text = data.get("text") if data is not None else None
    if not isinstance(text, str) or not text.strip():
        return _error("empty", pgettext("chat widget", "Please type a message."), 400)
    if len(text) > widget.MAX_TEXT:
        return _error(
            "too_long",
            pgettext("chat widget", "The message is longer than %(n)d characters.")
            % {"n": widget.MAX_TEXT},
            400,
        )
    client_id = data.get("client_id") if data is not None else ""
    widget.widget_message_receive(
        account=account,
        visitor=visitor,
        client_id=client_id if isinstance(client_id, str) else "",
        text=text.strip(),
        now=timezone.now(),
    )
    after = data.get("after", 0) if data is not None else 0
    after_id = after if isinstance(after, int) else 0
    return JsonResponse(
        {"token": token, "messages": widget_messages(visitor=visitor, after_id=after_id)}
    )
