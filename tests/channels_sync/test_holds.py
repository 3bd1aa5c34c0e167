"""Promotion/campaign stock holds over real HTTP: two Shopee shops (A and B) of one sandbox
stand in for several shops selling one stock. Every time is pinned and passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import channels_sync.tasks  # noqa: F401  (registers push_stock, which the sweep schedules)
from channels_sync.models import HoldEnd, HoldSource, HoldStatus, Listing, StockHold
from channels_sync.services.holds import (
    HoldError,
    hold_create,
    hold_end,
    holds_due,
    holds_sweep,
)
from channels_sync.services.listings import listings_pull
from channels_sync.services.pull import orders_pull
from channels_sync.services.stock import stock_push
from channels_sync.services.stock_queue import queue_drain
from inventory.models import StockLevel
from inventory.services.stock import stock_receive, stock_reserve
from tests.channels_sync.stock_setup import (
    SHOP_ID,
    WarehouseFactory,
    connect_shop,
    variant_with_stock,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("encryption_keys")]

SHOP_B = SHOP_ID + 1
T0 = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # 12:00 in Ho Chi Minh City: the flash sale starts
END = T0 + timedelta(hours=2)
BEFORE = T0 - timedelta(hours=1)
TICK = timedelta(microseconds=1)


@pytest.fixture
def two_shops(shopee_sandbox):
    """Shops A and B selling variant "FS-1" (30 units in warehouse W, the order warehouse of
    both) as a sandbox model each; listings pulled. -> (a, b, variant, {shop: (item, model)})"""
    warehouse = WarehouseFactory()
    a = connect_shop(shopee_sandbox, shop_id=SHOP_ID, name="Shop A")
    b = connect_shop(shopee_sandbox, shop_id=SHOP_B, name="Shop B")
    variant = variant_with_stock(warehouse, 30, sku="FS-1")
    models = {}
    for account, shop_id in ((a, SHOP_ID), (b, SHOP_B)):
        account.warehouse = warehouse
        account.save(update_fields=["warehouse"])
        item_id, (model_id,) = shopee_sandbox.add_item(
            shop_id, "FS", "Áo flash sale", [{"model_sku": "FS-1", "price": 150000, "stock": 0}]
        )
        models[account.pk] = (item_id, model_id)
        listings_pull(account_id=account.pk, now=BEFORE)
        queue_drain(account_id=account.pk)  # the links' first push is not under test here
    return a, b, variant, models


def on_platform(sandbox, models, account):
    return sandbox.item_stock(*models[account.pk])


def order_on(sandbox, account, models, quantity, at):
    """A buyer orders `quantity` on the shop at `at` (the platform's create time); pulled."""
    sandbox.place_order(
        int(account.shop_id), [(*models[account.pk], quantity)], create_time=int(at.timestamp())
    )
    orders_pull(account_id=account.pk)


def test_a_hold_on_a_is_taken_off_b_and_returns_by_itself_at_the_end(shopee_sandbox, two_shops):
    a, b, variant, models = two_shops
    (hold,) = hold_create(
        account_id=a.pk,
        variant_ids=[variant.pk],
        quantity=10,
        starts_at=T0,
        ends_at=END,
        name="12.12",
        now=BEFORE,
    )
    assert (hold.status, hold.source, hold.remaining) == (HoldStatus.SCHEDULED, "staff", 10)
    stock_push(account_id=b.pk, variant_ids=[variant.pk], now=BEFORE)
    assert on_platform(shopee_sandbox, models, b) == 30  # not started yet

    assert holds_sweep(now=T0 - TICK) == {"started": 0, "ended": 0}
    assert holds_sweep(now=T0) == {"started": 1, "ended": 0}
    for account in (a, b):  # the sweep queued the variant for both shops: the task's push
        stock_push(account_id=account.pk, now=T0)
    assert on_platform(shopee_sandbox, models, b) == 20
    assert on_platform(shopee_sandbox, models, a) == 30

    assert holds_sweep(now=END - TICK) == {"started": 0, "ended": 0}
    stock_push(account_id=b.pk, variant_ids=[variant.pk], now=END - TICK)
    assert on_platform(shopee_sandbox, models, b) == 20  # still held one microsecond before

    assert holds_sweep(now=END) == {"started": 0, "ended": 1}
    assert holds_sweep(now=END) == {"started": 0, "ended": 0}  # a second sweep finds nothing
    hold.refresh_from_db()
    assert (hold.status, hold.ended_at, hold.end_reason) == (
        HoldStatus.ENDED,
        END,
        HoldEnd.TIME,
    )
    assert sorted(queue_drain(account_id=b.pk)) == [variant.pk]  # what the push task drains
    stock_push(account_id=b.pk, variant_ids=[variant.pk], now=END)
    assert on_platform(shopee_sandbox, models, b) == 30


def test_orders_on_a_consume_the_hold_first(shopee_sandbox, two_shops):
    a, b, variant, models = two_shops
    (hold,) = hold_create(
        account_id=a.pk, variant_ids=[variant.pk], quantity=10, starts_at=T0, ends_at=END, now=T0
    )
    for account in (a, b):
        stock_push(account_id=account.pk, variant_ids=[variant.pk], now=T0)

    order_on(shopee_sandbox, a, models, 3, T0 + timedelta(minutes=30))
    hold.refresh_from_db()
    assert (hold.consumed, hold.remaining) == (3, 7)
    level = StockLevel.objects.get(variant=variant)
    assert (level.on_hand, level.reserved) == (30, 3)
    for account in (a, b):
        stock_push(account_id=account.pk, variant_ids=[variant.pk], now=T0 + timedelta(minutes=31))
    assert on_platform(shopee_sandbox, models, b) == 20  # 27 available - 7 still held on A
    assert on_platform(shopee_sandbox, models, a) == 27

    order_on(shopee_sandbox, a, models, 9, T0 + timedelta(minutes=40))
    hold.refresh_from_db()
    assert (hold.consumed, hold.remaining) == (10, 0)  # 7 from the hold, 2 from the rest
    stock_push(account_id=b.pk, variant_ids=[variant.pk], now=T0 + timedelta(minutes=41))
    assert on_platform(shopee_sandbox, models, b) == 18

    order_on(shopee_sandbox, b, models, 4, T0 + timedelta(minutes=50))
    hold.refresh_from_db()
    assert hold.consumed == 10  # an order on B never touches A's hold


def test_an_order_after_the_end_moment_does_not_consume(shopee_sandbox, two_shops):
    a, _b, variant, models = two_shops
    (hold,) = hold_create(
        account_id=a.pk, variant_ids=[variant.pk], quantity=10, starts_at=T0, ends_at=END, now=T0
    )
    stock_push(account_id=a.pk, variant_ids=[variant.pk], now=T0)
    order_on(shopee_sandbox, a, models, 2, END)  # created at the exact end: not in the sale
    hold.refresh_from_db()
    assert hold.consumed == 0
    assert StockLevel.objects.get(variant=variant).reserved == 2


def test_the_holding_shop_is_never_pushed_below_its_hold(shopee_sandbox, two_shops):
    a, b, variant, models = two_shops
    hold_create(
        account_id=a.pk, variant_ids=[variant.pk], quantity=10, starts_at=T0, ends_at=END, now=T0
    )
    for account in (a, b):
        stock_push(account_id=account.pk, variant_ids=[variant.pk], now=T0)
    assert on_platform(shopee_sandbox, models, b) == 20

    order_on(shopee_sandbox, b, models, 20, T0 + timedelta(minutes=5))  # 10 left in stock
    b.push_percent = 50
    b.save(update_fields=["push_percent"])
    a.push_offset = -8
    a.save(update_fields=["push_offset"])
    for account in (a, b):
        stock_push(account_id=account.pk, variant_ids=[variant.pk], now=T0 + timedelta(minutes=6))
    assert on_platform(shopee_sandbox, models, a) == 10  # max(10 - 8, hold 10)
    assert on_platform(shopee_sandbox, models, b) == 0  # (10 - 10 held on A) x 50 %


def test_a_hold_on_warehouses_b_does_not_count_takes_nothing_from_b(shopee_sandbox, two_shops):
    a, b, variant, models = two_shops
    other = WarehouseFactory()
    a.push_warehouses.set([a.warehouse_id, other.pk])
    b.push_warehouses.set([other.pk])
    stock_receive(variant_id=variant.pk, warehouse_id=other.pk, quantity=5)
    hold_create(
        account_id=a.pk, variant_ids=[variant.pk], quantity=10, starts_at=T0, ends_at=END, now=T0
    )
    stock_push(account_id=b.pk, variant_ids=[variant.pk], now=T0)
    # A's hold can reach at most the 5 units of the warehouse both count
    assert on_platform(shopee_sandbox, models, b) == 0
    b.push_warehouses.clear()
    stock_push(account_id=b.pk, variant_ids=[variant.pk], now=T0)
    assert on_platform(shopee_sandbox, models, b) == 25  # 35 - 10


def test_a_reserve_the_platform_reports_holds_until_it_is_gone(shopee_sandbox, two_shops):
    a, b, variant, models = two_shops
    item_a, model_a = models[a.pk]
    shopee_sandbox.set_reserve(item_a, model_a, 10)
    stock_push(account_id=a.pk, variant_ids=[variant.pk], now=T0)  # 30 >= 10: accepted

    listings_pull(account_id=a.pk, now=T0)
    hold = StockHold.objects.get(account=a)
    assert (hold.source, hold.status, hold.quantity, hold.starts_at, hold.ends_at) == (
        HoldSource.PLATFORM,
        HoldStatus.ACTIVE,
        10,
        T0,
        None,
    )
    assert hold.listing == Listing.objects.get(account=a)
    assert sorted(queue_drain(account_id=b.pk)) == [variant.pk]
    stock_push(account_id=b.pk, variant_ids=[variant.pk], now=T0)
    assert on_platform(shopee_sandbox, models, b) == 20

    shopee_sandbox.set_reserve(item_a, model_a, 6)
    listings_pull(account_id=a.pk, now=T0 + timedelta(minutes=10))
    hold.refresh_from_db()
    assert (hold.quantity, hold.status) == (6, HoldStatus.ACTIVE)
    stock_push(account_id=b.pk, variant_ids=[variant.pk], now=T0 + timedelta(minutes=10))
    assert on_platform(shopee_sandbox, models, b) == 24

    shopee_sandbox.set_reserve(item_a, model_a, 0)  # the promotion ended on the platform
    listings_pull(account_id=a.pk, now=END)
    hold.refresh_from_db()
    assert (hold.status, hold.ended_at, hold.end_reason) == (
        HoldStatus.ENDED,
        END,
        HoldEnd.PLATFORM,
    )
    run = stock_push(account_id=b.pk, now=END)  # the queued push, as the task runs it
    assert run.counts == {"pushed": 1}
    assert on_platform(shopee_sandbox, models, b) == 30


def test_a_staff_hold_and_the_platform_reserve_of_one_sale_are_not_added(shopee_sandbox, two_shops):
    a, b, variant, models = two_shops
    shopee_sandbox.set_reserve(*models[a.pk], 8)
    listings_pull(account_id=a.pk, now=T0)
    hold_create(
        account_id=a.pk, variant_ids=[variant.pk], quantity=10, starts_at=T0, ends_at=END, now=T0
    )
    stock_push(account_id=b.pk, variant_ids=[variant.pk], now=T0)
    assert on_platform(shopee_sandbox, models, b) == 20  # max(8, 10), not 18


def test_a_floor_refusal_records_a_platform_hold(shopee_sandbox, two_shops):
    a, b, variant, models = two_shops
    shopee_sandbox.set_reserve(*models[a.pk], 12)
    stock_reserve(variant_id=variant.pk, warehouse_id=a.warehouse_id, quantity=25)  # 5 left
    run = stock_push(account_id=a.pk, variant_ids=[variant.pk], now=T0)
    assert [(e["code"], e["params"]["floor"]) for e in run.errors] == [("promotion_floor", 12)]
    hold = StockHold.objects.get(account=a)
    assert (hold.source, hold.quantity, hold.status) == (HoldSource.PLATFORM, 12, "active")

    stock_push(account_id=a.pk, variant_ids=[variant.pk], now=T0)
    assert on_platform(shopee_sandbox, models, a) == 12  # the floor, accepted
    stock_push(account_id=b.pk, variant_ids=[variant.pk], now=T0)
    assert on_platform(shopee_sandbox, models, b) == 0  # 5 - min(12, 5)


def test_ending_a_hold_early_returns_its_units_at_once(shopee_sandbox, two_shops):
    a, b, variant, models = two_shops
    (hold,) = hold_create(
        account_id=a.pk, variant_ids=[variant.pk], quantity=10, starts_at=T0, ends_at=END, now=T0
    )
    queue_drain(account_id=b.pk)
    hold_end(hold_id=hold.pk, account_id=a.pk, now=T0 + timedelta(minutes=20))
    hold.refresh_from_db()
    assert (hold.status, hold.end_reason, hold.ended_at) == (
        HoldStatus.ENDED,
        HoldEnd.STAFF,
        T0 + timedelta(minutes=20),
    )
    assert sorted(queue_drain(account_id=b.pk)) == [variant.pk]
    stock_push(account_id=b.pk, variant_ids=[variant.pk], now=T0 + timedelta(minutes=20))
    assert on_platform(shopee_sandbox, models, b) == 30
    with pytest.raises(HoldError):
        hold_end(hold_id=hold.pk, account_id=a.pk, now=T0 + timedelta(minutes=21))
    with pytest.raises(StockHold.DoesNotExist):
        hold_end(hold_id=hold.pk, account_id=b.pk, now=T0 + timedelta(minutes=21))


@pytest.mark.parametrize(
    ("quantity", "starts", "ends", "message"),
    [
        (0, T0, END, "Hold at least one unit."),
        (5, END, T0, "The end must be after the start."),
        (5, T0 - timedelta(hours=3), BEFORE, "The end is already past."),
    ],
)
def test_a_wrong_hold_is_refused_and_nothing_is_recorded(
    two_shops, quantity, starts, ends, message
):
    a, _b, variant, _models = two_shops
    with pytest.raises(HoldError, match=message):
        hold_create(
            account_id=a.pk,
            variant_ids=[variant.pk],
            quantity=quantity,
            starts_at=starts,
            ends_at=ends,
            now=T0,
        )
    assert StockHold.objects.count() == 0


def test_a_variant_the_shop_does_not_sell_cannot_be_held(two_shops):
    a, _b, variant, _models = two_shops
    stranger = variant_with_stock(WarehouseFactory(), 3)
    with pytest.raises(HoldError, match="1 of the variants are not sold on this shop"):
        hold_create(
            account_id=a.pk,
            variant_ids=[variant.pk, stranger.pk],
            quantity=2,
            starts_at=T0,
            ends_at=END,
            now=T0,
        )
    assert StockHold.objects.count() == 0


def test_transitions_due_within_the_minute_get_an_exact_run(two_shops):
    a, _b, variant, _models = two_shops
    hold_create(
        account_id=a.pk,
        variant_ids=[variant.pk],
        quantity=1,
        starts_at=T0 + timedelta(seconds=20),
        ends_at=T0 + timedelta(seconds=50),
        now=T0,
    )
    assert holds_due(now=T0) == [T0 + timedelta(seconds=20), T0 + timedelta(seconds=50)]
    assert holds_due(now=T0 + timedelta(seconds=20)) == [T0 + timedelta(seconds=50)]
    assert holds_due(now=T0 + timedelta(seconds=50)) == []


def test_the_sweep_runs_every_minute(tmp_path):
    from crm.celery_config import celery_settings

    schedule = celery_settings(redis_url=None, var_dir=tmp_path)["beat_schedule"]
    assert schedule["channels-sync-sweep-holds"] == {
        "task": "channels_sync.sweep_holds",
        "schedule": timedelta(seconds=60),
        "options": {"expires": 55},
    }


def test_the_sweep_at_the_end_pushes_every_shop_by_itself(shopee_sandbox, two_shops, run_jobs):
    """No push called by the test: the sweep queues them, the push tasks run (eagerly, as the
    worker would) and both shops show the whole stock again."""
    a, b, variant, models = two_shops
    hold_create(
        account_id=a.pk, variant_ids=[variant.pk], quantity=10, starts_at=T0, ends_at=END, now=T0
    )
    for account in (a, b):  # the pushes the start queued, as their task runs them
        stock_push(account_id=account.pk, now=T0)
    assert on_platform(shopee_sandbox, models, b) == 20

    with run_jobs():
        assert holds_sweep(now=END) == {"started": 0, "ended": 1}

    assert on_platform(shopee_sandbox, models, b) == 30
    assert on_platform(shopee_sandbox, models, a) == 30
    assert queue_drain(account_id=b.pk) == {}


def test_a_reserve_push_pulls_the_listings_and_the_other_shop_follows(
    shopee_sandbox, two_shops, run_jobs
):
    """Shopee push code 8 (reserved stock changed) -> the shop's listings pulled -> a platform
    hold -> B pushed what is left; all through the tasks, nothing called by hand."""
    from channels_sync.services.webhooks import webhook_process, webhook_receive
    from tests.channels_sync.conftest import SHOPEE_CALLBACK_URL

    a, b, variant, models = two_shops
    for account in (a, b):
        stock_push(account_id=account.pk, variant_ids=[variant.pk])
    shopee_sandbox.configure(callback_url=SHOPEE_CALLBACK_URL)
    shopee_sandbox.set_reserve(*models[a.pk], 10)
    assert shopee_sandbox.flush_pushes(10)
    (push,) = [d for d in shopee_sandbox.deliveries if d.code == 8]
    payload = webhook_receive(
        platform="shopee",
        url=push.url,
        body=push.body,
        headers={"Content-Type": "application/json", "Authorization": push.signature},
    )
    assert payload is not None
    assert payload.account_id == a.pk

    with run_jobs():
        webhook_process(payload_id=payload.pk)

    payload.refresh_from_db()
    assert payload.status == "applied"
    hold = StockHold.objects.get(account=a)
    assert (hold.source, hold.quantity, hold.status) == (HoldSource.PLATFORM, 10, "active")
    assert on_platform(shopee_sandbox, models, b) == 20
    assert on_platform(shopee_sandbox, models, a) == 30
