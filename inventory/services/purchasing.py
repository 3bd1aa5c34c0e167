"""Purchase orders, goods receipts and drafting orders from reorder suggestions.

Status pipeline (PurchaseOrder.Status):
    draft --confirm--> confirmed --receipt--> partial --receipt--> received
    draft, confirmed --cancel--> cancelled       (never once anything was received)
    partial --close--> closed                    (closed short: the supplier will not send the
                                                  rest; a reason is required and recorded as a
                                                  PurchaseOrderEvent; the open units no longer
                                                  count as incoming, see selectors.purchasing)
Only a draft can be edited. The allowed actions per status are the data in PO_ACTIONS.

Money rule (purchase_line_amounts): each line's net amount (quantity x unit cost) and its VAT
(net x rate) are rounded to the order currency (VND: whole dong, THB: satang, half up); the
order's subtotal and VAT are the sums of the rounded line amounts, and total = subtotal + VAT.
This is how Vietnamese and Thai invoices show VAT per line, so a supplier's invoice matches the
order to the unit. Unit costs are kept in the currency's precision too.

Goods receipts lock the purchase order row first (SELECT ... FOR UPDATE), then the received
variants in id order, then stock levels (stock_apply sorts them): the same order everywhere, so
two receipts for one order run one after the other and cannot deadlock or over-receive.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from common.money import quantize
from inventory.errors import DocumentStateError, InventoryError
from inventory.models import (
    DocumentSequence,
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    StockLevel,
    Supplier,
    Variant,
    Warehouse,
)
from inventory.services.sequences import sequence_next
from inventory.services.stock import Source, StockChange, stock_apply

Status = PurchaseOrder.Status

# Which statuses allow which action; the pages show exactly these buttons.
PO_ACTIONS: dict[str, frozenset[str]] = {
    "edit": frozenset({Status.DRAFT}),
    "confirm": frozenset({Status.DRAFT}),
    "cancel": frozenset({Status.DRAFT, Status.CONFIRMED}),
    "receive": frozenset({Status.CONFIRMED, Status.PARTIAL}),
    "close": frozenset({Status.PARTIAL}),
}

# The largest amount the money columns hold (14 digits, 2 decimals).
MAX_AMOUNT = Decimal("999999999999.99")
MAX_VAT_RATE = Decimal("100")


def purchase_order_actions(status: str) -> frozenset[str]:
    """The actions allowed for an order in `status`: a subset of PO_ACTIONS' keys."""
    return frozenset(action for action, allowed in PO_ACTIONS.items() if status in allowed)


# --- Amounts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineAmounts:
    net: Decimal
    vat: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


@dataclass(frozen=True)
class PurchaseTotals:
    subtotal: Decimal
    vat_total: Decimal
    total: Decimal
    lines: tuple[LineAmounts, ...]


def purchase_line_amounts(
    *, quantity: int, unit_cost: Decimal, vat_rate: Decimal, currency: str
) -> LineAmounts:
    net = quantize(Decimal(quantity) * unit_cost, currency)
    vat = quantize(net * vat_rate / Decimal(100), currency)
    return LineAmounts(net=net, vat=vat)


def purchase_totals(
    *, lines: Iterable[tuple[int, Decimal, Decimal]], currency: str
) -> PurchaseTotals:
    """Totals of (quantity, unit_cost, vat_rate) lines: rounded per line, then summed."""
    amounts = tuple(
        purchase_line_amounts(quantity=q, unit_cost=c, vat_rate=r, currency=currency)
        for q, c, r in lines
    )
    zero = quantize(Decimal(0), currency)
    subtotal = sum((a.net for a in amounts), zero)
    vat_total = sum((a.vat for a in amounts), zero)
    return PurchaseTotals(
        subtotal=subtotal, vat_total=vat_total, total=subtotal + vat_total, lines=amounts
    )


# --- Purchase orders --------------------------------------------------------------------------


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


def _status_label(status: str) -> str:
    return str(Status(status).label)


def _check_header(data: PurchaseOrderInput, *, current_supplier_id: int | None = None) -> None:
    supplier = Supplier.objects.filter(pk=data.supplier_id).values("is_active", "name").first()
    if supplier is None:
        raise InventoryError(_("Choose a supplier."))
    if not supplier["is_active"] and data.supplier_id != current_supplier_id:
        raise InventoryError(_("The supplier %(name)s is inactive.") % {"name": supplier["name"]})
    _check_warehouse(data.warehouse_id)


def _check_warehouse(warehouse_id: int) -> None:
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


def _create_order(*, data: PurchaseOrderInput, currency: str, user_id: int | None) -> PurchaseOrder:
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
        return _create_order(
            data=data, currency=currency or settings.SHOP_CURRENCY, user_id=user_id
        )


def _locked(order_id: int) -> PurchaseOrder:
    try:
        return PurchaseOrder.objects.select_for_update().get(pk=order_id)
    except PurchaseOrder.DoesNotExist:
        raise InventoryError(_("This purchase order does not exist.")) from None


def _refuse(order: PurchaseOrder, action: str) -> DocumentStateError:
    status = _status_label(order.status)
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
        order = _locked(order_id)
        if order.status not in PO_ACTIONS["edit"]:
            raise _refuse(order, "edit")
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
        order = _locked(order_id)
        if order.status not in PO_ACTIONS["confirm"]:
            raise _refuse(order, "confirm")
        if not order.lines.exists():
            raise DocumentStateError(_("Add at least one line before confirming."))
        order.status = Status.CONFIRMED
        order.confirmed_at = now or timezone.now()
        order.save(update_fields=["status", "confirmed_at"])
    return order


def purchase_order_cancel(*, order_id: int, user_id: int | None) -> PurchaseOrder:
    """Draft or confirmed -> cancelled, only while nothing was received on it."""
    with transaction.atomic():
        order = _locked(order_id)
        received = order.lines.filter(quantity_received__gt=0).exists() or order.receipts.exists()
        if order.status not in PO_ACTIONS["cancel"] or received:
            raise _refuse(order, "cancel")
        order.status = Status.CANCELLED
        order.save(update_fields=["status"])
    return order


def purchase_drafts_shrink(
    *, source: str, keep: dict[tuple[int, int], int], user_id: int | None
) -> list[PurchaseOrder]:
    """Lower the still-draft purchase orders made for `source` so that, per (warehouse id,
    variant id), their lines hold at most `keep` units (missing keys: 0). Lines are kept in
    the order they were drafted (oldest order, then line); a line reduced to nothing is
    removed, and a draft left without lines is cancelled (its lines stay as drafted, for the
    record). Never raises a quantity, never touches an order that left draft. Totals are
    recomputed. Returns the drafts that changed. The caller holds the PO number lock.
    """
    with transaction.atomic():
        drafts = list(
            PurchaseOrder.objects.select_for_update()
            .filter(source=source, status=Status.DRAFT)
            .order_by("pk")
        )
        if not drafts:
            return []
        left = dict(keep)
        changed: list[PurchaseOrder] = []
        lines = PurchaseOrderLine.objects.filter(order__in=drafts).order_by("order_id", "pk")
        by_order: dict[int, list[PurchaseOrderLine]] = {po.pk: [] for po in drafts}
        for line in lines:
            by_order[line.order_id].append(line)
        for po in drafts:
            kept: list[PurchaseOrderLine] = []
            dirty = False
            for line in by_order[po.pk]:
                key = (po.warehouse_id, line.variant_id)
                units = min(line.quantity, max(left.get(key, 0), 0))
                left[key] = left.get(key, 0) - units
                if units != line.quantity:
                    dirty = True
                    line.quantity = units
                if units:
                    kept.append(line)
            if not dirty:
                continue
            changed.append(po)
            if not kept:
                po.status = Status.CANCELLED
                po.save(update_fields=["status"])
                continue
            PurchaseOrderLine.objects.filter(order=po).exclude(
                pk__in=[line.pk for line in kept]
            ).delete()
            for line in kept:
                line.save(update_fields=["quantity"])
            totals = purchase_totals(
                lines=[(line.quantity, line.unit_cost, line.vat_rate) for line in kept],
                currency=po.currency,
            )
            po.subtotal, po.vat_total, po.total = totals.subtotal, totals.vat_total, totals.total
            po.save(update_fields=["subtotal", "vat_total", "total"])
    return changed


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
        order = _locked(order_id)
        if order.status not in PO_ACTIONS["close"]:
            raise _refuse(order, "close")
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


# --- Goods receipts ---------------------------------------------------------------------------


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
        order = _locked(order_id)
        # Under the order's lock: a submission of the same form that got here first has
        # committed by now, and its receipt is the answer (even if the order is now received).
        existing = _receipt_with_token(token)
        if existing is not None:
            return existing
        if order.status not in PO_ACTIONS["receive"]:
            raise _refuse(order, "receive")
        target_warehouse = warehouse_id or order.warehouse_id
        _check_warehouse(target_warehouse)
        currency = order.currency
        order_lines = {
            line.pk: line
            for line in PurchaseOrderLine.objects.filter(
                order=order, pk__in=[w.order_line_id for w in wanted]
            ).select_related("variant")
        }
        planned: list[tuple[PurchaseOrderLine, int, Decimal]] = []
        for want in sorted(wanted, key=lambda w: w.order_line_id):
            line = order_lines.get(want.order_line_id)
            if line is None:
                raise InventoryError(
                    _("A receipt line is not on purchase order %(number)s.")
                    % {"number": order.number}
                )
            if want.quantity > line.quantity_open:
                raise _over_receipt(
                    line.variant.sku, want.quantity, line.quantity_open, order.number
                )
            cost = quantize(line.unit_cost if want.unit_cost is None else want.unit_cost, currency)
            if cost > MAX_AMOUNT:
                raise InventoryError(_("A unit cost is too large."))
            planned.append((line, want.quantity, cost))

        # The guard itself: received + quantity <= ordered, re-checked by the database.
        for line, quantity, _cost in planned:
            updated = PurchaseOrderLine.objects.filter(
                pk=line.pk, quantity_received__lte=F("quantity") - quantity
            ).update(quantity_received=F("quantity_received") + quantity)
            if updated != 1:
                fresh = PurchaseOrderLine.objects.get(pk=line.pk)
                raise _over_receipt(line.variant.sku, quantity, fresh.quantity_open, order.number)

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
            currency=currency,
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


# --- Reorder ----------------------------------------------------------------------------------


def reorder_create_drafts(
    *,
    warehouse_id: int,
    user_id: int | None,
    supplier_ids: Sequence[int] | None = None,
) -> list[PurchaseOrder]:
    """One draft order per supplier from the current reorder suggestions, in one transaction.

    Lines: the suggestion's quantity still to order (suggested minus what draft orders already
    hold), unit cost = the variant's cost price, VAT = the variant's rate. Variants without an
    active preferred supplier are left out (they must be assigned one first). With
    `supplier_ids`, only those suppliers' groups. Concurrent clicks are serialised on the PO
    number sequence, so the second sees the first one's drafts and adds nothing twice.
    """
    # Imported here: the selectors module uses this module's amount functions.
    from inventory.selectors.purchasing import reorder_suggestions

    currency = settings.SHOP_CURRENCY
    with transaction.atomic():
        _check_warehouse(warehouse_id)
        DocumentSequence.objects.get_or_create(prefix="PO")
        DocumentSequence.objects.select_for_update().get(prefix="PO")
        created: list[PurchaseOrder] = []
        for group in reorder_suggestions().groups:
            if group.supplier is None:
                continue
            if supplier_ids is not None and group.supplier.pk not in supplier_ids:
                continue
            lines = [
                PurchaseLineInput(
                    variant_id=s.variant.pk,
                    quantity=s.to_order,
                    unit_cost=s.variant.cost_price,
                    vat_rate=s.variant.vat_rate,
                )
                for s in group.lines
                if s.to_order > 0
            ]
            if not lines:
                continue
            data = PurchaseOrderInput(
                supplier_id=group.supplier.pk, warehouse_id=warehouse_id, lines=lines
            )
            created.append(_create_order(data=data, currency=currency, user_id=user_id))
    return created


def variant_set_preferred_supplier(*, variant_ids: Sequence[int], supplier_id: int) -> int:
    """Make `supplier_id` the preferred supplier of the variants; returns how many changed."""
    supplier = Supplier.objects.filter(pk=supplier_id).values("is_active", "name").first()
    if supplier is None:
        raise InventoryError(_("Choose a supplier."))
    if not supplier["is_active"]:
        raise InventoryError(_("The supplier %(name)s is inactive.") % {"name": supplier["name"]})
    with transaction.atomic():
        changed = Variant.objects.filter(pk__in=variant_ids).update(
            preferred_supplier_id=supplier_id, updated_at=timezone.now()
        )
        if changed != len(set(variant_ids)):
            raise InventoryError(_("A product to assign no longer exists."))
    return changed
