"""order_data_apply: a platform order becomes our order once, and its status moves it through
the orders services (reserve, ship, complete, cancel) with the stock ledger to match.

Figures: AO-DEN-M, 10 in stock in the shop's warehouse; the buyer pays 2 x 135 000 + 30 000
shipping = 300 000 VND (our list price 150 000 is not what counts: the platform's price is).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from channels_sync.models import ChannelBuyer, ChannelOrder, Listing
from channels_sync.selectors.quarantine import oversold_orders
from channels_sync.services.apply import order_data_apply
from inventory.models import StockMovement
from inventory.services.stock import stock_receive
from orders.models import Customer, Order, OrderEvent, Payment
from tests.channels_sync.apply_helpers import (
    T0,
    events,
    item,
    notes,
    order_data,
    stocked_shop,
)
from tests.orders.factories import level, order_ledger, stocked_variant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("encryption_keys")]

NOW = T0.replace(hour=4)


@pytest.fixture
def shop():
    return stocked_shop()


def test_a_paid_order_to_ship_is_created_and_reserved(shop):
    account, warehouse, shirt = shop

    order = order_data_apply(account=account, data=order_data(), payload=None, now=NOW)

    order.refresh_from_db()
    assert (order.channel, order.channel_account, order.external_number) == (
        "shopee",
        "SHP-VN1",
        "251201AAA111",
    )
    assert (order.status, order.payment_method, order.payment_status) == (
        "processing",
        "marketplace",
        "paid",
    )
    assert (order.warehouse_id, order.currency, order.created_at) == (warehouse.pk, "VND", T0)
    assert (order.subtotal, order.shipping_fee, order.discount_total, order.total) == (
        Decimal("270000"),
        Decimal("30000"),
        Decimal("0"),
        Decimal("300000"),
    )
    assert list(order.lines.values_list("sku", "quantity", "unit_price", "quantity_reserved")) == [
        ("AO-DEN-M", 2, Decimal("135000"), 2)
    ]
    assert (order.ship_name, order.ship_phone, order.ship_province, order.ship_ward) == (
        "Nguyễn Văn An",
        "",  # masked by the platform: not stored
        "Hồ Chí Minh",
        "Phường Bến Nghé",
    )
    assert level(shirt, warehouse) == (10, 2)
    assert order_ledger(order) == [("AO-DEN-M", "reservation", 0, 2)]
    assert events(order) == [
        ("created", "", "new"),
        ("status_changed", "new", "processing"),
    ]
    channel_order = ChannelOrder.objects.get()
    assert (
        channel_order.order_id,
        channel_order.external_id,
        channel_order.platform_status,
        channel_order.platform_updated_at,
        channel_order.oversold,
    ) == (order.pk, "251201AAA111", "READY_TO_SHIP", T0, False)
    customer = Customer.objects.get()
    assert (customer.name, customer.phones.count(), customer.addresses.count()) == (
        "an.nguyen",
        0,
        1,
    )
    assert list(ChannelBuyer.objects.values_list("buyer_id", "username", "customer_id")) == [
        ("700001", "an.nguyen", customer.pk)
    ]
    assert list(Listing.objects.values_list("item_id", "model_id", "seller_sku", "variant_id")) == [
        ("1001", "2001", "AO-DEN-M", shirt.pk)
    ]
    account.refresh_from_db()
    assert account.last_order_at == T0


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


def test_a_replay_changes_nothing(shop):
    account, warehouse, shirt = shop
    first = order_data_apply(account=account, data=order_data(), payload=None, now=NOW)
    before = counts()

    again = order_data_apply(account=account, data=order_data(), payload=None, now=NOW)

    assert again.pk == first.pk
    assert counts() == before == (1, 2, 2, 1, 1, 1, 0)  # 2 movements: the receipt, the reservation
    assert level(shirt, warehouse) == (10, 2)


def test_an_older_update_moves_nothing(shop):
    account, warehouse, shirt = shop
    order_data_apply(account=account, data=order_data(updated_minutes=30), payload=None, now=NOW)
    before = counts()

    order = order_data_apply(
        account=account, data=order_data("CANCELLED", updated_minutes=10), payload=None, now=NOW
    )

    order.refresh_from_db()
    assert order.status == "processing"
    assert counts() == before
    assert level(shirt, warehouse) == (10, 2)
    channel_order = ChannelOrder.objects.get()
    assert (channel_order.platform_status, channel_order.platform_updated_at) == (
        "READY_TO_SHIP",
        T0.replace(minute=30),
    )


def test_an_unpaid_order_is_recorded_new_and_reserves_nothing(shop):
    account, warehouse, shirt = shop

    order = order_data_apply(account=account, data=order_data("UNPAID"), payload=None, now=NOW)

    order.refresh_from_db()
    assert order.status == "new"
    assert level(shirt, warehouse) == (10, 0)
    assert order_ledger(order) == []


def test_paid_later_reserves_then(shop):
    account, warehouse, shirt = shop
    order_data_apply(account=account, data=order_data("UNPAID"), payload=None, now=NOW)

    order = order_data_apply(
        account=account, data=order_data("READY_TO_SHIP", updated_minutes=5), payload=None, now=NOW
    )

    order.refresh_from_db()
    assert order.status == "processing"
    assert level(shirt, warehouse) == (10, 2)
    assert order_ledger(order) == [("AO-DEN-M", "reservation", 0, 2)]


def test_short_stock_records_the_order_new_and_flags_it_oversold(shop):
    account, warehouse, _shirt = shop
    hat = stocked_variant(warehouse, 1, sku="MU-DO")
    data = order_data(items=(item("MU-DO", 2, "135000"),))

    order = order_data_apply(account=account, data=data, payload=None, now=NOW)

    order.refresh_from_db()
    assert order.status == "new"
    assert level(hat, warehouse) == (1, 0)
    assert order_ledger(order) == []
    channel_order = ChannelOrder.objects.get()
    assert (channel_order.oversold, channel_order.platform_status) == (True, "READY_TO_SHIP")
    assert [c.order_id for c in oversold_orders()] == [order.pk]
    assert [c.order_id for c in oversold_orders(account_id=account.pk + 1)] == []
    assert notes(order) == [
        "Shopee reports this order as READY_TO_SHIP, but our stock cannot cover it: Not enough "
        f"stock in {warehouse.code} for order {order.number}: MU-DO: 2 requested, 1 available."
    ]


def test_an_oversold_order_is_confirmed_and_shipped_once_stock_arrives(shop):
    account, warehouse, _shirt = shop
    hat = stocked_variant(warehouse, 1, sku="MU-DO")
    items = (item("MU-DO", 2, "135000"),)
    order_data_apply(account=account, data=order_data(items=items), payload=None, now=NOW)
    stock_receive(variant_id=hat.pk, warehouse_id=warehouse.pk, quantity=5)

    order = order_data_apply(
        account=account,
        data=order_data("SHIPPED", items=items, updated_minutes=20),
        payload=None,
        now=NOW,
    )

    order.refresh_from_db()
    assert order.status == "shipped"
    assert level(hat, warehouse) == (4, 0)
    assert order_ledger(order) == [
        ("MU-DO", "reservation", 0, 2),
        ("MU-DO", "shipment", -2, -2),
    ]
    assert ChannelOrder.objects.get().oversold is False
    assert list(oversold_orders()) == []


def test_an_oversold_order_shipped_on_the_platform_stays_flagged_and_says_so(shop):
    account, warehouse, _shirt = shop
    hat = stocked_variant(warehouse, 1, sku="MU-DO")
    items = (item("MU-DO", 2, "135000"),)
    order_data_apply(account=account, data=order_data(items=items), payload=None, now=NOW)

    order = order_data_apply(
        account=account,
        data=order_data("SHIPPED", items=items, updated_minutes=20),
        payload=None,
        now=NOW,
    )

    order.refresh_from_db()
    assert order.status == "new"
    assert level(hat, warehouse) == (1, 0)
    assert order_ledger(order) == []
    channel_order = ChannelOrder.objects.get()
    assert (channel_order.oversold, channel_order.platform_status) == (True, "SHIPPED")
    assert [text.split(",")[0] for text in notes(order)] == [
        "Shopee reports this order as READY_TO_SHIP",
        "Shopee reports this order as SHIPPED",
    ]


def test_cancelled_on_the_platform_releases_the_reservation(shop):
    account, warehouse, shirt = shop
    order_data_apply(account=account, data=order_data(), payload=None, now=NOW)

    order = order_data_apply(
        account=account, data=order_data("CANCELLED", updated_minutes=5), payload=None, now=NOW
    )

    order.refresh_from_db()
    assert order.status == "cancelled"
    assert level(shirt, warehouse) == (10, 0)
    assert order_ledger(order) == [
        ("AO-DEN-M", "reservation", 0, 2),
        ("AO-DEN-M", "release", 0, -2),
    ]


def test_cancelling_an_oversold_order_clears_the_flag(shop):
    account, warehouse, _shirt = shop
    hat = stocked_variant(warehouse, 1, sku="MU-DO")
    items = (item("MU-DO", 2, "135000"),)
    order_data_apply(account=account, data=order_data(items=items), payload=None, now=NOW)

    order = order_data_apply(
        account=account,
        data=order_data("CANCELLED", items=items, updated_minutes=5),
        payload=None,
        now=NOW,
    )

    order.refresh_from_db()
    assert order.status == "cancelled"
    assert level(hat, warehouse) == (1, 0)
    assert order_ledger(order) == []
    assert ChannelOrder.objects.get().oversold is False


def test_shipped_on_the_platform_deducts_the_reserved_units(shop):
    account, warehouse, shirt = shop
    order_data_apply(account=account, data=order_data(), payload=None, now=NOW)

    order = order_data_apply(
        account=account, data=order_data("SHIPPED", updated_minutes=5), payload=None, now=NOW
    )

    order.refresh_from_db()
    assert order.status == "shipped"
    assert level(shirt, warehouse) == (8, 0)
    assert order_ledger(order) == [
        ("AO-DEN-M", "reservation", 0, 2),
        ("AO-DEN-M", "shipment", -2, -2),
    ]


def test_an_order_first_seen_completed_goes_through_every_step(shop):
    account, warehouse, shirt = shop

    order = order_data_apply(account=account, data=order_data("COMPLETED"), payload=None, now=NOW)

    order.refresh_from_db()
    assert (order.status, order.paid_amount, order.payment_status) == (
        "completed",
        Decimal("300000"),
        "paid",
    )
    assert events(order) == [
        ("created", "", "new"),
        ("status_changed", "new", "processing"),
        ("status_changed", "processing", "shipped"),
        ("payment", "", ""),  # order_complete records the platform's payment of the total
        ("status_changed", "shipped", "completed"),
    ]
    assert list(Payment.objects.values_list("kind", "amount", "method")) == [
        ("payment", Decimal("300000"), "marketplace")
    ]
    assert order_ledger(order) == [
        ("AO-DEN-M", "reservation", 0, 2),
        ("AO-DEN-M", "shipment", -2, -2),
    ]
    assert level(shirt, warehouse) == (8, 0)
