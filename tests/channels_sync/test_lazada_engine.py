"""Lazada on the sync engine, over real HTTP against the Lazada sandbox: connecting a shop
(no shop id in the callback), the pull with its cursor, the nightly audit, quarantine of a
malformed order, token refresh under the account lock, a push burst answered within 500 ms
and fetched once per order, the stock push and its campaign floor."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.urls import reverse

from channels_sync.models import ChannelAccount, ChannelOrder, InboundPayload, Listing
from channels_sync.services.accounts import tokens_refresh
from channels_sync.services.pull import orders_audit, orders_pull
from channels_sync.services.stock import stock_push
from channels_sync.services.webhooks import webhook_drain
from inventory.models import StockLevel
from orders import transitions as t
from tests.channels_sync.conftest import LAZADA_SELLER_ID

SELLER = LAZADA_SELLER_ID


def reserved(variant) -> int:
    return sum(StockLevel.objects.filter(variant=variant).values_list("reserved", flat=True))


def test_connecting_a_lazada_shop_through_the_consent_page(
    client, login_as, lazada_app, lazada_sandbox
):
    lazada_sandbox.configure(auto_authorize_seller_id=SELLER)
    login_as("owner")
    response = client.post(reverse("channels_sync:shop_connect", args=[lazada_app.pk]))
    authorize = response["Location"]
    assert authorize.startswith(f"{lazada_sandbox.origin}/oauth/authorize?")
    redirect = parse_qs(urlsplit(authorize).query)["redirect_uri"][0]
    assert redirect == f"http://testserver/marketplaces/{lazada_app.pk}/callback"
    back = urlsplit(requests.get(authorize, allow_redirects=False, timeout=10).headers["Location"])
    state = client.session["channels_sync_oauth_states"][str(lazada_app.pk)]
    assert parse_qs(urlsplit(authorize).query)["state"] == [state]
    assert sorted(parse_qs(back.query)) == ["code", "state"]
    assert parse_qs(back.query)["state"] == [state]
    response = client.get(f"{back.path}?{back.query}")
    shop = ChannelAccount.objects.get()
    assert response["Location"] == reverse("channels_sync:shop_detail", args=[shop.pk])
    assert (shop.platform, shop.shop_id, shop.name, shop.region, shop.currency, shop.status) == (
        "lazada",
        str(SELLER),
        "Lazada Shop VN",
        "VN",
        "VND",
        "active",
    )
    assert shop.code == f"lazada-{SELLER}"


def test_a_callback_without_a_code_connects_nothing(client, login_as, lazada_app):
    login_as("owner")
    client.post(reverse("channels_sync:shop_connect", args=[lazada_app.pk]))
    state = client.session["channels_sync_oauth_states"][str(lazada_app.pk)]
    url = reverse("channels_sync:oauth_callback", args=[lazada_app.pk])
    response = client.get(url, {"state": state})
    assert response.status_code == 302
    assert ChannelAccount.objects.count() == 0


def test_the_pull_applies_orders_reserves_stock_and_quarantines_a_malformed_one(
    lazada_account, lazada_sandbox, lazada_shirt, django_capture_on_commit_callbacks
):
    item, sku, variant = lazada_shirt
    good = lazada_sandbox.place_order(SELLER, [(item, sku, 3)])
    bad = lazada_sandbox.malformed_order(SELLER, [(item, sku, 1)], field="paid_price")
    with django_capture_on_commit_callbacks(execute=True):
        run = orders_pull(account_id=lazada_account.pk)
    order = ChannelOrder.objects.get(account=lazada_account, external_id=str(good)).order
    assert (order.channel, order.status) == ("lazada", t.PROCESSING)
    assert [(x.variant_id, x.quantity) for x in order.lines.order_by("pk")] == [(variant.pk, 3)]
    assert reserved(variant) == 3
    quarantined = InboundPayload.objects.get(external_id=str(bad))
    assert (quarantined.status, quarantined.reason) == ("quarantined", "bad_field")
    assert quarantined.reason_params == {"field": "order_items[0].paid_price"}
    assert not ChannelOrder.objects.filter(external_id=str(bad)).exists()
    assert (run.status, run.counts["fetched"]) == ("succeeded", 2)
    lazada_account.refresh_from_db()
    assert lazada_account.orders_cursor is not None


def test_a_line_canceled_on_lazada_keeps_the_order_open_and_all_canceled_cancels_it(
    lazada_account, lazada_sandbox, lazada_shirt
):
    item, sku, variant = lazada_shirt
    order_id = lazada_sandbox.place_order(SELLER, [(item, sku, 2)])
    orders_pull(account_id=lazada_account.pk)
    first, second = lazada_sandbox.line_ids(order_id)
    lazada_sandbox.set_status(order_id, "canceled", line_ids=[first])
    orders_audit(account_id=lazada_account.pk)
    channel_order = ChannelOrder.objects.get(external_id=str(order_id))
    assert (channel_order.platform_status, channel_order.order.status) == ("pending", t.PROCESSING)
    assert [x.quantity for x in channel_order.order.lines.all()] == [1]  # the line left out
    assert reserved(variant) == 1
    lazada_sandbox.set_status(order_id, "canceled", line_ids=[second])
    orders_audit(account_id=lazada_account.pk)
    channel_order.refresh_from_db()
    assert (channel_order.platform_status, channel_order.order.status) == ("canceled", t.CANCELLED)
    assert reserved(variant) == 0


def test_the_nightly_audit_finds_an_order_whose_pushes_were_lost(
    lazada_account, lazada_sandbox, lazada_shirt
):
    item, sku, variant = lazada_shirt
    orders_pull(account_id=lazada_account.pk)  # the cursor is now
    order_id = lazada_sandbox.place_order(SELLER, [(item, sku, 1)])
    assert lazada_sandbox.flush_pushes(10)
    assert {d.ok for d in lazada_sandbox.deliveries} == {False}  # nobody listens
    orders_audit(account_id=lazada_account.pk)
    assert ChannelOrder.objects.get(external_id=str(order_id)).order.status == t.PROCESSING
    assert reserved(variant) == 1


def test_an_expired_token_is_refreshed_once_under_the_lock(lazada_account, lazada_sandbox):
    old_access, old_refresh = lazada_account.access_token, lazada_account.refresh_token
    lazada_sandbox.expire_access_token(SELLER)
    run = orders_pull(account_id=lazada_account.pk)
    assert run.status == "succeeded"
    lazada_account.refresh_from_db()
    assert lazada_account.access_token != old_access
    assert lazada_account.refresh_token == old_refresh  # Lazada did not rotate it: kept
    assert lazada_sandbox.call_count("/auth/token/refresh") == 1
    lazada_sandbox.revoke(SELLER)
    account = tokens_refresh(account_id=lazada_account.pk, force=True)
    assert (account.status, account.status_reason.split(":")[0]) == (
        "reconnect",
        "IllegalRefreshToken",
    )


@pytest.mark.django_db(transaction=True)
def test_a_push_burst_is_acked_in_time_and_each_order_fetched_once(
    live_server, lazada_account, lazada_sandbox, lazada_shirt
):
    item, sku, variant = lazada_shirt
    url = f"{live_server.url}/webhooks/lazada"
    # the server's first request loads the project (a worker is warmed up at start, crm/wsgi)
    assert requests.post(url, data=b"{}", timeout=10).status_code == 401
    lazada_sandbox.configure(callback_url=url, push_duplicates=2)
    placed = [lazada_sandbox.place_order(SELLER, [(item, sku, 3)]) for _ in range(5)]
    assert lazada_sandbox.flush_pushes(30)
    deliveries = lazada_sandbox.deliveries
    assert len([d for d in deliveries if d.attempt == 0]) == 30  # 5 orders x 3 lines x 2
    assert lazada_sandbox.given_up == []
    acked = [d for d in deliveries if d.status == 200]
    assert len(acked) == len(deliveries)
    assert sum(d.ok for d in deliveries) >= 29  # within 500 ms (a slow one is sent again)
    stored = InboundPayload.objects.filter(kind="webhook", account=lazada_account).count()
    assert stored == len(acked)
    lazada_sandbox.reset_calls()
    webhook_drain(account_id=lazada_account.pk)
    # the 5 headers by one listing since the oldest line update, not 5 /order/get
    assert lazada_sandbox.call_counts() == {"/orders/items/get": 1, "/orders/get": 1}
    assert sorted(
        ChannelOrder.objects.filter(account=lazada_account).values_list("external_id", flat=True)
    ) == sorted(str(p) for p in placed)
    statuses = InboundPayload.objects.filter(kind="webhook").values_list("status", flat=True)
    assert sorted(statuses) == ["applied"] * 5 + ["ignored"] * (stored - 5)
    assert reserved(variant) == 15


@pytest.mark.django_db(transaction=True)
def test_a_badly_signed_push_is_refused_and_stores_nothing(live_server, lazada_account):
    body = b'{"seller_id":"1234567","message_type":0,"data":{"trade_order_id":"1"}}'
    answer = requests.post(
        f"{live_server.url}/webhooks/lazada", data=body, headers={"Authorization": "00"}, timeout=5
    )
    assert (answer.status_code, answer.content) == (401, b"")
    assert InboundPayload.objects.count() == 0


def test_stock_push_and_the_campaign_floor(lazada_account, lazada_sandbox, lazada_shirt):
    item, sku, _variant = lazada_shirt
    lazada_sandbox.place_order(SELLER, [(item, sku, 1)])
    orders_pull(account_id=lazada_account.pk)  # links the listing by SKU, reserves 1
    run = stock_push(account_id=lazada_account.pk, force=True)
    assert (run.counts.get("pushed"), run.counts.get("failed", 0)) == (1, 0)
    assert lazada_sandbox.sellable(item, sku) == 999
    lazada_sandbox.set_campaign_lock(item, sku, 2000)
    run = stock_push(account_id=lazada_account.pk, force=True)
    listing = Listing.objects.get(account=lazada_account, item_id=str(item))
    assert (run.counts.get("pushed", 0), run.counts.get("failed")) == (0, 1)
    assert (listing.promotion_reserve, listing.push_error) == (2000, "promotion_floor:2000")
    assert lazada_sandbox.sellable(item, sku) == 999


def test_the_nightly_stock_push_sends_50_skus_of_any_products_per_call(
    lazada_account, lazada_sandbox
):
    from channels_sync.services.listings import listings_pull
    from tests.inventory.factories import WarehouseFactory
    from tests.orders.factories import stocked_variant

    warehouse = WarehouseFactory()
    lazada_account.warehouse = warehouse
    lazada_account.save(update_fields=["warehouse"])
    made = []
    for n in range(60):
        stocked_variant(warehouse, 5 + n, sku=f"B-{n}")
        item, skus = lazada_sandbox.add_product(
            SELLER, f"P{n}", [{"seller_sku": f"B-{n}", "price": 1000, "stock": 1}]
        )
        made.append((item, skus[0]))
    listings_pull(account_id=lazada_account.pk)
    assert Listing.objects.filter(account=lazada_account, variant__isnull=False).count() == 60
    lazada_sandbox.reset_calls()
    run = stock_push(account_id=lazada_account.pk, force=True)
    assert run.counts.get("pushed") == 60
    assert lazada_sandbox.call_counts() == {"/product/stock/sellable/update": 2}
    assert [lazada_sandbox.sellable(i, s) for i, s in made] == [5 + n for n in range(60)]


def _stored_push(sandbox):
    from channels_sync.services.webhooks import webhook_receive

    assert sandbox.flush_pushes(10)
    stored = []
    for delivery in sandbox.deliveries:
        if delivery.attempt:
            continue
        stored.append(
            webhook_receive(
                platform="lazada",
                url=delivery.url,
                body=delivery.body,
                headers={"Authorization": delivery.signature},
            )
        )
    return stored


def test_the_token_expiry_push_sets_the_end_and_announces(
    lazada_account, lazada_sandbox, django_capture_on_commit_callbacks
):
    from channels_sync.services.webhooks import webhook_process
    from channels_sync.signals import authorization_ending

    heard = []

    def receiver(sender, **kwargs):  # type: ignore[no-untyped-def]
        heard.append((kwargs["account_id"], kwargs["reason"]))

    authorization_ending.connect(receiver, dispatch_uid="test-lazada-expiry")
    try:
        lazada_sandbox.warn_expiry(SELLER)
        (payload,) = _stored_push(lazada_sandbox)
        assert payload.account_id == lazada_account.pk
        with django_capture_on_commit_callbacks(execute=True):
            webhook_process(payload_id=payload.pk)
    finally:
        authorization_ending.disconnect(dispatch_uid="test-lazada-expiry")
    payload.refresh_from_db()
    lazada_account.refresh_from_db()
    assert payload.status == "applied"
    assert heard == [(lazada_account.pk, "expiring")]
    gap = lazada_account.authorized_until - lazada_account.access_expires_at
    assert abs(gap.total_seconds()) < 5  # the sandbox's token end, in whole seconds


def test_an_unpaid_order_reserves_nothing_until_it_is_paid(
    lazada_account, lazada_sandbox, lazada_shirt
):
    item, sku, variant = lazada_shirt
    order_id = lazada_sandbox.place_order(SELLER, [(item, sku, 2)], status="unpaid")
    orders_pull(account_id=lazada_account.pk)
    channel_order = ChannelOrder.objects.get(external_id=str(order_id))
    assert (channel_order.platform_status, channel_order.order.status) == ("unpaid", t.NEW)
    assert reserved(variant) == 0
    lazada_sandbox.set_status(order_id, "pending")
    orders_audit(account_id=lazada_account.pk)
    channel_order.refresh_from_db()
    assert (channel_order.platform_status, channel_order.order.status) == ("pending", t.PROCESSING)
    assert reserved(variant) == 2
