"""Reads for the Marketplaces pages: payloads that need staff (quarantined, with the reason in
the reader's language) and orders sold beyond our stock (oversold: the red list), with the
counts for the menu badges. Every list has an explicit order with a unique tiebreaker and
selects what its rows show, so templates trigger no queries."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from channels_sync.errors import error_text
from channels_sync.models import ChannelOrder, InboundPayload, PayloadStatus
from orders import transitions as t


def quarantined_payloads(*, account_id: int | None = None) -> QuerySet[InboundPayload]:
    """Quarantined payloads, newest first, with their shop and order (if any)."""
    qs = InboundPayload.objects.filter(status=PayloadStatus.QUARANTINED).select_related(
        "account", "order"
    )
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    return qs.order_by("-received_at", "-pk")


def payload_reason_text(payload: InboundPayload) -> str:
    """Why the payload is quarantined (or what was noted), in the active language."""
    params = payload.reason_params if isinstance(payload.reason_params, dict) else {}
    return error_text(payload.reason, params) if payload.reason else ""


def oversold_orders(*, account_id: int | None = None) -> QuerySet[ChannelOrder]:
    """Marketplace orders flagged oversold and still not reserved (new: staff may have
    confirmed one by hand since), oldest first: the ones waiting longest come first. Rows
    carry the order, its customer and shop."""
    qs = ChannelOrder.objects.filter(oversold=True, order__status=t.NEW).select_related(
        "account", "order", "order__customer"
    )
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    return qs.order_by("created_at", "pk")


def quarantine_count(*, account_id: int | None = None) -> int:
    return quarantined_payloads(account_id=account_id).order_by().count()


def oversold_count(*, account_id: int | None = None) -> int:
    return oversold_orders(account_id=account_id).order_by().count()


def attention_counts() -> dict[int, tuple[int, int]]:
    """Per shop id: (quarantined payloads, oversold orders), for the badges on the shop list;
    shops with neither are absent. Two grouped queries."""
    counts: dict[int, tuple[int, int]] = {}
    payloads = (
        InboundPayload.objects.filter(status=PayloadStatus.QUARANTINED, account__isnull=False)
        .values("account_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in payloads:
        counts[row["account_id"]] = (row["n"], 0)
    oversold = (
        ChannelOrder.objects.filter(oversold=True, order__status=t.NEW)
        .values("account_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in oversold:
        quarantined, _zero = counts.get(row["account_id"], (0, 0))
        counts[row["account_id"]] = (quarantined, row["n"])
    return counts
