"""What an order sold, and what a return took back, as SoldLine rows (amounts include VAT).

The order discount is spread over the lines exactly as the order did it
(orders.services.amounts.order_amounts), so the lines' nets add up to the order's goods total.
"""

from __future__ import annotations

from decimal import Decimal

from common.money import quantize
from invoicing.services.compute import SoldLine, line_vat_rate
from orders.models import Order, OrderLine, Return
from orders.services.amounts import LinePrice, order_amounts, returned_units_net

UNIT = "cái"


def _lines(order: Order) -> list[OrderLine]:
    return list(order.lines.order_by("id"))


def sold_lines(order: Order) -> list[SoldLine]:
    lines = _lines(order)
    amounts = order_amounts(
        lines=[
            LinePrice(
                quantity=ln.quantity,
                unit_price=ln.unit_price,
                discount=ln.discount,
                vat_rate=ln.vat_rate,
            )
            for ln in lines
        ],
        discount_total=order.discount_total,
        shipping_fee=order.shipping_fee,
        currency=order.currency,
    )
    return [
        SoldLine(
            name=line.name,
            code=line.sku,
            unit=UNIT,
            quantity=Decimal(line.quantity),
            gross=amount.gross,
            net=amount.line_total - amount.discount_share,
            vat_rate=line_vat_rate(category=line.vat_category, percent=line.vat_rate),
        )
        for line, amount in zip(lines, amounts.lines, strict=True)
    ]


def returned_lines(order_return: Return) -> list[SoldLine]:
    """The units of a return at what they were sold for, net of every discount. A line
    returned in several goes counts the units returned before this return as already gone."""
    order = order_return.order
    rows = list(order_return.lines.select_related("order_line").order_by("order_line_id", "id"))
    by_line: dict[int, tuple[OrderLine, int]] = {}
    for row in rows:
        line, qty = by_line.get(row.order_line_id, (row.order_line, 0))
        by_line[row.order_line_id] = (line, qty + row.quantity)
    earlier: dict[int, int] = {}
    for line_id, quantity in (
        order.returns.filter(pk__lt=order_return.pk)
        .values_list("lines__order_line_id", "lines__quantity")
        .order_by()
    ):
        if line_id is not None:
            earlier[line_id] = earlier.get(line_id, 0) + quantity
    result = []
    for line_id, (line, quantity) in by_line.items():
        net = returned_units_net(
            line_total=line.line_total,
            quantity=line.quantity,
            subtotal=order.subtotal,
            discount_total=order.discount_total,
            returned_before=earlier.get(line_id, 0),
            returning=quantity,
            currency=order.currency,
        )
        result.append(
            SoldLine(
                name=line.name,
                code=line.sku,
                unit=UNIT,
                quantity=Decimal(quantity),
                gross=quantize(line.unit_price * quantity, order.currency),
                net=net,
                vat_rate=line_vat_rate(category=line.vat_category, percent=line.vat_rate),
            )
        )
    return result
