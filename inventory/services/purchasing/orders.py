"""Purchase orders: drafting, editing, confirming, cancelling and closing short.

Status pipeline (PurchaseOrder.Status):
    draft --confirm--> confirmed --receipt--> partial --receipt--> received
    draft, confirmed --cancel--> cancelled       (never once anything was received)
    partial --close--> closed                    (closed short: the supplier will not send the
                                                  rest; a reason is required and recorded as a
                                                  PurchaseOrderEvent; the open units no longer
                                                  count as incoming, see selectors.purchasing)
Only a draft can be edited. The allowed actions per status are the data in PO_ACTIONS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from common.money import quantize
from inventory.errors import DocumentStateError, InventoryError
from inventory.models import (
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    Supplier,
    Variant,
    Warehouse,
)
from inventory.services.purchasing.amounts import (
    MAX_AMOUNT,
    MAX_VAT_RATE,
    PurchaseTotals,
    purchase_totals,
)
from inventory.services.sequences import sequence_next

Status = PurchaseOrder.Status

# Which statuses allow which action; the pages show exactly these buttons.
PO_ACTIONS: dict[str, frozenset[str]] = {
    "edit": frozenset({Status.DRAFT}),
    "confirm": frozenset({Status.DRAFT}),
    "cancel": frozenset({Status.DRAFT, Status.CONFIRMED}),
    "receive": frozenset({Status.CONFIRMED, Status.PARTIAL}),
    "close": frozenset({Status.PARTIAL}),
}


def purchase_order_actions(status: str) -> frozenset[str]:
    """The actions allowed for an order in `status`: a subset of PO_ACTIONS' keys."""
    return frozenset(action for action, allowed in PO_ACTIONS.items() if status in allowed)


@dataclass(frozen=True)
class PurchaseLineInput:
    variant_id: int
    quantity: int
    unit_cost: Decimal
    vat_rate: Decimal | None = None  # None: the variant's VAT rate


@dataclass(frozen=True)
class PurchaseOrderInput:
    supplier_id: int
    warehouse_id: int
    lines: Sequence[PurchaseLineInput]
    expected_on: date | None = None
    notes: str = ""
    source: str = ""  # what the draft is for, e.g. "order:42" (see PurchaseOrder.source)


@dataclass(frozen=True)
class _CleanLine:
    variant_id: int
    quantity: int
    unit_cost: Decimal
    vat_rate: Decimal


def _check_header(data: PurchaseOrderInput, *, current_supplier_id: int | None = None) -> None:
    check_supplier(data.supplier_id, current_supplier_id=current_supplier_id)
    check_warehouse(data.warehouse_id)


def check_supplier(supplier_id: int, *, current_supplier_id: int | None = None) -> None:
    """The supplier exists and is active (or is the order's supplier already)."""
    supplier = Supplier.objects.filter(pk=supplier_id).values("is_active", "name").first()
    if supplier is None:
        raise InventoryError(_("Choose a supplier."))
    if not supplier["is_active"] and supplier_id != current_supplier_id:
        raise InventoryError(_("The supplier %(name)s is inactive.") % {"name": supplier["name"]})


def check_warehouse(warehouse_id: int) -> None:
    warehouse = Warehouse.objects.filter(pk=warehouse_id).values("is_active", "code").first()
    if warehouse is None:
        raise InventoryError(_("Choose a warehouse."))
    if not warehouse["is_active"]:
        raise InventoryError(_("The warehouse %(code)s is inactive.") % {"code": warehouse["code"]})


def _clean_lines(lines: Sequence[PurchaseLineInput], *, currency: str) -> list[_CleanLine]:
    if not lines:
        raise InventoryError(_("Add at least one line."))
    ids = [line.variant_id for line in lines]
    variants = {
        pk: (sku, vat_rate)
        for pk, sku, vat_rate in Variant.objects.filter(pk__in=ids).values_list(
            "pk", "sku", "vat_rate"
        )
    }
    seen: set[int] = set()
    clean: list[_CleanLine] = []
    for line in lines:
        if line.variant_id not in variants:
            raise InventoryError(_("A line refers to a product variant that does not exist."))
        sku, default_rate = variants[line.variant_id]
        if line.variant_id in seen:
            raise InventoryError(
                _("%(sku)s is on two lines: put the whole quantity on one line.") % {"sku": sku}
            )
        seen.add(line.variant_id)
        if isinstance(line.quantity, bool) or not isinstance(line.quantity, int):
            raise InventoryError(_("Quantities are whole numbers."))
        if line.quantity < 1:
            raise InventoryError(_("The quantity of %(sku)s must be at least 1.") % {"sku": sku})
        if line.unit_cost < 0:
            raise InventoryError(_("The unit cost of %(sku)s cannot be negative.") % {"sku": sku})
        rate = default_rate if line.vat_rate is None else line.vat_rate
        if not Decimal(0) <= rate <= MAX_VAT_RATE:
            raise InventoryError(
                _("The VAT rate of %(sku)s must be between 0 and 100%%.") % {"sku": sku}
            )
        clean.append(
            _CleanLine(
                variant_id=line.variant_id,
                quantity=line.quantity,
                unit_cost=quantize(line.unit_cost, currency),
                vat_rate=rate.quantize(Decimal("0.01")),
            )
        )
    return clean


def _totals_for(lines: Sequence[_CleanLine], currency: str) -> PurchaseTotals:
    totals = purchase_totals(
        lines=[(c.quantity, c.unit_cost, c.vat_rate) for c in lines], currency=currency
    )
    if totals.total > MAX_AMOUNT or any(a.gross > MAX_AMOUNT for a in totals.lines):
        raise InventoryError(_("The order total is too large; split it into several orders."))
    return totals


def _write_lines(order: PurchaseOrder, lines: Sequence[_CleanLine]) -> None:
    PurchaseOrderLine.objects.bulk_create(
        PurchaseOrderLine(
            order=order,
            variant_id=c.variant_id,
            quantity=c.quantity,
            unit_cost=c.unit_cost,
            vat_rate=c.vat_rate,
        )
        for c in lines
    )


def draft_create(*, data: PurchaseOrderInput, currency: str, user_id: int | None) -> PurchaseOrder:
    lines = _clean_lines(data.lines, currency=currency)
    totals = _totals_for(lines, currency)
    order = PurchaseOrder.objects.create(
        number=sequence_next(prefix="PO"),
        supplier_id=data.supplier_id,
        warehouse_id=data.warehouse_id,
        status=Status.DRAFT,
        currency=currency,
        expected_on=data.expected_on,
        notes=data.notes.strip(),
        source=data.source,
        subtotal=totals.subtotal,
        vat_total=totals.vat_total,
        total=totals.total,
        created_by_id=user_id,
    )
    _write_lines(order, lines)
    return order


def purchase_order_create(
    *, data: PurchaseOrderInput, user_id: int | None, currency: str | None = None
) -> PurchaseOrder:
    """A new draft order numbered PO000001..., in the shop currency unless told otherwise."""
    with transaction.atomic():
        _check_header(data)
        return draft_create(data=data, currency=currency or settings.SHOP_CURRENCY, user_id=user_id)


def locked_order(order_id: int) -> PurchaseOrder:
    try:
        return PurchaseOrder.objects.select_for_update().get(pk=order_id)
    except PurchaseOrder.DoesNotExist:
        raise InventoryError(_("This purchase order does not exist.")) from None


def refusal(order: PurchaseOrder, action: str) -> DocumentStateError:
    status = str(Status(order.status).label)
    number = order.number
    messages = {
        "edit": _("%(number)s is %(status)s: only a draft order can be changed."),
        "confirm": _("%(number)s is %(status)s: only a draft order can be confirmed."),
        "cancel": _(
            "%(number)s is %(status)s: only a draft or confirmed order with nothing received "
            "can be cancelled."
        ),
        "receive": _("%(number)s is %(status)s: goods can only be received on a confirmed order."),
        "close": _("%(number)s is %(status)s: only a partly received order can be closed short."),
    }
    return DocumentStateError(messages[action] % {"number": number, "status": status})


def purchase_order_update(
    *, order_id: int, data: PurchaseOrderInput, user_id: int | None
) -> PurchaseOrder:
    """Replace a draft's header and lines; refused once the order left draft."""
    with transaction.atomic():
        order = locked_order(order_id)
        if order.status not in PO_ACTIONS["edit"]:
            raise refusal(order, "edit")
        _check_header(data, current_supplier_id=order.supplier_id)
        lines = _clean_lines(data.lines, currency=order.currency)
        totals = _totals_for(lines, order.currency)
        order.lines.all().delete()
        _write_lines(order, lines)
        order.supplier_id = data.supplier_id
        order.warehouse_id = data.warehouse_id
        order.expected_on = data.expected_on
        order.notes = data.notes.strip()
        order.subtotal, order.vat_total, order.total = (
            totals.subtotal,
            totals.vat_total,
            totals.total,
        )
        order.save(
            update_fields=[
                "supplier",
                "warehouse",
                "expected_on",
                "notes",
                "subtotal",
                "vat_total",
                "total",
            ]
        )
    return order


def purchase_order_confirm(
    *, order_id: int, user_id: int | None, now: datetime | None = None
) -> PurchaseOrder:
    """Draft -> confirmed (records confirmed_at); the order can then be received."""
    with transaction.atomic():
        order = locked_order(order_id)
        if order.status not in PO_ACTIONS["confirm"]:
            raise refusal(order, "confirm")
        if not order.lines.exists():
            raise DocumentStateError(_("Add at least one line before confirming."))
        order.status = Status.CONFIRMED
        order.confirmed_at = now or timezone.now()
        order.save(update_fields=["status", "confirmed_at"])
    return order


def purchase_order_cancel(*, order_id: int, user_id: int | None) -> PurchaseOrder:
    """Draft or confirmed -> cancelled, only while nothing was received on it."""
    with transaction.atomic():
        order = locked_order(order_id)
        received = order.lines.filter(quantity_received__gt=0).exists() or order.receipts.exists()
        if order.status not in PO_ACTIONS["cancel"] or received:
            raise refusal(order, "cancel")
        order.status = Status.CANCELLED
        order.save(update_fields=["status"])
    return order


def purchase_order_close(
    *, order_id: int, reason: str, user_id: int | None, now: datetime | None = None
) -> PurchaseOrder:
    """Partly received -> closed: the rest will not come. The open units stop counting as
    incoming (reorder suggestions, supplier open orders); an event records who, when, why and
    which units were left open. Raises DocumentStateError / InventoryError, changing nothing."""
    reason = reason.strip()
    if not reason:
        raise InventoryError(_("Say why the order is closed short."))
    now = now or timezone.now()
    with transaction.atomic():
        order = locked_order(order_id)
        if order.status not in PO_ACTIONS["close"]:
            raise refusal(order, "close")
        left_open = [
            {"sku": sku, "quantity": quantity - received}
            for sku, quantity, received in order.lines.filter(quantity_received__lt=F("quantity"))
            .order_by("variant__sku", "pk")
            .values_list("variant__sku", "quantity", "quantity_received")
        ]
        order.status = Status.CLOSED
        order.save(update_fields=["status"])
        PurchaseOrderEvent.objects.create(
            order=order,
            kind=PurchaseOrderEvent.Kind.CLOSED,
            reason=reason,
            data={"open": left_open},
            user_id=user_id,
            created_at=now,
        )
    return order
