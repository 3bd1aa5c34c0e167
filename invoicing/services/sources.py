"""Who an order's invoice is made out to, what the order sold and what a return took back, as
SoldLine rows (amounts include VAT).

The buyer: the e-invoice the order asked for (orders.OrderInvoiceRequest, captured and checked
when the order was taken) first; else, as before, the customer's name, company and tax code,
the order's delivery address and the customer's first e-mail.

The order discount is spread over the lines exactly as the order did it
(orders.services.amounts.order_amounts), so the lines' nets add up to the order's goods total.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from common.money import quantize
from invoicing.services.compute import SoldLine, line_vat_rate
from orders.models import BuyerType, Order, OrderInvoiceRequest, OrderLine, Return
from orders.services.amounts import LinePrice, order_amounts, returned_units_net

UNIT = "cái"


@dataclass(frozen=True)
class OrderBuyer:
    name: str  # the person
    company: str  # the legal name of a company buyer
    tax_code: str
    address: str
    email: str


def _ship_address(order: Order) -> str:
    parts = (order.ship_street, order.ship_ward, order.ship_district, order.ship_province)
    return ", ".join(p for p in parts if p)


def buyer_of_order(order: Order) -> OrderBuyer:
    """The buyer as the order asked for its invoice, or as the customer stands."""
    customer = order.customer
    emails = customer.emails or []
    email = emails[0] if emails else ""
    asked = OrderInvoiceRequest.objects.filter(order_id=order.pk, wants_invoice=True).first()
    if asked is not None:
        company = asked.buyer_type == BuyerType.COMPANY
        return OrderBuyer(
            name=customer.name if company else (asked.legal_name or customer.name),
            # A person with a (personal) tax code is named on the invoice as its holder.
            company=asked.legal_name if company or asked.tax_code else "",
            tax_code=asked.tax_code,
            address=asked.address or _ship_address(order),
            email=asked.email or email,
        )
    return OrderBuyer(
        name=customer.name,
        company=customer.company,
        tax_code=customer.tax_code,
        address=_ship_address(order),
        email=email,
    )


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
