"""Returns, refunds and exchanges on shipped or completed orders.

A return is recorded when the goods are back, in one step (return_create, composed of the
receive, refund, status and exchange steps below):
  - lines and quantities: never more than shipped minus already returned per order line (the
    order row is locked and each line's counter moves with a conditional UPDATE that re-checks
    quantity_returned + n <= quantity_shipped); one order line may come back in both conditions
    in the same return (2 units: 1 good, 1 damaged), as two ReturnLine rows, its n being their
    sum;
  - condition good: StockChange.restock into the chosen warehouse (default: the order's);
    condition damaged: restock and write_off in the same batch, so the ledger shows the units
    coming back and being written off, and on hand ends where it was before the return;
  - refund (amount, method, date): a Payment(kind=refund) linked to the return, never more
    than what was received on the order minus earlier refunds;
  - the returned units leave the sales reports' rollup (orders.services.sales_rollup);
  - when every shipped unit has come back, the order moves to returned through the transition
    helper every status change uses (orders.services.orders.transitions.status_move: one
    conditional UPDATE);
  - an exchange is a new order created with order_create, linked from the return;
  - `order_returned` is sent after commit (invoicing adjusts the invoice).
The stock movements have the order as source (Source("order", id, number)) and the return
number as reason.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from common.money import quantize
from inventory.services.sequences import sequence_next
from inventory.services.stock import StockChange, stock_apply
from orders import transitions as t
from orders.errors import ReturnError
from orders.models import (
    EventKind,
    Order,
    OrderLine,
    PaymentKind,
    Return,
    ReturnCondition,
    ReturnLine,
    ReturnStatus,
)
from orders.services.customers import address_as_input, customer_totals_refresh
from orders.services.orders.core import (
    event_add,
    money_data,
    order_locked,
    state_error,
    status_announce,
    stock_source,
    warehouse_check,
)
from orders.services.orders.create import order_create
from orders.services.orders.lines import LineInput, shipping_of
from orders.services.orders.payments import payment_add
from orders.services.orders.transitions import status_move
from orders.services.sales_rollup import sales_rollup_add_return
from orders.signals import order_returned


@dataclass(frozen=True)
class ReturnLineInput:
    order_line_id: int
    quantity: int
    condition: str = ReturnCondition.GOOD
    warehouse_id: int | None = None  # None: the order's warehouse


@dataclass(frozen=True)
class RefundInput:
    amount: Decimal
    method: str
    refunded_at: datetime | None = None  # None: now
    reference: str = ""


def return_create(
    *,
    order_id: int,
    lines: Sequence[ReturnLineInput],
    user_id: int | None,
    reason: str = "",
    refund: RefundInput | None = None,
    exchange_lines: Sequence[LineInput] | None = None,
    now: datetime | None = None,
) -> Return:
    """Record goods coming back on a shipped or completed order, all or nothing (see above):
    receive the lines, refund, move the status when everything is back, create the exchange.

    Returns the Return (number RT000001...). Raises ReturnError / OrderError / OrderStateError
    and changes nothing then.
    """
    now = now or timezone.now()
    wanted = _wanted(lines)
    with transaction.atomic():
        order = order_locked(order_id)
        if not t.can(order.status, t.RETURN):
            raise state_error(number=order.number, status=order.status, action=t.RETURN)
        order_return, data = _receive(order, wanted, reason=reason, user_id=user_id, now=now)
        if refund is not None and refund.amount:
            data["refund"] = _refund(order, order_return, refund, user_id=user_id, now=now)
        previous = order.status
        _returned_when_all_back(order, now=now)
        order.updated_at = now
        order.save(update_fields=["paid_amount", "refunded_amount", "payment_status", "updated_at"])
        if exchange_lines:
            data["exchange_order"] = _exchange(
                order, order_return, exchange_lines, user_id=user_id, now=now
            )
        order_return.save()

        moved = order.status != previous
        event_add(
            order,
            EventKind.RETURN,
            user_id=user_id,
            now=now,
            from_status=previous if moved else "",
            to_status=order.status if moved else "",
            data=data,
        )
        if order.shipped_at is not None:
            customer_totals_refresh(customer_id=order.customer_id)
        if moved:
            status_announce(order.pk, previous, order.status)
        _announce_return(order_return)
    return order_return


def _wanted(lines: Sequence[ReturnLineInput]) -> list[ReturnLineInput]:
    """The lines with a quantity, checked before anything is locked."""
    wanted = [item for item in lines if item.quantity]
    for item in wanted:
        if isinstance(item.quantity, bool) or not isinstance(item.quantity, int):
            raise ReturnError(_("Quantities are whole numbers."))
        if item.quantity < 0:
            raise ReturnError(_("A returned quantity cannot be negative."))
        if item.condition not in ReturnCondition.values:
            raise ReturnError(_("Choose the condition of the returned goods."))
    if not wanted:
        raise ReturnError(_("Enter the quantity that came back on at least one line."))
    if len({(item.order_line_id, item.condition) for item in wanted}) != len(wanted):
        raise ReturnError(_("An order line appears twice in the return."))
    return wanted


_Planned = tuple[OrderLine, ReturnLineInput, int]  # order line, what came back, warehouse id


def _plan(order: Order, wanted: Sequence[ReturnLineInput]) -> tuple[list[_Planned], dict[int, int]]:
    """Each returned line with its warehouse, and the units back per order line id."""
    order_lines = {
        line.pk: line
        for line in OrderLine.objects.filter(order=order, pk__in=[w.order_line_id for w in wanted])
    }
    planned: list[_Planned] = []
    per_line: dict[int, int] = {}  # order line id -> units back in this return
    for want in sorted(
        wanted, key=lambda w: (w.order_line_id, w.condition != ReturnCondition.GOOD)
    ):
        line = order_lines.get(want.order_line_id)
        if line is None:
            raise ReturnError(
                _("A return line is not on order %(number)s.") % {"number": order.number}
            )
        per_line[line.pk] = per_line.get(line.pk, 0) + want.quantity
        if per_line[line.pk] > line.quantity_returnable:
            raise _over_return(line, per_line[line.pk], line.quantity_returnable)
        warehouse_id = want.warehouse_id or order.warehouse_id
        if warehouse_id is None:
            raise ReturnError(_("Choose the warehouse the goods go back to."))
        warehouse_check(warehouse_id)
        planned.append((line, want, warehouse_id))
    return planned, per_line


def _receive(
    order: Order,
    wanted: Sequence[ReturnLineInput],
    *,
    reason: str,
    user_id: int | None,
    now: datetime,
) -> tuple[Return, dict[str, Any]]:
    """The goods are back: line counters, the Return and its lines, the stock movements and the
    sales rollup. Returns the Return and the event data describing it."""
    planned, per_line = _plan(order, wanted)
    # The guard itself: returned + n <= shipped, re-checked by the database.
    for line_id, quantity in sorted(per_line.items()):
        updated = OrderLine.objects.filter(
            pk=line_id, quantity_returned__lte=F("quantity_shipped") - quantity
        ).update(quantity_returned=F("quantity_returned") + quantity)
        if updated != 1:
            fresh = OrderLine.objects.get(pk=line_id)
            raise _over_return(fresh, quantity, fresh.quantity_returnable)

    order_return = Return.objects.create(
        order=order,
        number=sequence_next(prefix="RT"),
        status=ReturnStatus.RECEIVED,
        reason=reason.strip(),
        created_by_id=user_id,
        created_at=now,
    )
    ReturnLine.objects.bulk_create(
        ReturnLine(
            order_return=order_return,
            order_line=line,
            quantity=want.quantity,
            condition=want.condition,
            warehouse_id=warehouse_id,
        )
        for line, want, warehouse_id in planned
    )
    stock_apply(
        changes=_stock_changes(planned, label=order_return.number),
        user_id=user_id,
        source=stock_source(order),
        now=now,
    )
    # After the stock rows, like order_ship: every transaction takes stock, then rollup rows.
    sales_rollup_add_return(order_id=order.pk, returned=per_line)
    data: dict[str, Any] = {
        "return": order_return.number,
        "lines": [
            {
                "sku": line.sku,
                "quantity": want.quantity,
                "condition": want.condition,
                "warehouse_id": warehouse_id,
            }
            for line, want, warehouse_id in planned
        ],
    }
    return order_return, data


def _refund(
    order: Order, order_return: Return, refund: RefundInput, *, user_id: int | None, now: datetime
) -> str:
    """A refund Payment linked to the return (the order's amounts change in memory; the caller
    saves the order and the return). Returns the amount as event data."""
    amount = quantize(refund.amount, order.currency)
    refunded_at = refund.refunded_at or now
    payment_add(
        order,
        kind=PaymentKind.REFUND,
        amount=amount,
        method=refund.method,
        paid_at=refunded_at,
        reference=refund.reference or order_return.number,
        user_id=user_id,
        now=now,
        order_return_id=order_return.pk,
    )
    order_return.status = ReturnStatus.REFUNDED
    order_return.refund_amount = amount
    order_return.refund_method = refund.method
    order_return.refunded_at = refunded_at
    return money_data(amount, order.currency)


def _returned_when_all_back(order: Order, *, now: datetime) -> None:
    """When every shipped unit has come back, the order moves to returned through the same
    conditional UPDATE as every transition (status_move)."""
    totals = OrderLine.objects.filter(order=order).aggregate(
        shipped=Sum("quantity_shipped"), returned=Sum("quantity_returned")
    )
    if totals["returned"] != totals["shipped"]:
        return
    moved, _previous = status_move(order_id=order.pk, action=t.RETURN, stamp="returned_at", now=now)
    order.status = moved.status
    order.returned_at = moved.returned_at


def _exchange(
    order: Order,
    order_return: Return,
    lines: Sequence[LineInput],
    *,
    user_id: int | None,
    now: datetime,
) -> str:
    """The exchange: a new order for the same customer, linked from the return. Returns its
    number."""
    exchange = order_create(
        customer_id=order.customer_id,
        lines=lines,
        channel=order.channel,
        channel_account=order.channel_account,
        payment_method=order.payment_method,
        warehouse_id=order.warehouse_id,
        shipping=address_as_input(shipping_of(order)) if order.ship_street else None,
        notes=_("Exchange for %(number)s (%(return)s)")
        % {"number": order.number, "return": order_return.number},
        user_id=user_id,
        now=now,
    )
    order_return.exchange_order = exchange
    return exchange.number


def _announce_return(order_return: Return) -> None:
    return_id, order_id = order_return.pk, order_return.order_id
    refund_amount, exchange_id = order_return.refund_amount, order_return.exchange_order_id
    transaction.on_commit(
        lambda: order_returned.send(
            sender=Return,
            return_id=return_id,
            order_id=order_id,
            refund_amount=refund_amount,
            exchange_order_id=exchange_id,
        )
    )


def _over_return(line: OrderLine, quantity: int, returnable: int) -> ReturnError:
    return ReturnError(
        _(
            "Cannot return %(quantity)d of %(sku)s: "
            "only %(returnable)d shipped and not yet returned."
        )
        % {"quantity": quantity, "sku": line.sku, "returnable": returnable}
    )


def _stock_changes(
    planned: Sequence[tuple[OrderLine, ReturnLineInput, int]], *, label: str
) -> list[StockChange]:
    changes: list[StockChange] = []
    for line, want, warehouse_id in planned:
        back = StockChange.restock(line.variant_id, warehouse_id, want.quantity)
        changes.append(dataclasses.replace(back, reason=label))
        if want.condition == ReturnCondition.DAMAGED:
            changes.append(
                StockChange.write_off(
                    line.variant_id,
                    warehouse_id,
                    want.quantity,
                    reason_code="return_damaged",  # worded when shown
                    reason_args=(("number", label),),
                )
            )
    return changes
