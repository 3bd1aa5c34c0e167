"""Draft purchase orders for what an order cannot reserve.

When confirming an order fails for lack of stock, the staff may draft purchase orders for the
missing units straight from the order page. The quantities are computed here, under the same
lock the reorder drafts take (the PO number sequence row), never taken from the browser:

    missing   = units the order needs - units available in its warehouse (per variant)
    to order  = missing - units already on draft purchase orders for that variant and warehouse
                (so a second click, or a draft made from the reorder page, adds nothing twice)

Lines are grouped by the variant's active preferred supplier, one draft per supplier; variants
without one go to `fallback_supplier_id` (the user picks it), or the call is refused naming
them. Unit cost = the variant's cost price, VAT = its rate, in the shop currency, delivered to
the order's warehouse. Uses inventory.services.purchasing.purchase_order_create.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from inventory.models import (
    DocumentSequence,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    Variant,
)
from inventory.services.purchasing import (
    PurchaseLineInput,
    PurchaseOrderInput,
    purchase_order_create,
)
from orders.errors import OrderError
from orders.models import Order, OrderLine


def _to_order(order: Order) -> dict[int, int]:
    """variant id -> units to order for `order` now (see the module docstring)."""
    assert order.warehouse_id is not None
    needed: dict[int, int] = defaultdict(int)
    for variant_id, quantity in OrderLine.objects.filter(order=order).values_list(
        "variant_id", "quantity"
    ):
        needed[variant_id] += quantity
    available = {
        variant_id: on_hand - reserved
        for variant_id, on_hand, reserved in StockLevel.objects.filter(
            warehouse_id=order.warehouse_id, variant_id__in=list(needed)
        ).values_list("variant_id", "on_hand", "reserved")
    }
    drafted = dict(
        PurchaseOrderLine.objects.filter(
            order__status=PurchaseOrder.Status.DRAFT,
            order__warehouse_id=order.warehouse_id,
            variant_id__in=list(needed),
        )
        .values("variant_id")
        .annotate(units=Sum(F("quantity") - F("quantity_received")))
        .values_list("variant_id", "units")
    )
    result: dict[int, int] = {}
    for variant_id, units in needed.items():
        missing = units - max(available.get(variant_id, 0), 0)
        still = missing - (drafted.get(variant_id) or 0)
        if still > 0:
            result[variant_id] = still
    return result


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
        DocumentSequence.objects.get_or_create(prefix="PO")
        DocumentSequence.objects.select_for_update().get(prefix="PO")
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
        notes = _("Stock short for order %(number)s.") % {"number": order.number}
        created: list[PurchaseOrder] = []
        for supplier_id in sorted(groups):
            created.append(
                purchase_order_create(
                    data=PurchaseOrderInput(
                        supplier_id=supplier_id,
                        warehouse_id=order.warehouse_id,
                        lines=_sorted(groups[supplier_id]),
                        notes=notes,
                    ),
                    user_id=user_id,
                    currency=settings.SHOP_CURRENCY,
                )
            )
    return created


def _sorted(lines: Sequence[PurchaseLineInput]) -> list[PurchaseLineInput]:
    return sorted(lines, key=lambda line: line.variant_id)
