"""One definition of a customer's orders and revenue (orders.services.customers), the same on
the customer list, the customer page, the top customers report and the phone order badge.

Worked by hand. Phạm Thu Trang has four orders (prices include VAT, VND):
  O1  new         1 x SHIRT 150,000                            counts 1 order, no revenue
  O2  completed   2 x SHIRT 150,000 + shipping 30,000 = 330,000 paid (COD)   1 order, 330,000
  O3  cancelled   1 x CAP 100,000                               nothing
  O4  returned    1 x CAP 100,000 + shipping 20,000 = 120,000 paid, the cap sent back entirely,
                  100,000 refunded (the shipping kept)          1 order, 120,000 - 100,000
Orders = 3 (not cancelled); revenue = 330,000 + 20,000 = 350,000; the report's average order
value = 350,000 / 2 shipped orders = 175,000.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Customer
from orders.selectors import reports
from orders.selectors.order_form import customer_candidates
from orders.services.customers import customer_totals_recount, customer_totals_refresh
from orders.services.orders.transitions import (
    order_cancel,
    order_complete,
    order_confirm,
    order_ship,
)
from orders.services.returns import RefundInput, ReturnLineInput, return_create
from tests.orders.factories import WarehouseFactory, make_customer, make_order, stocked_variant

pytestmark = pytest.mark.django_db


def four_orders() -> Customer:
    """Phạm Thu Trang with a new, a completed, a cancelled and a returned order (above)."""
    warehouse = WarehouseFactory(code="HCM01")
    shirt = stocked_variant(warehouse, 10, price="150000", sku="SHIRT")
    cap = stocked_variant(warehouse, 10, price="100000", sku="CAP")
    trang = make_customer("Phạm Thu Trang", phones=("0938 123 456",))
    make_order(trang, warehouse, [(shirt, 1)])
    o2 = make_order(trang, warehouse, [(shirt, 2)], shipping_fee=Decimal("30000"))
    o3 = make_order(trang, warehouse, [(cap, 1)])
    o4 = make_order(trang, warehouse, [(cap, 1)], shipping_fee=Decimal("20000"))
    for order in (o2, o4):
        order_confirm(order_id=order.pk, user_id=None)
        order_ship(order_id=order.pk, user_id=None)
        order_complete(order_id=order.pk, user_id=None)
    order_cancel(order_id=o3.pk, user_id=None)
    return_create(
        order_id=o4.pk,
        lines=[ReturnLineInput(o4.lines.get().pk, 1)],
        refund=RefundInput(amount=Decimal("100000"), method="cash"),
        user_id=None,
    )
    o4.refresh_from_db()
    assert (o4.status, o4.total, o4.paid_amount, o4.refunded_amount) == (
        "returned",
        Decimal("120000"),
        Decimal("120000"),
        Decimal("100000"),
    )
    return trang


def test_the_lifetime_totals_follow_the_one_definition():
    trang = four_orders()
    trang.refresh_from_db()
    assert (trang.orders_count, trang.revenue) == (3, Decimal("350000"))


def test_the_one_statement_recount_gives_the_same_figures():
    trang = four_orders()
    Customer.objects.filter(pk=trang.pk).update(orders_count=99, revenue=Decimal("1"))
    customer_totals_recount(customer_id=trang.pk)
    trang.refresh_from_db()
    assert (trang.orders_count, trang.revenue) == (3, Decimal("350000"))
    assert customer_totals_refresh(customer_id=trang.pk) == (3, Decimal("350000"))
    # A customer without orders: zeros, not NULL; the other customer is left alone.
    other = make_customer("Lý Văn Nam", phones=("0912 000 111",))
    Customer.objects.filter(pk=other.pk).update(orders_count=5, revenue=Decimal("7"))
    customer_totals_recount(customer_id=other.pk)
    other.refresh_from_db()
    assert (other.orders_count, other.revenue) == (0, Decimal(0))
    trang.refresh_from_db()
    assert (trang.orders_count, trang.revenue) == (3, Decimal("350000"))


def test_list_page_report_and_order_badge_show_the_same_figures(client, login_as):
    login_as("manager")
    trang = four_orders()

    listing = client.get(reverse("orders:customer_list"), {"q": "Trang"}).content.decode()
    assert (
        '<td class="num" data-label="Orders">3</td>\n'
        '        <td class="num strong" data-label="Revenue">₫350,000</td>'
    ) in listing
    assert "excl. cancelled" in listing
    assert "shipped, less refunds" in listing

    page = client.get(reverse("orders:customer_detail", args=[trang.pk])).content.decode()
    assert '<dd data-lifetime="orders">3</dd>' in page
    assert '<dd data-lifetime="revenue">₫350,000</dd>' in page

    response = client.get(reverse("orders:report_top_customers"))
    [row] = response.context["report"].rows
    assert (row.customer_id, row.orders, row.net_revenue, row.average_order) == (
        trang.pk,
        3,
        Decimal("350000"),
        Decimal("175000"),
    )
    report = response.content.decode()
    assert '<td class="num strong">3</td>\n          <td class="num strong">₫350,000</td>' in report

    [candidate] = customer_candidates(q="0938123")
    assert candidate.order_count == 3


def test_top_customers_counts_the_period_as_the_lifetime_does():
    trang = four_orders()
    today = timezone.localdate()
    report = reports.top_customers(
        filters=reports.ReportFilters(date_from=today, date_to=today, currency="VND")
    )
    assert [(r.customer_id, r.orders, r.net_revenue) for r in report.rows] == [
        (trang.pk, 3, Decimal("350000"))
    ]
