"""Draft purchase orders for what an order cannot reserve.

When confirming an order fails for lack of stock, the staff may draft purchase orders for the
missing units straight from the order page. The quantities are computed here, under the same
lock the reorder drafts take (the PO number sequence row), never taken from the browser:

    missing   = units the order needs - units available in its warehouse (per variant)
    to order  = missing - units still to arrive at that warehouse on open purchase orders for
                that variant: drafts (so a second click, or a draft made from the reorder page,
                adds nothing twice) and confirmed or partially received orders (quantity -
                quantity received); received and cancelled orders count nothing

The drafts made here are tagged with the order (PurchaseOrder.source = "order:<pk>"). When the
order shrinks (lines removed, quantities lowered, another warehouse, cancelled), order_update
and order_cancel call shortage_drafts_shrink: those still-draft lines are lowered to what the
order is still short of after every other open purchase order, a draft left empty is
cancelled; confirmed purchase orders are never touched, and a draft is never raised.

Lines are grouped by the variant's active preferred supplier, one draft per supplier; variants
without one go to `fallback_supplier_id` (the user picks it), or the call is refused naming
them. Unit cost = the variant's cost price, VAT = its rate, in the shop currency, delivered to
the order's warehouse. Uses inventory.services.purchasing.purchase_order_create.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from inventory.models import PurchaseOrder, Variant
from inventory.selectors.purchasing import open_purchase_units
from inventory.selectors.stock import available_in_warehouse
from inventory.services.purchasing import (
    PurchaseLineInput,
    PurchaseOrderInput,
    purchase_drafts_shrink,
    purchase_order_create,
)
from inventory.services.sequences import sequence_lock
from orders import transitions as t
from orders.errors import OrderError
from orders.models import Order, OrderLine


def shortage_source(order_id: int) -> str:
    """The PurchaseOrder.source of the drafts made for order `order_id`."""
    return f"order:{order_id}"


def _missing(order: Order) -> dict[int, int]:
    """variant id -> units the order needs beyond what its warehouse has available."""
    assert order.warehouse_id is not None
    needed: dict[int, int] = defaultdict(int)
    for variant_id, quantity in OrderLine.objects.filter(order=order).values_list(
        "variant_id", "quantity"
    ):
        needed[variant_id] += quantity
    available = available_in_warehouse(warehouse_id=order.warehouse_id, variant_ids=needed)
    missing = {
        variant_id: units - max(available.get(variant_id, 0), 0)
        for variant_id, units in needed.items()
    }
    return {variant_id: units for variant_id, units in missing.items() if units > 0}


def _to_order(order: Order, *, exclude_source: str = "") -> dict[int, int]:
    """variant id -> units to order for `order` now (see the module docstring)."""
    assert order.warehouse_id is not None
    missing = _missing(order)
    incoming = open_purchase_units(
        warehouse_id=order.warehouse_id, variant_ids=list(missing), exclude_source=exclude_source
    )
    result: dict[int, int] = {}
    for variant_id, units in missing.items():
        still = units - incoming.get(variant_id, 0)
        if still > 0:
            result[variant_id] = still
    return result


def shortage_drafts_shrink(*, order_id: int, user_id: int | None) -> list[PurchaseOrder]:
    """Lower the still-draft purchase orders made for order `order_id`'s shortage to what it is
    still short of after every other open purchase order (nothing once it is no longer new,
    i.e. cancelled or holding its stock). Returns the drafts that changed."""
    source = shortage_source(order_id)
    if not PurchaseOrder.objects.filter(source=source, status=PurchaseOrder.Status.DRAFT).exists():
        return []  # the common case: no draft to look at, no lock taken
    with transaction.atomic():
        sequence_lock(prefix="PO")
        order = Order.objects.filter(pk=order_id).first()
        keep: dict[tuple[int, int], int] = {}
        if order is not None and order.status == t.NEW and order.warehouse_id is not None:
            keep = {
                (order.warehouse_id, variant_id): units
                for variant_id, units in _to_order(order, exclude_source=source).items()
            }
        return purchase_drafts_shrink(source=source, keep=keep, user_id=user_id)


def draft_po_for_shortage(
    *,
    order_id: int,
    user_id: int | None,
    fallback_supplier_id: int | None = None,
) -> list[PurchaseOrder]:
    """One draft purchase order per supplier for the units order `order_id` is short of.

    Returns the drafts created (empty when nothing is missing any more). Raises OrderError
    (or inventory's InventoryError for an inactive supplier or warehouse) and creates nothing.
    """
    with transaction.atomic():
        # Serialise with other drafts (reorder page, a double click) on the PO number row.
        sequence_lock(prefix="PO")
        order = Order.objects.filter(pk=order_id).first()
        if order is None:
            raise OrderError(_("This order does not exist."))
        if order.warehouse_id is None:
            raise OrderError(
                _("Choose the warehouse of order %(number)s first.") % {"number": order.number}
            )
        to_order = _to_order(order)
        if not to_order:
            return []
        groups = _lines_by_supplier(to_order, fallback_supplier_id=fallback_supplier_id)
        notes = _("Stock short for order %(number)s.") % {"number": order.number}
        created: list[PurchaseOrder] = []
        for supplier_id in sorted(groups):
            created.append(
                purchase_order_create(
                    data=PurchaseOrderInput(
                        supplier_id=supplier_id,
                        warehouse_id=order.warehouse_id,
                        lines=groups[supplier_id],
                        notes=notes,
                        source=shortage_source(order.pk),
                    ),
                    user_id=user_id,
                    currency=settings.SHOP_CURRENCY,
                )
            )
    return created


def _lines_by_supplier(
    to_order: dict[int, int], *, fallback_supplier_id: int | None
) -> dict[int, list[PurchaseLineInput]]:
    """supplier id -> the lines to order from it, in variant id order: each variant's active
    preferred supplier, or the fallback; without either the call is refused naming the SKUs."""
    variants = {
        v.pk: v
        for v in Variant.objects.filter(pk__in=list(to_order))
        .select_related("preferred_supplier")
        .order_by("pk")
    }
    groups: dict[int, list[PurchaseLineInput]] = defaultdict(list)
    unassigned: list[str] = []
    for variant_id in sorted(to_order):
        variant = variants[variant_id]
        supplier = variant.preferred_supplier
        supplier_id = supplier.pk if supplier is not None and supplier.is_active else None
        if supplier_id is None:
            if fallback_supplier_id is None:
                unassigned.append(variant.sku)
                continue
            supplier_id = fallback_supplier_id
        groups[supplier_id].append(
            PurchaseLineInput(
                variant_id=variant_id,
                quantity=to_order[variant_id],
                unit_cost=variant.cost_price,
                vat_rate=variant.vat_rate,
            )
        )
    if unassigned:
        raise OrderError(
            _("Choose a supplier for %(skus)s: they have no preferred supplier.")
            % {"skus": ", ".join(sorted(unassigned))}
        )
    return groups
