"""Reads of the website API and its staff pages.

Shipments: the orders app knows nothing of carriers (shipping/ sits above it). An app above
registers a provider in its AppConfig.ready() and the status endpoint lists what it returns:

    register_shipment_provider(shipments_for_order)

A provider takes an Order and returns a list of dicts with the keys of the OpenAPI Shipment
schema: carrier, tracking_number, status, tracking_url (None when unknown).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from common.money import quantize
from orders.models import ApiRequestOutcome, Channel, Order, Website, WebsiteRequest

ShipmentProvider = Callable[[Order], list[dict[str, Any]]]

_shipment_providers: list[ShipmentProvider] = []

RECENT_DAYS = 7


def register_shipment_provider(provider: ShipmentProvider) -> ShipmentProvider:
    if provider not in _shipment_providers:
        _shipment_providers.append(provider)
    return provider


def unregister_shipment_provider(provider: ShipmentProvider) -> None:
    if provider in _shipment_providers:
        _shipment_providers.remove(provider)


def _when(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def website_order_status(*, website: Website, external_id: str) -> dict[str, Any] | None:
    """What the website may read about its own order, or None (not one of its orders)."""
    order = (
        Order.objects.filter(
            channel=Channel.WEBSITE,
            channel_account=website.code,
            external_number=external_id,
        )
        .only(
            "pk",
            "number",
            "external_number",
            "status",
            "payment_status",
            "total",
            "paid_amount",
            "refunded_amount",
            "currency",
            "created_at",
            "updated_at",
            "confirmed_at",
            "shipped_at",
            "completed_at",
            "cancelled_at",
            "returned_at",
        )
        .first()
    )
    if order is None:
        return None
    shipments = [s for provider in list(_shipment_providers) for s in provider(order)]
    return {
        "id": order.external_number,
        "number": order.number,
        "status": order.status,
        "payment_status": order.payment_status,
        "total": str(quantize(order.total, order.currency)),
        "paid": str(quantize(order.paid_amount, order.currency)),
        "refunded": str(quantize(order.refunded_amount, order.currency)),
        "currency": order.currency,
        "created_at": _when(order.created_at),
        "updated_at": _when(order.updated_at),
        "confirmed_at": _when(order.confirmed_at),
        "shipped_at": _when(order.shipped_at),
        "completed_at": _when(order.completed_at),
        "cancelled_at": _when(order.cancelled_at),
        "returned_at": _when(order.returned_at),
        "shipments": shipments,
    }


def website_list(*, now: datetime | None = None) -> list[Website]:
    """Every website with `rejected_recent`: its rejected requests of the last 7 days."""
    since = (now or timezone.now()) - timedelta(days=RECENT_DAYS)
    return list(
        Website.objects.select_related("warehouse")
        .annotate(
            rejected_recent=Count(
                "requests",
                filter=Q(
                    requests__outcome=ApiRequestOutcome.REJECTED,
                    requests__received_at__gte=since,
                ),
            )
        )
        .order_by("name", "id")
    )


def website_detail(*, website_id: int) -> Website:
    """Raises Website.DoesNotExist."""
    return Website.objects.select_related("warehouse", "created_by").get(pk=website_id)


def website_requests(*, website_id: int, outcome: str = "") -> QuerySet[WebsiteRequest]:
    """The website's request log, newest first (index orders_webreq_website_idx)."""
    qs = WebsiteRequest.objects.filter(website_id=website_id)
    if outcome:
        qs = qs.filter(outcome=outcome)
    return qs.select_related("order").order_by("-received_at", "-id")


def website_request(*, request_id: int) -> WebsiteRequest:
    """Raises WebsiteRequest.DoesNotExist."""
    return WebsiteRequest.objects.select_related("order", "website").get(pk=request_id)
