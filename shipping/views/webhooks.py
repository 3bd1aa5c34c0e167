"""PUBLIC: the carriers' callbacks. No session, no CSRF, no sign-in: the account's webhook
secret is the credential (GHN: ?token= in the registered URL; Viettel Post: the body's TOKEN).

The body is stored raw first (callback_receive), the answer goes back at once and a worker
applies it (shipping.apply_callback, queued after the commit). A bad secret is stored as
"rejected" and answered 401; an unknown account 404.
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shipping import tasks
from shipping.models import CallbackResult, Carrier
from shipping.services.callbacks import callback_receive

logger = logging.getLogger(__name__)


def _receive(request: HttpRequest, carrier: str, account_id: int) -> HttpResponse:
    callback = callback_receive(
        carrier=carrier,
        account_id=account_id,
        body=request.body,
        headers=dict(request.headers),
        query={k: request.GET.get(k, "") for k in request.GET},
    )
    if callback is None:
        return JsonResponse({"ok": False}, status=404)
    if callback.result == CallbackResult.REJECTED:
        logger.warning(
            "%s callback %s refused: bad token (from %s)",
            carrier,
            callback.pk,
            request.META.get("REMOTE_ADDR", ""),
        )
        return JsonResponse({"ok": False}, status=401)
    tasks.enqueue(tasks.apply_callback, callback_id=callback.pk)
    return JsonResponse({"ok": True})


@csrf_exempt
@login_not_required
@require_POST
def ghn_webhook(request: HttpRequest, account_id: int) -> HttpResponse:
    return _receive(request, Carrier.GHN, account_id)


@csrf_exempt
@login_not_required
@require_POST
def viettel_post_webhook(request: HttpRequest, account_id: int) -> HttpResponse:
    return _receive(request, Carrier.VIETTEL_POST, account_id)
