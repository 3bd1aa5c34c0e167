"""Stock pushes over real HTTP against the Shopee sandbox: rules, only changed values, batches,
promotion floors, the queue end to end."""

from __future__ import annotations

import pytest

from channels_sync.models import ChannelAccount, Listing, RunKind, RunStatus
from channels_sync.services.listings import listings_pull
from channels_sync.services.stock import stock_changed_receiver, stock_push
from channels_sync.services.stock_queue import queue_drain
from inventory.services.stock import stock_receive, stock_reserve
from inventory.signals import stock_changed
from tests.channels_sync.stock_setup import (
    SHOP_ID,
    WarehouseFactory,
    connect_shop,
    listing_for,
    variant_with_stock,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("encryption_keys")]
UPDATE_STOCK = "/api/v2/product/update_stock"
RECEIVER_UID = "channels_sync.stock_changed"


@pytest.fixture
def warehouse():
    return WarehouseFactory()


def _item(sandbox, variants, *, stock=0, reserve=0):
    models = [
        {"model_sku": v.sku, "price": 150000, "stock": stock, "reserved_promotion_stock": reserve}
        for v in variants
    ]
    return sandbox.add_item(SHOP_ID, "ITEM", "Áo thun", models)


def test_push_applies_the_rules_and_records_the_run(shopee_sandbox, warehouse):
    account = connect_shop(shopee_sandbox)
    other = WarehouseFactory()
    a, b = variant_with_stock(warehouse, 10), variant_with_stock(warehouse, 3)
    stock_receive(variant_id=a.pk, warehouse_id=other.pk, quantity=20)
    stock_reserve(variant_id=a.pk, warehouse_id=warehouse.pk, quantity=2)
    item_id, (model_a, model_b) = _item(shopee_sandbox, [a, b], stock=99)
    listings_pull(account_id=account.pk)
    account.push_warehouses.set([warehouse])
    ChannelAccount.objects.filter(pk=account.pk).update(push_percent=50, push_offset=1)
    shopee_sandbox.reset_calls()

    run = stock_push(account_id=account.pk, variant_ids=[a.pk, b.pk])

    assert shopee_sandbox.item_stock(item_id, model_a) == 5  # (10 - 2) x 50 % + 1
    assert shopee_sandbox.item_stock(item_id, model_b) == 2  # 3 x 50 % = 1.5 -> 1, + 1
    assert shopee_sandbox.call_count(UPDATE_STOCK) == 1
    assert (run.kind, run.status, run.counts) == (
        RunKind.STOCK_PUSH,
        RunStatus.SUCCEEDED,
        {"pushed": 2},
    )
    assert run.api_calls == 1
    listing = Listing.objects.get(variant=a)
    assert (listing.pushed_stock, listing.platform_stock, listing.push_error) == (5, 5, "")
    account.refresh_from_db()
    assert account.last_stock_push_at == run.finished_at

    ChannelAccount.objects.filter(pk=account.pk).update(push_floor=3)
    stock_push(account_id=account.pk, variant_ids=[a.pk, b.pk])
    assert shopee_sandbox.item_stock(item_id, model_a) == 5
    assert shopee_sandbox.item_stock(item_id, model_b) == 0  # 2 is below the floor of 3


def test_only_changed_values_are_pushed(shopee_sandbox, warehouse):
    account = connect_shop(shopee_sandbox)
    a, b = variant_with_stock(warehouse, 4), variant_with_stock(warehouse, 6)
    item_id, (model_a, model_b) = _item(shopee_sandbox, [a, b])
    listings_pull(account_id=account.pk)
    stock_push(account_id=account.pk, variant_ids=[a.pk, b.pk])
    shopee_sandbox.reset_calls()

    unchanged = stock_push(account_id=account.pk, variant_ids=[a.pk, b.pk])
    assert shopee_sandbox.call_count(UPDATE_STOCK) == 0
    assert (unchanged.counts, unchanged.api_calls) == ({"skipped": 2}, 0)

    stock_receive(variant_id=a.pk, warehouse_id=warehouse.pk, quantity=3)
    changed = stock_push(account_id=account.pk, variant_ids=[a.pk, b.pk])
    assert shopee_sandbox.call_count(UPDATE_STOCK) == 1
    assert shopee_sandbox.calls[-1][2] == {
        "item_id": item_id,
        "stock_list": [{"model_id": model_a, "seller_stock": [{"stock": 7}]}],
    }
    assert changed.counts == {"pushed": 1, "skipped": 1}

    forced = stock_push(account_id=account.pk, force=True)
    assert forced.counts == {"pushed": 2}
    assert shopee_sandbox.call_count(UPDATE_STOCK) == 2
    assert (
        shopee_sandbox.item_stock(item_id, model_a),
        shopee_sandbox.item_stock(item_id, model_b),
    ) == (7, 6)


def test_more_than_50_models_of_one_item_take_two_calls(shopee_sandbox, warehouse):
    account = connect_shop(shopee_sandbox)
    variants = [variant_with_stock(warehouse, n % 7) for n in range(60)]
    item_id, model_ids = _item(shopee_sandbox, variants, stock=50)
    listings_pull(account_id=account.pk)
    shopee_sandbox.reset_calls()

    run = stock_push(account_id=account.pk, force=True)

    assert shopee_sandbox.call_count(UPDATE_STOCK) == 2
    assert [len(body["stock_list"]) for _p, _q, body in shopee_sandbox.calls] == [50, 10]
    assert [shopee_sandbox.item_stock(item_id, m) for m in model_ids] == [n % 7 for n in range(60)]
    assert (run.counts, run.api_calls, run.status) == ({"pushed": 60}, 2, RunStatus.SUCCEEDED)


def test_a_promotion_floor_refusal_is_recorded_and_the_floor_pushed_next(shopee_sandbox, warehouse):
    account = connect_shop(shopee_sandbox)
    low, fine = variant_with_stock(warehouse, 2), variant_with_stock(warehouse, 9)
    item_id, (model_low,) = _item(shopee_sandbox, [low], stock=8, reserve=5)
    item_fine, (model_fine,) = _item(shopee_sandbox, [fine], stock=1)
    # linked before any pull: we do not know of the promotion yet
    listing = listing_for(account, low, item_id, model_low)
    listing_for(account, fine, item_fine, model_fine)

    run = stock_push(account_id=account.pk, force=True)

    listing.refresh_from_db()
    assert (listing.promotion_reserve, listing.push_error, listing.pushed_stock) == (
        5,
        "promotion_floor:5",
        None,
    )
    assert shopee_sandbox.item_stock(item_id, model_low) == 8  # the platform kept its stock
    assert shopee_sandbox.item_stock(item_fine, model_fine) == 9  # the other item went on
    assert run.status == RunStatus.PARTIAL
    assert run.counts == {"pushed": 1, "failed": 1}
    assert [(e["code"], e["params"]["floor"]) for e in run.errors] == [("promotion_floor", 5)]

    shopee_sandbox.reset_calls()
    again = stock_push(account_id=account.pk, variant_ids=[low.pk, fine.pk])
    # the floor is now a platform hold of this shop, never pushed below (services/holds.py):
    # the platform accepts 5 where our 2 would be refused again
    assert shopee_sandbox.call_count(UPDATE_STOCK) == 1
    assert shopee_sandbox.calls[-1][2] == {
        "item_id": item_id,
        "stock_list": [{"model_id": model_low, "seller_stock": [{"stock": 5}]}],
    }
    assert again.counts == {"pushed": 1, "skipped": 1}
    assert shopee_sandbox.item_stock(item_id, model_low) == 5

    stock_receive(variant_id=low.pk, warehouse_id=warehouse.pk, quantity=4)
    above = stock_push(account_id=account.pk, variant_ids=[low.pk])
    listing.refresh_from_db()
    assert shopee_sandbox.item_stock(item_id, model_low) == 6
    assert (listing.pushed_stock, listing.push_error, above.counts) == (6, "", {"pushed": 1})


def test_a_stock_change_reaches_the_platform_through_the_queue(
    shopee_sandbox, warehouse, django_capture_on_commit_callbacks
):
    account = connect_shop(shopee_sandbox)
    variant = variant_with_stock(warehouse, 5)
    item_id, (model_id,) = _item(shopee_sandbox, [variant], stock=5)
    listings_pull(account_id=account.pk)
    queue_drain(account_id=account.pk)  # the pull's own link push
    # apps.ready() connects it (h-pages); connect it here the same way when it has not
    was_connected = stock_changed.disconnect(dispatch_uid=RECEIVER_UID)
    stock_changed.connect(stock_changed_receiver, dispatch_uid=RECEIVER_UID)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            stock_reserve(variant_id=variant.pk, warehouse_id=warehouse.pk, quantity=2)
    finally:
        if not was_connected:
            stock_changed.disconnect(dispatch_uid=RECEIVER_UID)

    run = stock_push(account_id=account.pk)  # what the push_stock task runs

    assert shopee_sandbox.item_stock(item_id, model_id) == 3
    assert run.counts == {"pushed": 1}
    account.refresh_from_db()
    assert account.last_push_delay_ms is not None
    assert 0 <= account.last_push_delay_ms < 5000
    assert queue_drain(account_id=account.pk) == {}
