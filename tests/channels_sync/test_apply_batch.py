"""payloads_apply_batch on stored Shopee order JSON (the real parser, real PostgreSQL): one
transaction per batch, a bad order quarantined alone, replays idempotent, older updates never
over newer ones, oversold orders flagged while the rest reserve, statements per batch pinned."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels_sync.models import ChannelAccount, ChannelOrder, InboundPayload, Listing
from channels_sync.services.apply import payloads_reapply_for_sku
from channels_sync.services.apply_batch import payloads_apply_batch
from channels_sync.services.pull import payloads_store
from inventory.models import StockMovement
from orders.models import Customer, Order, OrderEvent
from tests.channels_sync.apply_helpers import (
    T0,
    shopee_line,
    shopee_order,
    stocked_shop,
    store,
)
from tests.orders.factories import level, stocked_variant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("encryption_keys")]

NOW = T0.replace(hour=4)


@pytest.fixture
def shop():
    return stocked_shop(1000)


def body(
    n: int, *, quantity: int = 1, sku: str = "AO-DEN-M", update_time: int = 0, item: int = 1001
) -> dict:
    """Order n of a flash sale: its own order number and buyer."""
    order = shopee_order(
        f"251201FS{n:04d}",
        lines=[shopee_line(sku, quantity, 135000, item_id=item, model_id=item + 1000)],
        update_time=update_time,
    )
    order["buyer_user_id"] = 900000 + n
    order["buyer_username"] = f"buyer.{n}"
    return order


def apply_all(account: ChannelAccount, bodies: list[dict]) -> dict[int, str]:
    payloads = payloads_store(account=account, raws=bodies)
    return payloads_apply_batch(
        account_id=account.pk, payload_ids=[p.pk for p in payloads], now=NOW
    )


def world() -> tuple[int, int, int, int, int]:
    return (
        Order.objects.count(),
        ChannelOrder.objects.count(),
        Customer.objects.count(),
        StockMovement.objects.count(),
        OrderEvent.objects.count(),
    )


def test_a_malformed_order_in_the_middle_of_50_is_quarantined_and_49_land(shop):
    account, warehouse, shirt = shop
    bodies = [body(n) for n in range(50)]
    del bodies[24]["item_list"][0]["model_quantity_purchased"]  # malformed

    statuses = apply_all(account, bodies)

    assert Counter(statuses.values()) == {"applied": 49, "quarantined": 1}
    bad = InboundPayload.objects.get(external_id="251201FS0024")
    assert (bad.status, bad.reason, bad.reason_params, bad.attempts, bad.order_id) == (
        "quarantined",
        "bad_field",
        {"field": "item_list[0].model_quantity_purchased"},
        1,
        None,
    )
    assert "model_quantity_purchased" in bad.detail
    applied = ChannelOrder.objects.select_related("order")
    assert sorted(c.external_id for c in applied) == sorted(
        f"251201FS{n:04d}" for n in range(50) if n != 24
    )
    assert {c.order.status for c in applied} == {"processing"}
    assert {(c.platform_status, c.oversold) for c in applied} == {("READY_TO_SHIP", False)}
    assert level(shirt, warehouse)[1] == 49
    assert StockMovement.objects.filter(kind="reservation").count() == 49
    assert Customer.objects.count() == 49
    payloads = InboundPayload.objects.exclude(pk=bad.pk)
    assert {(p.status, p.attempts, p.applied_at) for p in payloads} == {("applied", 1, NOW)}
    assert {p.external_id: p.order_id for p in payloads} == {
        c.external_id: c.order_id for c in applied
    }
    assert ChannelAccount.objects.get(pk=account.pk).last_order_at == T0

    # The platform sends the order again, whole, with a later update time: it applies and the
    # quarantined payload is superseded by it.
    fixed = body(24, update_time=60)
    assert Counter(apply_all(account, [fixed]).values()) == {"applied": 1}
    bad.refresh_from_db()
    new = ChannelOrder.objects.get(external_id="251201FS0024")
    assert (bad.status, bad.order_id) == ("superseded", new.order_id)
    assert level(shirt, warehouse)[1] == 50


def test_an_unknown_sku_stays_with_its_order_and_reapplies_once_linked(shop, admin_user):
    account, warehouse, shirt = shop
    bodies = [body(n) for n in range(10)]
    bodies[3] = body(3, sku="MU-LUOI-TRAI", item=1003)  # not one of our SKUs yet

    statuses = apply_all(account, bodies)

    assert Counter(statuses.values()) == {"applied": 9, "quarantined": 1}
    unknown = InboundPayload.objects.get(external_id="251201FS0003")
    assert (unknown.reason, unknown.reason_params["sku"]) == ("unknown_sku", "MU-LUOI-TRAI")
    assert level(shirt, warehouse)[1] == 9
    assert Customer.objects.count() == 9
    assert not Order.objects.filter(external_number="251201FS0003")

    cap = stocked_variant(warehouse, 5, sku="MU-LUOI-TRAI")
    staff = admin_user.pk
    assert payloads_reapply_for_sku(account_id=account.pk, seller_sku="mu-luoi-trai", user_id=staff)
    unknown.refresh_from_db()
    assert (unknown.status, unknown.applied_by_id) == ("applied", admin_user.pk)
    assert level(cap, warehouse)[1] == 1


@pytest.mark.postgres(why="PostgreSQL refuses NUL in text; SQLite stores it")
def test_a_database_error_in_one_order_rolls_back_that_order_only(shop):
    account, warehouse, shirt = shop
    bodies = [body(n) for n in range(10)]
    bodies[7]["buyer_username"] = "an\x00nguyen"  # PostgreSQL text refuses NUL: a failure of ours
    before = world()

    statuses = apply_all(account, bodies)

    assert Counter(statuses.values()) == {"applied": 9, "quarantined": 1}
    failed = InboundPayload.objects.get(external_id="251201FS0007")
    assert (failed.reason, failed.order_id) == ("internal", None)
    assert "NUL" in failed.detail
    assert level(shirt, warehouse)[1] == 9
    assert [after - was for after, was in zip(world(), before, strict=True)][:3] == [9, 9, 9]
    assert not Order.objects.filter(external_number="251201FS0007")


def test_replaying_a_batch_changes_nothing(shop):
    account, warehouse, shirt = shop
    bodies = [body(n) for n in range(20)]
    apply_all(account, bodies)
    before = world()

    assert payloads_store(account=account, raws=bodies) == []  # the same details: not stored
    again = [store(account, b) for b in bodies]  # stored twice anyway (two pushes at once)
    statuses = payloads_apply_batch(account_id=account.pk, payload_ids=[p.pk for p in again])
    first = InboundPayload.objects.exclude(pk__in=[p.pk for p in again])
    assert set(statuses.values()) == {"ignored"}
    assert world() == before
    assert level(shirt, warehouse)[1] == 20
    assert {p.status for p in first} == {"applied"}

    # An applied payload handed over again is left as it is.
    assert payloads_apply_batch(account_id=account.pk, payload_ids=[again[0].pk]) == {}
    assert world() == before


def test_an_older_update_never_overwrites_a_newer_one(shop):
    account, warehouse, shirt = shop
    newer = store(account, body(1, update_time=120) | {"order_status": "SHIPPED"})
    older = store(account, body(1, update_time=60))
    other = store(account, body(2))

    statuses = payloads_apply_batch(
        account_id=account.pk, payload_ids=[older.pk, newer.pk, other.pk], now=NOW
    )

    assert statuses == {newer.pk: "applied", older.pk: "superseded", other.pk: "applied"}
    channel_order = ChannelOrder.objects.select_related("order").get(external_id="251201FS0001")
    assert (channel_order.platform_status, channel_order.order.status) == ("SHIPPED", "shipped")
    late = store(account, body(1, update_time=90))
    assert payloads_apply_batch(account_id=account.pk, payload_ids=[late.pk]) == {
        late.pk: "superseded"
    }
    channel_order.refresh_from_db()
    assert channel_order.platform_status == "SHIPPED"
    assert level(shirt, warehouse)[0] == 999


def test_a_short_stock_batch_reserves_what_it_can_and_flags_the_rest(shop):
    account, warehouse, _shirt = shop
    scarce = stocked_variant(warehouse, 7, sku="NON-LA")
    bodies = [body(n, sku="NON-LA", quantity=2, item=1005) for n in range(5)]

    assert set(apply_all(account, bodies).values()) == {"applied"}

    flags = dict(ChannelOrder.objects.values_list("external_id", "oversold"))
    assert sorted(flags.values()) == [False, False, False, True, True]
    assert level(scarce, warehouse)[1] == 6
    assert ChannelOrder.objects.filter(oversold=True, order__status="new").count() == 2


OUR_STOCK_LOCK = 'SELECT "inventory_stocklevel"."id" AS "pk" FROM "inventory_stocklevel"'
OURS = ("channels_sync_", "pg_advisory", '"orders_order"."external_number" IN (')


def sql_by_kind(queries: list[dict]) -> Counter:
    """Statements of the batch grouped: ours (channels_sync tables, advisory locks, the
    adoptable orders, the stock row lock), savepoints, and the orders/inventory services'."""
    kinds: Counter = Counter()
    for query in queries:
        sql = query["sql"]
        if "SAVEPOINT" in sql:
            kinds["savepoint"] += 1
        elif any(mark in sql for mark in OURS) or sql.startswith(OUR_STOCK_LOCK):
            kinds["channels_sync"] += 1
        else:
            kinds["services"] += 1
    return kinds


@pytest.mark.postgres(why="the advisory locks and the stock row lock are PostgreSQL's")
@pytest.mark.parametrize("size", [10, 50])
def test_statements_per_batch(shop, size):
    """Ours per batch: 2 to store (read what is stored, one INSERT) and 13 to apply (shop,
    payloads, order locks, payload locks, ChannelOrders, other payloads, Listings, buyers,
    adoptable orders, the shop's promotion holds, stock rows, last order time, payload
    statuses); per new order: its ChannelOrder and its ChannelBuyer."""
    account, _warehouse, _shirt = shop
    Listing.objects.create(
        account=account,
        item_id="1001",
        model_id="2001",
        seller_sku="AO-DEN-M",
        name="Áo AO-DEN-M",
        variant=_shirt,
    )
    bodies = [body(n) for n in range(size)]
    with CaptureQueriesContext(connection) as stored:
        payloads = payloads_store(account=account, raws=bodies)
    with CaptureQueriesContext(connection) as applied:
        payloads_apply_batch(account_id=account.pk, payload_ids=[p.pk for p in payloads])
    assert len(stored.captured_queries) == 2
    kinds = sql_by_kind(applied.captured_queries)
    assert kinds["channels_sync"] == 13 + 2 * size
    # A new buyer's ChannelBuyer insert has its own savepoint (a buyer made at the same moment
    # by another worker), each order one: the services' own atomic blocks are the rest.
    assert Counter(o.status for o in Order.objects.all()) == {"processing": size}
    per_order = (kinds["services"] + kinds["savepoint"]) / size
    print(f"batch of {size}: {dict(kinds)}; services + savepoints per order {per_order:.1f}")


def test_a_replayed_batch_of_50_is_one_statement(shop):
    account, _warehouse, _shirt = shop
    bodies = [body(n) for n in range(50)]
    apply_all(account, bodies)
    with CaptureQueriesContext(connection) as replay:
        assert payloads_store(account=account, raws=json.loads(json.dumps(bodies))) == []
    assert len(replay.captured_queries) == 1


def test_a_detail_stored_but_never_applied_is_applied_when_it_comes_again(shop):
    account, warehouse, shirt = shop
    bodies = [body(n) for n in range(3)]
    stranded = payloads_store(account=account, raws=bodies)  # the worker stopped right here

    again = payloads_store(account=account, raws=bodies)

    assert [p.pk for p in again] == [p.pk for p in stranded]
    statuses = payloads_apply_batch(account_id=account.pk, payload_ids=[p.pk for p in again])
    assert set(statuses.values()) == {"applied"}
    assert level(shirt, warehouse)[1] == 3
    assert payloads_store(account=account, raws=bodies) == []
    assert InboundPayload.objects.count() == 3
