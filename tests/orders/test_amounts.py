"""Order money: exact figures in VND and THB (pure functions)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from orders.errors import OrderError
from orders.services.amounts import LinePrice, order_amounts
from orders.services.orders.core import payment_status_for

D = Decimal


def line(q, price, discount="0", vat="10"):
    return LinePrice(quantity=q, unit_price=D(price), discount=D(discount), vat_rate=D(vat))


def test_vnd_order_with_line_and_order_discounts():
    amounts = order_amounts(
        lines=[line(2, "150000"), line(1, "100000", discount="10000", vat="8")],
        discount_total=D("50000"),
        shipping_fee=D("30000"),
        currency="VND",
    )
    assert [(a.gross, a.discount, a.line_total) for a in amounts.lines] == [
        (D("300000"), D("0"), D("300000")),
        (D("100000"), D("10000"), D("90000")),
    ]
    # 50000 spread 300000 : 90000 = 38461.54 : 11538.46 -> the larger remainder gets the dong.
    assert [a.discount_share for a in amounts.lines] == [D("38462"), D("11538")]
    # (300000 - 38462) x 10/110 = 23776.18; (90000 - 11538) x 8/108 = 5812 exactly.
    assert [a.vat_amount for a in amounts.lines] == [D("23776"), D("5812")]
    assert (
        amounts.subtotal,
        amounts.discount_total,
        amounts.shipping_fee,
        amounts.vat_total,
        amounts.total,
    ) == (D("390000"), D("50000"), D("30000"), D("29588"), D("370000"))
    assert str(amounts.total) == "370000"


def test_thb_order_in_satang():
    amounts = order_amounts(
        lines=[line(3, "199.50", vat="7"), line(1, "89.99", discount="9.99", vat="7")],
        discount_total=D("20"),
        shipping_fee=D("40"),
        currency="THB",
    )
    assert [a.line_total for a in amounts.lines] == [D("598.50"), D("80.00")]
    # 20 x 598.50/678.50 = 17.6418, 20 x 80/678.50 = 2.3581: the satang goes to the second.
    assert [a.discount_share for a in amounts.lines] == [D("17.64"), D("2.36")]
    # 580.86 x 7/107 = 38.0002; 77.64 x 7/107 = 5.0792.
    assert [a.vat_amount for a in amounts.lines] == [D("38.00"), D("5.08")]
    assert (amounts.subtotal, amounts.vat_total, amounts.total) == (
        D("678.50"),
        D("43.08"),
        D("698.50"),
    )
    assert str(amounts.total) == "698.50"


def test_prices_are_rounded_half_up_to_the_currency():
    vnd = order_amounts(
        lines=[line(3, "33333.5", vat="0")],
        discount_total=D("0"),
        shipping_fee=D("0"),
        currency="VND",
    )
    assert vnd.total == D("100002")  # 33334 x 3
    thb = order_amounts(
        lines=[line(1, "10.005", vat="0")],
        discount_total=D("0"),
        shipping_fee=D("0.125"),
        currency="THB",
    )
    assert (thb.subtotal, thb.shipping_fee, thb.total) == (D("10.01"), D("0.13"), D("10.14"))


def test_discount_shares_always_add_up():
    amounts = order_amounts(
        lines=[line(1, "1"), line(1, "1"), line(1, "1")],
        discount_total=D("2"),
        shipping_fee=D("0"),
        currency="VND",
    )
    assert [a.discount_share for a in amounts.lines] == [D("1"), D("1"), D("0")]
    assert amounts.total == D("1")


def test_zero_rate_lines_have_no_vat():
    amounts = order_amounts(
        lines=[line(1, "50000", vat="0")],
        discount_total=D("0"),
        shipping_fee=D("0"),
        currency="VND",
    )
    assert (amounts.vat_total, amounts.total) == (D("0"), D("50000"))


@pytest.mark.parametrize(
    ("lines", "discount", "fee", "message"),
    [
        ([line(1, "1000", discount="1001")], "0", "0", "line discount cannot be larger"),
        ([line(1, "1000")], "1001", "0", "larger than the subtotal"),
        ([line(1, "1000")], "-1", "0", "cannot be negative"),
        ([line(1, "1000")], "0", "-1", "shipping fee cannot be negative"),
        ([line(1, "-1")], "0", "0", "unit price cannot be negative"),
        ([line(1, "1000", discount="-5")], "0", "0", "line discount cannot be negative"),
        ([line(2, "999999999999")], "0", "0", "too large"),
    ],
)
def test_impossible_figures_are_refused(lines, discount, fee, message):
    with pytest.raises(OrderError, match=message):
        order_amounts(lines=lines, discount_total=D(discount), shipping_fee=D(fee), currency="VND")


@pytest.mark.parametrize(
    ("total", "paid", "refunded", "status"),
    [
        ("100", "0", "0", "unpaid"),
        ("100", "40", "0", "partially_paid"),
        ("100", "100", "0", "paid"),
        ("100", "120", "0", "paid"),
        ("0", "0", "0", "paid"),
        ("100", "100", "30", "partially_refunded"),
        ("100", "100", "100", "refunded"),
    ],
)
def test_payment_status(total, paid, refunded, status):
    assert payment_status_for(total=D(total), paid=D(paid), refunded=D(refunded)) == status
