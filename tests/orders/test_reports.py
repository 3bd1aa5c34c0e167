"""Sales reports: best sellers, top customers, sales by channel and period, their CSV and Excel
files, the pages, permissions and query counts.

The data set is made through the services (created, confirmed, shipped, completed, one
cancelled, one left processing, a partial return with a refund, order and line discounts, two
channels and more, two warehouses, a category with a subcategory, cost prices changed between
shipments, an order in another currency, orders just outside the period). Every expected figure
below is worked out by hand from those inputs (the arithmetic is in the comments), never by
calling the report's own code.

Prices include 10% VAT. Variants:
  SHIRT-S  Áo sơ mi (S)   Fashion / Shirts  110,000  cost 60,000 (65,000 from before O3 shipped)
  SHIRT-M  Áo sơ mi (M)   Fashion / Shirts  121,000  cost 70,000
  SCARF    Khăn <script>  Fashion           55,000   cost 20,000
  POT      Nồi inox       Home              330,000  cost 200,000
Orders in the period 2026-03-10 .. 2026-04-05 (Asia/Ho_Chi_Minh):
  O1  A  website  HCM  03-10 10:00  SHIRT-S x2, SCARF x1, order discount 27,500, ship 30,000
      subtotal 275,000 (discount = 10%): SHIRT-S net 198,000 VAT 18,000; SCARF net 49,500
      VAT 4,500; total 277,500; completed
  O2  B  shopee   HN   03-10 23:59  SHIRT-M x3, POT x1; completed; 1 SHIRT-M returned,
      121,000 refunded: SHIRT-M units 2 net 363,000x2/3 = 242,000 VAT 33,000x2/3 = 22,000;
      POT net 330,000 VAT 30,000; total 693,000
  O3  A  shopee   HCM  03-11 00:00  SHIRT-S x1 with a line discount of 10,000, ship 15,000:
      net 100,000, VAT round(100,000x10/110) = 9,091, cost 65,000; total 115,000; shipped
  O4  C  website  HCM  03-11 09:00  POT x2, confirmed then cancelled: not counted
  O5  C  website  HN   03-12 09:00  SCARF x1, confirmed, never shipped: not counted
  O6  C  website  HN   03-16 08:00  SCARF x3, order discount 1,000, ship 20,000:
      net 164,000, VAT round(164,000/11) = 14,909, cost 60,000; total 184,000; completed
  O7  B  website  HCM  04-02 14:00  SHIRT-M x1, POT x1, order discount 1,000: shares
      1,000x121,000/451,000 = 268.29..., 731.70...: SHIRT-M net 120,731.707..., POT net
      329,268.292...; VAT (the service splits the discount 268 / 732) round(120,732/11) =
      10,976 and round(329,268/11) = 29,933; total 450,000; completed
  O8  A  phone    HCM  03-20 09:00  SCARF x1: net 55,000, VAT 5,000, cost 20,000; shipped
Outside: O9 A website 03-09 23:59 (shipped, the day before), O10 A lazada in THB (shipped).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from openpyxl import load_workbook

from inventory.models import Variant
from orders.models import Order, OrderLine, PaymentMethod, SalesDayChannel
from orders.selectors import reports
from orders.services.orders.create import order_create
from orders.services.orders.lines import LineInput
from orders.services.orders.transitions import (
    order_cancel,
    order_complete,
    order_confirm,
    order_ship,
)
from orders.services.returns import RefundInput, ReturnLineInput, return_create
from tests.inventory.factories import CategoryFactory, ProductFactory, VariantFactory
from tests.orders.factories import WarehouseFactory, make_customer

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
PERIOD = {"date_from": "2026-03-10", "date_to": "2026-04-05"}


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=HCM)


def filters(**changes) -> reports.ReportFilters:
    values = {"date_from": date(2026, 3, 10), "date_to": date(2026, 4, 5), "currency": "VND"}
    values.update(changes)
    return reports.ReportFilters(**values)


def _variant(product, sku: str, price: str, cost: str, warehouses, **fields) -> Variant:
    from inventory.services.stock import stock_receive

    variant = VariantFactory(
        product=product,
        sku=sku,
        sale_price=Decimal(price),
        cost_price=Decimal(cost),
        vat_rate=Decimal("10"),
        **fields,
    )
    for warehouse in warehouses:
        stock_receive(variant_id=variant.pk, warehouse_id=warehouse.pk, quantity=100)
    return variant


def _order(customer, warehouse, lines, *, at, channel, **fields) -> Order:
    return order_create(
        customer_id=customer.pk,
        warehouse_id=warehouse.pk,
        lines=[LineInput(variant_id=v.pk, quantity=q, discount=Decimal(d)) for v, q, d in lines],
        channel=channel,
        payment_method=fields.pop("payment_method", PaymentMethod.COD),
        user_id=None,
        now=at,
        **fields,
    )


def _ship(order: Order, at: datetime, *, complete: bool = True) -> None:
    order_confirm(order_id=order.pk, user_id=None, now=at)
    order_ship(order_id=order.pk, user_id=None, now=at)
    if complete:
        order_complete(order_id=order.pk, user_id=None, now=at)


@pytest.fixture
def shop(settings):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    settings.SHOP_CURRENCY = "VND"
    hcm = WarehouseFactory(code="HCM01", name="Kho Hồ Chí Minh")
    hn = WarehouseFactory(code="HN01", name="Kho Hà Nội")
    fashion = CategoryFactory(name="Fashion", full_name="Fashion")
    shirts = CategoryFactory(name="Shirts", parent=fashion, full_name="Fashion / Shirts")
    home = CategoryFactory(name="Home", full_name="Home")
    shirt = ProductFactory(name="Áo sơ mi", category=shirts)
    scarf_product = ProductFactory(name="Khăn <script>alert(1)</script>", category=fashion)
    pot_product = ProductFactory(name="Nồi inox", category=home)
    both = (hcm, hn)
    shirt_s = _variant(shirt, "SHIRT-S", "110000", "60000", both, option1="S")
    shirt_m = _variant(shirt, "SHIRT-M", "121000", "70000", both, option1="M")
    scarf = _variant(scarf_product, "SCARF", "55000", "20000", both)
    pot = _variant(pot_product, "POT", "330000", "200000", both)
    a = make_customer(name="Anh Nguyễn", phones=("0912 345 678",))
    b = make_customer(name="Bình Trần", phones=("0987 654 321",), company="Công ty Bình")
    c = make_customer(name="Chi Lê", phones=("0901 111 222",))

    o1 = _order(
        a,
        hcm,
        [(shirt_s, 2, 0), (scarf, 1, 0)],
        at=local(2026, 3, 10, 10, 0),
        channel="website",
        discount_total=Decimal("27500"),
        shipping_fee=Decimal("30000"),
    )
    _ship(o1, local(2026, 3, 10, 12, 0))
    o2 = _order(
        b, hn, [(shirt_m, 3, 0), (pot, 1, 0)], at=local(2026, 3, 10, 23, 59), channel="shopee"
    )
    _ship(o2, local(2026, 3, 11, 8, 0))
    shirt_m_line = OrderLine.objects.get(order=o2, variant=shirt_m)
    return_create(
        order_id=o2.pk,
        lines=[ReturnLineInput(order_line_id=shirt_m_line.pk, quantity=1)],
        user_id=None,
        refund=RefundInput(amount=Decimal("121000"), method=PaymentMethod.BANK_TRANSFER),
        now=local(2026, 3, 14, 9, 0),
    )
    # The cost changes before O3 leaves: O3 keeps the cost of its own shipment.
    Variant.objects.filter(pk=shirt_s.pk).update(cost_price=Decimal("65000"))
    o3 = _order(
        a,
        hcm,
        [(shirt_s, 1, "10000")],
        at=local(2026, 3, 11, 0, 0),
        channel="shopee",
        shipping_fee=Decimal("15000"),
    )
    _ship(o3, local(2026, 3, 11, 9, 0), complete=False)
    o4 = _order(c, hcm, [(pot, 2, 0)], at=local(2026, 3, 11, 9, 0), channel="website")
    order_confirm(order_id=o4.pk, user_id=None, now=local(2026, 3, 11, 9, 5))
    order_cancel(order_id=o4.pk, user_id=None, now=local(2026, 3, 11, 9, 10))
    o5 = _order(c, hn, [(scarf, 1, 0)], at=local(2026, 3, 12, 9, 0), channel="website")
    order_confirm(order_id=o5.pk, user_id=None, now=local(2026, 3, 12, 9, 5))
    o6 = _order(
        c,
        hn,
        [(scarf, 3, 0)],
        at=local(2026, 3, 16, 8, 0),
        channel="website",
        discount_total=Decimal("1000"),
        shipping_fee=Decimal("20000"),
    )
    _ship(o6, local(2026, 3, 16, 10, 0))
    o7 = _order(
        b,
        hcm,
        [(shirt_m, 1, 0), (pot, 1, 0)],
        at=local(2026, 4, 2, 14, 0),
        channel="website",
        discount_total=Decimal("1000"),
    )
    _ship(o7, local(2026, 4, 2, 15, 0))
    o8 = _order(a, hcm, [(scarf, 1, 0)], at=local(2026, 3, 20, 9, 0), channel="phone")
    _ship(o8, local(2026, 3, 20, 10, 0), complete=False)
    o9 = _order(a, hcm, [(pot, 1, 0)], at=local(2026, 3, 9, 23, 59), channel="website")
    _ship(o9, local(2026, 3, 10, 9, 0))
    o10 = _order(
        a, hcm, [(pot, 1, 0)], at=local(2026, 3, 12, 9, 0), channel="lazada", currency="THB"
    )
    _ship(o10, local(2026, 3, 12, 10, 0))
    return {
        "hcm": hcm,
        "hn": hn,
        "fashion": fashion,
        "shirts": shirts,
        "home": home,
        "a": a,
        "b": b,
        "c": c,
        "orders": [o1, o2, o3, o4, o5, o6, o7, o8, o9, o10],
        "variants": {"SHIRT-S": shirt_s, "SHIRT-M": shirt_m, "SCARF": scarf, "POT": pot},
    }


def test_the_data_set_is_what_the_hand_figures_assume(shop):
    o1, o2, o3, o4, o5, o6, o7, o8, _o9, o10 = (Order.objects.get(pk=o.pk) for o in shop["orders"])
    assert [o.status for o in (o1, o2, o3, o4, o5, o6, o7, o8)] == [
        "completed",
        "completed",
        "shipped",
        "cancelled",
        "processing",
        "completed",
        "completed",
        "shipped",
    ]
    assert (o1.subtotal, o1.discount_total, o1.total) == (275000, 27500, 277500)
    assert (o2.total, o2.refunded_amount) == (693000, 121000)
    assert (o3.total, o6.total, o7.total, o8.total) == (115000, 184000, 450000, 55000)
    assert o10.currency == "THB"
    lines = {
        (line.order_id, line.sku): (line.vat_amount, line.unit_cost, line.quantity_returned)
        for line in OrderLine.objects.all()
    }
    assert lines[(o1.pk, "SHIRT-S")] == (18000, 60000, 0)
    assert lines[(o2.pk, "SHIRT-M")] == (33000, 70000, 1)
    assert lines[(o3.pk, "SHIRT-S")] == (9091, 65000, 0)
    assert lines[(o7.pk, "SHIRT-M")] == (10976, 70000, 0)
    assert lines[(o7.pk, "POT")] == (29933, 200000, 0)


# --- Best sellers -----------------------------------------------------------------------------

# sku: (units, net revenue, VAT, cost), summed by hand from the module docstring:
#   SHIRT-S  O1 2 / 198,000 / 18,000 / 120,000 + O3 1 / 100,000 / 9,091 / 65,000
#   SHIRT-M  O2 2 / 242,000 / 22,000 / 140,000 + O7 1 / 120,731.707 / 10,976 / 70,000
#   SCARF    O1 1 / 49,500 / 4,500 / 20,000 + O6 3 / 164,000 / 14,909 / 60,000
#            + O8 1 / 55,000 / 5,000 / 20,000
#   POT      O2 1 / 330,000 / 30,000 / 200,000 + O7 1 / 329,268.293 / 29,933 / 200,000
BY_VARIANT = {
    "SHIRT-S": (3, 298000, 27091, 185000),
    "SHIRT-M": (3, 362732, 32976, 210000),
    "SCARF": (5, 268500, 24409, 100000),
    "POT": (2, 659268, 59933, 400000),
}
# revenue excl. VAT, profit, margin % (profit / revenue excl. VAT, one decimal)
DERIVED = {
    "SHIRT-S": (270909, 85909, Decimal("31.7")),  # 85,909 / 270,909 = 31.71%
    "SHIRT-M": (329756, 119756, Decimal("36.3")),  # 119,756 / 329,756 = 36.32%
    "SCARF": (244091, 144091, Decimal("59.0")),  # 144,091 / 244,091 = 59.03%
    "POT": (599335, 199335, Decimal("33.3")),  # 199,335 / 599,335 = 33.26%
}


def _figures(row) -> tuple:
    f = row.figures
    return (f.units, f.net_revenue, f.vat, f.cost, f.revenue_ex_vat, f.profit, f.margin)


def _expected(sku: str) -> tuple:
    return BY_VARIANT[sku] + DERIVED[sku]


def test_best_sellers_by_units_with_every_figure(shop):
    report = reports.best_sellers(with_costs=True, filters=filters(), sort="units")
    # Units 5, 3, 3, 2; the tie at 3 goes to the higher net revenue.
    assert [row.sku for row in report.rows] == ["SCARF", "SHIRT-M", "SHIRT-S", "POT"]
    for row in report.rows:
        assert _figures(row) == _expected(row.sku), row.sku
    names = {row.sku: (row.name, row.category) for row in report.rows}
    assert names == {
        "SCARF": ("Khăn <script>alert(1)</script>", "Fashion"),
        "SHIRT-M": ("Áo sơ mi (M)", "Fashion / Shirts"),
        "SHIRT-S": ("Áo sơ mi (S)", "Fashion / Shirts"),
        "POT": ("Nồi inox", "Home"),
    }
    assert all(isinstance(row.figures.net_revenue, Decimal) for row in report.rows)


def test_best_sellers_sorted_by_revenue_and_by_profit(shop):
    by_revenue = reports.best_sellers(with_costs=True, filters=filters(), sort="revenue")
    assert [row.sku for row in by_revenue.rows] == ["POT", "SHIRT-M", "SHIRT-S", "SCARF"]
    by_profit = reports.best_sellers(with_costs=True, filters=filters(), sort="profit")
    assert [row.sku for row in by_profit.rows] == ["POT", "SCARF", "SHIRT-M", "SHIRT-S"]


def test_best_sellers_by_product(shop):
    report = reports.best_sellers(with_costs=True, filters=filters(), group="product", sort="units")
    rows = [(row.name, row.sku, row.category, *_figures(row)) for row in report.rows]
    assert rows == [
        # Áo sơ mi = SHIRT-S + SHIRT-M: units 6, net 298,000 + 362,731.707 = 660,731.707,
        # VAT 27,091 + 32,976, cost 185,000 + 210,000; 600,665 - 395,000 = 205,665 (34.2%).
        ("Áo sơ mi", "", "Fashion / Shirts", 6, 660732, 60067, 395000, 600665, 205665,
         Decimal("34.2")),
        ("Khăn <script>alert(1)</script>", "", "Fashion", *_expected("SCARF")),
        ("Nồi inox", "", "Home", *_expected("POT")),
    ]  # fmt: skip


def test_best_sellers_filtered_by_category_with_its_subcategories(shop):
    fashion = reports.best_sellers(with_costs=True, filters=filters(category_id=shop["fashion"].pk))
    assert [row.sku for row in fashion.rows] == ["SCARF", "SHIRT-M", "SHIRT-S"]
    shirts = reports.best_sellers(with_costs=True, filters=filters(category_id=shop["shirts"].pk))
    assert [(row.sku, _figures(row)) for row in shirts.rows] == [
        ("SHIRT-M", _expected("SHIRT-M")),
        ("SHIRT-S", _expected("SHIRT-S")),
    ]


def test_best_sellers_filtered_by_channel_and_warehouse(shop):
    shopee = reports.best_sellers(with_costs=True, filters=filters(channel="shopee"))
    # O2 and O3 only.
    assert [(row.sku, row.figures.units, row.figures.net_revenue) for row in shopee.rows] == [
        ("SHIRT-M", 2, 242000),
        ("POT", 1, 330000),
        ("SHIRT-S", 1, 100000),
    ]
    hanoi = reports.best_sellers(with_costs=True, filters=filters(warehouse_id=shop["hn"].pk))
    # O2 and O6 (O5 in Hà Nội never shipped).
    assert [(row.sku, row.figures.units, row.figures.net_revenue) for row in hanoi.rows] == [
        ("SCARF", 3, 164000),
        ("SHIRT-M", 2, 242000),
        ("POT", 1, 330000),
    ]


def test_best_sellers_period_edges_are_shop_local_days(shop):
    # From 03-11: O2 (03-10 23:59) is out, O3 (03-11 00:00) is in.
    report = reports.best_sellers(with_costs=True, filters=filters(date_from=date(2026, 3, 11)))
    units = {row.sku: row.figures.units for row in report.rows}
    assert units == {"SHIRT-S": 1, "SHIRT-M": 1, "SCARF": 4, "POT": 1}
    # Up to 03-10: O1 and O2 only; O9 at 03-09 23:59 is out of a period starting 03-10.
    report = reports.best_sellers(with_costs=True, filters=filters(date_to=date(2026, 3, 10)))
    units = {row.sku: row.figures.units for row in report.rows}
    assert units == {"SHIRT-S": 2, "SHIRT-M": 2, "SCARF": 1, "POT": 1}


def test_best_sellers_in_the_other_currency_only_count_those_orders(shop):
    report = reports.best_sellers(with_costs=True, filters=filters(currency="THB"))
    # O10: POT 330,000.00 THB (the variant price taken as THB), VAT 30,000.00.
    assert [(row.sku, *_figures(row)[:4]) for row in report.rows] == [
        ("POT", 1, Decimal("330000.00"), Decimal("30000.00"), Decimal("200000.00"))
    ]


def test_best_sellers_keep_the_top_100_only(shop):
    product = ProductFactory(name="Nhiều mẫu")
    variants = [
        _variant(product, f"MANY-{i:03d}", "1000", "500", [shop["hcm"]], option1=f"{i}")
        for i in range(101)
    ]
    order = _order(
        shop["a"],
        shop["hcm"],
        [(v, 1, 0) for v in variants],
        at=local(2026, 3, 25, 9, 0),
        channel="website",
    )
    _ship(order, local(2026, 3, 25, 10, 0))
    report = reports.best_sellers(with_costs=True, filters=filters(), sort="units")
    assert len(report.rows) == 100
    assert [row.sku for row in report.rows[:4]] == ["SCARF", "SHIRT-M", "SHIRT-S", "POT"]
    # The ties at 1 unit of 1,000 go by id: MANY-000 .. MANY-095 fill the rest.
    assert report.rows[-1].sku == "MANY-095"


# --- Top customers ----------------------------------------------------------------------------


def test_top_customers_by_revenue_and_by_orders(shop):
    a, b, c = shop["a"], shop["b"], shop["c"]
    report = reports.top_customers(filters=filters(), sort="revenue")
    rows = [
        (r.customer_id, r.orders, r.net_revenue, r.average_order, r.last_order_at)
        for r in report.rows
    ]
    assert rows == [
        # B: O2 693,000 - 121,000 refunded + O7 450,000 = 1,022,000 over 2 orders.
        (b.pk, 2, 1022000, 511000, local(2026, 4, 2, 14, 0)),
        # A: O1 277,500 + O3 115,000 + O8 55,000 = 447,500 over 3 (149,166.67 -> 149,167).
        (a.pk, 3, 447500, 149167, local(2026, 3, 20, 9, 0)),
        # C: O5 (processing) and O6 are her orders (O4 cancelled is not); revenue O6 184,000
        # (O5 not shipped yet), averaged over the 1 shipped order.
        (c.pk, 2, 184000, 184000, local(2026, 3, 16, 8, 0)),
    ]
    assert [(r.name, r.company, r.phone) for r in report.rows] == [
        ("Bình Trần", "Công ty Bình", "0987 654 321"),
        ("Anh Nguyễn", "", "0912 345 678"),
        ("Chi Lê", "", "0901 111 222"),
    ]
    by_orders = reports.top_customers(filters=filters(), sort="orders")
    assert [r.customer_id for r in by_orders.rows] == [a.pk, b.pk, c.pk]


def test_top_customers_filtered_by_channel(shop):
    report = reports.top_customers(filters=filters(channel="shopee"))
    assert [(r.customer_id, r.orders, r.net_revenue) for r in report.rows] == [
        (shop["b"].pk, 1, 572000),  # O2: 693,000 - 121,000
        (shop["a"].pk, 1, 115000),  # O3
    ]


# --- Sales by channel and period --------------------------------------------------------------


def _cells(row) -> list[tuple]:
    return [(c.orders, c.net_revenue, c.shipping_fees) for c in (*row.cells, row.total)]


EMPTY = (0, 0, 0)


def test_sales_per_day_with_the_midnight_edge(shop):
    report = reports.sales_by_channel(filters=filters(), group="day")
    assert report.channels == (("website", "Website"), ("shopee", "Shopee"), ("phone", "Phone"))
    assert len(report.rows) == 27  # 22 days of March from the 10th, 5 of April
    by_day = {row.period: _cells(row) for row in report.rows}
    # 03-10: O1 (website: 198,000 + 49,500, fee 30,000) and O2 at 23:59 (shopee: 242,000 +
    # 330,000); 03-11: O3 at 00:00 (shopee: 100,000, fee 15,000).
    assert by_day[date(2026, 3, 10)] == [
        (1, 247500, 30000),
        (1, 572000, 0),
        EMPTY,
        (2, 819500, 30000),
    ]
    assert by_day[date(2026, 3, 11)] == [EMPTY, (1, 100000, 15000), EMPTY, (1, 100000, 15000)]
    assert by_day[date(2026, 3, 16)] == [(1, 164000, 20000), EMPTY, EMPTY, (1, 164000, 20000)]
    assert by_day[date(2026, 3, 20)] == [EMPTY, EMPTY, (1, 55000, 0), (1, 55000, 0)]
    # O7: 120,731.707 + 329,268.293 = 450,000.
    assert by_day[date(2026, 4, 2)] == [(1, 450000, 0), EMPTY, EMPTY, (1, 450000, 0)]
    busy = {date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 16), date(2026, 3, 20)}
    busy.add(date(2026, 4, 2))
    assert all(cells == [EMPTY] * 4 for day, cells in by_day.items() if day not in busy)
    assert [(c.orders, c.net_revenue, c.shipping_fees) for c in report.totals] == [
        (3, 861500, 50000),  # 247,500 + 164,000 + 450,000; 30,000 + 20,000
        (2, 672000, 15000),  # 572,000 + 100,000
        (1, 55000, 0),
    ]
    grand = report.grand_total
    assert (grand.orders, grand.net_revenue, grand.shipping_fees) == (6, 1588500, 65000)


def test_sales_show_only_the_channels_that_sold_total_first(client, login_as, shop):
    """A rollup row left at zero (a channel that sold nothing that day) adds no columns."""
    SalesDayChannel.objects.create(
        day=date(2026, 3, 12),
        channel="facebook",
        warehouse=Order.objects.first().warehouse,
        currency="VND",
        orders=0,
        net_revenue=Decimal(0),
        shipping_fee=Decimal(0),
    )
    report = reports.sales_by_channel(filters=filters(), group="month")
    assert report.channels == (("website", "Website"), ("shopee", "Shopee"), ("phone", "Phone"))
    login_as("accountant")
    url = reverse("orders:report_sales")
    html = client.get(url, {**PERIOD, "group": "month"}).content.decode()
    heads = re.findall(
        r'<th colspan="3" class="group[^"]*" scope="colgroup">(?:<svg.*?</svg>)?([^<]+)</th>', html
    )
    assert heads == ["All channels", "Website", "Shopee", "Phone"]
    header = _csv(client.get(url, {**PERIOD, "group": "month", "format": "csv"}))[0]
    assert header[:5] == [
        "Period start",
        "Total: orders",
        "Total: net revenue",
        "Total: shipping fees",
        "Website: orders",
    ]
    assert "Facebook: orders" not in header


def test_sales_per_week_start_on_monday(shop):
    report = reports.sales_by_channel(filters=filters(), group="week")
    assert [(row.period, _cells(row)) for row in report.rows] == [
        (date(2026, 3, 9), [(1, 247500, 30000), (2, 672000, 15000), EMPTY, (3, 919500, 45000)]),
        (date(2026, 3, 16), [(1, 164000, 20000), EMPTY, (1, 55000, 0), (2, 219000, 20000)]),
        (date(2026, 3, 23), [EMPTY, EMPTY, EMPTY, EMPTY]),
        (date(2026, 3, 30), [(1, 450000, 0), EMPTY, EMPTY, (1, 450000, 0)]),
    ]


def test_sales_per_month(shop):
    report = reports.sales_by_channel(filters=filters(), group="month")
    assert [(row.period, _cells(row)) for row in report.rows] == [
        (
            date(2026, 3, 1),
            [(2, 411500, 50000), (2, 672000, 15000), (1, 55000, 0), (5, 1138500, 65000)],
        ),
        (date(2026, 4, 1), [(1, 450000, 0), EMPTY, EMPTY, (1, 450000, 0)]),
    ]


def test_sales_day_boundaries_follow_the_shop_time_zone(shop):
    # 03-10 alone: O1 and O2 (23:59); O9 (03-09 23:59) and O3 (03-11 00:00) stay out.
    day = filters(date_from=date(2026, 3, 10), date_to=date(2026, 3, 10))
    report = reports.sales_by_channel(filters=day, group="day")
    assert [(row.period, _cells(row)) for row in report.rows] == [
        (date(2026, 3, 10), [(1, 247500, 30000), (1, 572000, 0), (2, 819500, 30000)])
    ]
    # 03-09 alone: O9 at 23:59 local (16:59 UTC), POT 330,000.
    day = filters(date_from=date(2026, 3, 9), date_to=date(2026, 3, 9))
    report = reports.sales_by_channel(filters=day, group="day")
    assert [(row.period, _cells(row)) for row in report.rows] == [
        (date(2026, 3, 9), [(1, 330000, 0), (1, 330000, 0)])
    ]


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        # Bangkok is UTC+7 like Ho Chi Minh City: the same days.
        ("Asia/Bangkok", [(1, 247500, 30000), (1, 572000, 0), (2, 819500, 30000)]),
        # In UTC, O3 (03-11 00:00 in Vietnam = 03-10 17:00 UTC) falls on 03-10.
        ("UTC", [(1, 247500, 30000), (2, 672000, 15000), (3, 919500, 45000)]),
    ],
)
def test_days_are_those_of_the_current_time_zone(shop, zone, expected):
    day = filters(date_from=date(2026, 3, 10), date_to=date(2026, 3, 10))
    with timezone.override(ZoneInfo(zone)):
        report = reports.sales_by_channel(filters=day, group="day")
    assert [(row.period, _cells(row)) for row in report.rows] == [(date(2026, 3, 10), expected)]


def test_sales_filtered_by_channel_shows_that_channel_only(shop):
    report = reports.sales_by_channel(filters=filters(channel="lazada"), group="month")
    # The lazada order is in THB: nothing in VND, but the column is there.
    assert report.channels == (("lazada", "Lazada"),)
    assert [_cells(row) for row in report.rows] == [[EMPTY, EMPTY], [EMPTY, EMPTY]]


# --- Pages ------------------------------------------------------------------------------------


def test_pages_need_view_reports(client, login_as, shop):
    login_as("sales")
    urls = [
        reverse("orders:reports"),
        reverse("orders:report_best_sellers"),
        reverse("orders:report_top_customers"),
        reverse("orders:report_sales"),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.get(url, {"format": "csv"}).status_code == 403, url
    client.logout()
    login_as("accountant")
    for url in urls:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["owner", "manager", "accountant"])
def test_roles_with_the_permission_see_the_index(client, login_as, role):
    login_as(role)
    response = client.get(reverse("orders:reports"))
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("report_sales", "report_best_sellers", "report_top_customers"):
        assert f'href="{reverse(f"orders:{name}")}"' in body


def test_index_links_follow_up_outcomes_only_when_that_page_exists(client, login_as):
    login_as("owner")
    body = client.get(reverse("orders:reports")).content.decode()
    try:
        url = reverse("followups:outcomes")
    except NoReverseMatch:
        assert "Follow-up outcomes" not in body
    else:
        assert f'href="{url}"' in body


def test_best_sellers_page(client, login_as, shop):
    login_as("manager")
    response = client.get(reverse("orders:report_best_sellers"), PERIOD)
    assert response.status_code == 200
    body = response.content.decode()
    assert [row.sku for row in response.context["report"].rows] == [
        "SCARF",
        "SHIRT-M",
        "SHIRT-S",
        "POT",
    ]
    # The product name is escaped in the table and in the chart, never run.
    assert "<script>alert(1)</script>" not in body
    assert "Khăn &lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="best-sellers-chart"' in body
    assert "Top 4 by units sold" in body
    assert "How figures are counted" in body
    assert "268,500" in body  # SCARF net revenue, en money format
    assert 'href="?date_from=2026-03-10&amp;date_to=2026-04-05&amp;format=csv"' in body


def test_top_customers_page_links_each_customer(client, login_as, shop):
    login_as("owner")
    response = client.get(reverse("orders:report_top_customers"), {**PERIOD, "sort": "orders"})
    assert response.status_code == 200
    body = response.content.decode()
    for customer in (shop["a"], shop["b"], shop["c"]):
        assert f'href="{reverse("orders:customer_detail", args=[customer.pk])}"' in body
    assert body.index("Anh Nguyễn") < body.index("Bình Trần") < body.index("Chi Lê")


def test_sales_page_with_chart_and_totals(client, login_as, shop):
    login_as("owner")
    response = client.get(reverse("orders:report_sales"), {**PERIOD, "group": "week"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="sales-chart"' in body
    assert "Week of 09/03/2026" in body
    assert [label for label, _row in response.context["rows"]] == [
        "Week of 09/03/2026",
        "Week of 16/03/2026",
        "Week of 23/03/2026",
        "Week of 30/03/2026",
    ]
    assert "1,588,500" in body  # the grand total of net revenue


def test_htmx_request_gets_the_report_partial(client, login_as, shop):
    login_as("owner")
    for name in ("report_best_sellers", "report_top_customers", "report_sales"):
        response = client.get(reverse(f"orders:{name}"), PERIOD, HTTP_HX_REQUEST="true")
        body = response.content.decode()
        assert body.lstrip().startswith('<section id="report"'), name
        assert "<html" not in body
        assert "HX-Request" in response["Vary"]


def test_default_period_is_the_last_30_days_including_today(client, login_as, shop):
    login_as("owner")
    today = timezone.localdate()
    response = client.get(reverse("orders:report_sales"))
    report = response.context["report"]
    assert (report.filters.date_from, report.filters.date_to) == (
        today - (date(2026, 1, 30) - date(2026, 1, 1)),
        today,
    )
    assert len(report.rows) == 30
    assert f'value="{today:%d/%m/%Y}"' in response.content.decode()


def test_refused_filters_are_reported_and_the_default_is_used(client, login_as, shop):
    login_as("owner")
    response = client.get(
        reverse("orders:report_best_sellers"),
        {"date_from": "2026-04-05", "date_to": "2026-03-10", "sort": "nonsense"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "The end date is before the start date." in body
    report = response.context["report"]
    assert report.sort == "units"
    assert report.filters.date_from == date(2026, 4, 5)


# --- Files ------------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    assert "\r\n" in content
    return list(csv.reader(io.StringIO(content[1:])))


def test_best_sellers_csv(client, login_as, shop):
    login_as("accountant")
    response = client.get(reverse("orders:report_best_sellers"), {**PERIOD, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="best-sellers_2026-03-10_2026-04-05.csv"'
    )
    assert _csv(response) == [
        ["SKU", "Product", "Category", "Units sold", "Net revenue", "VAT",
         "Revenue excl. VAT", "Cost", "Profit", "Margin (%)"],
        ["SCARF", "Khăn <script>alert(1)</script>", "Fashion", "5", "268500", "24409",
         "244091", "100000", "144091", "59.0"],
        ["SHIRT-M", "Áo sơ mi (M)", "Fashion / Shirts", "3", "362732", "32976", "329756",
         "210000", "119756", "36.3"],
        ["SHIRT-S", "Áo sơ mi (S)", "Fashion / Shirts", "3", "298000", "27091", "270909",
         "185000", "85909", "31.7"],
        ["POT", "Nồi inox", "Home", "2", "659268", "59933", "599335", "400000", "199335",
         "33.3"],
    ]  # fmt: skip


def test_best_sellers_by_product_xlsx(client, login_as, shop):
    login_as("accountant")
    response = client.get(
        reverse("orders:report_best_sellers"),
        {**PERIOD, "group": "product", "sort": "revenue", "format": "xlsx"},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="best-sellers_2026-03-10_2026-04-05.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Best sellers"
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["Product", "Category", "Units sold", "Net revenue", "VAT", "Revenue excl. VAT",
         "Cost", "Profit", "Margin (%)"],
        ["Áo sơ mi", "Fashion / Shirts", 6, 660732, 60067, 600665, 395000, 205665, 34.2],
        ["Nồi inox", "Home", 2, 659268, 59933, 599335, 400000, 199335, 33.3],
        ["Khăn <script>alert(1)</script>", "Fashion", 5, 268500, 24409, 244091, 100000,
         144091, 59],
    ]  # fmt: skip
    assert sheet["C2"].number_format == "General"
    assert sheet["D2"].number_format == "#,##0"


def test_top_customers_csv_and_xlsx(client, login_as, shop):
    login_as("accountant")
    url = reverse("orders:report_top_customers")
    response = client.get(url, {**PERIOD, "format": "csv"})
    assert response["Content-Disposition"] == (
        'attachment; filename="top-customers_2026-03-10_2026-04-05.csv"'
    )
    expected = [
        ["Customer", "Company", "Phone", "Orders", "Net revenue", "Average order value",
         "Last order"],
        ["Bình Trần", "Công ty Bình", "0987 654 321", "2", "1022000", "511000", "2026-04-02"],
        ["Anh Nguyễn", "", "0912 345 678", "3", "447500", "149167", "2026-03-20"],
        ["Chi Lê", "", "0901 111 222", "2", "184000", "184000", "2026-03-16"],
    ]  # fmt: skip
    assert _csv(response) == expected
    response = client.get(url, {**PERIOD, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == expected[0]
    assert rows[1:] == [
        ["Bình Trần", "Công ty Bình", "0987 654 321", 2, 1022000, 511000, datetime(2026, 4, 2)],
        ["Anh Nguyễn", None, "0912 345 678", 3, 447500, 149167, datetime(2026, 3, 20)],
        ["Chi Lê", None, "0901 111 222", 2, 184000, 184000, datetime(2026, 3, 16)],
    ]


def test_sales_per_month_csv_and_xlsx(client, login_as, shop):
    login_as("accountant")
    url = reverse("orders:report_sales")
    response = client.get(url, {**PERIOD, "group": "month", "format": "csv"})
    assert response["Content-Disposition"] == (
        'attachment; filename="sales-by-month_2026-03-10_2026-04-05.csv"'
    )
    header = [
        "Period start",
        "Total: orders", "Total: net revenue", "Total: shipping fees",
        "Website: orders", "Website: net revenue", "Website: shipping fees",
        "Shopee: orders", "Shopee: net revenue", "Shopee: shipping fees",
        "Phone: orders", "Phone: net revenue", "Phone: shipping fees",
    ]  # fmt: skip
    assert _csv(response) == [
        header,
        ["2026-03-01", "5", "1138500", "65000", "2", "411500", "50000", "2", "672000", "15000",
         "1", "55000", "0"],
        ["2026-04-01", "1", "450000", "0", "1", "450000", "0", "0", "0", "0", "0", "0", "0"],
        ["Total", "6", "1588500", "65000", "3", "861500", "50000", "2", "672000", "15000", "1",
         "55000", "0"],
    ]  # fmt: skip
    response = client.get(url, {**PERIOD, "group": "month", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Sales by channel"
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        header,
        [datetime(2026, 3, 1), 5, 1138500, 65000, 2, 411500, 50000, 2, 672000, 15000, 1, 55000,
         0],
        [datetime(2026, 4, 1), 1, 450000, 0, 1, 450000, 0, 0, 0, 0, 0, 0, 0],
        ["Total", 6, 1588500, 65000, 3, 861500, 50000, 2, 672000, 15000, 1, 55000, 0],
    ]  # fmt: skip
    assert sheet["A2"].number_format == "dd/mm/yyyy"
    assert sheet["C2"].number_format == "#,##0"


def test_thb_amounts_keep_two_decimals_in_files(client, login_as, shop, settings):
    settings.SHOP_CURRENCY = "THB"
    login_as("accountant")
    response = client.get(reverse("orders:report_sales"), {**PERIOD, "format": "csv"})
    rows = _csv(response)
    assert rows[0][4:7] == ["Lazada: orders", "Lazada: net revenue", "Lazada: shipping fees"]
    assert rows[3] == ["2026-03-12", "1", "330000.00", "0.00", "1", "330000.00", "0.00"]
    assert rows[-1] == ["Total", "1", "330000.00", "0.00", "1", "330000.00", "0.00"]


# --- Query counts -----------------------------------------------------------------------------


def _more_sales(shop) -> None:
    """Another customer buying two more variants, so every report has more rows."""
    product = ProductFactory(name="Thêm", category=shop["home"])
    extra = [
        _variant(product, f"EXTRA-{i}", "20000", "5000", [shop["hcm"]], option1=str(i))
        for i in range(2)
    ]
    buyer = make_customer(name="Dũng Phạm", phones=("0933 333 444",))
    order = _order(
        buyer, shop["hcm"], [(v, 2, 0) for v in extra], at=local(2026, 3, 21, 9), channel="tiktok"
    )
    _ship(order, local(2026, 3, 21, 10))


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("report_best_sellers", {}),
        ("report_best_sellers", {"group": "product", "category": "fashion"}),
        ("report_top_customers", {}),
        ("report_sales", {"group": "day"}),
        ("report_sales", {"group": "day", "format": "xlsx"}),
    ],
)
def test_query_count_does_not_grow_with_rows(
    client, login_as, shop, django_assert_num_queries, django_assert_max_num_queries, name, params
):
    login_as("owner")
    params = {**PERIOD, **params}
    if params.get("category") == "fashion":
        params["category"] = str(shop["fashion"].pk)
    url = reverse(f"orders:{name}")
    with django_assert_max_num_queries(50) as first:
        assert client.get(url, params).status_code == 200
    _more_sales(shop)
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url, params)
    assert response.status_code == 200
