"""Push messages from the Shopee sandbox: verified over the raw body and stored, processed by
fetching the order (once per distinct update), (de)authorisation and expiry, lost pushes."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from channels_sync.adapters.shopee_protocol import push_signature
from channels_sync.models import ChannelAccount, ChannelApp, ChannelOrder, InboundPayload
from channels_sync.services.webhooks import lost_pushes_recover, webhook_process, webhook_receive
from channels_sync.signals import authorization_ending
from tests.channels_sync.conftest import SHOPEE_CALLBACK_URL, SHOPEE_PARTNER_ID, SHOPEE_SHOP_ID

DETAIL = "order/get_order_detail"


@pytest.fixture
def endings():
    heard: list[dict] = []

    def receiver(sender, **kwargs):
        heard.append({k: v for k, v in kwargs.items() if k != "signal"})

    authorization_ending.connect(receiver, dispatch_uid="test-webhook-endings")
    yield heard
    authorization_ending.disconnect(dispatch_uid="test-webhook-endings")


@pytest.fixture
def shirt(shopee_shirt):
    """(item_id, model_id) of a sandbox model whose orders apply (see shopee_shirt)."""
    return shopee_shirt[:2]


def pushes(sandbox, code=None):
    """The pushes the sandbox sent (to our callback URL), oldest first."""
    assert sandbox.flush_pushes(10)
    return [d for d in sandbox.deliveries if code is None or d.code == code]


def receive(delivery):
    return webhook_receive(
        platform="shopee",
        url=delivery.url,
        body=delivery.body,
        headers={"Content-Type": "application/json", "Authorization": delivery.signature},
    )


def test_a_signed_push_is_stored_raw(shopee_account, shopee_sandbox, shirt):
    order_sn = shopee_sandbox.place_order(SHOPEE_SHOP_ID, [(*shirt, 1)])
    (push,) = pushes(shopee_sandbox, 3)
    assert push.url == SHOPEE_CALLBACK_URL
    payload = receive(push)
    assert payload is not None
    payload.refresh_from_db()
    assert (payload.kind, payload.platform, payload.account_id, payload.status) == (
        "webhook",
        "shopee",
        shopee_account.pk,
        "pending",
    )
    assert payload.body.encode() == push.body
    assert payload.external_id == order_sn
    assert payload.external_updated_at == datetime.fromtimestamp(
        json.loads(push.body)["data"]["update_time"], tz=UTC
    )


def test_a_bad_signature_stores_nothing_and_warns(shopee_account, shopee_sandbox, shirt, caplog):
    shopee_sandbox.place_order(SHOPEE_SHOP_ID, [(*shirt, 1)])
    (push,) = pushes(shopee_sandbox, 3)
    caplog.set_level(logging.WARNING, logger="channels_sync.services.webhooks")
    forged = [
        {"Authorization": "0" * 64},
        {},
    ]
    for headers in forged:
        assert (
            webhook_receive(platform="shopee", url=push.url, body=push.body, headers=headers)
            is None
        )
    auth = {"Authorization": push.signature}
    # the body changed by one byte, or another URL than the registered one
    assert (
        webhook_receive(platform="shopee", url=push.url, body=push.body + b" ", headers=auth)
        is None
    )
    assert (
        webhook_receive(platform="shopee", url=push.url + "/", body=push.body, headers=auth) is None
    )
    assert InboundPayload.objects.count() == 0
    size = len(push.body)
    assert [r.getMessage() for r in caplog.records] == [
        f"shopee push to {SHOPEE_CALLBACK_URL} refused: bad signature ({size} bytes)",
        f"shopee push to {SHOPEE_CALLBACK_URL} refused: bad signature ({size} bytes)",
        f"shopee push to {SHOPEE_CALLBACK_URL} refused: bad signature ({size + 1} bytes)",
        f"shopee push to {SHOPEE_CALLBACK_URL}/ refused: bad signature ({size} bytes)",
    ]


def test_a_separate_push_key_is_used_when_set(shopee_account, shopee_app, shopee_sandbox, shirt):
    shopee_sandbox.place_order(SHOPEE_SHOP_ID, [(*shirt, 1)])
    (push,) = pushes(shopee_sandbox, 3)
    app = ChannelApp.objects.get(pk=shopee_app.pk)
    app.push_secret = "another_key"
    app.save()
    assert receive(push) is None  # signed with the partner key, which is no longer the push key
    assert InboundPayload.objects.count() == 0
    signature = push_signature("another_key", push.url, push.body)
    payload = webhook_receive(
        platform="shopee", url=push.url, body=push.body, headers={"Authorization": signature}
    )
    assert payload is not None
    assert list(InboundPayload.objects.values_list("pk", flat=True)) == [payload.pk]


def test_order_push_fetches_the_order_and_applies_it(shopee_account, shopee_sandbox, shirt):
    order_sn = shopee_sandbox.place_order(SHOPEE_SHOP_ID, [(*shirt, 2)])
    payload = receive(pushes(shopee_sandbox, 3)[0])
    shopee_sandbox.reset_calls()
    webhook_process(payload_id=payload.pk)
    assert shopee_sandbox.call_counts() == {f"/api/v2/{DETAIL}": 1}
    payload.refresh_from_db()
    assert payload.status == "applied"
    order = InboundPayload.objects.get(kind="order")
    assert (order.external_id, order.status, order.account_id) == (
        order_sn,
        "applied",
        shopee_account.pk,
    )
    assert json.loads(order.body)["item_list"][0]["model_quantity_purchased"] == 2
    channel_order = ChannelOrder.objects.get()
    assert (channel_order.external_id, channel_order.platform_status) == (order_sn, "READY_TO_SHIP")
    assert payload.order_id == order.order_id == channel_order.order_id
    # processing it again does nothing
    webhook_process(payload_id=payload.pk)
    assert shopee_sandbox.call_count(DETAIL) == 1


def test_a_replayed_push_fetches_once(shopee_account, shopee_sandbox, shirt):
    shopee_sandbox.configure(push_duplicate=True)
    order_sn = shopee_sandbox.place_order(SHOPEE_SHOP_ID, [(*shirt, 1)])
    first, again = pushes(shopee_sandbox, 3)
    assert first.body == again.body
    stored = [receive(first), receive(again)]
    assert InboundPayload.objects.filter(kind="webhook").count() == 2  # both kept raw
    shopee_sandbox.reset_calls()
    for payload in stored:
        webhook_process(payload_id=payload.pk)
    assert shopee_sandbox.call_count(DETAIL) == 1
    assert list(InboundPayload.objects.filter(kind="order").values_list("external_id")) == [
        (order_sn,)
    ]
    assert list(ChannelOrder.objects.values_list("external_id", flat=True)) == [order_sn]
    assert [p.status for p in InboundPayload.objects.filter(kind="webhook").order_by("pk")] == [
        "applied",
        "ignored",
    ]


def test_each_distinct_update_is_fetched(shopee_account, shopee_sandbox, shirt):
    order_sn = shopee_sandbox.place_order(SHOPEE_SHOP_ID, [(*shirt, 1)])
    shopee_sandbox.set_order_status(order_sn, "PROCESSED")  # same second, another status
    stored = [receive(push) for push in pushes(shopee_sandbox, 3)]
    shopee_sandbox.reset_calls()
    for payload in stored:
        webhook_process(payload_id=payload.pk)
    # the first fetch already returned PROCESSED: the second push is that same update
    assert shopee_sandbox.call_count(DETAIL) == 1
    (order,) = InboundPayload.objects.filter(kind="order")
    assert json.loads(order.body)["order_status"] == "PROCESSED"
    assert list(ChannelOrder.objects.values_list("external_id", "platform_status")) == [
        (order_sn, "PROCESSED")
    ]


def test_tracking_push_fetches_the_order(shopee_account, shopee_sandbox, shirt):
    order_sn = shopee_sandbox.place_order(SHOPEE_SHOP_ID, [(*shirt, 1)])
    shopee_sandbox.set_tracking(order_sn, "SPXVN123")
    (push,) = pushes(shopee_sandbox, 4)
    payload = receive(push)
    assert payload.external_id == order_sn
    webhook_process(payload_id=payload.pk)
    payload.refresh_from_db()
    assert payload.status == "applied"
    assert InboundPayload.objects.filter(kind="order", external_id=order_sn).count() == 1


def test_deauthorisation_marks_the_shop_and_announces(
    shopee_account, shopee_sandbox, endings, django_capture_on_commit_callbacks
):
    shopee_sandbox.revoke_shop(SHOPEE_SHOP_ID)
    payload = receive(pushes(shopee_sandbox, 2)[0])
    assert payload.account_id == shopee_account.pk
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        webhook_process(payload_id=payload.pk)
    account = ChannelAccount.objects.get(pk=shopee_account.pk)
    assert account.status == "reconnect"
    assert account.status_reason == "deauthorized: the seller cancelled the authorisation"
    assert before <= account.authorized_until <= timezone.now()
    assert endings == [
        {"account_id": account.pk, "ends_at": account.authorized_until, "reason": "deauthorized"}
    ]
    payload.refresh_from_db()
    assert payload.status == "applied"


def test_expiry_warning_sets_the_end_and_announces(
    shopee_account, shopee_sandbox, endings, django_capture_on_commit_callbacks
):
    shopee_sandbox.warn_expiry(SHOPEE_SHOP_ID)
    payload = receive(pushes(shopee_sandbox, 12)[0])
    with django_capture_on_commit_callbacks(execute=True):
        webhook_process(payload_id=payload.pk)
    link = shopee_sandbox.links[(SHOPEE_PARTNER_ID, SHOPEE_SHOP_ID)]
    ends = datetime.fromtimestamp(link.expire_time, tz=UTC)
    account = ChannelAccount.objects.get(pk=shopee_account.pk)
    assert (account.status, account.authorized_until) == ("active", ends)
    assert endings == [{"account_id": account.pk, "ends_at": ends, "reason": "expiring"}]


def test_authorised_push_and_unknown_shop_are_ignored(shopee_account, shopee_sandbox, shirt):
    (granted,) = pushes(shopee_sandbox, 1)  # from connecting the shop
    payload = receive(granted)
    webhook_process(payload_id=payload.pk)
    payload.refresh_from_db()
    assert payload.status == "ignored"
    shopee_sandbox.add_shop(555, "Not ours", "VN")
    other, models = shopee_sandbox.add_item(555, "X", "X", price=1000, stock=5)
    shopee_sandbox.place_order(555, [(other, models[0], 1)])
    stranger = receive(pushes(shopee_sandbox, 3)[-1])
    assert stranger.account_id is None
    shopee_sandbox.reset_calls()
    webhook_process(payload_id=stranger.pk)
    stranger.refresh_from_db()
    assert stranger.status == "ignored"
    assert shopee_sandbox.call_count() == 0


def test_a_signed_but_unreadable_push_is_kept_and_quarantined(shopee_account, shopee_sandbox):
    body = b'{"code":3,"shop_id":727720655,"data":{"status":"READY_TO_SHIP"}}'
    signature = push_signature("test_partner_key", SHOPEE_CALLBACK_URL, body)
    payload = webhook_receive(
        platform="shopee", url=SHOPEE_CALLBACK_URL, body=body, headers={"Authorization": signature}
    )
    assert payload.account_id is None
    webhook_process(payload_id=payload.pk)
    payload.refresh_from_db()
    assert (payload.status, payload.reason) == ("quarantined", "bad_field")
    assert payload.body.encode() == body


def test_lost_pushes_are_recovered_and_confirmed(shopee_account, shopee_app, shopee_sandbox, shirt):
    placed = [shopee_sandbox.place_order(SHOPEE_SHOP_ID, [(*shirt, 1)]) for _ in range(2)]
    assert shopee_sandbox.flush_pushes(10)
    assert len(shopee_sandbox.lost) == 3  # authorised + two orders: nobody listened
    assert lost_pushes_recover(app_id=shopee_app.pk) == 3
    assert shopee_sandbox.lost == []
    webhooks = list(InboundPayload.objects.filter(kind="webhook").order_by("pk"))
    assert [json.loads(w.body)["code"] for w in webhooks] == [1, 3, 3]
    assert [w.status for w in webhooks] == ["ignored", "applied", "applied"]
    orders = InboundPayload.objects.filter(kind="order").order_by("external_id")
    assert list(orders.values_list("external_id", flat=True)) == sorted(placed)
    assert sorted(ChannelOrder.objects.values_list("external_id", flat=True)) == sorted(placed)
    assert lost_pushes_recover(app_id=shopee_app.pk) == 0


def test_waiting_pushes_of_a_shop_are_fetched_together(shopee_account, shopee_sandbox, shirt):
    """A burst: 60 orders pushed before the worker gets to them -> their details come in two
    calls (50 + 10: Shopee's batch), each push is finished and each order applied once."""
    placed = [shopee_sandbox.place_order(SHOPEE_SHOP_ID, [(*shirt, 1)]) for _ in range(60)]
    stored = [receive(push) for push in pushes(shopee_sandbox, 3)]
    assert len(stored) == 60
    shopee_sandbox.reset_calls()
    webhook_process(payload_id=stored[0].pk)
    assert shopee_sandbox.call_count(DETAIL) == 2
    assert sorted(ChannelOrder.objects.values_list("external_id", flat=True)) == sorted(placed)
    statuses = InboundPayload.objects.filter(kind="webhook").values_list("status", flat=True)
    assert set(statuses) == {"applied"}
    # the other pushes' own tasks find them handled: no more calls
    for payload in stored[1:]:
        webhook_process(payload_id=payload.pk)
    assert shopee_sandbox.call_count(DETAIL) == 2
