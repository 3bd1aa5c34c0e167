"""Goods receipts: receiving units against a confirmed purchase order, into stock, with the
variants' moving-average cost.

A receipt locks the purchase order row first (SELECT ... FOR UPDATE), then the received
variants in id order, then stock levels (stock_apply sorts them): the same order everywhere, so
two receipts for one order run one after the other and cannot deadlock or over-receive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from common.money import quantize
from inventory.errors import InventoryError
from inventory.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    Variant,
)
from inventory.services.purchasing.amounts import MAX_AMOUNT
from inventory.services.purchasing.orders import (
    PO_ACTIONS,
    Status,
    check_warehouse,
    locked_order,
    refusal,
)
from inventory.services.sequences import sequence_next
from inventory.services.stock import Source, StockChange, stock_apply

# An order line, the units received on it and their unit cost in the order's currency.
_Planned = tuple[PurchaseOrderLine, int, Decimal]


@dataclass(frozen=True)
class ReceiptLineInput:
    order_line_id: int
    quantity: int
    unit_cost: Decimal | None = None  # None: the order line's unit cost


class OverReceipt(InventoryError):
    """More units than are still open on the order line."""


def _over_receipt(sku: str, quantity: int, open_quantity: int, number: str) -> OverReceipt:
    return OverReceipt(
        _("Cannot receive %(quantity)d of %(sku)s: only %(open)d still open on %(number)s.")
        % {"quantity": quantity, "sku": sku, "open": open_quantity, "number": number}
    )


def moving_average_cost(
    *, on_hand_before: int, old_cost: Decimal, quantity: int, unit_cost: Decimal, currency: str
) -> Decimal:
    """(on_hand_before x old_cost + quantity x unit_cost) / (on_hand_before + quantity), rounded
    to the currency; with nothing (or less) on hand before, simply the unit cost."""
    if on_hand_before <= 0:
        return quantize(unit_cost, currency)
    value = Decimal(on_hand_before) * old_cost + Decimal(quantity) * unit_cost
    return quantize(value / Decimal(on_hand_before + quantity), currency)


def goods_receipt_post(
    *,
    order_id: int,
    lines: Sequence[ReceiptLineInput],
    warehouse_id: int | None = None,
    notes: str = "",
    user_id: int | None = None,
    token: str = "",
    now: datetime | None = None,
) -> GoodsReceipt:
    """Receive goods against a confirmed order, all or nothing.

    `token` makes it idempotent (the receipt form's one-time token): when a receipt was
    already posted with it, that receipt is returned and nothing else happens, also when two
    submissions of the same form arrive at once (the order lock serialises them, the unique
    constraint on the token backs it up).

    Creates the receipt (GR000001...) and its lines, raises stock in the warehouse (default: the
    order's) with the receipt as source, adds to each line's received quantity with a
    conditional UPDATE that can never pass the ordered quantity, moves the order to partial or
    received, and updates each variant's moving-average cost. Lines with quantity 0 are skipped.
    Raises OverReceipt, DocumentStateError or InventoryError; nothing changes then.
    """
    now = now or timezone.now()
    wanted = [want for want in lines if want.quantity]
    for want in wanted:
        if isinstance(want.quantity, bool) or not isinstance(want.quantity, int):
            raise InventoryError(_("Quantities are whole numbers."))
        if want.quantity < 0:
            raise InventoryError(_("A quantity to receive cannot be negative."))
        if want.unit_cost is not None and want.unit_cost < 0:
            raise InventoryError(_("A unit cost cannot be negative."))
    if not wanted:
        raise InventoryError(_("Enter a quantity to receive on at least one line."))
    if len({line.order_line_id for line in wanted}) != len(wanted):
        raise InventoryError(_("An order line appears twice in the receipt."))
    token = token.strip()
    if len(token) > 64:
        raise ValueError("a receipt token has at most 64 characters")
    try:
        return _goods_receipt_post(
            order_id=order_id,
            wanted=wanted,
            warehouse_id=warehouse_id,
            notes=notes,
            user_id=user_id,
            token=token,
            now=now,
        )
    except IntegrityError:
        # The token was taken between our check and our insert (not through this order's
        # lock): the other submission's receipt is the answer; ours was rolled back whole.
        existing = _receipt_with_token(token)
        if existing is None:
            raise
        return existing


def _receipt_with_token(token: str) -> GoodsReceipt | None:
    if not token:
        return None
    return GoodsReceipt.objects.filter(idempotency_token=token).first()


def _goods_receipt_post(
    *,
    order_id: int,
    wanted: Sequence[ReceiptLineInput],
    warehouse_id: int | None,
    notes: str,
    user_id: int | None,
    token: str,
    now: datetime,
) -> GoodsReceipt:
    with transaction.atomic():
        order = locked_order(order_id)
        # Under the order's lock: a submission of the same form that got here first has
        # committed by now, and its receipt is the answer (even if the order is now received).
        existing = _receipt_with_token(token)
        if existing is not None:
            return existing
        if order.status not in PO_ACTIONS["receive"]:
            raise refusal(order, "receive")
        target_warehouse = warehouse_id or order.warehouse_id
        check_warehouse(target_warehouse)
        planned = _planned_lines(order, wanted)
        _add_received(order, planned)
        receipt = GoodsReceipt.objects.create(
            number=sequence_next(prefix="GR"),
            purchase_order=order,
            warehouse_id=target_warehouse,
            received_at=now,
            notes=notes.strip(),
            created_by_id=user_id,
            idempotency_token=token,
        )
        GoodsReceiptLine.objects.bulk_create(
            GoodsReceiptLine(receipt=receipt, order_line=line, quantity=quantity, unit_cost=cost)
            for line, quantity, cost in planned
        )
        _update_average_costs(
            [(line.variant_id, quantity, cost) for line, quantity, cost in planned],
            currency=order.currency,
        )
        stock_apply(
            changes=[
                StockChange.receive(line.variant_id, target_warehouse, quantity, unit_cost=cost)
                for line, quantity, cost in planned
            ],
            user_id=user_id,
            source=Source("goods_receipt", str(receipt.pk), receipt.number),
            now=now,
        )
        still_open = PurchaseOrderLine.objects.filter(
            order=order, quantity_received__lt=F("quantity")
        ).exists()
        order.status = Status.PARTIAL if still_open else Status.RECEIVED
        order.save(update_fields=["status"])
    return receipt


def _planned_lines(order: PurchaseOrder, wanted: Sequence[ReceiptLineInput]) -> list[_Planned]:
    """The order lines received, in line id order, each with its quantity and unit cost;
    a line of another order, more than is open or too large a cost is refused."""
    order_lines = {
        line.pk: line
        for line in PurchaseOrderLine.objects.filter(
            order=order, pk__in=[w.order_line_id for w in wanted]
        ).select_related("variant")
    }
    planned: list[_Planned] = []
    for want in sorted(wanted, key=lambda w: w.order_line_id):
        line = order_lines.get(want.order_line_id)
        if line is None:
            raise InventoryError(
                _("A receipt line is not on purchase order %(number)s.") % {"number": order.number}
            )
        if want.quantity > line.quantity_open:
            raise _over_receipt(line.variant.sku, want.quantity, line.quantity_open, order.number)
        unit_cost = line.unit_cost if want.unit_cost is None else want.unit_cost
        cost = quantize(unit_cost, order.currency)
        if cost > MAX_AMOUNT:
            raise InventoryError(_("A unit cost is too large."))
        planned.append((line, want.quantity, cost))
    return planned


def _add_received(order: PurchaseOrder, planned: Sequence[_Planned]) -> None:
    """The guard itself: received + quantity <= ordered, re-checked by the database."""
    for line, quantity, _cost in planned:
        updated = PurchaseOrderLine.objects.filter(
            pk=line.pk, quantity_received__lte=F("quantity") - quantity
        ).update(quantity_received=F("quantity_received") + quantity)
        if updated != 1:
            fresh = PurchaseOrderLine.objects.get(pk=line.pk)
            raise _over_receipt(line.variant.sku, quantity, fresh.quantity_open, order.number)


def _update_average_costs(received: Sequence[tuple[int, int, Decimal]], *, currency: str) -> None:
    """Moving-average cost per variant, with the variant rows locked (in id order) and the
    on-hand total read before this receipt's stock is added."""
    ids = sorted({variant_id for variant_id, _q, _c in received})
    costs = dict(
        Variant.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "cost_price")
    )
    on_hand = dict(
        StockLevel.objects.filter(variant_id__in=ids)
        .values("variant_id")
        .annotate(total=Sum("on_hand"))
        .values_list("variant_id", "total")
    )
    for variant_id, quantity, unit_cost in received:
        new_cost = moving_average_cost(
            on_hand_before=on_hand.get(variant_id) or 0,
            old_cost=costs[variant_id],
            quantity=quantity,
            unit_cost=unit_cost,
            currency=currency,
        )
        if new_cost != costs[variant_id]:
            Variant.objects.filter(pk=variant_id).update(
                cost_price=new_cost, updated_at=timezone.now()
            )
