"""Purchase order amounts.

Money rule (purchase_line_amounts): each line's net amount (quantity x unit cost) and its VAT
(net x rate) are rounded to the order currency (VND: whole dong, THB: satang, half up); the
order's subtotal and VAT are the sums of the rounded line amounts, and total = subtotal + VAT.
This is how Vietnamese and Thai invoices show VAT per line, so a supplier's invoice matches the
order to the unit. Unit costs are kept in the currency's precision too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from common.money import quantize

# The largest amount the money columns hold (14 digits, 2 decimals).
MAX_AMOUNT = Decimal("999999999999.99")
MAX_VAT_RATE = Decimal("100")


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
