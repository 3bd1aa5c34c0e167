"""Reads for the order detail page and the return form.

`order_detail` loads everything the page shows in a fixed number of queries, whatever the
number of lines, events, payments or returns: the order with its customer, warehouse and
creator; the customer's phones; the lines; the events with their users; the payments; the
returns with their lines; the return an exchange order was made for; and the names the
history needs (warehouse codes, customer names mentioned by edits).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from common.money import quantize
from inventory.models import Variant, Warehouse
from inventory.selectors.stock import available_in_warehouse
from orders.errors import Shortage
from orders.history import HistoryEntry, describe_event
from orders.models import (
    Customer,
    CustomerPhone,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    Return,
    ReturnLine,
)
from orders.services.amounts import returned_units_net


@dataclass(frozen=True)
class OrderDetail:
    order: Order
    lines: list[OrderLine]
    phones: list[CustomerPhone]
    payments: list[Payment]
    returns: list[Return]
    history: list[HistoryEntry]
    exchange_for: list[Return] = field(default_factory=list)

    @property
    def net_received(self) -> Decimal:
        """Money kept from the buyer: received minus refunded."""
        return self.order.paid_amount - self.order.refunded_amount

    @property
    def returnable_lines(self) -> list[OrderLine]:
        return [line for line in self.lines if line.quantity_returnable > 0]


def _order_queryset() -> QuerySet[Order]:
    return Order.objects.select_related(
        "customer", "warehouse", "created_by", "invoice_request"
    ).prefetch_related(
        Prefetch(
            "customer__phones",
            queryset=CustomerPhone.objects.order_by("-is_primary", "pk"),
            to_attr="phone_list",
        ),
        Prefetch("lines", queryset=OrderLine.objects.order_by("pk"), to_attr="line_list"),
        Prefetch(
            "events",
            queryset=OrderEvent.objects.select_related("user").order_by("-created_at", "-pk"),
            to_attr="event_list",
        ),
        Prefetch(
            "payments",
            queryset=Payment.objects.select_related("created_by", "order_return").order_by(
                "paid_at", "pk"
            ),
            to_attr="payment_list",
        ),
        Prefetch(
            "returns",
            queryset=Return.objects.select_related("exchange_order", "created_by")
            .prefetch_related(
                Prefetch(
                    "lines",
                    queryset=ReturnLine.objects.select_related("order_line", "warehouse").order_by(
                        "pk"
                    ),
                    to_attr="line_list",
                )
            )
            .order_by("pk"),
            to_attr="return_list",
        ),
        Prefetch(
            "exchange_for",
            queryset=Return.objects.select_related("order").order_by("pk"),
            to_attr="exchange_for_list",
        ),
    )


def _ids_in_events(events: Iterable[OrderEvent]) -> tuple[set[int], set[int]]:
    """Warehouse and customer ids that the events' data mention."""
    warehouses: set[int] = set()
    customers: set[int] = set()
    for event in events:
        data: dict[str, Any] = event.data if isinstance(event.data, dict) else {}
        if event.kind == OrderEvent.Kind.EDITED:
            for value in data.get("warehouse") or ():
                if isinstance(value, int):
                    warehouses.add(value)
            for value in data.get("customer") or ():
                if isinstance(value, int):
                    customers.add(value)
        elif event.kind == OrderEvent.Kind.RETURN:
            for line in data.get("lines") or ():
                if isinstance(line, dict) and isinstance(line.get("warehouse_id"), int):
                    warehouses.add(line["warehouse_id"])
    return warehouses, customers


def order_detail(*, order_id: int) -> OrderDetail:
    """Everything the order page shows; Order.DoesNotExist when there is no such order."""
    order = _order_queryset().get(pk=order_id)
    events: list[OrderEvent] = order.event_list  # type: ignore[attr-defined]
    warehouse_ids, customer_ids = _ids_in_events(events)
    if order.warehouse_id is not None:
        warehouse_ids.discard(order.warehouse_id)
    warehouses: dict[int, str] = {}
    if order.warehouse is not None:
        warehouses[order.warehouse.pk] = order.warehouse.code
    if warehouse_ids:
        warehouses.update(Warehouse.objects.filter(pk__in=warehouse_ids).values_list("pk", "code"))
    customers: dict[int, str] = {order.customer.pk: order.customer.name}
    customer_ids.discard(order.customer.pk)
    if customer_ids:
        customers.update(Customer.objects.filter(pk__in=customer_ids).values_list("pk", "name"))
    history = [
        describe_event(event, currency=order.currency, warehouses=warehouses, customers=customers)
        for event in events
    ]
    return OrderDetail(
        order=order,
        lines=order.line_list,  # type: ignore[attr-defined]
        phones=order.customer.phone_list,  # type: ignore[attr-defined]
        payments=order.payment_list,  # type: ignore[attr-defined]
        returns=order.return_list,  # type: ignore[attr-defined]
        history=history,
        exchange_for=order.exchange_for_list,  # type: ignore[attr-defined]
    )


def order_shortages(*, order: Order, lines: Iterable[OrderLine]) -> list[Shortage]:
    """The SKUs of `lines` that the order's warehouse cannot reserve now (needed > available),
    by SKU. Empty when there is no warehouse or nothing is short."""
    if order.warehouse_id is None:
        return []
    needed: dict[int, int] = {}
    skus: dict[int, str] = {}
    for line in lines:
        needed[line.variant_id] = needed.get(line.variant_id, 0) + line.quantity
        skus.setdefault(line.variant_id, line.sku)
    available = available_in_warehouse(warehouse_id=order.warehouse_id, variant_ids=needed)
    return sorted(
        (
            Shortage(
                variant_id=variant_id,
                sku=skus[variant_id],
                requested=units,
                available=max(available.get(variant_id, 0), 0),
            )
            for variant_id, units in needed.items()
            if units > available.get(variant_id, 0)
        ),
        key=lambda s: (s.sku, s.variant_id),
    )


def variants_without_supplier(*, variant_ids: Iterable[int]) -> list[str]:
    """SKUs among `variant_ids` with no active preferred supplier (a PO needs one chosen)."""
    return sorted(
        Variant.objects.filter(pk__in=list(variant_ids))
        .exclude(preferred_supplier__is_active=True)
        .values_list("sku", flat=True)
    )


def return_form_lines(*, order_id: int) -> tuple[Order, list[OrderLine]]:
    """The order (with its warehouse) and its lines, for the return form."""
    order = (
        Order.objects.select_related("warehouse", "customer")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("pk"), to_attr="line_list")
        )
        .get(pk=order_id)
    )
    lines: list[OrderLine] = order.line_list
    return order, lines


@dataclass(frozen=True)
class RefundSuggestion:
    goods: Decimal  # the returned units at their net price
    refundable: Decimal  # received on the order and not refunded yet
    suggested: Decimal  # what the refund field is filled with: goods, at most refundable


def refund_suggestion(
    *, order: Order, lines: Sequence[OrderLine], returning: Mapping[int, int]
) -> RefundSuggestion:
    """The refund the return page suggests for `returning` (order line id -> units, good and
    damaged together) on `order`'s `lines` (from return_form_lines; no query here).

    The shop's rule: the buyer gets back what the returned units were sold for, after the line
    discount and their share of the order discount (orders.services.amounts.returned_units_net),
    never more than was received and not yet refunded. The shipping fee is not refunded: the
    delivery took place; staff add it by hand when the shop is at fault (wrong or damaged goods).
    """
    goods = quantize(Decimal(0), order.currency)
    for line in lines:
        goods += returned_units_net(
            line_total=line.line_total,
            quantity=line.quantity,
            subtotal=order.subtotal,
            discount_total=order.discount_total,
            returned_before=line.quantity_returned,
            returning=returning.get(line.pk, 0),
            currency=order.currency,
        )
    refundable = max(order.paid_amount - order.refunded_amount, Decimal(0))
    return RefundSuggestion(goods=goods, refundable=refundable, suggested=min(goods, refundable))
