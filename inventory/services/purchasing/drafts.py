"""Draft purchase orders made for a need rather than by hand: one per supplier from the reorder
suggestions (grouped by each variant's preferred supplier, set here too), and the drafts made
for a sales order's shortage, shrunk when the order needs less."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inventory.errors import InventoryError
from inventory.models import PurchaseOrder, PurchaseOrderLine, Variant
from inventory.services.purchasing.amounts import purchase_totals
from inventory.services.purchasing.orders import (
    PurchaseLineInput,
    PurchaseOrderInput,
    Status,
    check_supplier,
    check_warehouse,
    draft_create,
)
from inventory.services.sequences import sequence_lock


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
    # Imported here: the selectors module uses this package's amount functions.
    from inventory.selectors.purchasing import reorder_suggestions

    currency = settings.SHOP_CURRENCY
    with transaction.atomic():
        check_warehouse(warehouse_id)
        sequence_lock(prefix="PO")
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
            created.append(draft_create(data=data, currency=currency, user_id=user_id))
    return created


def variant_set_preferred_supplier(*, variant_ids: Sequence[int], supplier_id: int) -> int:
    """Make `supplier_id` the preferred supplier of the variants; returns how many changed."""
    check_supplier(supplier_id)
    with transaction.atomic():
        changed = Variant.objects.filter(pk__in=variant_ids).update(
            preferred_supplier_id=supplier_id, updated_at=timezone.now()
        )
        if changed != len(set(variant_ids)):
            raise InventoryError(_("A product to assign no longer exists."))
    return changed


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
