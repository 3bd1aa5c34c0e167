"""PUBLIC: the chat platforms' webhooks. No session, no CSRF, no sign-in: the signature over
the raw body is the credential (a bad one: 401, logged, nothing stored).

Messenger also answers its subscription handshake (GET with hub.mode=subscribe,
hub.verify_token and hub.challenge: the challenge echoed when the token is one of our
Messenger accounts' verify tokens, else 403). Each POST is answered at once (Messenger wants a
200 within 20 s, LINE within 1 s); the answer to the customer goes out from a worker.
"""

from __future__ import annotations

import hmac
import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from assistant.channels.inbound import BodyError
from assistant.channels.models import ChatAccount, Platform
from assistant.channels.services import webhook_receive

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024


def _plain(text: str, status: int) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


def _receive(request: HttpRequest, platform: str) -> HttpResponse:
    if len(request.body) > MAX_BODY:
        return _plain("", 413)
    try:
        received = webhook_receive(
            platform=platform, body=request.body, headers=request.headers, now=timezone.now()
        )
    except BodyError as error:
        log.warning("%s webhook refused: %s", platform, error)
        return _plain("", 400)
    if received is None:
        log.warning(
            "%s webhook refused: bad signature from %s",
            platform,
            request.META.get("REMOTE_ADDR", ""),
        )
        return _plain("", 401)
    return _plain("EVENT_RECEIVED" if platform == Platform.MESSENGER else "", 200)


def _handshake(request: HttpRequest) -> HttpResponse:
    mode = request.GET.get("hub.mode", "")
    token = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    if mode == "subscribe" and token:
        for account in ChatAccount.objects.filter(platform=Platform.MESSENGER, active=True):
            if account.verify_token and hmac.compare_digest(account.verify_token, token):
                return _plain(challenge, 200)
    log.warning("messenger handshake refused (mode %r)", mode)
    return _plain("", 403)


@csrf_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
def messenger_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _handshake(request)
    return _receive(request, Platform.MESSENGER)


@csrf_exempt
@login_not_required
@require_POST
def zalo_webhook(request: HttpRequest) -> HttpResponse:
    return _receive(request, Platform.ZALO)


@csrf_exempt
@login_not_required
@require_POST
def line_webhook(request: HttpRequest) -> HttpResponse:
    return _receive(request, Platform.LINE)
