"""Reads for the shipping pages: accounts, an order's parcels with their events, the
shipments list."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from orders.models import Order
from shipping.models import CallbackResult, CarrierAccount, CarrierCallback, Shipment, ShipmentEvent


def account_list() -> list[CarrierAccount]:
    return list(
        CarrierAccount.objects.select_related("warehouse").order_by("carrier", "name", "id")
    )


def active_accounts() -> list[CarrierAccount]:
    return list(
        CarrierAccount.objects.filter(active=True)
        .select_related("warehouse")
        .order_by("carrier", "name", "id")
    )


def account_get(*, account_id: int) -> CarrierAccount:
    return CarrierAccount.objects.select_related("warehouse").get(pk=account_id)


@dataclass(frozen=True)
class OrderShipping:
    shipments: list[Shipment]  # newest first, each with .event_list (newest first)

    @property
    def open(self) -> Shipment | None:
        return next((s for s in self.shipments if s.is_open), None)


def order_shipping(*, order_id: int) -> OrderShipping:
    events = Prefetch(
        "events",
        queryset=ShipmentEvent.objects.order_by("-occurred_at", "-id"),
        to_attr="event_list",
    )
    rows = (
        Shipment.objects.filter(order_id=order_id)
        .select_related("account")
        .prefetch_related(events)
        .order_by("-created_at", "-id")
    )
    return OrderShipping(shipments=list(rows))


def shipment_get(*, shipment_id: int) -> Shipment:
    return Shipment.objects.select_related("account", "order").get(pk=shipment_id)


def shipment_list(
    *, needs_action: bool = False, state: str = "", query: str = ""
) -> QuerySet[Shipment]:
    """Parcels, newest first; `query` finds a tracking number, our reference or the order's
    number (what staff read off a label, a carrier's call or the order)."""
    rows = Shipment.objects.select_related("account", "order")
    text = query.strip()
    if text:
        rows = rows.filter(
            Q(tracking_number__iexact=text)
            | Q(reference__istartswith=text)
            | Q(order__number__istartswith=text)
        )
    if needs_action:
        rows = rows.filter(needs_action=True)
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("-created_at", "-id")


def needs_action_count() -> int:
    return Shipment.objects.filter(needs_action=True).count()


def order_for_panel(*, order_id: int) -> Order:
    return Order.objects.only(
        "id", "number", "status", "total", "paid_amount", "refunded_amount", "shipping_fee",
        "payment_method", "currency", "ship_scheme", "ship_province", "ship_district",
        "ship_ward", "ship_street", "ship_name", "ship_phone",
    ).get(pk=order_id)  # fmt: skip


def callback_list(*, result: str = CallbackResult.QUARANTINED) -> QuerySet[CarrierCallback]:
    rows = CarrierCallback.objects.select_related("account")
    if result:
        rows = rows.filter(result=result)
    return rows.order_by("-received_at", "-id")


def quarantined_callbacks_count() -> int:
    return CarrierCallback.objects.filter(result=CallbackResult.QUARANTINED).count()
