"""What the order services share: limits, the state error, the payment status rule, the
OrderEvent row, the status signal after commit, warehouse checks, the order row lock, search text
and reserving stock for an order in one batch (or OrderStockShort listing every short SKU)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from common.money import quantize
from common.text import fold
from inventory.errors import InsufficientStock
from inventory.models import StockLevel, Variant, Warehouse
from inventory.services.stock import Source, StockChange, stock_apply
from orders.errors import OrderError, OrderStateError, OrderStockShort, Shortage
from orders.models import (
    EventKind,
    Order,
    OrderEvent,
    OrderStatus,
    PaymentStatus,
    collected_amount,
)
from orders.services.customers import phone_from_e164
from orders.signals import order_status_changed

MAX_VAT_RATE = Decimal(100)
MAX_QUANTITY = 100_000
MAX_LINES = 500


def _status_label(status: str) -> str:
    return str(OrderStatus(status).label)


def state_error(*, number: str, status: str, action: str) -> OrderStateError:
    return OrderStateError(number=number, status_label=_status_label(status), action=action)


def payment_status_for(
    *, total: Decimal, paid: Decimal, refunded: Decimal, payment_method: str = ""
) -> str:
    """`paid` is what was recorded; an order paid on the marketplace counts its total as paid
    (orders.models.collected_amount)."""
    paid = collected_amount(payment_method=payment_method, total=total, paid=paid)
    if refunded > 0:
        return PaymentStatus.REFUNDED if refunded >= paid else PaymentStatus.PARTIALLY_REFUNDED
    if paid >= total:
        return PaymentStatus.PAID
    if paid <= 0:
        return PaymentStatus.UNPAID
    return PaymentStatus.PARTIALLY_PAID


def money_data(value: Decimal, currency: str) -> str:
    """Money in event data: the exact amount in the currency's precision, as a string."""
    return str(quantize(value, currency))


def stock_source(order: Order) -> Source:
    return Source("order", str(order.pk), order.number)


def event_add(
    order: Order,
    kind: str,
    *,
    user_id: int | None,
    now: datetime,
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        data=data or {},
        user_id=user_id,
        created_at=now,
    )


def status_announce(order_id: int, from_status: str, to_status: str) -> None:
    transaction.on_commit(
        lambda: order_status_changed.send(
            sender=Order, order_id=order_id, from_status=from_status, to_status=to_status
        )
    )


def status_record(
    order: Order, previous: str, *, user_id: int | None, now: datetime, data: dict[str, Any]
) -> None:
    """The status change's event row (who, when, from, to, what moved) and its after-commit
    announcement: the last step of every transition."""
    event_add(
        order,
        EventKind.STATUS_CHANGED,
        user_id=user_id,
        now=now,
        from_status=previous,
        to_status=order.status,
        data=data,
    )
    status_announce(order.pk, previous, order.status)


def warehouse_check(warehouse_id: int) -> Warehouse:
    warehouse = Warehouse.objects.filter(pk=warehouse_id).first()
    if warehouse is None:
        raise OrderError(_("Choose a warehouse."))
    if not warehouse.is_active:
        raise OrderError(_("The warehouse %(code)s is inactive.") % {"code": warehouse.code})
    return warehouse


def order_search_text(
    *, number: str, external_number: str, names: Sequence[str], phones: Sequence[str]
) -> str:
    """What order search matches: folded number and names, then phone digits."""
    words = fold(" ".join(p for p in (number, external_number, *names) if p))
    digits = " ".join(phone_from_e164(e164).search_digits for e164 in phones if e164)
    return f"{words} {digits}".strip()


def order_search_refresh(order: Order, *, primary_phone: str | None = None) -> None:
    """`primary_phone`: the customer's primary phone ("" none) when the caller knows it
    (None: read here)."""
    customer = order.customer
    primary = (
        customer.phones.filter(is_primary=True).values_list("e164", flat=True).first()
        if primary_phone is None
        else primary_phone
    )
    order.search_text = order_search_text(
        number=order.number,
        external_number=order.external_number,
        names=[order.ship_name, customer.name]
        if order.ship_name != customer.name
        else [order.ship_name],
        phones=sorted({p for p in (order.ship_phone, primary or "") if p}),
    )


def order_locked(order_id: int) -> Order:
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        raise OrderError(_("This order does not exist."))
    return order


def units_by_variant(pairs: Iterable[tuple[int, int]]) -> dict[int, int]:
    totals: dict[int, int] = defaultdict(int)
    for variant_id, quantity in pairs:
        totals[variant_id] += quantity
    return {v: q for v, q in totals.items() if q}


def _shortages(
    needed: dict[int, int], *, warehouse_id: int, fallback: InsufficientStock
) -> list[Shortage]:
    """Every SKU of `needed` (variant -> units to reserve) that the warehouse cannot cover."""
    available = {
        variant_id: on_hand - reserved
        for variant_id, on_hand, reserved in StockLevel.objects.filter(
            warehouse_id=warehouse_id, variant_id__in=list(needed)
        ).values_list("variant_id", "on_hand", "reserved")
    }
    skus = dict(Variant.objects.filter(pk__in=list(needed)).values_list("pk", "sku"))
    short = [
        Shortage(
            variant_id=variant_id,
            sku=skus.get(variant_id, str(variant_id)),
            requested=units,
            available=available.get(variant_id, 0),
        )
        for variant_id, units in sorted(needed.items(), key=lambda kv: skus.get(kv[0], ""))
        if units > available.get(variant_id, 0)
    ]
    if short:
        return short
    # Stock came back between the refusal and this read: report what was refused.
    variant_id = next((v for v, sku in skus.items() if sku == fallback.sku), 0)
    return [
        Shortage(
            variant_id=variant_id,
            sku=fallback.sku,
            requested=fallback.requested,
            available=fallback.available,
        )
    ]


def reservations_apply(
    order: Order,
    needed: dict[int, int],
    *,
    warehouse_id: int,
    user_id: int | None,
    now: datetime,
    releases: Sequence[StockChange] = (),
) -> None:
    """Reserve `needed` (and apply `releases`) in one batch, or raise OrderStockShort."""
    changes = [*releases, *(StockChange.reserve(v, warehouse_id, q) for v, q in needed.items())]
    changes.sort(key=lambda c: c.sort_key)  # ledger rows per variant, in variant order
    if not changes:
        return
    try:
        stock_apply(changes=changes, user_id=user_id, source=stock_source(order), now=now)
    except InsufficientStock as refused:
        code = Warehouse.objects.filter(pk=warehouse_id).values_list("code", flat=True).first()
        raise OrderStockShort(
            number=order.number,
            warehouse=code or str(warehouse_id),
            shortages=_shortages(needed, warehouse_id=warehouse_id, fallback=refused),
        ) from None
