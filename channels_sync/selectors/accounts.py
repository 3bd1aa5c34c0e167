"""Reads for the Marketplaces pages: apps, shops with their health figures, the quarantined
payloads, the oversold orders and the shop's unlinked listings. Each list runs a fixed number
of queries (templates never query) with an explicit order and a unique tiebreaker."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from channels_sync.models import (
    ChannelAccount,
    ChannelApp,
    ChannelOrder,
    InboundPayload,
    Listing,
    PayloadStatus,
)
from channels_sync.selectors.quarantine import oversold_count, quarantine_count
from common import markers

EXPIRY_WARNING = timedelta(days=7)  # expiry dates closer than this are shown red


def app_list() -> list[ChannelApp]:
    return list(
        ChannelApp.objects.only("pk", "platform", "name", "app_key", "api_base_url", "created_at")
        .annotate(shop_count=Count("accounts"))
        .order_by("platform", "name", "pk")
    )


def app_get(*, app_id: int) -> ChannelApp:
    return ChannelApp.objects.get(pk=app_id)


def _count_of(model: type, **filters: object) -> Subquery:
    rows = (
        model.objects.filter(account_id=OuterRef("pk"), **filters)  # type: ignore[attr-defined]
        .order_by()
        .values("account_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)  # type: ignore[return-value]


def accounts_with_figures() -> QuerySet[ChannelAccount]:
    return (
        ChannelAccount.objects.select_related("app", "warehouse")
        .defer("access_token", "refresh_token", "app__app_secret", "app__push_secret")
        .annotate(
            quarantined=_count_of(InboundPayload, status=PayloadStatus.QUARANTINED),
            oversold=_count_of(ChannelOrder, oversold=True),
        )
    )


def account_list() -> list[ChannelAccount]:
    return list(accounts_with_figures().order_by("platform", "name", "pk"))


def account_get(*, account_id: int) -> ChannelAccount:
    account: ChannelAccount = accounts_with_figures().get(pk=account_id)
    return account


def expiry_is_near(at: datetime | None, *, now: datetime | None = None) -> bool:
    """True when `at` (an access token or authorisation expiry) is less than 7 days away."""
    if at is None:
        return False
    return at - (now or timezone.now()) < EXPIRY_WARNING


def attention_count() -> int:
    """Quarantined payloads + oversold orders, every shop: the sidebar badge."""
    return quarantine_count() + oversold_count()


def payload_get(*, payload_id: int) -> InboundPayload:
    payload: InboundPayload = InboundPayload.objects.select_related("account").get(pk=payload_id)
    return payload


def payload_pretty(payload: InboundPayload) -> str:
    """The body as received, indented when it is JSON (as received otherwise)."""
    try:
        return json.dumps(json.loads(payload.body), ensure_ascii=False, indent=2)
    except ValueError:
        return payload.body


def orders_oversold(*, account_id: int | None = None) -> QuerySet[ChannelOrder]:
    qs = ChannelOrder.objects.filter(oversold=True)
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    today = timezone.localdate()
    return (
        qs.select_related("account", "order", "order__customer")
        .only(
            "pk",
            "external_id",
            "platform_status",
            "created_at",
            "account__id",
            "account__name",
            "account__code",
            "account__platform",
            "order__id",
            "order__number",
            "order__status",
            "order__total",
            "order__currency",
            "order__followup_state",
            "order__next_contact_at",
            "order__customer__name",
        )
        .annotate(
            marker=markers.marker_expression(
                today=today, state_field="order__followup_state", at_field="order__next_contact_at"
            )
        )
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class ListingCounts:
    total: int
    unlinked: int


def listings_unlinked(*, account_id: int, q: str = "") -> QuerySet[Listing]:
    qs = Listing.objects.filter(account_id=account_id, variant__isnull=True).exclude(
        status=Listing.Status.DELETED
    )
    if q:
        qs = qs.filter(Q(seller_sku__icontains=q) | Q(name__icontains=q) | Q(item_id=q))
    return qs.order_by("seller_sku", "item_id", "model_id", "pk")


def listing_counts(*, account_id: int) -> ListingCounts:
    figures = Listing.objects.filter(account_id=account_id).aggregate(
        total=Count("pk"), unlinked=Count("pk", filter=Q(variant__isnull=True))
    )
    return ListingCounts(total=figures["total"], unlinked=figures["unlinked"])
