"""Order pull and audit against the Shopee sandbox: one payload per order as received, handed
to apply; cursor with overlap; 15-day windows; API calls against the minimum."""

from __future__ import annotations

import json
import math
from datetime import timedelta

import pytest
from django.utils import timezone

from channels_sync.adapters.base import PayloadError
from channels_sync.models import ChannelAccount, ChannelOrder, InboundPayload
from channels_sync.services.pull import OVERLAP, orders_audit, orders_pull
from tests.channels_sync.conftest import SHOPEE_SHOP_ID


@pytest.fixture
def shirt(shopee_shirt):
    """(item_id, model_id) of a sandbox model whose orders apply (see shopee_shirt)."""
    return shopee_shirt[:2]


def place(sandbox, shirt, count=1, **extra):
    return [sandbox.place_order(SHOPEE_SHOP_ID, [(*shirt, 1)], **extra) for _ in range(count)]


def pull(account, capture, now=None):
    with capture(execute=True):
        return orders_pull(account_id=account.pk, now=now or timezone.now())


def detail(adapter, order_sn):
    """The order's detail JSON as the sandbox serves it."""
    (raw,) = adapter.fetch_orders(external_ids=[order_sn])
    return raw


def test_first_pull_stores_each_order_as_received_and_applies_it(
    shopee_account, shopee_adapter, shopee_sandbox, shirt, django_capture_on_commit_callbacks
):
    placed = place(shopee_sandbox, shirt, 3)
    shopee_sandbox.reset_calls()
    now = timezone.now()
    run = pull(shopee_account, django_capture_on_commit_callbacks, now)
    assert (run.kind, run.status) == ("orders_pull", "succeeded")
    assert run.counts == {"fetched": 3, "created": 3}
    assert (run.progress_done, run.errors, run.api_calls) == (3, [], 2)
    assert shopee_sandbox.call_counts() == {
        "/api/v2/order/get_order_list": 1,
        "/api/v2/order/get_order_detail": 1,
    }
    payloads = list(InboundPayload.objects.order_by("external_id"))
    assert [p.external_id for p in payloads] == sorted(placed)
    for payload in payloads:
        assert (payload.kind, payload.platform, payload.account_id, payload.status) == (
            "order",
            "shopee",
            shopee_account.pk,
            "applied",
        )
        body = json.loads(payload.body)
        assert body == detail(shopee_adapter, payload.external_id)
        assert payload.external_updated_at.timestamp() == body["update_time"]
    assert ChannelAccount.objects.get(pk=shopee_account.pk).orders_cursor == now
    channel_orders = {c.external_id: c for c in ChannelOrder.objects.all()}
    assert sorted(channel_orders) == sorted(placed)
    assert {p.external_id: p.order_id for p in payloads} == {
        k: c.order_id for k, c in channel_orders.items()
    }


def test_next_pull_reads_from_the_cursor_minus_overlap_and_stores_only_new_updates(
    shopee_account, shopee_sandbox, shirt, django_capture_on_commit_callbacks
):
    first, second = place(shopee_sandbox, shirt, 2)
    previous = timezone.now()
    pull(shopee_account, django_capture_on_commit_callbacks, previous)
    shopee_sandbox.set_order_status(second, "PROCESSED")
    shopee_sandbox.reset_calls()
    now = timezone.now()
    run = pull(shopee_account, django_capture_on_commit_callbacks, now)
    assert run.counts == {"fetched": 2, "created": 1, "skipped": 1}
    ((params, _),) = [(p, b) for path, p, b in shopee_sandbox.calls if path.endswith("order_list")]
    cursor = ChannelAccount.objects.get(pk=shopee_account.pk).orders_cursor
    assert cursor == now
    assert InboundPayload.objects.filter(external_id=first).count() == 1
    newest = InboundPayload.objects.filter(external_id=second).order_by("-pk").first()
    assert sorted(ChannelOrder.objects.values_list("external_id", "platform_status")) == [
        (first, "READY_TO_SHIP"),
        (second, "PROCESSED"),
    ]
    assert json.loads(newest.body)["order_status"] == "PROCESSED"
    assert InboundPayload.objects.count() == 3
    # time_from = the previous cursor minus the overlap
    assert params["time_from"] == [str(int((previous - OVERLAP).timestamp()))]
    assert params["time_to"] == [str(int(now.timestamp()))]


def test_malformed_order_is_handed_to_apply_and_the_next_orders_still_apply(
    shopee_account, shopee_adapter, shopee_sandbox, shirt, django_capture_on_commit_callbacks
):
    good = place(shopee_sandbox, shirt)
    bad = shopee_sandbox.malformed_order(SHOPEE_SHOP_ID, [(*shirt, 1)])
    later = place(shopee_sandbox, shirt)
    run = pull(shopee_account, django_capture_on_commit_callbacks)
    assert run.status == "succeeded"
    assert run.counts == {"fetched": 3, "created": 3}
    payloads = {p.external_id: p for p in InboundPayload.objects.all()}
    assert sorted(payloads) == sorted([*good, bad, *later])
    assert {k: (p.status, p.reason, p.reason_params) for k, p in payloads.items()} == {
        good[0]: ("applied", "", {}),
        bad: ("quarantined", "bad_field", {"field": "item_list[0].model_quantity_purchased"}),
        later[0]: ("applied", "", {}),
    }
    assert sorted(ChannelOrder.objects.values_list("external_id", flat=True)) == sorted(
        [*good, *later]
    )
    body = json.loads(payloads[bad].body)
    assert "model_quantity_purchased" not in body["item_list"][0]
    with pytest.raises(PayloadError) as caught:
        shopee_adapter.parse_order(body)
    assert caught.value.field == "item_list[0].model_quantity_purchased"


def test_a_missed_push_is_found_by_the_pull(
    shopee_account, shopee_sandbox, shirt, django_capture_on_commit_callbacks
):
    (order_sn,) = place(shopee_sandbox, shirt)
    assert shopee_sandbox.flush_pushes(10)
    delivery = shopee_sandbox.deliveries[-1]
    assert (delivery.code, delivery.ok) == (3, False)  # nobody received it
    assert InboundPayload.objects.count() == 0
    pull(shopee_account, django_capture_on_commit_callbacks)
    assert list(InboundPayload.objects.values_list("external_id", "status")) == [
        (order_sn, "applied")
    ]


def test_pull_over_40_days_makes_three_windows(
    shopee_account, shopee_sandbox, shirt, django_capture_on_commit_callbacks
):
    placed = place(shopee_sandbox, shirt, 2)
    now = timezone.now()
    ChannelAccount.objects.filter(pk=shopee_account.pk).update(
        orders_cursor=now - timedelta(days=40) + OVERLAP
    )
    shopee_sandbox.reset_calls()
    run = pull(shopee_account, django_capture_on_commit_callbacks, now)
    assert shopee_sandbox.call_count("order/get_order_list") == 3
    assert shopee_sandbox.call_count("order/get_order_detail") == 1
    assert run.api_calls == 4
    assert sorted(InboundPayload.objects.values_list("external_id", flat=True)) == sorted(placed)


def test_api_calls_are_the_minimum(
    shopee_account, shopee_sandbox, shirt, django_capture_on_commit_callbacks
):
    place(shopee_sandbox, shirt, 120)
    shopee_sandbox.reset_calls()
    run = pull(shopee_account, django_capture_on_commit_callbacks)
    minimum = math.ceil(120 / 100) + math.ceil(120 / 50)
    assert run.api_calls == minimum == 5
    assert shopee_sandbox.call_count() == minimum
    assert run.counts == {"fetched": 120, "created": 120}
    assert InboundPayload.objects.count() == 120
    assert ChannelOrder.objects.count() == 120


def test_expired_token_is_refreshed_once_during_the_pull(
    shopee_account, shopee_sandbox, shirt, django_capture_on_commit_callbacks
):
    place(shopee_sandbox, shirt, 2)
    shopee_sandbox.expire_access_token(SHOPEE_SHOP_ID)
    shopee_sandbox.reset_calls()
    run = pull(shopee_account, django_capture_on_commit_callbacks)
    assert run.status == "succeeded"
    assert shopee_sandbox.call_counts() == {
        "/api/v2/order/get_order_list": 2,
        "/api/v2/auth/access_token/get": 1,
        "/api/v2/order/get_order_detail": 1,
    }
    assert run.api_calls == 3  # the refresh is not a shop call of this run's adapter
    assert InboundPayload.objects.count() == 2


def test_rate_limited_pull_waits_and_succeeds(
    shopee_account, shopee_sandbox, shirt, django_capture_on_commit_callbacks
):
    place(shopee_sandbox, shirt, 2)
    shopee_sandbox.configure(rate_limit_per_second=4, burst=1)
    run = pull(shopee_account, django_capture_on_commit_callbacks)
    assert run.status == "succeeded"
    assert run.api_calls == 3  # list, detail refused, detail after 0.5 s
    assert InboundPayload.objects.count() == 2


def test_revoked_shop_stops_the_pull_and_keeps_the_cursor(
    shopee_account, shopee_sandbox, shirt, django_capture_on_commit_callbacks
):
    place(shopee_sandbox, shirt)
    shopee_sandbox.revoke_shop(SHOPEE_SHOP_ID)
    run = pull(shopee_account, django_capture_on_commit_callbacks)
    assert run.status == "failed"
    assert run.errors == [
        {
            "code": "reconnect_needed",
            "message": "shop_no_linked: Shop is not linked to the partner.",
            "params": {"stopped": True},
        }
    ]
    assert ChannelAccount.objects.get(pk=shopee_account.pk).orders_cursor is None
    assert InboundPayload.objects.count() == 0


def test_audit_finds_orders_without_moving_the_cursor(
    shopee_account, shopee_sandbox, shirt, django_capture_on_commit_callbacks
):
    placed = place(shopee_sandbox, shirt, 2)
    with django_capture_on_commit_callbacks(execute=True):
        run = orders_audit(account_id=shopee_account.pk, days=20)
    assert (run.kind, run.status, run.counts) == (
        "orders_audit",
        "succeeded",
        {"fetched": 2, "created": 2},
    )
    assert shopee_sandbox.call_count("order/get_order_list") == 2  # 15 + 5 days
    assert sorted(InboundPayload.objects.values_list("external_id", flat=True)) == sorted(placed)
    assert ChannelAccount.objects.get(pk=shopee_account.pk).orders_cursor is None
