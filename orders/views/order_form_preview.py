"""The lines of the manual order page as shown: each typed row with its product, its stock in
the chosen warehouse and its amount, and the order's totals, computed by the services' own
arithmetic (orders.services.amounts.order_amounts). Nothing here saves."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from inventory.models import Variant
from orders import transitions as t
from orders.errors import OrderError
from orders.forms_order import LineRow
from orders.selectors import order_form as selectors
from orders.services.amounts import LinePrice, OrderAmounts, order_amounts
from orders.services.orders.lines import variant_display_name


def reserving(edited: selectors.EditedOrder | None) -> bool:
    """The edited order holds its stock reserved (processing): a shortage blocks the save."""
    return edited is not None and edited.order.status in t.RESERVED_STATUSES


@dataclass
class LineView:
    """A row of the lines table: what was typed, the product, its stock and its amount."""

    row: LineRow
    sku: str
    name: str
    known: bool
    vat_rate: Decimal | None
    default_price: Decimal | None
    available_here: int | None
    available_total: int | None
    line_total: Decimal | None = None
    vat_category: str = ""

    @property
    def key(self) -> str:
        return self.row.key

    @property
    def short(self) -> bool:
        quantity = self.row.quantity
        return (
            quantity is not None
            and self.available_here is not None
            and (quantity > self.available_here)
        )


@dataclass
class Preview:
    amounts: OrderAmounts | None
    error: str
    lines: list[LineView]

    @property
    def short_lines(self) -> list[LineView]:
        return [line for line in self.lines if line.short]


def _line_views(
    rows: list[LineRow], *, infos: dict[int, Variant], edited: selectors.EditedOrder | None
) -> list[LineView]:
    views = []
    for row in rows:
        variant = infos.get(row.variant_id or 0)
        existing = edited.lines.get(row.line_id or 0) if edited else None
        if existing is not None:
            sku, name = existing.sku, existing.name
            vat_rate, default_price = existing.vat_rate, existing.unit_price
            vat_category = existing.vat_category
        elif variant is not None:
            sku = variant.sku
            name = variant_display_name(variant.product.name, variant.option_values)
            vat_rate, default_price = variant.vat_rate, variant.sale_price
            vat_category = variant.vat_category
        else:
            sku, name, vat_rate, default_price, vat_category = "", "", None, None, ""
        views.append(
            LineView(
                row=row,
                sku=sku,
                name=name,
                known=existing is not None or variant is not None,
                vat_rate=vat_rate,
                vat_category=vat_category,
                default_price=default_price,
                available_here=getattr(variant, "available_here", None),
                available_total=getattr(variant, "available_total", None),
            )
        )
    return views


def line_preview(
    rows: list[LineRow],
    *,
    warehouse_id: int | None,
    edited: selectors.EditedOrder | None,
    discount_total: Decimal,
    shipping_fee: Decimal,
    currency: str,
) -> Preview:
    """Amounts of the rows readable so far, computed by order_amounts (the services' own
    arithmetic), each line's stock in the chosen warehouse, and the error the amounts raise."""
    infos = selectors.variant_infos(
        ids=[r.variant_id for r in rows if r.variant_id],
        warehouse_id=warehouse_id,
        held=edited.held_in(warehouse_id) if edited else None,
    )
    lines = _line_views(rows, infos=infos, edited=edited)
    priced = [
        line
        for line in lines
        if line.known
        and line.row.is_valid
        and line.vat_rate is not None
        and (line.row.unit_price is not None or line.default_price is not None)
    ]
    amounts: OrderAmounts | None = None
    error = ""
    try:
        amounts = order_amounts(
            lines=[
                LinePrice(
                    quantity=line.row.quantity or 0,
                    unit_price=(
                        line.row.unit_price
                        if line.row.unit_price is not None
                        else line.default_price or Decimal(0)
                    ),
                    discount=line.row.discount,
                    vat_rate=line.vat_rate or Decimal(0),
                )
                for line in priced
            ],
            discount_total=discount_total,
            shipping_fee=shipping_fee,
            currency=currency,
        )
    except OrderError as refused:
        error = str(refused)
    else:
        for line, figures in zip(priced, amounts.lines, strict=True):
            line.line_total = figures.line_total
    return Preview(amounts=amounts, error=error, lines=lines)
