"""Order pushes of a shop are handled by one drain at a time, scheduled once per burst (a flag
in the cache, not a task per push), that fetches them in detail batches and waits a moment
for a part-filled batch while pushes are still arriving."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from channels_sync import tasks
from channels_sync.models import ChannelOrder, InboundPayload
from channels_sync.services import webhooks
from channels_sync.services.webhooks import (
    WebhookBatchBusy,
    webhook_drain,
    webhook_drain_schedule,
)
from tests.channels_sync.conftest import SHOPEE_SHOP_ID
from tests.channels_sync.test_webhooks import DETAIL, pushes, receive


@pytest.fixture
def shirt(shopee_shirt):
    return shopee_shirt[:2]


def _drains(published):
    return [kwargs for name, kwargs in published if name == "channels_sync.drain_webhooks"]


def test_a_burst_of_order_pushes_schedules_one_drain(
    shopee_account, shopee_sandbox, shirt, published, django_capture_on_commit_callbacks
):
    for _ in range(3):
        shopee_sandbox.place_order(SHOPEE_SHOP_ID, [(*shirt, 1)])
    with django_capture_on_commit_callbacks(execute=True):
        for push in pushes(shopee_sandbox, 3):
            tasks.enqueue_webhook(receive(push))
    assert _drains(published) == [{"account_id": shopee_account.pk}]
    assert not [name for name, _ in published if name == "channels_sync.process_webhook"]


def test_a_push_that_is_not_an_order_gets_its_own_task(
    shopee_account, shopee_sandbox, published, django_capture_on_commit_callbacks
):
    shopee_sandbox.revoke_shop(SHOPEE_SHOP_ID)
    payload = receive(pushes(shopee_sandbox, 2)[0])
    with django_capture_on_commit_callbacks(execute=True):
        tasks.enqueue_webhook(payload)
    assert published == [("channels_sync.process_webhook", {"payload_id": payload.pk})]


def test_the_drain_applies_every_waiting_push_and_lets_the_next_burst_schedule_again(
    shopee_account, shopee_sandbox, shirt, published
):
    placed = [shopee_sandbox.place_order(SHOPEE_SHOP_ID, [(*shirt, 1)]) for _ in range(3)]
    for push in pushes(shopee_sandbox, 3):
        receive(push)
    assert webhook_drain_schedule(account_id=shopee_account.pk) is True
    assert webhook_drain_schedule(account_id=shopee_account.pk) is False  # one is on its way
    time.sleep(webhooks.FILL_WAIT)  # the pushes are no longer fresh: no wait for more
    shopee_sandbox.reset_calls()
    assert webhook_drain(account_id=shopee_account.pk) == 1
    assert shopee_sandbox.call_count(DETAIL) == 1
    assert sorted(ChannelOrder.objects.values_list("external_id", flat=True)) == sorted(placed)
    assert set(InboundPayload.objects.filter(kind="webhook").values_list("status", flat=True)) == {
        "applied"
    }
    # the flag went with the drain: the next push schedules a new one
    assert webhook_drain_schedule(account_id=shopee_account.pk) is True
    assert len(_drains(published)) == 2


def test_a_second_drain_waits_for_the_first_then_gives_up_with_a_retry(shopee_account):
    lock = f"channels_sync:webhook-batch:{shopee_account.pk}"
    cache.add(lock, 1, timeout=60)
    started = time.monotonic()
    with pytest.raises(WebhookBatchBusy):
        webhook_drain(account_id=shopee_account.pk)
    assert time.monotonic() - started >= webhooks.LOCK_WAIT
    cache.delete(lock)


@pytest.mark.postgres(why="two connections writing at once (SQLite's test database locks)")
@pytest.mark.django_db(transaction=True)
def test_a_part_filled_batch_waits_for_the_pushes_still_arriving(
    shopee_account, shopee_sandbox, shirt, monkeypatch
):
    """One push, then 49 more a moment later while the drain has started: one detail call for
    all 50, not one for the first and another for the rest. (The wait is longer than in
    production so that a loaded test machine stores the 49 in time.)"""
    monkeypatch.setattr(webhooks, "FILL_WAIT", 3.0)
    for _ in range(50):
        shopee_sandbox.place_order(SHOPEE_SHOP_ID, [(*shirt, 1)])
    first, *rest = pushes(shopee_sandbox, 3)
    receive(first)

    def later() -> None:
        try:
            with transaction.atomic():  # all 49 become visible at once
                for push in rest:
                    receive(push)
        finally:
            connection.close()

    thread = threading.Thread(target=later)
    shopee_sandbox.reset_calls()
    thread.start()
    webhook_drain(account_id=shopee_account.pk)
    thread.join()
    assert ChannelOrder.objects.count() == 50
    assert shopee_sandbox.call_count(DETAIL) == 1
