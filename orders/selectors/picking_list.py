"""The picking list of the order list's bulk action: what to pick for the chosen orders, per
warehouse and per SKU, then order by order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from common.phones import format_phone
from orders import transitions as t
from orders.models import Order, OrderLine
from orders.selectors.lines import lines_by_order

# Orders a picking list is made for: not shipped yet, not cancelled.
PICKABLE_STATUSES = frozenset({t.NEW, t.PROCESSING})


@dataclass
class PickingSku:
    sku: str
    product: str
    options: list[str]
    barcode: str
    quantity: int


@dataclass
class PickingLine:
    sku: str
    name: str
    quantity: int


@dataclass
class PickingOrder:
    number: str
    created_at: datetime
    status: str
    status_label: str
    recipient: str
    phone: str
    channel_label: str
    external_number: str
    lines: list[PickingLine] = field(default_factory=list)


@dataclass
class PickingGroup:
    """One warehouse (None: orders without a warehouse yet)."""

    code: str | None
    name: str
    skus: list[PickingSku] = field(default_factory=list)
    orders: list[PickingOrder] = field(default_factory=list)

    @property
    def units(self) -> int:
        return sum(s.quantity for s in self.skus)


@dataclass(frozen=True)
class SkippedOrder:
    number: str
    status_label: str


@dataclass
class PickingList:
    groups: list[PickingGroup]
    skipped: list[SkippedOrder]

    @property
    def order_count(self) -> int:
        return sum(len(g.orders) for g in self.groups)


def picking_list(*, order_ids: Sequence[int]) -> PickingList:
    """What to pick for the given orders, per warehouse (by code; orders without a warehouse
    last): per SKU the total units with product, options and barcode, then each order (oldest
    first) with its lines. Orders already shipped, completed, cancelled or returned are left out
    and listed in `skipped`. Two queries."""
    orders = _orders(order_ids)
    skipped = [
        SkippedOrder(number=o.number, status_label=o.get_status_display())
        for o in orders
        if o.status not in PICKABLE_STATUSES
    ]
    orders = [o for o in orders if o.status in PICKABLE_STATUSES]
    order_lines = lines_by_order(
        order_ids=[o.pk for o in orders],
        related="variant__product",
        fields=("variant__barcode", "variant__product__id", "variant__product__name"),
    )
    groups: dict[int | None, PickingGroup] = {}
    skus: dict[int | None, dict[str, PickingSku]] = defaultdict(dict)
    for order in orders:
        key = order.warehouse_id
        if key not in groups:
            warehouse = order.warehouse
            groups[key] = PickingGroup(
                code=warehouse.code if warehouse else None,
                name=warehouse.name if warehouse else "",
            )
        picking_order = _picking_order(order)
        for line in order_lines.get(order.pk, []):
            picking_order.lines.append(
                PickingLine(sku=line.sku, name=line.name, quantity=line.quantity)
            )
            _count_sku(skus[key], line)
        groups[key].orders.append(picking_order)
    for key, group in groups.items():
        group.skus = sorted(skus[key].values(), key=lambda s: s.sku)
    ordered = sorted(groups.values(), key=lambda g: (g.code is None, g.code or ""))
    return PickingList(groups=ordered, skipped=skipped)


def _orders(order_ids: Sequence[int]) -> list[Order]:
    """The chosen orders, oldest first, with what the list prints and their warehouse."""
    return list(
        Order.objects.filter(pk__in=list(order_ids))
        .select_related("warehouse")
        .only(
            "id",
            "number",
            "status",
            "channel",
            "external_number",
            "ship_name",
            "ship_phone",
            "created_at",
            "warehouse",
            "warehouse__code",
            "warehouse__name",
        )
        .order_by("created_at", "id")
    )


def _picking_order(order: Order) -> PickingOrder:
    return PickingOrder(
        number=order.number,
        created_at=order.created_at,
        status=order.status,
        status_label=order.get_status_display(),
        recipient=order.ship_name,
        phone=format_phone(order.ship_phone),
        channel_label=order.get_channel_display(),
        external_number=order.external_number,
    )


def _count_sku(skus: dict[str, PickingSku], line: OrderLine) -> None:
    """Add a line's units to its SKU's total in the warehouse (`skus`: SKU -> total)."""
    total = skus.get(line.sku)
    if total is not None:
        total.quantity += line.quantity
        return
    variant = line.variant
    skus[line.sku] = PickingSku(
        sku=line.sku,
        product=variant.product.name,
        options=variant.option_values,
        barcode=variant.barcode,
        quantity=line.quantity,
    )
