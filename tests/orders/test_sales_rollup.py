"""The sales rollup (orders.services.sales_rollup): kept exact by shipments and returns, equal to
a fresh aggregate of the orders after every kind of change, safe under concurrent shipments,
checked and rebuilt by the management commands and the data migration, and read by the reports
(with the same figures as the order lines give).

Hand figures (prices include 10% VAT; shop time zone Asia/Ho_Chi_Minh):
  TEA 110,000 (cost 50,000), CUP 33,000 (cost 12,000).
  Order A, website, created 2026-05-31 23:30 (shipped 06-01 08:00): TEA x3, CUP x1, order
  discount 10,000, shipping 25,000. subtotal 363,000, after the discount 353,000:
    TEA net 330,000 x 353,000 / 363,000 = 320,909.0909... -> 320,909.090909
    CUP net  33,000 x 353,000 / 363,000 =  32,090.9090... ->  32,090.909091 (sum 353,000)
  One TEA returned: TEA net 330,000 x 353,000 x 2 / (363,000 x 3) = 213,939.393939...
    -> 213,939.393939 (the return took 320,909.090909 - 213,939.393939 = 106,969.696970).
"""

from __future__ import annotations

import importlib
import io
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F
from django.utils import timezone

from common.money import quantize
from inventory.models import Variant
from orders.models import Order, OrderLine, PaymentMethod, SalesDay, SalesDayChannel, SalesMonth
from orders.selectors import report_best, report_scope, report_sums, reports
from orders.services.orders.create import order_create
from orders.services.orders.lines import LineInput
from orders.services.orders.transitions import (
    order_cancel,
    order_complete,
    order_confirm,
    order_ship,
)
from orders.services.returns import RefundInput, ReturnLineInput, return_create
from orders.services.sales_rollup import (
    sales_rollup_mismatches,
    sales_rollup_rebuild,
)
from tests.concurrency import run_concurrently
from tests.inventory.factories import CategoryFactory, ProductFactory, VariantFactory
from tests.orders.factories import WarehouseFactory, make_customer

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
SIX = Decimal("0.000001")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=HCM)


def round6(value: Decimal) -> Decimal:
    return value.quantize(SIX, rounding=ROUND_HALF_UP)


def _variant(sku: str, price: str, cost: str, warehouses, product=None, **fields) -> Variant:
    from inventory.services.stock import stock_receive

    variant = VariantFactory(
        sku=sku,
        sale_price=Decimal(price),
        cost_price=Decimal(cost),
        vat_rate=Decimal("10"),
        **({"product": product} if product else {}),
        **fields,
    )
    for warehouse in warehouses:
        stock_receive(variant_id=variant.pk, warehouse_id=warehouse.pk, quantity=1000)
    return variant


def _order(customer, warehouse, lines, *, at, channel="website", **fields) -> Order:
    return order_create(
        customer_id=customer.pk,
        warehouse_id=warehouse.pk,
        lines=[LineInput(variant_id=v.pk, quantity=q) for v, q in lines],
        channel=channel,
        payment_method=PaymentMethod.COD,
        user_id=None,
        now=at,
        **fields,
    )


def _ship(order: Order, at: datetime) -> None:
    order_confirm(order_id=order.pk, user_id=None, now=at)
    order_ship(order_id=order.pk, user_id=None, now=at)


def _line(order: Order, variant: Variant) -> OrderLine:
    return OrderLine.objects.get(order=order, variant=variant)


def day_rows() -> list[tuple]:
    return sorted(
        (
            r.day,
            r.variant.sku,
            r.channel,
            r.warehouse.code,
            r.currency,
            r.units,
            r.net_revenue,
            r.vat,
            r.cost,
        )
        for r in SalesDay.objects.select_related("variant", "warehouse")
    )


def month_rows() -> list[tuple]:
    return sorted(
        (r.month, r.variant.sku, r.currency, r.units, r.net_revenue, r.vat, r.cost)
        for r in SalesMonth.objects.select_related("variant")
    )


def channel_rows() -> list[tuple]:
    return sorted(
        (r.day, r.channel, r.warehouse.code, r.currency, r.orders, r.net_revenue, r.shipping_fee)
        for r in SalesDayChannel.objects.select_related("warehouse")
    )


def snapshot() -> tuple[list, list, list]:
    return day_rows(), month_rows(), channel_rows()


def assert_fresh() -> None:
    """The rollup equals a fresh aggregate of the orders, row for row."""
    assert sales_rollup_mismatches() == (0, [])


@pytest.fixture
def shop_zone(settings):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    settings.SHOP_CURRENCY = "VND"


@pytest.fixture
def tea_shop(db, shop_zone):
    hcm = WarehouseFactory(code="HCM01")
    tea = _variant("TEA", "110000", "50000", [hcm])
    cup = _variant("CUP", "33000", "12000", [hcm])
    buyer = make_customer(name="Anh Nguyễn")
    order = _order(
        buyer,
        hcm,
        [(tea, 3), (cup, 1)],
        at=local(2026, 5, 31, 23, 30),
        discount_total=Decimal("10000"),
        shipping_fee=Decimal("25000"),
    )
    return SimpleNamespace(hcm=hcm, tea=tea, cup=cup, buyer=buyer, order=order)


# --- Shipments and returns --------------------------------------------------------------------


def test_a_shipment_adds_its_lines_on_the_day_the_order_was_created(tea_shop):
    s = tea_shop
    assert snapshot() == ([], [], [])
    _ship(s.order, local(2026, 6, 1, 8, 0))

    tea_vat, cup_vat = _line(s.order, s.tea).vat_amount, _line(s.order, s.cup).vat_amount
    may31, may = date(2026, 5, 31), date(2026, 5, 1)
    tea_net, cup_net = Decimal("320909.090909"), Decimal("32090.909091")
    assert day_rows() == [
        (may31, "CUP", "website", "HCM01", "VND", 1, cup_net, cup_vat, Decimal("12000")),
        (may31, "TEA", "website", "HCM01", "VND", 3, tea_net, tea_vat, Decimal("150000")),
    ]
    assert month_rows() == [
        (may, "CUP", "VND", 1, cup_net, cup_vat, Decimal("12000")),
        (may, "TEA", "VND", 3, tea_net, tea_vat, Decimal("150000")),
    ]
    assert channel_rows() == [
        (may31, "website", "HCM01", "VND", 1, Decimal("353000"), Decimal("25000")),
    ]
    assert_fresh()


def test_a_partial_return_takes_out_exactly_the_returned_units(tea_shop):
    s = tea_shop
    _ship(s.order, local(2026, 6, 1, 8, 0))
    order_complete(order_id=s.order.pk, user_id=None, now=local(2026, 6, 2, 9, 0))
    tea_line = _line(s.order, s.tea)
    return_create(
        order_id=s.order.pk,
        lines=[ReturnLineInput(order_line_id=tea_line.pk, quantity=1)],
        user_id=None,
        refund=RefundInput(amount=Decimal("100000"), method=PaymentMethod.BANK_TRANSFER),
        now=local(2026, 6, 20, 9, 0),
    )

    tea_vat = round6(tea_line.vat_amount * 2 / 3)
    cup_vat = _line(s.order, s.cup).vat_amount
    may31 = date(2026, 5, 31)
    assert day_rows() == [
        (may31, "CUP", "website", "HCM01", "VND", 1, Decimal("32090.909091"), cup_vat, 12000),
        (may31, "TEA", "website", "HCM01", "VND", 2, Decimal("213939.393939"), tea_vat, 100000),
    ]
    assert [row[3:] for row in month_rows()] == [row[5:] for row in day_rows()]
    # Orders and shipping fees do not move with a return (nor with the refund).
    assert channel_rows() == [
        (may31, "website", "HCM01", "VND", 1, Decimal("246030.303030"), Decimal("25000")),
    ]
    assert_fresh()


def test_a_full_return_leaves_zero_rows_and_the_order_still_counted(tea_shop):
    s = tea_shop
    _ship(s.order, local(2026, 6, 1, 8, 0))
    tea_line, cup_line = _line(s.order, s.tea), _line(s.order, s.cup)
    return_create(
        order_id=s.order.pk,
        lines=[ReturnLineInput(order_line_id=tea_line.pk, quantity=1)],
        user_id=None,
        now=local(2026, 6, 3, 9, 0),
    )
    return_create(
        order_id=s.order.pk,
        lines=[
            ReturnLineInput(order_line_id=tea_line.pk, quantity=2),
            ReturnLineInput(order_line_id=cup_line.pk, quantity=1),
        ],
        user_id=None,
        now=local(2026, 6, 4, 9, 0),
    )
    assert Order.objects.get(pk=s.order.pk).status == "returned"

    may31, zero = date(2026, 5, 31), Decimal(0)
    assert day_rows() == [
        (may31, "CUP", "website", "HCM01", "VND", 0, zero, zero, zero),
        (may31, "TEA", "website", "HCM01", "VND", 0, zero, zero, zero),
    ]
    assert channel_rows() == [(may31, "website", "HCM01", "VND", 1, zero, Decimal("25000"))]
    assert_fresh()
    # The report leaves out the goods that all came back (net units 0), as from the lines.
    report = reports.best_sellers(
        with_costs=True,
        filters=reports.ReportFilters(
            date_from=date(2026, 5, 1), date_to=date(2026, 5, 31), currency="VND"
        ),
    )
    assert report.rows == ()


def test_an_exchange_counts_when_the_new_order_ships(tea_shop):
    s = tea_shop
    _ship(s.order, local(2026, 6, 1, 8, 0))
    cup_line = _line(s.order, s.cup)
    order_return = return_create(
        order_id=s.order.pk,
        lines=[ReturnLineInput(order_line_id=cup_line.pk, quantity=1)],
        user_id=None,
        exchange_lines=[LineInput(variant_id=s.tea.pk, quantity=1)],
        now=local(2026, 6, 5, 10, 0),
    )
    exchange = order_return.exchange_order
    assert exchange.status == "new"
    assert [row[1:6] for row in day_rows()] == [
        ("CUP", "website", "HCM01", "VND", 0),
        ("TEA", "website", "HCM01", "VND", 3),
    ]
    assert_fresh()

    _ship(exchange, local(2026, 6, 5, 11, 0))
    june5 = date(2026, 6, 5)
    assert [row[:6] for row in day_rows()] == [
        (date(2026, 5, 31), "CUP", "website", "HCM01", "VND", 0),
        (date(2026, 5, 31), "TEA", "website", "HCM01", "VND", 3),
        (june5, "TEA", "website", "HCM01", "VND", 1),
    ]
    assert channel_rows()[-1] == (june5, "website", "HCM01", "VND", 1, Decimal("110000"), 0)
    assert_fresh()


def test_cancelled_and_unshipped_orders_never_enter_the_rollup(tea_shop):
    s = tea_shop
    _ship(s.order, local(2026, 6, 1, 8, 0))
    before = snapshot()
    confirmed = _order(s.buyer, s.hcm, [(s.tea, 2)], at=local(2026, 5, 31, 10, 0))
    order_confirm(order_id=confirmed.pk, user_id=None, now=local(2026, 5, 31, 10, 5))
    order_cancel(order_id=confirmed.pk, user_id=None, now=local(2026, 5, 31, 10, 10))
    fresh = _order(s.buyer, s.hcm, [(s.cup, 1)], at=local(2026, 5, 31, 11, 0))
    order_cancel(order_id=fresh.pk, user_id=None, now=local(2026, 5, 31, 11, 5))
    waiting = _order(s.buyer, s.hcm, [(s.cup, 4)], at=local(2026, 5, 31, 12, 0))
    order_confirm(order_id=waiting.pk, user_id=None, now=local(2026, 5, 31, 12, 5))

    assert snapshot() == before
    assert_fresh()


def test_orders_without_discount_or_with_a_zero_subtotal(db, shop_zone):
    hn = WarehouseFactory(code="HN01")
    pen = _variant("PEN", "7000", "3000", [hn])
    gift = _variant("GIFT", "0", "1500", [hn])
    buyer = make_customer()
    order = _order(buyer, hn, [(pen, 3)], at=local(2026, 7, 1, 0, 0), channel="phone")
    free = _order(buyer, hn, [(gift, 2)], at=local(2026, 7, 1, 9, 0), channel="phone")
    _ship(order, local(2026, 7, 1, 10, 0))
    _ship(free, local(2026, 7, 1, 10, 0))
    return_create(
        order_id=order.pk,
        lines=[ReturnLineInput(order_line_id=_line(order, pen).pk, quantity=1)],
        user_id=None,
        now=local(2026, 7, 2, 10, 0),
    )
    pen_vat = round6(_line(order, pen).vat_amount * 2 / 3)
    july1, zero = date(2026, 7, 1), Decimal(0)
    assert day_rows() == [
        (july1, "GIFT", "phone", "HN01", "VND", 2, zero, zero, Decimal("3000")),
        (july1, "PEN", "phone", "HN01", "VND", 2, Decimal("14000"), pen_vat, Decimal("6000")),
    ]
    assert channel_rows() == [(july1, "phone", "HN01", "VND", 2, Decimal("14000"), zero)]
    assert_fresh()


# --- Concurrency (PostgreSQL) -----------------------------------------------------------------


@pytest.mark.postgres(why="real concurrent transactions on the same rollup rows")
@pytest.mark.django_db(transaction=True)
def test_concurrent_shipments_on_the_same_day_and_variant_add_up(shop_zone):
    """Eight shipments at the same moment, all created on 2026-08-10 in one channel: the same
    variant from two warehouses (same SalesMonth row, no common stock row), two variants from
    one warehouse (same SalesDayChannel row). ON CONFLICT makes each add to the other's row."""
    w1, w2 = WarehouseFactory(code="W1"), WarehouseFactory(code="W2")
    a = _variant("A", "10000", "4000", [w1, w2])
    b = _variant("B", "20000", "9000", [w1, w2])
    buyer = make_customer()
    plan = [(w1, a, 1), (w1, a, 2), (w2, a, 3), (w2, a, 4), (w1, b, 1), (w1, b, 1)]
    plan += [(w2, b, 2), (w2, b, 5)]
    orders = []
    for n, (warehouse, variant, quantity) in enumerate(plan):
        order = _order(
            buyer, warehouse, [(variant, quantity)], at=local(2026, 8, 10, 9, n), channel="tiktok"
        )
        order_confirm(order_id=order.pk, user_id=None)
        orders.append(order)

    outcomes = run_concurrently(
        [lambda pk=o.pk: order_ship(order_id=pk, user_id=None) for o in orders], {}
    )

    assert outcomes == ["ok"] * 8
    day = date(2026, 8, 10)
    assert [row[:6] for row in day_rows()] == [
        (day, "A", "tiktok", "W1", "VND", 3),
        (day, "A", "tiktok", "W2", "VND", 7),
        (day, "B", "tiktok", "W1", "VND", 2),
        (day, "B", "tiktok", "W2", "VND", 7),
    ]
    assert [row[:4] for row in month_rows()] == [
        (date(2026, 8, 1), "A", "VND", 10),
        (date(2026, 8, 1), "B", "VND", 9),
    ]
    assert channel_rows() == [
        (day, "tiktok", "W1", "VND", 4, Decimal("70000"), Decimal(0)),
        (day, "tiktok", "W2", "VND", 4, Decimal("210000"), Decimal(0)),
    ]
    assert_fresh()


@pytest.mark.postgres(why="real concurrent transactions on the same rollup rows")
@pytest.mark.django_db(transaction=True)
def test_concurrent_returns_and_shipments_of_one_day_neither_deadlock_nor_lose_units(shop_zone):
    """Returns of shipped orders and shipments of other orders of the same day, variant and
    warehouse at the same moment: both take the stock row before the rollup rows."""
    w1 = WarehouseFactory(code="W1")
    a = _variant("A", "10000", "4000", [w1])
    buyer = make_customer()
    at = local(2026, 9, 1, 9, 0)
    shipped = [_order(buyer, w1, [(a, 3)], at=at, channel="chat") for _ in range(3)]
    for order in shipped:
        _ship(order, at)
    waiting = [_order(buyer, w1, [(a, 2)], at=at, channel="chat") for _ in range(3)]
    for order in waiting:
        order_confirm(order_id=order.pk, user_id=None)

    def give_back(order: Order):
        line_id = _line(order, a).pk
        return lambda: return_create(
            order_id=order.pk,
            lines=[ReturnLineInput(order_line_id=line_id, quantity=1)],
            user_id=None,
        )

    targets = [give_back(o) for o in shipped]
    targets += [lambda pk=o.pk: order_ship(order_id=pk, user_id=None) for o in waiting]
    outcomes = run_concurrently(targets, {})

    assert outcomes == ["ok"] * 6
    day = date(2026, 9, 1)
    # VAT per line: 30,000 -> 2,727, two of three units kept: 1,818; 20,000 -> 1,818.
    assert day_rows() == [(day, "A", "chat", "W1", "VND", 12, 120000, 3 * 1818 + 3 * 1818, 48000)]
    assert channel_rows() == [(day, "chat", "W1", "VND", 6, Decimal("120000"), Decimal(0))]
    assert_fresh()


# --- Check, rebuild, data migration -----------------------------------------------------------


@pytest.fixture
def history(tea_shop):
    """Orders over three months, with a partial return, in two channels."""
    s = tea_shop
    _ship(s.order, local(2026, 6, 1, 8, 0))
    return_create(
        order_id=s.order.pk,
        lines=[ReturnLineInput(order_line_id=_line(s.order, s.tea).pk, quantity=1)],
        user_id=None,
        now=local(2026, 6, 2, 8, 0),
    )
    for at, channel, lines in (
        (local(2026, 4, 15, 10, 0), "shopee", [(s.cup, 5)]),
        (local(2026, 6, 30, 23, 59), "website", [(s.tea, 1), (s.cup, 2)]),
        (local(2026, 7, 1, 0, 0), "shopee", [(s.tea, 2)]),
    ):
        _ship(_order(s.buyer, s.hcm, lines, at=at, channel=channel), at)
    return s


def _check() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("check_sales_rollup", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_check_passes_then_fails_on_a_tampered_row_and_rebuild_repairs_it(history):
    assert _check() == ("Sales rollup consistent with the orders.\n", "")
    before = snapshot()
    tampered = SalesDay.objects.get(day=date(2026, 6, 30), variant=history.tea)
    SalesDay.objects.filter(pk=tampered.pk).update(units=F("units") + 1)

    total, found = sales_rollup_mismatches()
    assert total == 1
    [mismatch] = found
    assert (mismatch.table, mismatch.key) == (
        "day",
        (date(2026, 6, 30), history.tea.pk, "website", history.hcm.pk, "VND"),
    )
    assert (mismatch.stored[0], mismatch.expected[0]) == (2, 1)
    assert mismatch.stored[1:] == mismatch.expected[1:]
    with pytest.raises(CommandError) as refused:
        _check()
    assert str(refused.value) == (
        "1 sales rollup row(s) disagree with the orders; run manage.py rebuild_sales_rollup"
    )

    out = io.StringIO()
    call_command("rebuild_sales_rollup", stdout=out)
    assert out.getvalue().startswith(
        "Sales rollup rebuilt (all days): 6 day rows, 6 month rows, 4 channel rows in "
    )
    assert snapshot() == before
    assert _check()[0] == "Sales rollup consistent with the orders.\n"


def test_missing_and_extra_rows_are_reported(history):
    SalesDayChannel.objects.filter(day=date(2026, 4, 15)).delete()
    SalesMonth.objects.create(month=date(2026, 2, 1), variant=history.cup, currency="VND", units=1)
    total, found = sales_rollup_mismatches()
    assert total == 3  # the extra month row also leaves SalesTotal short of the months' sum
    assert [(m.table, m.key, m.stored, m.expected is None) for m in found] == [
        ("month", (date(2026, 2, 1), history.cup.pk, "VND"), (1, 0, 0, 0), True),
        ("channel", (date(2026, 4, 15), "shopee", history.hcm.pk, "VND"), None, False),
        ("total", (history.cup.pk, "VND"), (8, Decimal("263090.909091"), 23917, 96000), False),
    ]
    assert found[1].expected == (1, Decimal("165000"), Decimal(0))
    assert found[2].expected == (9, Decimal("263090.909091"), 23917, 96000)


def test_rebuild_of_recent_days_covers_whole_months_only(history, settings):
    before = snapshot()
    SalesDay.objects.filter(day=date(2026, 4, 15)).update(units=99)  # April: not rebuilt
    SalesDay.objects.filter(day=date(2026, 6, 30)).update(units=99)  # June: rebuilt
    SalesMonth.objects.filter(month=date(2026, 7, 1)).delete()  # July: rebuilt
    result = sales_rollup_rebuild(day_from=date(2026, 6, 20))
    assert (result.range.first, result.range.last) == (date(2026, 6, 1), None)
    assert (result.days, result.months, result.channel_days) == (3, 3, 2)
    assert sales_rollup_mismatches(day_from=date(2026, 6, 20)) == (0, [])
    assert sales_rollup_mismatches()[0] == 1
    sales_rollup_rebuild(day_from=date(2026, 4, 1), day_to=date(2026, 4, 2))
    assert snapshot() == before


def test_data_migration_fills_the_rollup_from_existing_orders(history):
    before = snapshot()
    for model in (SalesDay, SalesMonth, SalesDayChannel):
        model.objects.all().delete()
    migration = importlib.import_module("orders.migrations.0008_sales_rollup")
    migration.fill_rollup(apps, SimpleNamespace(connection=connection))
    assert snapshot() == before
    assert_fresh()


# --- The reports read the rollup --------------------------------------------------------------


def test_reports_read_the_rollup_in_the_shop_time_zone_only(history):
    # Less than half a month: best sellers read SalesDay rows (orders.selectors.report_scope
    # month_plan).
    june = reports.ReportFilters(
        date_from=date(2026, 6, 20), date_to=date(2026, 6, 30), currency="VND"
    )
    SalesDay.objects.filter(day=date(2026, 6, 30), variant=history.tea).update(units=50)
    SalesDayChannel.objects.filter(day=date(2026, 6, 30)).update(orders=7)

    def tea_units() -> int:
        rows = reports.best_sellers(filters=june, with_costs=True).rows
        return next(row.figures.units for row in rows if row.sku == "TEA")

    def orders_on_june_30() -> int:
        report = reports.sales_by_channel(filters=june)
        return next(row.total.orders for row in report.rows if row.period == date(2026, 6, 30))

    assert (tea_units(), orders_on_june_30()) == (50, 7)  # read from the rollup
    with timezone.override(ZoneInfo("Asia/Bangkok")):
        assert (tea_units(), orders_on_june_30()) == (1, 1)  # the orders and their lines


@pytest.fixture
def months_of_sales(db, shop_zone):
    """Sales over four months, two channels, two warehouses, two categories, discounts,
    returns, at the month and day edges."""
    hcm, hn = WarehouseFactory(code="HCM01"), WarehouseFactory(code="HN01")
    drinks = CategoryFactory(name="Drinks", full_name="Drinks")
    tea_cat = CategoryFactory(name="Tea", parent=drinks, full_name="Drinks / Tea")
    tools = CategoryFactory(name="Tools", full_name="Tools")
    green = ProductFactory(name="Green tea", category=tea_cat)
    black = ProductFactory(name="Black tea", category=drinks)
    knife = ProductFactory(name="Knife", category=tools)
    both = (hcm, hn)
    variants = [
        _variant("GREEN-S", "45000", "20000", both, green, option1="S"),
        _variant("GREEN-L", "85000", "41000", both, green, option1="L"),
        _variant("BLACK", "60000", "27000", both, black),
        _variant("KNIFE", "210000", "130000", both, knife),
    ]
    buyer = make_customer()
    moments = [
        local(2026, 1, 20, 10, 0),
        local(2026, 1, 31, 23, 59),
        local(2026, 2, 1, 0, 0),
        local(2026, 2, 14, 12, 0),
        local(2026, 2, 28, 23, 0),
        local(2026, 3, 1, 7, 0),
        local(2026, 3, 17, 15, 0),
        local(2026, 3, 31, 22, 0),
        local(2026, 4, 1, 1, 0),
        local(2026, 4, 9, 9, 0),
    ]
    for n, at in enumerate(moments):
        lines = [(variants[(n + k) % 4], 1 + (n * 7 + k) % 4) for k in range(1 + n % 3)]
        order = _order(
            buyer,
            both[n % 2],
            lines,
            at=at,
            channel=("shopee", "website", "lazada")[n % 3],
            discount_total=Decimal(1000 * (n % 4) + 7 * (n % 2)),
            shipping_fee=Decimal(15000 * (n % 2)),
        )
        _ship(order, at)
        if n % 3 == 1:
            first = order.lines.order_by("pk").first()
            if first.quantity > 1:
                return_create(
                    order_id=order.pk,
                    lines=[ReturnLineInput(order_line_id=first.pk, quantity=1)],
                    user_id=None,
                    now=at,
                )
    return SimpleNamespace(hcm=hcm, hn=hn, drinks=drinks, tea=tea_cat)


def _rounded(rows) -> list[tuple]:
    return [
        (
            row["key"],
            int(row["units"]),
            *(
                quantize(report_scope.sum_decimal(row[n]), "VND")
                for n in ("net_revenue", "vat", "cost")
            ),
        )
        for row in rows
    ]


PERIODS = [
    (date(2026, 1, 1), date(2026, 4, 30)),  # four whole months
    (date(2026, 1, 21), date(2026, 4, 5)),  # February and March, days around them
    (date(2026, 1, 31), date(2026, 2, 1)),  # no whole month
    (date(2026, 2, 1), date(2026, 2, 28)),  # one whole month
    (date(2026, 1, 5), date(2026, 3, 25)),  # January and March: whole minus the days outside
    (date(2026, 3, 10), date(2026, 4, 9)),  # March minus 9 days, April by its 9 days
]


@pytest.mark.parametrize(("date_from", "date_to"), PERIODS)
def test_best_sellers_from_the_rollup_equal_those_from_the_lines(
    months_of_sales, date_from, date_to
):
    s = months_of_sales
    assert_fresh()
    for extra in (
        {},
        {"channel": "shopee"},
        {"warehouse_id": s.hn.pk},
        {"category_id": s.drinks.pk},
        {"category_id": s.tea.pk, "channel": "website"},
    ):
        filters = reports.ReportFilters(
            date_from=date_from, date_to=date_to, currency="VND", **extra
        )
        for group in reports.BEST_SELLER_GROUPS:
            for sort in reports.BEST_SELLER_SORTS:
                from_rollup = report_best.best_sellers_from_rollup(filters, group=group, sort=sort)
                from_lines = report_sums.best_sellers_from_lines(filters, group=group, sort=sort)
                assert _rounded(from_rollup) == _rounded(from_lines), (extra, group, sort)


@pytest.mark.parametrize(("date_from", "date_to"), PERIODS)
def test_sales_by_channel_from_the_rollup_equal_those_from_the_orders(
    months_of_sales, date_from, date_to
):
    s = months_of_sales
    for extra in ({}, {"channel": "lazada"}, {"warehouse_id": s.hcm.pk}, {"category_id": s.tea.pk}):
        filters = reports.ReportFilters(
            date_from=date_from, date_to=date_to, currency="VND", **extra
        )
        for group in reports.SALES_GROUPS:
            from_rollup = report_sums.sales_cells_from_rollup(filters, group)
            from_orders = report_sums.sales_cells_from_orders(filters, group)
            assert {k: reports._cell(v, "VND") for k, v in from_rollup.items()} == {
                k: reports._cell(v, "VND") for k, v in from_orders.items()
            }, (extra, group)


def test_month_plan_of_a_period():
    plan = report_scope.month_plan
    # Months the period fills are added whole, the others by their days ...
    assert plan(
        date_from=date(2026, 1, 21), date_to=date(2026, 4, 5), today=date(2026, 12, 31)
    ) == report_scope.MonthPlan(
        months=[date(2026, 2, 1), date(2026, 3, 1)],
        add=[(date(2026, 1, 21), date(2026, 1, 31)), (date(2026, 4, 1), date(2026, 4, 5))],
        subtract=[],
    )
    assert plan(
        date_from=date(2026, 1, 21), date_to=date(2026, 4, 5), today=date(2026, 4, 5)
    ) == report_scope.MonthPlan(
        # ... or whole minus the days outside the period, when those are fewer (days after
        # today count for nothing: they have no rows yet, but are still taken out).
        months=[date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)],
        add=[(date(2026, 1, 21), date(2026, 1, 31))],
        subtract=[(date(2026, 4, 6), date(2026, 4, 30))],
    )
    assert plan(
        date_from=date(2025, 12, 8), date_to=date(2026, 12, 7), today=date(2026, 12, 7)
    ) == report_scope.MonthPlan(
        months=[date(2025, 12, 1)] + [date(2026, m, 1) for m in range(1, 13)],
        add=[],
        subtract=[(date(2025, 12, 1), date(2025, 12, 7)), (date(2026, 12, 8), date(2026, 12, 31))],
    )
    assert plan(
        date_from=date(2025, 12, 8),
        date_to=date(2026, 12, 7),
        today=date(2026, 12, 7),
        subtract=False,
    ) == report_scope.MonthPlan(
        months=[date(2026, m, 1) for m in range(1, 12)],
        add=[(date(2025, 12, 8), date(2025, 12, 31)), (date(2026, 12, 1), date(2026, 12, 7))],
        subtract=[],
    )
    assert plan(
        date_from=date(2024, 2, 1), date_to=date(2024, 2, 29), today=date(2026, 1, 1)
    ) == report_scope.MonthPlan(months=[date(2024, 2, 1)], add=[], subtract=[])
