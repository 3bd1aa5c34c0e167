"""order_data_apply on an order already recorded, and what cannot be applied: flags from the
platform, lines and address kept in step while editable, buyers, SKU matching, refusals.

Figures: AO-DEN-M, 10 in stock in the shop's warehouse; the buyer pays 2 x 135 000 + 30 000
shipping = 300 000 VND (our list price 150 000 is not what counts: the platform's price is).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from channels_sync.models import ChannelBuyer, ChannelOrder, Listing
from channels_sync.selectors.quarantine import oversold_orders
from channels_sync.services.apply import ApplyProblem, order_data_apply
from inventory.models import StockMovement
from inventory.services.stock import stock_receive
from orders.models import Customer, Order, OrderEvent, Payment
from orders.services.orders.transitions import order_cancel, order_confirm
from tests.channels_sync.apply_helpers import (
    T0,
    item,
    make_account,
    notes,
    order_data,
    stocked_shop,
)
from tests.orders.factories import WarehouseFactory, level, order_ledger, stocked_variant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("encryption_keys")]

NOW = T0.replace(hour=4)


@pytest.fixture
def shop():
    return stocked_shop()


def counts():
    return (
        Order.objects.count(),
        OrderEvent.objects.count(),
        StockMovement.objects.count(),
        ChannelOrder.objects.count(),
        Customer.objects.count(),
        Listing.objects.count(),
        Payment.objects.count(),
    )


def test_a_cod_order_is_recorded_cash_on_delivery_and_unpaid(shop):
    account, _warehouse, _shirt = shop

    order = order_data_apply(account=account, data=order_data(cod=True), payload=None, now=NOW)

    order.refresh_from_db()
    assert (order.payment_method, order.payment_status, order.status) == (
        "cod",
        "unpaid",
        "processing",
    )


def test_a_return_opened_on_the_platform_is_flagged_without_moving_stock(shop):
    account, warehouse, shirt = shop
    order_data_apply(account=account, data=order_data("SHIPPED"), payload=None, now=NOW)
    ledger_before = StockMovement.objects.count()

    order = order_data_apply(
        account=account, data=order_data("TO_RETURN", updated_minutes=9), payload=None, now=NOW
    )

    order.refresh_from_db()
    assert order.status == "shipped"
    assert StockMovement.objects.count() == ledger_before
    assert level(shirt, warehouse) == (8, 0)
    channel_order = ChannelOrder.objects.get()
    assert (channel_order.return_requested, channel_order.platform_status) == (True, "TO_RETURN")
    assert notes(order) == [
        "The buyer opened a return on Shopee: when the parcel arrives, receive it through a return."
    ]


def test_a_cancellation_request_is_flagged_and_cleared_when_the_seller_ships(shop):
    account, _warehouse, _shirt = shop
    order_data_apply(account=account, data=order_data(), payload=None, now=NOW)
    order = order_data_apply(
        account=account, data=order_data("IN_CANCEL", updated_minutes=3), payload=None, now=NOW
    )
    assert ChannelOrder.objects.get().cancel_requested is True
    assert notes(order) == ["The buyer asked Shopee to cancel this order."]

    order_data_apply(
        account=account, data=order_data("SHIPPED", updated_minutes=6), payload=None, now=NOW
    )

    assert ChannelOrder.objects.get().cancel_requested is False
    order.refresh_from_db()
    assert order.status == "shipped"


def test_lines_changed_on_the_platform_are_applied_while_the_order_is_editable(shop):
    account, warehouse, shirt = shop
    order_data_apply(account=account, data=order_data(), payload=None, now=NOW)

    order = order_data_apply(
        account=account,
        data=order_data(items=(item("AO-DEN-M", 3, "135000"),), total="435000", updated_minutes=4),
        payload=None,
        now=NOW,
    )

    order.refresh_from_db()
    assert list(order.lines.values_list("quantity", "quantity_reserved")) == [(3, 3)]
    assert order.total == Decimal("435000")
    assert level(shirt, warehouse) == (10, 3)
    assert order_ledger(order) == [
        ("AO-DEN-M", "reservation", 0, 2),
        ("AO-DEN-M", "reservation", 0, 1),
    ]


def test_a_shipped_order_is_not_rewritten_the_change_is_noted(shop):
    account, warehouse, shirt = shop
    order_data_apply(account=account, data=order_data("SHIPPED"), payload=None, now=NOW)

    order = order_data_apply(
        account=account,
        data=order_data("SHIPPED", items=(item("AO-DEN-M", 3, "135000"),), updated_minutes=4),
        payload=None,
        now=NOW,
    )

    assert list(order.lines.values_list("quantity", flat=True)) == [2]
    assert level(shirt, warehouse) == (8, 0)
    assert notes(order) == [
        "Shopee changed this order's lines after it was shipped; our order was kept as it is."
    ]


def test_a_platform_voucher_becomes_the_order_discount(shop):
    account, _warehouse, _shirt = shop

    order = order_data_apply(
        account=account, data=order_data(total="280000"), payload=None, now=NOW
    )

    order.refresh_from_db()
    assert (order.subtotal, order.discount_total, order.shipping_fee, order.total) == (
        Decimal("270000"),
        Decimal("20000"),
        Decimal("30000"),
        Decimal("280000"),
    )


def test_the_buyers_next_order_goes_to_the_same_customer(shop):
    account, _warehouse, _shirt = shop
    first = order_data_apply(account=account, data=order_data(), payload=None, now=NOW)

    second = order_data_apply(
        account=account, data=order_data(external_id="251201BBB222"), payload=None, now=NOW
    )

    assert second.customer_id == first.customer_id
    assert Customer.objects.count() == 1
    assert ChannelBuyer.objects.count() == 1


def test_matching_by_sku_ignores_case_and_spaces_and_a_staff_link_wins(shop):
    account, warehouse, shirt = shop
    other = stocked_variant(warehouse, 5, sku="AO-TRANG-L")
    Listing.objects.create(account=account, item_id="1001", model_id="2009", variant=other)

    order = order_data_apply(
        account=account,
        data=order_data(
            items=(
                item(" ao-den-m ", 1, "135000"),
                item("AO-DEN-M", 1, "135000", model_id="2009"),  # linked to AO-TRANG-L
            ),
            total="300000",
        ),
        payload=None,
        now=NOW,
    )

    assert list(order.lines.order_by("pk").values_list("sku", "quantity")) == [
        ("AO-DEN-M", 1),
        ("AO-TRANG-L", 1),
    ]
    assert sorted(Listing.objects.values_list("model_id", "seller_sku", "variant_id")) == [
        ("2001", "ao-den-m", shirt.pk),
        ("2009", "AO-DEN-M", other.pk),
    ]


@pytest.mark.parametrize(
    ("change", "code", "params"),
    [
        (
            {"items": (item("AO-DEN-M", 1, "135000"), item("QUAN-XL", 1, "135000", model_id="7"))},
            "unknown_sku",
            {"line": 2, "sku": "QUAN-XL", "skus": ["QUAN-XL"]},
        ),
        ({"items": (item("", 1, "135000", model_id="7"),)}, "no_sku", {"line": 1}),
        ({"status": "LOST_IN_SPACE"}, "unknown_status", {"status": "LOST_IN_SPACE"}),
        ({"currency": "THB"}, "currency_mismatch", {"currency": "THB", "expected": "VND"}),
    ],
)
def test_an_order_that_cannot_be_applied_changes_nothing(shop, change, code, params):
    account, warehouse, shirt = shop
    status = change.pop("status", "READY_TO_SHIP")
    before = counts()

    with pytest.raises(ApplyProblem) as problem:
        order_data_apply(account=account, data=order_data(status, **change), payload=None, now=NOW)

    assert (problem.value.code, problem.value.params) == (code, params)
    assert counts() == before
    assert ChannelBuyer.objects.count() == 0
    assert level(shirt, warehouse) == (10, 0)


def test_a_shop_without_an_order_warehouse_cannot_take_orders():
    account = make_account(None)
    stocked_variant(WarehouseFactory(), 10, sku="AO-DEN-M")

    with pytest.raises(ApplyProblem) as problem:
        order_data_apply(account=account, data=order_data(), payload=None, now=NOW)

    assert (problem.value.code, problem.value.params) == ("no_warehouse", {"shop": "SHP-VN1"})
    assert Order.objects.count() == 0
    assert Customer.objects.count() == 0


def test_an_order_cancelled_here_but_shipped_on_the_platform_is_noted_not_moved(shop):
    account, warehouse, shirt = shop
    order = order_data_apply(account=account, data=order_data(), payload=None, now=NOW)
    order_cancel(order_id=order.pk, user_id=None, now=NOW)
    before = StockMovement.objects.count()

    order_data_apply(
        account=account, data=order_data("SHIPPED", updated_minutes=7), payload=None, now=NOW
    )

    order.refresh_from_db()
    assert order.status == "cancelled"
    assert StockMovement.objects.count() == before
    assert level(shirt, warehouse) == (10, 0)
    assert notes(order) == ["Shopee reports this order as SHIPPED, but here it is Cancelled."]


def test_an_oversold_order_confirmed_by_staff_leaves_the_red_list(shop):
    account, warehouse, _shirt = shop
    hat = stocked_variant(warehouse, 1, sku="MU-DO")
    items = (item("MU-DO", 2, "135000"),)
    order = order_data_apply(account=account, data=order_data(items=items), payload=None, now=NOW)
    stock_receive(variant_id=hat.pk, warehouse_id=warehouse.pk, quantity=1)
    order_confirm(order_id=order.pk, user_id=None, now=NOW)
    assert list(oversold_orders()) == []

    order_data_apply(
        account=account,
        data=order_data("PROCESSED", items=items, updated_minutes=8),
        payload=None,
        now=NOW,
    )

    assert ChannelOrder.objects.get().oversold is False
    assert level(hat, warehouse) == (2, 2)


def test_an_address_our_form_refuses_is_kept_in_the_order_notes(shop):
    account, _warehouse, _shirt = shop
    data = order_data()
    odd = replace(data, address=replace(data.address, ward="", phone="84912345678"))

    order = order_data_apply(account=account, data=odd, payload=None, now=NOW)

    order.refresh_from_db()
    assert (order.ship_name, order.ship_street, order.ship_ward) == ("", "", "")
    assert order.notes == (
        "Delivery address from the platform: Nguyễn Văn An, 84912345678, "
        "12 Lê Lợi, Phường Bến Nghé, Quận 1, Hồ Chí Minh"
    )
    customer = Customer.objects.get()
    assert list(customer.phones.values_list("e164", flat=True)) == ["+84912345678"]
    assert customer.addresses.count() == 0
