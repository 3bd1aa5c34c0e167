"""The customer rollup (orders.services.sales_rollup.customers): exact after every change that
moves a customer's figures (create, confirm, ship, complete, cancel, refund, return, a change of
customer, a merge), safe under concurrent shipments of one customer, checked and rebuilt by its
commands and the data migration, and read by the top customers report with the figures the
orders give.

Hand figures (shop time zone Asia/Ho_Chi_Minh): TEA 110,000 a unit.
  A  Anh, created 2026-05-31 23:30, TEA x2 + shipping 30,000     = 250,000
  B  Anh, created 2026-06-01 00:10, TEA x1 + shipping 20,000     = 130,000
  C  Bình, created 2026-06-15 09:00, TEA x3 (no shipping)        = 330,000
"""

from __future__ import annotations

import importlib
import io
import random
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from orders.models import (
    Customer,
    CustomerSalesDay,
    CustomerSalesMonth,
    CustomerSalesTotal,
    CustomerSalesWindow,
    PaymentMethod,
)
from orders.selectors import report_customers, reports
from orders.services.customer_merge import customer_merge
from orders.services.orders.create import order_create
from orders.services.orders.edit import order_update
from orders.services.orders.lines import LineInput
from orders.services.orders.payments import order_payment_record
from orders.services.orders.transitions import (
    order_cancel,
    order_complete,
    order_confirm,
    order_ship,
)
from orders.services.returns import RefundInput, ReturnLineInput, return_create
from orders.services.sales_rollup import customer_rollup_mismatches, customer_rollup_rebuild
from tests.concurrency import run_concurrently
from tests.orders.factories import WarehouseFactory, make_customer, stocked_variant

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MAY, JUNE = date(2026, 5, 1), date(2026, 6, 1)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=HCM)


@pytest.fixture
def shop_zone(settings):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    settings.SHOP_CURRENCY = "VND"


def _order(customer, shop, quantity, *, at, fee="0"):
    return order_create(
        customer_id=customer.pk,
        warehouse_id=shop.hcm.pk,
        lines=[LineInput(variant_id=shop.tea.pk, quantity=quantity)],
        channel="website",
        payment_method=PaymentMethod.COD,
        user_id=None,
        now=at,
        shipping_fee=Decimal(fee),
    )


@pytest.fixture
def shop(db, shop_zone):
    hcm = WarehouseFactory(code="HCM01")
    tea = stocked_variant(hcm, 1000, price="110000", sku="TEA")
    anh = make_customer(name="Anh Nguyễn", phones=("0912 345 678",))
    binh = make_customer(name="Bình Trần", phones=("0987 654 321",))
    s = SimpleNamespace(hcm=hcm, tea=tea, anh=anh, binh=binh)
    s.a = _order(anh, s, 2, at=local(2026, 5, 31, 23, 30), fee="30000")
    s.b = _order(anh, s, 1, at=local(2026, 6, 1, 0, 10), fee="20000")
    s.c = _order(binh, s, 3, at=local(2026, 6, 15, 9, 0))
    return s


def day_rows() -> list[tuple]:
    return sorted(
        (r.customer.name, r.day, r.currency, r.orders, r.shipped_orders, r.net_revenue)
        for r in CustomerSalesDay.objects.select_related("customer")
    )


def total_rows() -> list[tuple]:
    return sorted(
        (r.customer.name, r.currency, r.orders, r.revenue_bound)
        for r in CustomerSalesTotal.objects.select_related("customer")
    )


def month_rows() -> list[tuple]:
    return sorted(
        (r.customer.name, r.month, r.currency, r.orders, r.shipped_orders, r.net_revenue)
        for r in CustomerSalesMonth.objects.select_related("customer")
    )


def assert_fresh() -> None:
    assert customer_rollup_mismatches() == (0, [])


def ship(order, at=None) -> None:
    order_confirm(order_id=order.pk, user_id=None, now=at)
    order_ship(order_id=order.pk, user_id=None, now=at)


# --- Kept exact by every change ---------------------------------------------------------------


def test_created_orders_count_on_their_local_day_and_month(shop):
    assert day_rows() == [
        ("Anh Nguyễn", date(2026, 5, 31), "VND", 1, 0, 0),
        ("Anh Nguyễn", date(2026, 6, 1), "VND", 1, 0, 0),
        ("Bình Trần", date(2026, 6, 15), "VND", 1, 0, 0),
    ]
    assert month_rows() == [
        ("Anh Nguyễn", MAY, "VND", 1, 0, 0),
        ("Anh Nguyễn", JUNE, "VND", 1, 0, 0),
        ("Bình Trần", JUNE, "VND", 1, 0, 0),
    ]
    assert total_rows() == [("Anh Nguyễn", "VND", 2, 0), ("Bình Trần", "VND", 1, 0)]
    assert_fresh()


def test_confirm_changes_nothing_ship_and_complete_add_the_revenue(shop):
    before = day_rows(), month_rows()
    order_confirm(order_id=shop.a.pk, user_id=None)
    assert (day_rows(), month_rows()) == before

    order_ship(order_id=shop.a.pk, user_id=None)
    ship(shop.b)
    assert day_rows()[:2] == [
        ("Anh Nguyễn", date(2026, 5, 31), "VND", 1, 1, Decimal("250000")),
        ("Anh Nguyễn", date(2026, 6, 1), "VND", 1, 1, Decimal("130000")),
    ]
    order_complete(order_id=shop.a.pk, user_id=None)
    assert month_rows() == [
        ("Anh Nguyễn", MAY, "VND", 1, 1, Decimal("250000")),
        ("Anh Nguyễn", JUNE, "VND", 1, 1, Decimal("130000")),
        ("Bình Trần", JUNE, "VND", 1, 0, 0),
    ]
    assert_fresh()


def test_cancel_removes_the_order_and_an_empty_day_goes(shop):
    order_cancel(order_id=shop.b.pk, user_id=None)
    order_cancel(order_id=shop.c.pk, user_id=None)
    assert day_rows() == [("Anh Nguyễn", date(2026, 5, 31), "VND", 1, 0, 0)]
    assert month_rows() == [("Anh Nguyễn", MAY, "VND", 1, 0, 0)]
    assert total_rows() == [("Anh Nguyễn", "VND", 1, 0)]  # Bình has no order left
    assert_fresh()


def test_refunds_and_a_full_return_take_the_revenue_out(shop):
    ship(shop.a)
    order_complete(order_id=shop.a.pk, user_id=None)  # 250,000 collected
    ship(shop.c)
    order_payment_record(
        order_id=shop.a.pk,
        kind="refund",
        amount=Decimal("50000"),
        method=PaymentMethod.CASH,
        user_id=None,
    )
    assert day_rows()[0] == ("Anh Nguyễn", date(2026, 5, 31), "VND", 1, 1, Decimal("200000"))
    line = shop.a.lines.get()
    return_create(
        order_id=shop.a.pk,
        lines=[ReturnLineInput(order_line_id=line.pk, quantity=2)],
        refund=RefundInput(amount=Decimal("150000"), method=PaymentMethod.CASH),
        user_id=None,
    )
    # Returned entirely: paid 250,000 - refunded 200,000.
    assert day_rows()[0] == ("Anh Nguyễn", date(2026, 5, 31), "VND", 1, 1, Decimal("50000"))
    assert month_rows()[0] == ("Anh Nguyễn", MAY, "VND", 1, 1, Decimal("50000"))
    assert_fresh()


def test_an_order_moved_to_another_customer_moves_its_figures(shop):
    order_update(order_id=shop.b.pk, user_id=None, customer_id=shop.binh.pk)
    assert day_rows() == [
        ("Anh Nguyễn", date(2026, 5, 31), "VND", 1, 0, 0),
        ("Bình Trần", date(2026, 6, 1), "VND", 1, 0, 0),
        ("Bình Trần", date(2026, 6, 15), "VND", 1, 0, 0),
    ]
    assert month_rows() == [
        ("Anh Nguyễn", MAY, "VND", 1, 0, 0),
        ("Bình Trần", JUNE, "VND", 2, 0, 0),
    ]
    assert_fresh()


def test_a_merge_moves_the_duplicates_figures_to_the_target(shop):
    ship(shop.c)
    customer_merge(target_id=shop.anh.pk, duplicate_ids=[shop.binh.pk])
    assert day_rows() == [
        ("Anh Nguyễn", date(2026, 5, 31), "VND", 1, 0, 0),
        ("Anh Nguyễn", date(2026, 6, 1), "VND", 1, 0, 0),
        ("Anh Nguyễn", date(2026, 6, 15), "VND", 1, 1, Decimal("330000")),
    ]
    assert month_rows() == [
        ("Anh Nguyễn", MAY, "VND", 1, 0, 0),
        ("Anh Nguyễn", JUNE, "VND", 2, 1, Decimal("330000")),
    ]
    assert total_rows() == [("Anh Nguyễn", "VND", 3, Decimal("330000"))]
    assert_fresh()


@pytest.mark.postgres(why="real concurrent transactions on one customer's rows")
@pytest.mark.django_db(transaction=True)
def test_concurrent_shipments_of_one_customer_lose_nothing(shop_zone):
    hcm = WarehouseFactory(code="W1")
    tea = stocked_variant(hcm, 100, price="10000", sku="T")
    buyer = make_customer()
    s = SimpleNamespace(hcm=hcm, tea=tea)
    orders = [_order(buyer, s, n, at=local(2026, 8, 10, 9, n)) for n in range(1, 7)]
    for order in orders:
        order_confirm(order_id=order.pk, user_id=None)

    outcomes = run_concurrently(
        [lambda pk=o.pk: order_ship(order_id=pk, user_id=None) for o in orders], {}
    )

    assert outcomes == ["ok"] * 6
    # 1 + 2 + ... + 6 = 21 units of 10,000.
    assert [row[1:] for row in day_rows()] == [(date(2026, 8, 10), "VND", 6, 6, Decimal("210000"))]
    assert_fresh()


# --- Check, rebuild, data migration -----------------------------------------------------------


def _check() -> str:
    out = io.StringIO()
    call_command("check_customer_rollup", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_check_fails_on_a_tampered_row_and_rebuild_repairs_it(shop):
    ship(shop.c)
    before = day_rows(), month_rows()
    assert _check() == "Customer rollup consistent with the orders.\n"
    CustomerSalesDay.objects.filter(customer=shop.binh).update(net_revenue=1)
    CustomerSalesMonth.objects.filter(customer=shop.anh, month=MAY).delete()

    total, found = customer_rollup_mismatches()
    # The bounds no longer match the (tampered) day row either: the total, and the windows of
    # 2 and 13 months that hold June 2026 (2 + 13 of them).
    windows = [m for m in found if m.table == "customer_window"]
    assert [(m.key[1], m.key[2]) for m in windows] == [
        (2, date(2026, 6, 1)),
        (2, date(2026, 7, 1)),
        *((13, date(2026 + (5 + k) // 12, (5 + k) % 12 + 1, 1)) for k in range(13)),
    ]
    assert {(m.key[0], m.stored, m.expected) for m in windows} == {
        (shop.binh.pk, (1, Decimal("330000")), (1, Decimal("1")))
    }
    assert total == 3 + len(windows)
    assert [(m.table, m.key, m.stored, m.expected) for m in found if m not in windows] == [
        (
            "customer_day",
            (shop.binh.pk, date(2026, 6, 15), "VND"),
            (1, 1, Decimal("1")),
            (1, 1, Decimal("330000")),
        ),
        ("customer_month", (shop.anh.pk, MAY, "VND"), None, (1, 0, Decimal(0))),
        # The bound no longer matches the (tampered) day row it is summed from.
        ("customer_total", (shop.binh.pk, "VND"), (1, Decimal("330000")), (1, Decimal("1"))),
    ]
    with pytest.raises(CommandError) as refused:
        _check()
    assert str(refused.value) == (
        "18 customer rollup row(s) disagree with the orders; run manage.py rebuild_customer_rollup"
    )
    out = io.StringIO()
    call_command("rebuild_customer_rollup", stdout=out)
    assert out.getvalue().startswith("Customer rollup rebuilt (all days): 3 day rows, 3 month")
    assert (day_rows(), month_rows()) == before
    assert_fresh()


def test_a_range_rebuild_covers_whole_months_only(shop):
    before = day_rows(), month_rows()
    CustomerSalesDay.objects.filter(day=date(2026, 5, 31)).update(orders=9)  # May: kept
    CustomerSalesMonth.objects.filter(month=JUNE).delete()  # June: rebuilt
    result = customer_rollup_rebuild(day_from=date(2026, 6, 20))
    assert (result.range.first, result.days, result.months) == (JUNE, 2, 2)
    assert customer_rollup_mismatches(day_from=JUNE) == (0, [])
    # The May day row, and the windows ending in May that hold it (those ending later were
    # refilled from the stored day rows, the tampered one included).
    assert customer_rollup_mismatches()[0] == 3
    customer_rollup_rebuild(day_from=MAY, day_to=MAY)
    assert (day_rows(), month_rows()) == before


def test_data_migration_fills_the_rollup_from_existing_orders(shop):
    ship(shop.a)
    before = day_rows(), month_rows()
    CustomerSalesDay.objects.all().delete()
    CustomerSalesMonth.objects.all().delete()
    migration = importlib.import_module("orders.migrations.0012_customer_sales_rollup")
    migration.fill_customer_rollup(apps, SimpleNamespace(connection=connection))
    assert (day_rows(), month_rows()) == before


# --- The report reads it ----------------------------------------------------------------------


def _figures(report) -> list[tuple]:
    return [
        (r.customer_id, r.orders, r.shipped_orders, r.net_revenue, r.last_order_at)
        for r in report.rows
    ]


@pytest.mark.parametrize(
    ("date_from", "date_to"),
    [
        (date(2026, 5, 31), date(2026, 6, 30)),  # a day, then a whole month
        (date(2026, 6, 1), date(2026, 6, 14)),  # days only
        (date(2026, 5, 1), date(2026, 6, 15)),  # a whole month, then days
    ],
)
@pytest.mark.parametrize("sort", ["revenue", "orders"])
def test_top_customers_from_the_rollup_equal_those_from_the_orders(shop, date_from, date_to, sort):
    ship(shop.a)
    ship(shop.c)
    filters = reports.ReportFilters(date_from=date_from, date_to=date_to, currency="VND")
    assert report_customers.customer_rollup_serves(filters)
    from_rollup = reports.top_customers(filters=filters, sort=sort)
    CustomerSalesDay.objects.all().delete()  # the orders path does not read the rollup
    CustomerSalesMonth.objects.all().delete()
    expected = report_customers.top_customers_from_orders(filters, sort=sort)
    assert [r[:4] for r in _figures(from_rollup)] == [
        (
            row["customer_id"],
            row["orders"],
            row["shipped_orders"],
            Decimal(row["net_revenue"]).quantize(Decimal(1)),
        )
        for row in expected
    ]
    assert [r[4] for r in _figures(from_rollup)] == [row["last_order_at"] for row in expected]


def test_the_rollup_serves_the_shop_zone_without_channel_or_warehouse_only(shop, settings):
    june = {"date_from": JUNE, "date_to": date(2026, 6, 30), "currency": "VND"}
    assert report_customers.customer_rollup_serves(reports.ReportFilters(**june))
    assert not report_customers.customer_rollup_serves(
        reports.ReportFilters(**june, channel="website")
    )
    assert not report_customers.customer_rollup_serves(
        reports.ReportFilters(**june, warehouse_id=shop.hcm.pk)
    )
    ship(shop.c)
    CustomerSalesMonth.objects.filter(customer=shop.binh).update(net_revenue=1)
    CustomerSalesDay.objects.filter(customer=shop.binh).update(net_revenue=1)
    [row] = [
        r
        for r in reports.top_customers(filters=reports.ReportFilters(**june)).rows
        if r.customer_id == shop.binh.pk
    ]
    assert row.net_revenue == Decimal(1)  # read from the (tampered) rollup
    with_channel = reports.top_customers(filters=reports.ReportFilters(**june, channel="website"))
    assert [r.net_revenue for r in with_channel.rows if r.customer_id == shop.binh.pk] == [
        Decimal("330000")
    ]


# --- Long periods sum only the customers who can reach the top --------------------------------


@pytest.fixture
def many_customers(db):
    """400 customers whose spending falls with their rank, rows written directly (the
    selector only reads them): two edge days and eleven whole months, bounds as the sum of
    those plus other orders of their 13 months (windows) or older ones (totals)."""
    rng = random.Random(11)
    people = Customer.objects.bulk_create(Customer(name=f"Khách {n}") for n in range(400))
    days, months, totals, windows = [], [], [], []
    for rank, person in enumerate(people):
        scale = 4000 // (rank + 10)
        orders = bound = 0
        for day in (date(2025, 12, 31), date(2026, 12, 2)):
            n = rng.randint(0, 1 + scale // 20)
            net = Decimal(n * rng.randint(100, 900) * 1000)
            days.append(
                CustomerSalesDay(
                    day=day,
                    customer=person,
                    currency="VND",
                    orders=n,
                    shipped_orders=n,
                    net_revenue=net,
                )
            )
            orders, bound = orders + n, bound + net
        for month in range(1, 12):
            n = rng.randint(0, 1 + scale // 5)
            net = Decimal(n * rng.randint(100, 900) * 1000)
            months.append(
                CustomerSalesMonth(
                    month=date(2026, month, 1),
                    customer=person,
                    currency="VND",
                    orders=n,
                    shipped_orders=n,
                    net_revenue=net,
                )
            )
            orders, bound = orders + n, bound + net
        early = rng.randint(0, scale // 10)  # in December 2025 before the period
        windows.append(
            CustomerSalesWindow(
                customer=person,
                months=13,
                month=date(2026, 12, 1),
                currency="VND",
                orders=orders + early,
                revenue_bound=bound + early * 200000,
            )
        )
        older = rng.randint(0, scale)
        totals.append(
            CustomerSalesTotal(
                customer=person,
                currency="VND",
                orders=orders + older,
                revenue_bound=bound + older * 100000,
            )
        )
    CustomerSalesDay.objects.bulk_create(days)
    CustomerSalesMonth.objects.bulk_create(months)
    CustomerSalesTotal.objects.bulk_create(totals)
    CustomerSalesWindow.objects.bulk_create(windows)


@pytest.mark.postgres(why="the bounded path passes the customer ids as an array")
@pytest.mark.parametrize("sort", ["revenue", "orders"])
def test_a_year_of_top_customers_sums_only_those_who_can_reach_it(
    many_customers, sort, django_assert_max_num_queries
):
    year = reports.ReportFilters(
        date_from=date(2025, 12, 20), date_to=date(2026, 12, 5), currency="VND"
    )
    expected = report_customers._sums(year, sort=sort, ids=None)
    assert len(expected) == 100
    with django_assert_max_num_queries(4) as captured:
        rows = report_customers.top_customers_from_rollup(year, sort=sort)
    assert rows == expected
    sums = [q["sql"] for q in captured.captured_queries if "SUM(" in q["sql"]]
    assert sums  # and each of them summed some customers only, never everyone:
    assert all("customer_id = ANY(" in sql for sql in sums)
