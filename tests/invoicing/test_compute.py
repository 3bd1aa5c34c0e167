"""Invoices computed from orders, every figure worked by hand (prices include VAT).

The order (conftest_app.hand_order): subtotal 330,000 + 300,000 + 108,000 = 738,000; the order
discount 73,800 spread in proportion: 33,000 / 30,000 / 10,800; nets 297,000 / 270,000 / 97,200.
  10 %: VAT 297,000 x 10/110 = 27,000; amount 270,000; gross 330,000 - 30,000 = 300,000 without
        VAT, so discount 30,000, unit price 150,000.
   5 %: VAT 270,000 x 5/105 = 12,857.14 -> 12,857; amount 257,143; gross 315,000 - 15,000 =
        300,000 without VAT, discount 42,857, unit price 100,000.
   8 %: VAT 97,200 x 8/108 = 7,200; amount 90,000; gross 108,000 - 8,000 = 100,000,
        discount 10,000, unit price 25,000.
  Shipping 22,000 (mixed rates: 10 %): VAT 2,000, amount 20,000.
  Breakdown 10 %: 290,000 / 29,000; 5 %: 257,143 / 12,857; 8 %: 90,000 / 7,200.
  Without VAT 637,143, VAT 49,057, total 686,200 = the order's total (738,000 - 73,800 + 22,000).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoicing.adapters.base import LineKind, VatBreakdown, VatRate
from invoicing.services.compute import SoldLine, UnsupportedVatRate, compute_invoice, vat_rate_of
from invoicing.services.issuing import compute_for_order
from invoicing.services.words import amount_in_words

D = Decimal


def figures(line):
    return (
        line.kind,
        line.quantity,
        line.unit_price,
        line.discount,
        line.amount,
        line.vat_rate,
        line.vat_amount,
    )


@pytest.mark.django_db
def test_an_order_with_mixed_rates_discounts_and_shipping(hand_order) -> None:
    order = hand_order.order
    assert order.total == D(686200)
    computed = compute_for_order(order)
    assert [figures(line) for line in computed.lines] == [
        (LineKind.GOODS, D(2), D(150000), D(30000), D(270000), VatRate.TEN, D(27000)),
        (LineKind.GOODS, D(3), D(100000), D(42857), D(257143), VatRate.FIVE, D(12857)),
        (LineKind.GOODS, D(4), D(25000), D(10000), D(90000), VatRate.EIGHT, D(7200)),
        (LineKind.FEE, D(1), D(20000), D(0), D(20000), VatRate.TEN, D(2000)),
    ]
    assert [line.name for line in computed.lines] == [
        "Áo thun cotton",
        "Gạo ST25 túi 5 kg",
        "Sữa chua hộp",
        "Phí vận chuyển",
    ]
    assert computed.breakdown == (
        VatBreakdown(VatRate.TEN, D(290000), D(29000)),
        VatBreakdown(VatRate.FIVE, D(257143), D(12857)),
        VatBreakdown(VatRate.EIGHT, D(90000), D(7200)),
    )
    assert (computed.total_without_vat, computed.total_vat, computed.total) == (
        D(637143),
        D(49057),
        D(686200),
    )
    assert computed.discount_total == D(82857)
    assert computed.total_in_words == "Sáu trăm tám mươi sáu nghìn hai trăm đồng"


def test_rates_without_tax_and_a_unit_price_with_decimals() -> None:
    """3 x 50,000 at 8 %: VAT 150,000 x 8/108 = 11,111.11 -> 11,111; amount 138,889; unit price
    138,889 / 3 = 46,296.3333. KCT 40,000 and KKKNT 30,000 carry no VAT. One rate (8 %) among
    the taxed goods, but three rates in all: shipping 11,000 at 10 %: VAT 1,000.
    Without VAT 138,889 + 40,000 + 30,000 + 10,000 = 218,889; VAT 12,111; total 231,000."""
    sold = [
        SoldLine(
            name="Bánh", quantity=D(3), gross=D(150000), net=D(150000), vat_rate=VatRate.EIGHT
        ),
        SoldLine(
            name="Sách", quantity=D(1), gross=D(40000), net=D(40000), vat_rate=VatRate.NOT_SUBJECT
        ),
        SoldLine(
            name="Dịch vụ",
            quantity=D(1),
            gross=D(30000),
            net=D(30000),
            vat_rate=VatRate.NOT_DECLARED,
        ),
    ]
    computed = compute_invoice(sold=sold, shipping_fee=D(11000), currency="VND")
    assert [figures(line) for line in computed.lines] == [
        (LineKind.GOODS, D(3), D("46296.3333"), D(0), D(138889), VatRate.EIGHT, D(11111)),
        (LineKind.GOODS, D(1), D(40000), D(0), D(40000), VatRate.NOT_SUBJECT, D(0)),
        (LineKind.GOODS, D(1), D(30000), D(0), D(30000), VatRate.NOT_DECLARED, D(0)),
        (LineKind.FEE, D(1), D(10000), D(0), D(10000), VatRate.TEN, D(1000)),
    ]
    assert (computed.total_without_vat, computed.total_vat, computed.total) == (
        D(218889),
        D(12111),
        D(231000),
    )
    assert computed.total_in_words == "Hai trăm ba mươi mốt nghìn đồng"


def test_shipping_takes_the_rate_the_goods_share() -> None:
    """All goods at 5 %: shipping 21,000 at 5 %: VAT 1,000, amount 20,000."""
    sold = [
        SoldLine(name="Gạo", quantity=D(1), gross=D(105000), net=D(105000), vat_rate=VatRate.FIVE)
    ]
    computed = compute_invoice(sold=sold, shipping_fee=D(21000), currency="VND")
    assert figures(computed.lines[1]) == (
        LineKind.FEE,
        D(1),
        D(20000),
        D(0),
        D(20000),
        VatRate.FIVE,
        D(1000),
    )
    assert computed.breakdown == (VatBreakdown(VatRate.FIVE, D(120000), D(6000)),)


def test_catalogue_rates() -> None:
    assert [vat_rate_of(D(r)) for r in ("0", "5.00", "8", "10.00")] == [
        VatRate.ZERO,
        VatRate.FIVE,
        VatRate.EIGHT,
        VatRate.TEN,
    ]
    with pytest.raises(UnsupportedVatRate):
        vat_rate_of(D("7"))


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (15, "Mười lăm đồng"),
        (21, "Hai mươi mốt đồng"),
        (105, "Một trăm linh năm đồng"),
        (894_700, "Tám trăm chín mươi tư nghìn bảy trăm đồng"),
        (1_000_050, "Một triệu không trăm năm mươi đồng"),
        (1_000_500, "Một triệu năm trăm đồng"),
        (
            1_234_567_891,
            "Một tỷ hai trăm ba mươi tư triệu năm trăm sáu mươi bảy nghìn tám trăm chín mươi "
            "mốt đồng",
        ),
        (2_005_000_000_000, "Hai nghìn không trăm linh năm tỷ đồng"),
    ],
)
def test_amounts_in_words(amount: int, words: str) -> None:
    assert amount_in_words(D(amount)) == words
