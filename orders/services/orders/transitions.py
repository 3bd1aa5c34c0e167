"""The status transitions of orders.transitions: confirm, ship, complete, cancel. Each moves the
status through status_move (one conditional UPDATE), touches stock, writes an OrderEvent and
announces the change after commit. Returns (orders.services.returns) move the status the same
way."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from common.money import quantize
from inventory.models import Variant
from inventory.services.stock import StockChange, stock_apply
from orders import transitions as t
from orders.errors import OrderError
from orders.models import Order, OrderLine, PaymentKind, PaymentMethod
from orders.services.customers import customer_totals_refresh
from orders.services.followup_summary import order_followup_summary_close
from orders.services.orders.core import (
    money_data,
    reservations_apply,
    state_error,
    status_record,
    stock_source,
    units_by_variant,
    warehouse_check,
)
from orders.services.orders.payments import payment_add
from orders.services.sales_rollup import sales_rollup_add_shipment
from orders.services.shortage import shortage_drafts_shrink


def status_move(*, order_id: int, action: str, stamp: str, now: datetime) -> tuple[Order, str]:
    """Move the status with a conditional UPDATE; return the order (now locked) and the status
    it came from. Raise OrderStateError when the action is not allowed or someone else moved
    the order first."""
    row = Order.objects.filter(pk=order_id).values_list("number", "status").first()
    if row is None:
        raise OrderError(_("This order does not exist."))
    number, current = row
    if not t.can(current, action):
        raise state_error(number=number, status=current, action=action)
    target = t.target_of(current, action)
    moved = Order.objects.filter(pk=order_id, status=current).update(
        status=target, updated_at=now, **{stamp: now}
    )
    if moved != 1:
        fresh = Order.objects.filter(pk=order_id).values_list("status", flat=True).first()
        raise state_error(number=number, status=fresh or current, action=action)
    order_followup_summary_close(order_id=order_id)  # only when the target is a closed one
    return Order.objects.get(pk=order_id), current


def order_confirm(*, order_id: int, user_id: int | None, now: datetime | None = None) -> Order:
    """new -> processing: reserve every line in the order's warehouse, in one batch.

    When stock is short, raises OrderStockShort listing every short SKU (requested, available)
    and changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        order, previous = status_move(
            order_id=order_id, action=t.CONFIRM, stamp="confirmed_at", now=now
        )
        if order.warehouse_id is None:
            raise OrderError(
                _("Choose the warehouse of order %(number)s before confirming it.")
                % {"number": order.number}
            )
        warehouse_check(order.warehouse_id)
        lines = list(order.lines.all())
        needed = units_by_variant((line.variant_id, line.quantity) for line in lines)
        reservations_apply(order, needed, warehouse_id=order.warehouse_id, user_id=user_id, now=now)
        OrderLine.objects.filter(order=order).update(quantity_reserved=F("quantity"))
        status_record(
            order,
            previous,
            user_id=user_id,
            now=now,
            data={"reserved": {line.sku: line.quantity for line in lines}},
        )
    return order


def order_ship(*, order_id: int, user_id: int | None, now: datetime | None = None) -> Order:
    """processing -> shipped: the reserved units leave the warehouse (shipment from reserved),
    and the order's sales enter the reports' rollup (orders.services.sales_rollup)."""
    now = now or timezone.now()
    with transaction.atomic():
        order, previous = status_move(order_id=order_id, action=t.SHIP, stamp="shipped_at", now=now)
        lines = list(order.lines.all())
        if order.warehouse_id is None or any(
            line.quantity_reserved != line.quantity for line in lines
        ):
            raise OrderError(
                _(
                    "The reservations of order %(number)s do not match its lines; edit the order "
                    "to reserve them again."
                )
                % {"number": order.number}
            )
        shipped = units_by_variant((line.variant_id, line.quantity_reserved) for line in lines)
        stock_apply(
            changes=[
                StockChange.ship(v, order.warehouse_id, q, from_reserved=True)
                for v, q in sorted(shipped.items())
            ],
            user_id=user_id,
            source=stock_source(order),
            now=now,
        )
        OrderLine.objects.filter(order=order).update(
            quantity_shipped=F("quantity"),
            quantity_reserved=0,
            unit_cost=Subquery(
                Variant.objects.filter(pk=OuterRef("variant_id")).values("cost_price")[:1]
            ),
        )
        sales_rollup_add_shipment(order_id=order.pk)
        customer_totals_refresh(customer_id=order.customer_id)
        status_record(
            order,
            previous,
            user_id=user_id,
            now=now,
            data={"shipped": {line.sku: line.quantity for line in lines}},
        )
    return order


def order_complete(
    *,
    order_id: int,
    user_id: int | None,
    amount: Decimal | None = None,
    paid_at: datetime | None = None,
    reference: str = "",
    now: datetime | None = None,
) -> Order:
    """shipped -> completed: the delivery is done and the money is in.

    Records what is still owed (or `amount`, e.g. a COD amount the carrier collected) as one
    Payment row (COD collected for COD orders, a payment otherwise), unless nothing is owed,
    updates the payment status and the customer's lifetime totals.
    """
    now = now or timezone.now()
    with transaction.atomic():
        order, previous = status_move(
            order_id=order_id, action=t.COMPLETE, stamp="completed_at", now=now
        )
        owed = order.total - order.paid_amount
        collect = owed if amount is None else quantize(amount, order.currency)
        if collect < 0:
            raise OrderError(_("An amount received cannot be negative."))
        data: dict[str, Any] = {}
        if collect > 0:
            payment = payment_add(
                order,
                kind=(
                    PaymentKind.COD_COLLECTED
                    if order.payment_method == PaymentMethod.COD
                    else PaymentKind.PAYMENT
                ),
                amount=collect,
                method=order.payment_method,
                paid_at=paid_at or now,
                reference=reference,
                user_id=user_id,
                now=now,
            )
            data["payment"] = {
                "kind": payment.kind,
                "amount": money_data(payment.amount, order.currency),
            }
        order.save(update_fields=["paid_amount", "payment_status"])
        customer_totals_refresh(customer_id=order.customer_id)
        status_record(order, previous, user_id=user_id, now=now, data=data)
    return order


def order_cancel(
    *, order_id: int, user_id: int | None, reason: str = "", now: datetime | None = None
) -> Order:
    """new | processing -> cancelled, releasing exactly what the lines hold reserved."""
    now = now or timezone.now()
    with transaction.atomic():
        order, previous = status_move(
            order_id=order_id, action=t.CANCEL, stamp="cancelled_at", now=now
        )
        lines = list(order.lines.all())
        held = units_by_variant((line.variant_id, line.quantity_reserved) for line in lines)
        data: dict[str, Any] = {"reason": reason.strip()} if reason.strip() else {}
        if held and order.warehouse_id is not None:
            stock_apply(
                changes=[
                    StockChange.release(v, order.warehouse_id, q) for v, q in sorted(held.items())
                ],
                user_id=user_id,
                source=stock_source(order),
                now=now,
            )
            OrderLine.objects.filter(order=order).update(quantity_reserved=0)
            data["released"] = {
                line.sku: line.quantity_reserved for line in lines if line.quantity_reserved
            }
        customer_totals_refresh(customer_id=order.customer_id)
        status_record(order, previous, user_id=user_id, now=now, data=data)
        shortage_drafts_shrink(order_id=order.pk, user_id=user_id)
    return order
