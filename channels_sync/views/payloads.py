"""What needs staff: quarantined payloads (re-apply in one click, the payload as received)
and orders paid on the platform that our stock could not cover."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from channels_sync.forms import ScopeForm
from channels_sync.models import ChannelAccount, InboundPayload
from channels_sync.selectors import accounts as selectors
from channels_sync.selectors.quarantine import payload_reason_text, quarantined_payloads
from channels_sync.services.apply import payload_reapply as reapply
from channels_sync.views.common import PERM, account_or_404
from common.auth import require_perm
from common.forms import parse_query
from common.htmx import is_htmx, render_partial_or_page
from common.pagination import paginate

PER_PAGE = 50
SHOWN_BODY_CHARS = 50_000


def _scope(request: HttpRequest) -> tuple[Any, ChannelAccount | None, int]:
    parsed = parse_query(ScopeForm, request.GET)
    shop_id = parsed.values["shop"]
    account = account_or_404(shop_id) if shop_id else None
    return parsed.form, account, parsed.values["page"] or 1


def _decorate(payload: InboundPayload) -> InboundPayload:
    payload.reason_text = payload_reason_text(payload)  # type: ignore[attr-defined]
    return payload


@require_GET
@require_perm(PERM)
def quarantine_list(request: HttpRequest) -> HttpResponse:
    form, account, number = _scope(request)
    page = paginate(
        quarantined_payloads(account_id=account.pk if account else None),
        page=number,
        per_page=PER_PAGE,
    )
    items = [_decorate(p) for p in page.items]
    return render_partial_or_page(
        request,
        "channels_sync/quarantine_list.html",
        {"account": account, "filters": form, "page": page, "items": items},
        partial="quarantine-table",
        target="quarantine-table",
    )


def _payload_or_404(pk: int) -> InboundPayload:
    try:
        return selectors.payload_get(payload_id=pk)
    except InboundPayload.DoesNotExist:
        raise Http404 from None


@require_POST
@require_perm(PERM)
def payload_reapply(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Re-apply": htmx swaps the row with its new state; without htmx, back to the list."""
    payload = _payload_or_404(pk)
    reapply(payload_id=payload.pk, user_id=int(request.user.pk or 0))
    payload = _decorate(_payload_or_404(pk))
    if is_htmx(request):
        response = render(
            request, "channels_sync/quarantine_list.html#payload-row", {"item": payload}
        )
        # The sidebar's badge counts again.
        return trigger_client_event(response, "marketplace-changed")
    return redirect("channels_sync:quarantine_list")


@require_GET
@require_perm(PERM)
def payload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    payload = _decorate(_payload_or_404(pk))
    body = selectors.payload_pretty(payload)
    return render(
        request,
        "channels_sync/payload_detail.html",
        {
            "item": payload,
            "body": body[:SHOWN_BODY_CHARS],
            "body_cut": len(body) > SHOWN_BODY_CHARS,
        },
    )


@require_GET
@require_perm(PERM)
def oversold_list(request: HttpRequest) -> HttpResponse:
    form, account, number = _scope(request)
    page = paginate(
        selectors.orders_oversold(account_id=account.pk if account else None),
        page=number,
        per_page=PER_PAGE,
    )
    return render_partial_or_page(
        request,
        "channels_sync/oversold_list.html",
        {"account": account, "filters": form, "page": page},
        partial="oversold-table",
        target="oversold-table",
    )
