"""Editing a new or processing order (buyer, address, lines, warehouse, amounts), with its
reservations following the lines, and notes in the order's history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.services.stock import StockChange
from orders import transitions as t
from orders.errors import OrderError
from orders.models import EventKind, Order, OrderEvent, OrderLine
from orders.services.amounts import OrderAmounts
from orders.services.customers import (
    AddressInput,
    CleanAddress,
    address_clean,
    customer_get_live,
    customer_totals_refresh,
)
from orders.services.orders.core import (
    event_add,
    money_data,
    order_locked,
    order_search_refresh,
    reservations_apply,
    state_error,
    units_by_variant,
    warehouse_check,
)
from orders.services.orders.lines import (
    LineInput,
    PlannedLine,
    amounts_apply,
    choices_check,
    lines_amounts,
    lines_plan,
    shipping_set,
)
from orders.services.shortage import shortage_drafts_shrink


def order_update(
    *,
    order_id: int,
    user_id: int | None,
    customer_id: int | None = None,
    shipping: AddressInput | None = None,
    lines: Sequence[LineInput] | None = None,
    warehouse_id: int | None = None,
    payment_method: str | None = None,
    discount_total: Decimal | None = None,
    shipping_fee: Decimal | None = None,
    notes: str | None = None,
    now: datetime | None = None,
) -> Order:
    """Edit a new or processing order, all or nothing; None leaves a field as it is.

    `lines` is the complete new list: an input with line_id keeps (and may change) that line,
    one without adds a line, existing lines left out are removed. While processing, the
    reservations follow exactly: per variant, units added are reserved and units taken off
    released, in one batch with the order as source; a warehouse change moves the whole
    reservation. Short stock raises OrderStockShort and changes nothing. Writes one "edited"
    event listing what changed (none when nothing did).
    """
    now = now or timezone.now()
    clean_shipping = address_clean(shipping) if shipping is not None else None
    with transaction.atomic():
        order = order_locked(order_id)
        if order.status not in t.EDITABLE_STATUSES:
            raise state_error(number=order.number, status=order.status, action="edit")
        old_warehouse_id = order.warehouse_id
        changed = _header_changes(
            order,
            customer_id=customer_id,
            payment_method=payment_method,
            notes=notes,
            shipping=clean_shipping,
            warehouse_id=warehouse_id,
        )
        existing = {line.pk: line for line in order.lines.order_by("pk")}
        planned, amounts = _plan(
            order, existing, lines=lines, discount_total=discount_total, shipping_fee=shipping_fee
        )
        line_changes = _line_changes(existing, planned, currency=order.currency)
        if line_changes:
            changed["lines"] = line_changes
        changed.update(_amount_changes(order, amounts))
        if not changed:
            return order
        _save_edit(
            order,
            existing=existing,
            planned=planned,
            amounts=amounts,
            changed=changed,
            old_warehouse_id=old_warehouse_id,
            user_id=user_id,
            now=now,
        )
        shortage_drafts_shrink(order_id=order.pk, user_id=user_id)
    return order


def _plan(
    order: Order,
    existing: dict[int, OrderLine],
    *,
    lines: Sequence[LineInput] | None,
    discount_total: Decimal | None,
    shipping_fee: Decimal | None,
) -> tuple[list[PlannedLine], OrderAmounts]:
    """The lines the order will have (`lines`, or its own when None) and their amounts with the
    new discount and shipping fee (None: the order's own)."""
    planned = (
        lines_plan(lines, existing=existing, currency=order.currency)
        if lines is not None
        else [_as_planned(line) for line in existing.values()]
    )
    amounts = lines_amounts(
        planned,
        discount_total=order.discount_total if discount_total is None else discount_total,
        shipping_fee=order.shipping_fee if shipping_fee is None else shipping_fee,
        currency=order.currency,
    )
    return planned, amounts


def _save_edit(
    order: Order,
    *,
    existing: dict[int, OrderLine],
    planned: list[PlannedLine],
    amounts: OrderAmounts,
    changed: dict[str, Any],
    old_warehouse_id: int | None,
    user_id: int | None,
    now: datetime,
) -> None:
    """Write a checked edit: the reservations follow the lines (processing), then the lines,
    the totals, the customers' figures and the "edited" event listing `changed`."""
    reserving = order.status in t.RESERVED_STATUSES
    if reserving:
        stock = _move_reservations(
            order,
            existing=existing.values(),
            planned=planned,
            old_warehouse_id=old_warehouse_id,
            user_id=user_id,
            now=now,
        )
        if stock:
            changed["stock"] = stock
    _write_lines(order, existing, planned, amounts, reserved=reserving)
    amounts_apply(order, amounts)
    order.updated_at = now
    order_search_refresh(order)
    order.save()
    if "customer" in changed:  # the order moves from one customer's figures to the other's
        for moved in sorted(changed["customer"]):
            customer_totals_refresh(customer_id=moved)
    event_add(order, EventKind.EDITED, user_id=user_id, now=now, data=changed)


def _header_changes(
    order: Order,
    *,
    customer_id: int | None,
    payment_method: str | None,
    notes: str | None,
    shipping: CleanAddress | None,
    warehouse_id: int | None,
) -> dict[str, Any]:
    """Set the buyer, payment method, notes, shipping address and warehouse on `order` (in
    memory) and return what changed, [before, after] per field."""
    changed: dict[str, Any] = {}
    if customer_id is not None and customer_id != order.customer_id:
        customer_get_live(customer_id=customer_id)
        changed["customer"] = [order.customer_id, customer_id]
        order.customer_id = customer_id
    if payment_method is not None and payment_method != order.payment_method:
        choices_check(channel=order.channel, payment_method=payment_method)
        changed["payment_method"] = [order.payment_method, payment_method]
        order.payment_method = payment_method
    if notes is not None and notes.strip() != order.notes:
        changed["notes"] = [order.notes, notes.strip()]
        order.notes = notes.strip()
    if shipping is not None:
        before = _shipping_of(order)
        shipping_set(order, shipping)
        after = _shipping_of(order)
        if before != after:
            changed["shipping"] = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if warehouse_id is not None and warehouse_id != order.warehouse_id:
        warehouse_check(warehouse_id)
        changed["warehouse"] = [order.warehouse_id, warehouse_id]
        order.warehouse_id = warehouse_id
    return changed


def _as_planned(line: OrderLine) -> PlannedLine:
    """An existing line kept as it is."""
    return PlannedLine(
        line_id=line.pk,
        variant_id=line.variant_id,
        sku=line.sku,
        name=line.name,
        quantity=line.quantity,
        unit_price=line.unit_price,
        discount=line.discount,
        vat_rate=line.vat_rate,
        vat_category=line.vat_category,
    )


def _amount_changes(order: Order, amounts: OrderAmounts) -> dict[str, list[str]]:
    cur = order.currency
    changed = {}
    for name in ("discount_total", "shipping_fee", "total"):
        old_value, new_value = getattr(order, name), getattr(amounts, name)
        if old_value != new_value:
            changed[name] = [money_data(old_value, cur), money_data(new_value, cur)]
    return changed


def _shipping_of(order: Order) -> dict[str, str]:
    fields = (
        "name",
        "phone",
        "country",
        "scheme",
        "province",
        "district",
        "ward",
        "postcode",
        "street",
    )
    return {f: getattr(order, f"ship_{f}") for f in fields}


def _line_changes(
    existing: dict[int, OrderLine], planned: Sequence[PlannedLine], *, currency: str
) -> dict[str, Any]:
    kept = {p.line_id for p in planned if p.line_id is not None}
    result: dict[str, Any] = {}
    removed = [
        {"sku": line.sku, "quantity": line.quantity}
        for pk, line in existing.items()
        if pk not in kept
    ]
    added = [
        {"sku": p.sku, "quantity": p.quantity, "unit_price": money_data(p.unit_price, currency)}
        for p in planned
        if p.line_id is None
    ]
    modified = []
    for p in planned:
        if p.line_id is None:
            continue
        old = existing[p.line_id]
        diff: dict[str, Any] = {}
        if old.quantity != p.quantity:
            diff["quantity"] = [old.quantity, p.quantity]
        for name in ("unit_price", "discount"):
            if getattr(old, name) != getattr(p, name):
                diff[name] = [
                    money_data(getattr(old, name), currency),
                    money_data(getattr(p, name), currency),
                ]
        if old.vat_rate != p.vat_rate:
            diff["vat_rate"] = [str(old.vat_rate), str(p.vat_rate)]
        if diff:
            modified.append({"sku": p.sku, **diff})
    for key, value in (("added", added), ("removed", removed), ("changed", modified)):
        if value:
            result[key] = value
    return result


def _move_reservations(
    order: Order,
    *,
    existing: Iterable[OrderLine],
    planned: Sequence[PlannedLine],
    old_warehouse_id: int | None,
    user_id: int | None,
    now: datetime,
) -> dict[str, dict[str, int]]:
    """Reserve / release the difference between what the lines hold and what they will hold."""
    if order.warehouse_id is None or old_warehouse_id is None:
        raise OrderError(_("Choose a warehouse."))
    held = units_by_variant((line.variant_id, line.quantity_reserved) for line in existing)
    wanted = units_by_variant((p.variant_id, p.quantity) for p in planned)
    skus = {line.variant_id: line.sku for line in existing} | {p.variant_id: p.sku for p in planned}
    releases: list[StockChange] = []
    needed: dict[int, int] = {}
    if old_warehouse_id != order.warehouse_id:
        releases = [StockChange.release(v, old_warehouse_id, q) for v, q in sorted(held.items())]
        needed = wanted
    else:
        for variant_id in sorted(set(held) | set(wanted)):
            delta = wanted.get(variant_id, 0) - held.get(variant_id, 0)
            if delta > 0:
                needed[variant_id] = delta
            elif delta < 0:
                releases.append(StockChange.release(variant_id, order.warehouse_id, -delta))
    if needed:  # releasing is always allowed, reserving only in an active warehouse
        warehouse_check(order.warehouse_id)
    reservations_apply(
        order, needed, warehouse_id=order.warehouse_id, user_id=user_id, now=now, releases=releases
    )
    result: dict[str, dict[str, int]] = {}
    if needed:
        result["reserved"] = {skus[v]: q for v, q in needed.items()}
    if releases:
        result["released"] = {skus[c.variant_id]: -c.reserved_delta for c in releases}
    return result


def _write_lines(
    order: Order,
    existing: dict[int, OrderLine],
    planned: Sequence[PlannedLine],
    amounts: OrderAmounts,
    *,
    reserved: bool,
) -> None:
    kept = {p.line_id for p in planned if p.line_id is not None}
    OrderLine.objects.filter(order=order).exclude(pk__in=kept).delete()
    new_lines = []
    for p, a in zip(planned, amounts.lines, strict=True):
        values = {
            "quantity": p.quantity,
            "unit_price": p.unit_price,
            "discount": p.discount,
            "vat_rate": p.vat_rate,
            "vat_category": p.vat_category,
            "line_total": a.line_total,
            "vat_amount": a.vat_amount,
            "quantity_reserved": p.quantity if reserved else 0,
        }
        if p.line_id is not None:
            OrderLine.objects.filter(pk=p.line_id).update(**values)
        else:
            new_lines.append(
                OrderLine(order=order, variant_id=p.variant_id, sku=p.sku, name=p.name, **values)
            )
    OrderLine.objects.bulk_create(new_lines)


def order_note_add(
    *, order_id: int, text: str, user_id: int | None, now: datetime | None = None
) -> OrderEvent:
    """A note in the order's history."""
    text = text.strip()
    if not text:
        raise OrderError(_("Write the note first."))
    with transaction.atomic():
        order = Order.objects.filter(pk=order_id).first()
        if order is None:
            raise OrderError(_("This order does not exist."))
        return event_add(
            order,
            EventKind.NOTE,
            user_id=user_id,
            now=now or timezone.now(),
            data={"text": text[:4000]},
        )
