"""PUBLIC: the platforms' push messages. No session, no CSRF (csrf_exempt), no sign-in
(login_not_required): the signature over the raw body is the credential.

Shopee wants a 2xx with an EMPTY body within 3 seconds, so the endpoint only verifies and
stores the raw body (webhook_receive), answers, and leaves the work to a worker, queued after
the commit: an order push joins its shop's drain (channels_sync.drain_webhooks, one task per
burst), any other push gets its own channels_sync.process_webhook. A wrong signature gets
401 with an empty body and a log line; nothing is stored for it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels_sync import tasks
from channels_sync.services.webhooks import webhook_receive

logger = logging.getLogger(__name__)


def registered_url(request: HttpRequest) -> str:
    """The URL the platform signs with: the one registered with it (SITE_URL + path),
    else the address this request came in on (development)."""
    if settings.SITE_URL:
        return settings.SITE_URL + request.path
    return request.build_absolute_uri()


def _empty(status: int) -> HttpResponse:
    response = HttpResponse(b"", status=status, content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response


def _receive(request: HttpRequest, platform: str) -> HttpResponse:
    payload = webhook_receive(
        platform=platform,
        url=registered_url(request),
        body=request.body,
        headers=dict(request.headers),
    )
    if payload is None:
        logger.warning(
            "%s push refused: bad signature (%d bytes from %s)",
            platform,
            len(request.body),
            request.META.get("REMOTE_ADDR", ""),
        )
        return _empty(401)
    tasks.enqueue_webhook(payload)
    return _empty(200)


@csrf_exempt
@login_not_required
@require_POST
def shopee_webhook(request: HttpRequest) -> HttpResponse:
    return _receive(request, "shopee")


@csrf_exempt
@login_not_required
@require_POST
def lazada_webhook(request: HttpRequest) -> HttpResponse:
    """Lazada: HTTP 200 within 500 ms (the same store-and-ack path; one push per order line,
    the drain fetches each order once)."""
    return _receive(request, "lazada")


@csrf_exempt
@login_not_required
@require_POST
def tiktok_webhook(request: HttpRequest) -> HttpResponse:
    """TikTok: 200 (401 on a bad signature) with an empty body within 3 seconds."""
    return _receive(request, "tiktok")
