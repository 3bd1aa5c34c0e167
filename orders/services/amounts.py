"""Order money, in the order currency's precision (VND: whole dong, THB: satang; half up).

Unit prices include VAT (as sold to the buyer). For each line:
    gross      = quantize(quantity x unit_price)
    line_total = gross - line discount                      (discount <= gross)
Order:
    subtotal   = sum of line totals
    total      = subtotal - order discount + shipping fee  (order discount <= subtotal)
The order discount is spread over the lines in proportion to their line totals (largest
remainder in the currency's smallest unit, so the shares add up exactly), and each line's VAT
is what its discounted amount contains: quantize(amount x rate / (100 + rate)). vat_total is
the sum of the lines' VAT: the VAT contained in the goods. The shipping fee is passed on as
charged and is not part of vat_total (invoicing decides how a fee appears on the invoice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.utils.translation import gettext as _

from common.money import PRECISION, quantize
from orders.errors import OrderError

# The largest amount the money columns hold (14 digits, 2 decimals).
MAX_AMOUNT = Decimal("999999999999.99")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class LinePrice:
    quantity: int
    unit_price: Decimal
    discount: Decimal
    vat_rate: Decimal


@dataclass(frozen=True)
class LineAmounts:
    gross: Decimal
    discount: Decimal
    line_total: Decimal
    discount_share: Decimal  # this line's part of the order discount
    vat_amount: Decimal


@dataclass(frozen=True)
class OrderAmounts:
    subtotal: Decimal
    discount_total: Decimal
    shipping_fee: Decimal
    vat_total: Decimal
    total: Decimal
    lines: tuple[LineAmounts, ...]


def _spread(amount: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """Split `amount` over `weights` proportionally; the parts add up to `amount` exactly."""
    if not weights:
        return []
    total_weight = sum(weights, Decimal(0))
    unit = Decimal(1).scaleb(-PRECISION[currency])
    if amount == 0 or total_weight == 0:
        return [quantize(Decimal(0), currency) for _w in weights]
    raw = [amount * w / total_weight for w in weights]
    parts = [r.quantize(unit, rounding=ROUND_FLOOR) for r in raw]
    leftover = int((amount - sum(parts, Decimal(0))) / unit)
    # The largest remainders get one more unit each; ties go to the earlier line.
    by_remainder = sorted(range(len(raw)), key=lambda i: (-(raw[i] - parts[i]), i))
    for i in by_remainder[:leftover]:
        parts[i] += unit
    return parts


def order_amounts(
    *,
    lines: Sequence[LinePrice],
    discount_total: Decimal,
    shipping_fee: Decimal,
    currency: str,
) -> OrderAmounts:
    """Compute every amount of an order; raise OrderError for impossible figures."""
    discount_total = quantize(discount_total, currency)
    shipping_fee = quantize(shipping_fee, currency)
    if discount_total < 0:
        raise OrderError(_("The order discount cannot be negative."))
    if shipping_fee < 0:
        raise OrderError(_("The shipping fee cannot be negative."))
    gross_lines: list[tuple[Decimal, Decimal, Decimal]] = []
    for line in lines:
        unit_price = quantize(line.unit_price, currency)
        discount = quantize(line.discount, currency)
        if unit_price < 0:
            raise OrderError(_("A unit price cannot be negative."))
        if discount < 0:
            raise OrderError(_("A line discount cannot be negative."))
        gross = quantize(Decimal(line.quantity) * unit_price, currency)
        if discount > gross:
            raise OrderError(_("A line discount cannot be larger than the line amount."))
        gross_lines.append((gross, discount, gross - discount))
    subtotal = sum((lt for _g, _d, lt in gross_lines), quantize(Decimal(0), currency))
    if discount_total > subtotal:
        raise OrderError(_("The order discount cannot be larger than the subtotal."))
    shares = _spread(discount_total, [lt for _g, _d, lt in gross_lines], currency)
    amounts = []
    for (gross, discount, line_total), share, line in zip(gross_lines, shares, lines, strict=True):
        rate = line.vat_rate
        vat = quantize((line_total - share) * rate / (HUNDRED + rate), currency)
        amounts.append(
            LineAmounts(
                gross=gross,
                discount=discount,
                line_total=line_total,
                discount_share=share,
                vat_amount=vat,
            )
        )
    total = subtotal - discount_total + shipping_fee
    if total > MAX_AMOUNT or subtotal > MAX_AMOUNT:
        raise OrderError(_("The order total is too large; split it into several orders."))
    return OrderAmounts(
        subtotal=subtotal,
        discount_total=discount_total,
        shipping_fee=shipping_fee,
        vat_total=sum((a.vat_amount for a in amounts), quantize(Decimal(0), currency)),
        total=total,
        lines=tuple(amounts),
    )


def returned_units_net(
    *,
    line_total: Decimal,
    quantity: int,
    subtotal: Decimal,
    discount_total: Decimal,
    returned_before: int,
    returning: int,
    currency: str,
) -> Decimal:
    """What `returning` more units of a line were sold for, net of every discount.

    The line's net is its total after the line discount less its share of the order discount:
        line_net = line_total x (subtotal - discount_total) / subtotal   (0 when subtotal is 0)
    and the first k units of the line are worth N(k) = quantize(line_net x k / quantity). The
    units coming back now are worth N(returned_before + returning) - N(returned_before): one
    rounding per figure, and a line returned in several goes adds up to exactly its net.
    The shipping fee is never part of it (see orders.selectors.order_detail.refund_suggestion).
    """
    if subtotal == 0 or returning <= 0:
        return quantize(Decimal(0), currency)
    share = (subtotal - discount_total) / subtotal

    def worth(units: int) -> Decimal:
        return quantize(line_total * share * units / quantity, currency)

    return worth(returned_before + returning) - worth(returned_before)
