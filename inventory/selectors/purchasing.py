"""Reads for the supplier, purchase order, goods receipt and reorder pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from inventory.demand import demand_by_variant
from inventory.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    PurchaseOrder,
    PurchaseOrderEvent,
    PurchaseOrderLine,
    StockLevel,
    Supplier,
    Variant,
    Warehouse,
    available_units,
)
from inventory.services.purchasing import LineAmounts, purchase_line_amounts

Status = PurchaseOrder.Status
OPEN_STATUSES = (Status.CONFIRMED, Status.PARTIAL)


def open_units() -> Sum:
    """Units of purchase order lines still to arrive: ordered minus received."""
    return Sum(F("quantity") - F("quantity_received"), output_field=IntegerField())


# --- Suppliers --------------------------------------------------------------------------------


def supplier_list(*, q: str = "", active: str = "") -> QuerySet[Supplier]:
    """Suppliers matching `q` (name, contact, phone, email, tax code); active ones first.

    `active`: "" all, "1" active only, "0" inactive only. Each carries `open_orders`.
    """
    qs = Supplier.objects.annotate(
        open_orders=Count("orders", filter=Q(orders__status__in=OPEN_STATUSES))
    )
    needle = q.strip()
    if needle:
        qs = qs.filter(
            Q(name__icontains=needle)
            | Q(contact_name__icontains=needle)
            | Q(phone__icontains=needle)
            | Q(email__icontains=needle)
            | Q(tax_code__icontains=needle.replace(" ", ""))
        )
    if active == "1":
        qs = qs.filter(is_active=True)
    elif active == "0":
        qs = qs.filter(is_active=False)
    return qs.order_by("-is_active", "name", "pk")


def supplier_choices(*, include_id: int | None = None) -> QuerySet[Supplier]:
    """Active suppliers for a form, plus `include_id` (the current one, even if inactive)."""
    condition = Q(is_active=True)
    if include_id:
        condition |= Q(pk=include_id)
    return Supplier.objects.filter(condition).order_by("name", "pk")


def warehouse_choices(*, include_id: int | None = None) -> QuerySet[Warehouse]:
    condition = Q(is_active=True)
    if include_id:
        condition |= Q(pk=include_id)
    return Warehouse.objects.filter(condition).order_by("code", "pk")


def default_warehouse() -> Warehouse | None:
    """Where purchases go unless told otherwise: the first active main warehouse, else the
    first active one."""
    active = Warehouse.objects.filter(is_active=True).order_by("code", "pk")
    return active.filter(kind=Warehouse.Kind.MAIN).first() or active.first()


# --- Purchase orders --------------------------------------------------------------------------


def purchase_order_list(
    *, q: str = "", status: str = "", supplier_id: int | None = None
) -> QuerySet[PurchaseOrder]:
    """Orders newest first; each carries `units_ordered` and `units_received`."""
    qs = PurchaseOrder.objects.select_related("supplier", "warehouse").annotate(
        units_ordered=Coalesce(Sum("lines__quantity"), Value(0)),
        units_received=Coalesce(Sum("lines__quantity_received"), Value(0)),
    )
    needle = q.strip()
    if needle:
        qs = qs.filter(number__icontains=needle)
    if status:
        qs = qs.filter(status=status)
    if supplier_id:
        qs = qs.filter(supplier_id=supplier_id)
    return qs.order_by("-pk")


@dataclass(frozen=True)
class OrderLineRow:
    line: PurchaseOrderLine
    amounts: LineAmounts | None  # None for a user who may not see costs


def purchase_order_detail(*, order_id: int) -> PurchaseOrder:
    """The order with supplier, warehouse, lines (variant, product), receipts and events
    (history, oldest first) loaded.

    Raises PurchaseOrder.DoesNotExist.
    """
    lines = PurchaseOrderLine.objects.select_related("variant__product").order_by("pk")
    receipts = GoodsReceipt.objects.select_related("warehouse", "created_by").order_by(
        "-received_at", "-pk"
    )
    events = PurchaseOrderEvent.objects.select_related("user").order_by("created_at", "pk")
    return (
        PurchaseOrder.objects.select_related("supplier", "warehouse", "created_by")
        .prefetch_related(
            Prefetch("lines", queryset=lines),
            Prefetch("receipts", queryset=receipts),
            Prefetch("events", queryset=events),
        )
        .get(pk=order_id)
    )


def purchase_order_rows(order: PurchaseOrder, *, with_costs: bool) -> list[OrderLineRow]:
    """The order's (prefetched) lines with their rounded net and VAT amounts (none without
    `with_costs`)."""
    return [
        OrderLineRow(
            line=line,
            amounts=purchase_line_amounts(
                quantity=line.quantity,
                unit_cost=line.unit_cost,
                vat_rate=line.vat_rate,
                currency=order.currency,
            )
            if with_costs
            else None,
        )
        for line in order.lines.all()
    ]


def purchase_order_open_lines(*, order_id: int) -> list[PurchaseOrderLine]:
    """Lines with units still to receive, in order."""
    return list(
        PurchaseOrderLine.objects.filter(order_id=order_id, quantity_received__lt=F("quantity"))
        .select_related("variant__product")
        .order_by("pk")
    )


# --- Goods receipts ---------------------------------------------------------------------------


def receipt_list(
    *,
    with_costs: bool,
    q: str = "",
    warehouse_id: int | None = None,
    supplier_id: int | None = None,
) -> QuerySet[GoodsReceipt]:
    """Receipts newest first, with `units` and, `with_costs`, `value` (quantity x unit cost)
    per receipt."""
    qs = GoodsReceipt.objects.select_related(
        "purchase_order__supplier", "warehouse", "created_by"
    ).annotate(units=Coalesce(Sum("lines__quantity"), Value(0)))
    if not with_costs:
        return _receipt_filters(qs, q=q, warehouse_id=warehouse_id, supplier_id=supplier_id)
    qs = qs.annotate(
        value=Coalesce(
            Sum(
                ExpressionWrapper(
                    F("lines__quantity") * F("lines__unit_cost"),
                    output_field=DecimalField(max_digits=20, decimal_places=2),
                )
            ),
            Value(Decimal(0)),
            output_field=DecimalField(max_digits=20, decimal_places=2),
        ),
    )
    return _receipt_filters(qs, q=q, warehouse_id=warehouse_id, supplier_id=supplier_id)


def _receipt_filters(
    qs: QuerySet[GoodsReceipt], *, q: str, warehouse_id: int | None, supplier_id: int | None
) -> QuerySet[GoodsReceipt]:
    needle = q.strip()
    if needle:
        qs = qs.filter(Q(number__icontains=needle) | Q(purchase_order__number__icontains=needle))
    if warehouse_id:
        qs = qs.filter(warehouse_id=warehouse_id)
    if supplier_id:
        qs = qs.filter(purchase_order__supplier_id=supplier_id)
    return qs.order_by("-received_at", "-pk")


def receipt_detail(*, receipt_id: int) -> GoodsReceipt:
    """Raises GoodsReceipt.DoesNotExist."""
    lines = GoodsReceiptLine.objects.select_related("order_line__variant__product").order_by("pk")
    return (
        GoodsReceipt.objects.select_related("purchase_order__supplier", "warehouse", "created_by")
        .prefetch_related(Prefetch("lines", queryset=lines))
        .get(pk=receipt_id)
    )


# --- Reorder suggestions ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReorderLine:
    """One short variant. `threshold` is the whole shop's: see reorder_suggestions."""

    variant: Variant
    available: int
    incoming: int
    threshold: int
    demand: int
    in_drafts: int

    @property
    def short_by_threshold(self) -> bool:
        return self.threshold > 0 and self.available + self.incoming <= self.threshold

    @property
    def suggested(self) -> int:
        refill = self.threshold * 2 - (self.available + self.incoming)
        # the demand is what open orders lack now; stock already on order arrives for them
        return max(refill if self.short_by_threshold else 0, self.demand - self.incoming, 0)

    @property
    def to_order(self) -> int:
        """What a new draft order should still add: suggested minus what drafts already hold."""
        return max(self.suggested - self.in_drafts, 0)


@dataclass(frozen=True)
class ReorderGroup:
    supplier: Supplier | None  # None: variants without an active preferred supplier
    lines: list[ReorderLine] = field(default_factory=list)

    @property
    def to_order_lines(self) -> list[ReorderLine]:
        return [line for line in self.lines if line.to_order > 0]

    @property
    def estimated_cost(self) -> Decimal:
        return sum((line.variant.cost_price * line.to_order for line in self.lines), Decimal(0))


@dataclass(frozen=True)
class ReorderPlan:
    groups: list[ReorderGroup]

    @property
    def unassigned(self) -> ReorderGroup | None:
        return next((g for g in self.groups if g.supplier is None), None)

    @property
    def draftable(self) -> list[ReorderGroup]:
        return [g for g in self.groups if g.supplier is not None and g.to_order_lines]


def reorder_suggestions() -> ReorderPlan:
    """Variants to buy, grouped by preferred supplier (the group without one comes first).

    For each active variant:
      available = on hand - reserved, summed over all warehouses;
      incoming  = open quantity on confirmed and partially received purchase orders;
      threshold = the variant's low-stock threshold (for all warehouses without their own)
                  plus each warehouse's own threshold where one is set. Reordering looks at the
                  shop as a whole: moving units between warehouses is a transfer, not a purchase;
      demand    = units reported by the registered demand providers (inventory.demand).
    A variant is short when threshold > 0 and available + incoming <= threshold (the stock
    page's "low stock" rule), or when demand > 0. Suggested quantity =
    max(2 x threshold - (available + incoming), demand - incoming): refill to twice the
    threshold, and at least what the demand still needs once the incoming units arrive.
    Quantities already on draft orders are shown (`in_drafts`) and taken off what new drafts
    add (`to_order`), so drafting twice never doubles an order.
    A fixed number of queries, whatever the number of variants (plus the providers' own).
    """
    demand = demand_by_variant()
    drafted = _units_by_variant(
        PurchaseOrderLine.objects.filter(order__status=Status.DRAFT), Sum("quantity")
    )
    lines: list[ReorderLine] = []
    figures = _reorder_figures(demand)
    variants = (
        Variant.objects.filter(pk__in=list(figures))
        .select_related("product", "preferred_supplier")
        .order_by("sku", "pk")
    )
    for variant in variants:
        available, units_incoming, threshold = figures[variant.pk]
        line = ReorderLine(
            variant=variant,
            available=available,
            incoming=units_incoming,
            threshold=threshold,
            demand=demand.get(variant.pk, 0),
            in_drafts=drafted.get(variant.pk, 0),
        )
        if line.suggested > 0:
            lines.append(line)
    return ReorderPlan(groups=_by_supplier(lines))


def _units_by_variant(lines: QuerySet[PurchaseOrderLine], units: Sum) -> dict[int, int]:
    """variant id -> `units` summed over the purchase order lines."""
    return {
        variant_id: int(total or 0)
        for variant_id, total in lines.values("variant_id")
        .annotate(units=units)
        .values_list("variant_id", "units")
    }


def _reorder_figures(demand: dict[int, int]) -> dict[int, tuple[int, int, int]]:
    """(available, incoming, threshold) of every variant that may need reordering: active
    ones with a threshold (their own or a warehouse's), and those with demand."""
    levels: dict[int, Any] = {
        row["variant_id"]: row
        for row in StockLevel.objects.values("variant_id").annotate(
            units=Sum(available_units()),
            overrides=Sum("low_stock_threshold"),
            plain=Count("pk", filter=Q(low_stock_threshold__isnull=True)),
        )
    }
    incoming = _units_by_variant(
        PurchaseOrderLine.objects.filter(order__status__in=OPEN_STATUSES), open_units()
    )
    with_overrides = [pk for pk, row in levels.items() if row["overrides"]]
    candidates = Variant.objects.filter(
        Q(is_active=True, product__is_active=True)
        & (Q(low_stock_threshold__gt=0) | Q(pk__in=with_overrides))
        | Q(pk__in=list(demand))
    ).values_list("pk", "low_stock_threshold")
    figures: dict[int, tuple[int, int, int]] = {}
    for pk, own_threshold in candidates:
        row = levels.get(pk)
        available = int(row["units"] or 0) if row else 0
        overrides = int(row["overrides"] or 0) if row else 0
        uses_own = row is None or bool(row["plain"])
        threshold = overrides + (own_threshold if uses_own else 0)
        figures[pk] = (available, incoming.get(pk, 0), threshold)
    return figures


def _by_supplier(lines: list[ReorderLine]) -> list[ReorderGroup]:
    """The lines grouped by active preferred supplier: the group without one first, then by
    supplier name."""
    groups: dict[int | None, ReorderGroup] = {}
    for line in lines:
        supplier = line.variant.preferred_supplier
        key = supplier.pk if supplier is not None and supplier.is_active else None
        if key not in groups:
            groups[key] = ReorderGroup(supplier=supplier if key is not None else None)
        groups[key].lines.append(line)
    return sorted(groups.values(), key=_group_order)


def _group_order(group: ReorderGroup) -> tuple[int, str, int]:
    if group.supplier is None:
        return (0, "", 0)
    return (1, group.supplier.name.lower(), group.supplier.pk)


def open_purchase_units(
    *, warehouse_id: int, variant_ids: Iterable[int], exclude_source: str = ""
) -> dict[int, int]:
    """variant id -> units still to arrive at `warehouse_id` on purchase orders that are draft,
    confirmed or partially received (quantity - quantity received); received and cancelled
    orders hold nothing. With `exclude_source`, drafts made for that source are left out."""
    open_lines = PurchaseOrderLine.objects.filter(
        order__status__in=(Status.DRAFT, Status.CONFIRMED, Status.PARTIAL),
        order__warehouse_id=warehouse_id,
        variant_id__in=list(variant_ids),
    )
    if exclude_source:
        open_lines = open_lines.exclude(order__status=Status.DRAFT, order__source=exclude_source)
    return {
        variant_id: int(units)
        for variant_id, units in open_lines.values("variant_id")
        .annotate(units=open_units())
        .values_list("variant_id", "units")
        if units
    }
