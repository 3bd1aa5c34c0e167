"""An invoice computed from what the buyer paid, exact in the currency's precision.

The shop's prices include VAT (orders.services.amounts). For each sold line, with rate r %:
    gross     = quantity x unit price (VAT included), before any discount
    net       = gross - line discount - the line's share of the order discount (what was paid)
    vat       = quantize(net x r / (100 + r))          the VAT the paid amount contains
    amount    = net - vat                               the taxable amount (without VAT)
    gross_ex  = gross - quantize(gross x r / (100 + r)) the line before discounts, without VAT
    discount  = gross_ex - amount                       line and order discounts, without VAT
    unit price (without VAT) = gross_ex / quantity, to 4 decimals
So amount = gross_ex - discount exactly, amount + vat = net exactly, and the invoice's total is
what the order charged to the dong. vat differs from amount x r / 100 by at most 0.55 dong
(within both providers' tolerance). Order discounts are therefore shown on each line (the
per-rate breakdown stays exact); the shipping fee is a FEE line at `shipping_rate` (default: the
goods' rate when they share one, else 10 %). KCT and KKKNT lines carry no VAT.

A sales invoice (template 2, "hóa đơn bán hàng", for sellers on the direct method; E.2, E.6)
carries no VAT at all: each line's total is what was paid for it (amount = net, VAT 0; unit
price = gross / quantity, the price the shop charged; discount = gross - net), with the rate of
a line without tax (KCT: S-Invoice's -2, MISA's "KCT"), and there is no per-rate breakdown. The
total still equals the order's to the dong. `kind` decides (InvoiceKind.SALES).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from common.money import quantize
from inventory.models import VatCategory
from invoicing.adapters.base import (
    InvoiceKind,
    InvoiceLine,
    LineKind,
    VatBreakdown,
    VatRate,
    percent_of,
)
from invoicing.services.words import amount_in_words

HUNDRED = Decimal(100)
PRICE_PLACES = Decimal("0.0001")
RATES_BY_PERCENT = {
    Decimal(0): VatRate.ZERO,
    Decimal(5): VatRate.FIVE,
    Decimal(8): VatRate.EIGHT,
    Decimal(10): VatRate.TEN,
}


class UnsupportedVatRate(ValueError):
    """A catalogue rate an invoice cannot carry (0, 5, 8, 10 % only)."""


def vat_rate_of(percent: Decimal) -> VatRate:
    rate = Decimal(percent).normalize()
    try:
        return RATES_BY_PERCENT[rate]
    except KeyError:
        raise UnsupportedVatRate(format(rate, "f")) from None


# An order line's VAT category that carries no percentage, and the invoice rate it becomes.
RATES_BY_CATEGORY = {
    VatCategory.NOT_SUBJECT: VatRate.NOT_SUBJECT,  # KCT: S-Invoice -2, MISA "KCT"
    VatCategory.NOT_DECLARED: VatRate.NOT_DECLARED,  # KKKNT: S-Invoice -1, MISA "KKKNT"
}


def line_vat_rate(*, category: str, percent: Decimal) -> VatRate:
    """The invoice rate of a sold line: its category's code (KCT, KKKNT), or for the
    VAT-rate category its percentage (0, 5, 8, 10; UnsupportedVatRate otherwise)."""
    if category == VatCategory.RATE:
        return vat_rate_of(percent)
    try:
        return RATES_BY_CATEGORY[VatCategory(category)]
    except ValueError:
        raise UnsupportedVatRate(category) from None


@dataclass(frozen=True)
class SoldLine:
    """One sold line: amounts include VAT."""

    name: str
    quantity: Decimal
    gross: Decimal  # quantity x unit price, before discounts
    net: Decimal  # after every discount: what was paid for this line
    vat_rate: VatRate
    code: str = ""
    unit: str = ""
    other_percent: Decimal = Decimal(0)  # the percentage of an OTHER rate (KHAC)


@dataclass(frozen=True)
class ComputedInvoice:
    lines: tuple[InvoiceLine, ...]
    breakdown: tuple[VatBreakdown, ...]
    total_without_vat: Decimal
    total_vat: Decimal
    total: Decimal
    discount_total: Decimal
    total_in_words: str


def contained_vat(
    amount: Decimal, rate: VatRate, currency: str, other_percent: Decimal = Decimal(0)
) -> Decimal:
    """The VAT contained in an amount that includes it."""
    percent = percent_of(rate, other_percent)
    return quantize(amount * percent / (HUNDRED + percent), currency)


def _unit_price(gross_ex: Decimal, quantity: Decimal) -> Decimal:
    if not quantity:
        return gross_ex
    price = (gross_ex / quantity).quantize(PRICE_PLACES)
    return price.quantize(Decimal(1)) if price == price.to_integral_value() else price


def sales_line(number: int, sold: SoldLine, currency: str, kind: LineKind) -> InvoiceLine:
    """A sales invoice's line: what was paid, no VAT in it (see the module's docstring)."""
    return InvoiceLine(
        number=number,
        kind=kind,
        name=sold.name,
        code=sold.code,
        unit=sold.unit,
        quantity=sold.quantity,
        unit_price=_unit_price(sold.gross, sold.quantity),
        discount=sold.gross - sold.net,
        amount=sold.net,
        vat_rate=VatRate.NOT_SUBJECT,
        vat_amount=quantize(Decimal(0), currency),
    )


def invoice_line(
    number: int,
    sold: SoldLine,
    currency: str,
    kind: LineKind,
    invoice_kind: InvoiceKind = InvoiceKind.VAT,
) -> InvoiceLine:
    if invoice_kind is InvoiceKind.SALES:
        return sales_line(number, sold, currency, kind)
    other = sold.other_percent
    vat = contained_vat(sold.net, sold.vat_rate, currency, other)
    amount = sold.net - vat
    gross_ex = sold.gross - contained_vat(sold.gross, sold.vat_rate, currency, other)
    return InvoiceLine(
        number=number,
        kind=kind,
        name=sold.name,
        code=sold.code,
        unit=sold.unit,
        quantity=sold.quantity,
        unit_price=_unit_price(gross_ex, sold.quantity),
        discount=gross_ex - amount,
        amount=amount,
        vat_rate=sold.vat_rate,
        vat_amount=vat,
        other_percent=other if sold.vat_rate is VatRate.OTHER else Decimal(0),
    )


def breakdown_of(lines: Sequence[InvoiceLine]) -> tuple[VatBreakdown, ...]:
    """Per rate, in the order rates first appear: taxable amount and VAT (discount lines
    subtract)."""
    sums: dict[tuple[VatRate, Decimal], tuple[Decimal, Decimal]] = {}
    for line in lines:
        if line.kind == LineKind.NOTE:
            continue
        sign = -1 if line.kind == LineKind.DISCOUNT else 1
        key = (line.vat_rate, line.other_percent)
        taxable, vat = sums.get(key, (Decimal(0), Decimal(0)))
        sums[key] = (taxable + sign * line.amount, vat + sign * line.vat_amount)
    return tuple(
        VatBreakdown(rate, taxable, vat, other) for (rate, other), (taxable, vat) in sums.items()
    )


def _signed_amounts(lines: Sequence[InvoiceLine], currency: str) -> Decimal:
    return sum(
        (
            -line.amount if line.kind == LineKind.DISCOUNT else line.amount
            for line in lines
            if line.kind != LineKind.NOTE
        ),
        quantize(Decimal(0), currency),
    )


def totals_of(
    lines: Sequence[InvoiceLine], currency: str, *, kind: InvoiceKind = InvoiceKind.VAT
) -> ComputedInvoice:
    """The totals of `lines`; a sales invoice (`kind` SALES) has no breakdown and no VAT."""
    zero = quantize(Decimal(0), currency)
    if kind is InvoiceKind.SALES:
        parts: tuple[VatBreakdown, ...] = ()
        without_vat, vat = _signed_amounts(lines, currency), zero
    else:
        parts = breakdown_of(lines)
        without_vat = sum((p.taxable for p in parts), zero)
        vat = sum((p.vat for p in parts), zero)
    discounts = sum((ln.discount for ln in lines if ln.kind != LineKind.NOTE), zero)
    return ComputedInvoice(
        lines=tuple(lines),
        breakdown=parts,
        total_without_vat=without_vat,
        total_vat=vat,
        total=without_vat + vat,
        discount_total=discounts,
        total_in_words=amount_in_words(without_vat + vat, currency),
    )


def compute_invoice(
    *,
    sold: Sequence[SoldLine],
    shipping_fee: Decimal,
    currency: str,
    shipping_rate: VatRate | None = None,
    shipping_name: str = "Phí vận chuyển",
    kind: InvoiceKind = InvoiceKind.VAT,
) -> ComputedInvoice:
    """Goods lines, then the shipping fee (VAT included) as a fee line when there is one; a
    sales invoice (`kind` SALES) with every line as paid and no VAT."""
    lines = [
        invoice_line(number, line, currency, LineKind.GOODS, kind)
        for number, line in enumerate(sold, start=1)
    ]
    if shipping_fee:
        rates = {line.vat_rate for line in sold}
        rate = shipping_rate or (rates.pop() if len(rates) == 1 else VatRate.TEN)
        fee = SoldLine(
            name=shipping_name,
            quantity=Decimal(1),
            gross=shipping_fee,
            net=shipping_fee,
            vat_rate=rate,
        )
        lines.append(invoice_line(len(lines) + 1, fee, currency, LineKind.FEE, kind))
    return totals_of(lines, currency, kind=kind)
