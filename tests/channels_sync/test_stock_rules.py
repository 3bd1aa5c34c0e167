"""Push rules and the push queue (no platform involved)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels_sync.models import AccountStatus, ListingStatus, StockPushQueue
from channels_sync.services.stock import (
    available_for_listing,
    push_quantity,
    stock_changed_receiver,
)
from channels_sync.services.stock_queue import (
    DatabasePushQueue,
    RedisPushQueue,
    push_queue,
    queue_drain,
    stock_push_enqueue,
)
from channels_sync.tasks import QUEUE
from inventory.services.stock import stock_receive, stock_reserve
from tests.channels_sync.stock_setup import (
    WarehouseFactory,
    listing_for,
    offline_shop,
    variant_with_stock,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("encryption_keys")]


@pytest.mark.parametrize(
    ("available", "percent", "offset", "floor", "expected"),
    [
        (10, 100, 0, 0, 10),
        (10, 50, 0, 0, 5),
        (7, 50, 0, 0, 3),  # 3.5 rounds down
        (10, 80, -2, 0, 6),
        (1, 100, -3, 0, 0),  # never below 0
        (0, 100, 2, 0, 2),
        (4, 100, 0, 5, 0),  # below the floor: 0
        (5, 100, 0, 5, 5),
        (10, 50, 1, 6, 6),
        (10, 50, 0, 6, 0),
    ],
)
def test_push_quantity(available, percent, offset, floor, expected):
    assert push_quantity(available, percent=percent, offset=offset, floor=floor) == expected


def test_available_counts_the_chosen_warehouses_minus_reserved():
    hcm, hn, old = WarehouseFactory(), WarehouseFactory(), WarehouseFactory(is_active=False)
    account = offline_shop()
    a = variant_with_stock(hcm, 10)
    stock_receive(variant_id=a.pk, warehouse_id=hn.pk, quantity=6)
    stock_receive(variant_id=a.pk, warehouse_id=old.pk, quantity=50)
    stock_reserve(variant_id=a.pk, warehouse_id=hcm.pk, quantity=3)
    b = variant_with_stock(hcm, 0)

    assert available_for_listing(account=account, variant_ids=[a.pk, b.pk]) == {
        a.pk: 13,  # 7 + 6; the inactive warehouse does not count
        b.pk: 0,
    }
    account.push_warehouses.set([hn])
    assert available_for_listing(account=account, variant_ids=[a.pk]) == {a.pk: 6}
    account.push_warehouses.set([hcm, old])
    account.push_percent, account.push_offset, account.push_floor = 50, 1, 0
    assert available_for_listing(account=account, variant_ids=[a.pk]) == {a.pk: 29}  # 57/2+1
    account.push_floor = 30
    assert available_for_listing(account=account, variant_ids=[a.pk]) == {a.pk: 0}


def _redis_queue():
    from django.conf import settings

    return RedisPushQueue(settings.REDIS_URL)


@pytest.mark.parametrize(
    "make_queue",
    [
        pytest.param(DatabasePushQueue, id="database"),
        pytest.param(_redis_queue, id="redis", marks=pytest.mark.needs("redis")),
    ],
)
def test_queue_keeps_the_oldest_change_and_drains_once(make_queue):
    queue = make_queue()
    account = offline_shop()
    first = datetime(2026, 12, 7, 1, 0, 0, tzinfo=UTC)
    later = datetime(2026, 12, 7, 1, 0, 3, tzinfo=UTC)
    queue.add(account.pk, [5, 7], first)
    queue.add(account.pk, [7, 9], later)

    assert queue.drain(account.pk) == {5: first, 7: first, 9: later}
    assert queue.drain(account.pk) == {}
    assert queue.mark_scheduled(account.pk) is True
    assert queue.mark_scheduled(account.pk) is False
    queue.clear_scheduled(account.pk)
    assert queue.mark_scheduled(account.pk) is True


def test_enqueue_records_variants_per_linked_shop_and_schedules_once():
    warehouse = WarehouseFactory()
    shop_a, shop_b = offline_shop(), offline_shop(code="shopee-2", shop_id="2")
    paused = offline_shop(code="shopee-3", shop_id="3")
    paused.status = AccountStatus.RECONNECT
    paused.save()
    v1, v2, v3 = (variant_with_stock(warehouse, 5) for _ in range(3))
    listing_for(shop_a, v1, 100)
    listing_for(shop_a, v2, 101)
    listing_for(shop_b, v1, 200)
    listing_for(paused, v1, 300)
    listing_for(shop_b, v3, 201, status=ListingStatus.DELETED)
    at = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)

    scheduled = stock_push_enqueue(variant_ids=[v1.pk, v2.pk, v3.pk], at=at, schedule=False)
    again = stock_push_enqueue(variant_ids=[v2.pk], at=at, schedule=False)

    assert scheduled == [shop_a.pk, shop_b.pk]
    assert again == []  # a push is already scheduled for shop A: the burst joins it
    assert queue_drain(account_id=shop_a.pk) == {v1.pk: at, v2.pk: at}
    assert queue_drain(account_id=shop_b.pk) == {v1.pk: at}
    assert queue_drain(account_id=paused.pk) == {}
    # draining cleared the flag: the next change schedules a new push
    assert stock_push_enqueue(variant_ids=[v2.pk], at=at, schedule=False) == [shop_a.pk]


def test_receiver_queues_the_changed_variants(settings):
    settings.REDIS_URL = None  # the embedded mode's queue: a table
    warehouse = WarehouseFactory()
    account = offline_shop()
    linked, unlinked = variant_with_stock(warehouse, 2), variant_with_stock(warehouse, 2)
    listing_for(account, linked, 100)

    stock_changed_receiver(
        sender=None, changes=[(linked.pk, warehouse.pk), (unlinked.pk, warehouse.pk)]
    )

    assert list(StockPushQueue.objects.values_list("account_id", "variant_id")) == [
        (account.pk, linked.pk)
    ]
    assert isinstance(push_queue(), DatabasePushQueue)


def test_receiver_ignores_stock_of_unlinked_variants():
    warehouse = WarehouseFactory()
    account = offline_shop()
    variant = variant_with_stock(warehouse, 2)

    stock_changed_receiver(sender=None, changes=[(variant.pk, warehouse.pk)])

    assert queue_drain(account_id=account.pk) == {}
    assert StockPushQueue.objects.count() == 0


@pytest.mark.needs("redis")
def test_a_burst_sends_one_push_task_to_the_broker(django_capture_on_commit_callbacks, settings):
    import json

    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    warehouse = WarehouseFactory()
    account = offline_shop()
    variants = [variant_with_stock(warehouse, 3) for _ in range(3)]
    for n, variant in enumerate(variants):
        listing_for(account, variant, 100 + n)
    before = client.llen(QUEUE)

    with django_capture_on_commit_callbacks(execute=True):
        for variant in variants:  # three changes, one after the other
            stock_changed_receiver(sender=None, changes=[(variant.pk, warehouse.pk)])

    # on the marketplace queue (its own worker), not the default one; LPUSHed first
    raw = client.lrange(QUEUE, 0, client.llen(QUEUE) - before - 1)
    try:
        assert [json.loads(m)["headers"]["task"] for m in raw] == ["channels_sync.push_stock"]
        assert json.loads(raw[0])["headers"]["argsrepr"] == "()"
        assert set(queue_drain(account_id=account.pk)) == {v.pk for v in variants}
    finally:
        for message in raw:
            client.lrem(QUEUE, 1, message)
