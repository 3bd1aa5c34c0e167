"""TikTok Shop on the sync engine, over real HTTP against the TikTok sandbox: connecting a shop
(code exchange, shop cipher), the webhook URL (verify, store raw, ack, drain), the pull with
its cursor and the nightly check, quarantine, both cancel spellings, token refresh, stock and
price pushes, reconciliation with a promotion lock, authorisation expiry and deauthorisation."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from channels_sync.models import ChannelAccount, ChannelOrder, InboundPayload, Listing
from channels_sync.services.accounts import tokens_refresh
from channels_sync.services.listings import listings_pull
from channels_sync.services.pull import orders_audit, orders_pull
from channels_sync.services.stock import stock_push
from channels_sync.services.stock_reconcile import reconcile
from channels_sync.services.webhooks import webhook_drain, webhook_process
from channels_sync.signals import authorization_ending
from inventory.models import StockLevel
from tests.channels_sync.conftest import (
    TIKTOK_APP_KEY,
    TIKTOK_SHOP_ID,
    TIKTOK_WEBHOOK_URL,
)

SHOP = TIKTOK_SHOP_ID


@pytest.fixture
def endings():
    heard: list[dict] = []

    def receiver(sender, **kwargs):
        heard.append({k: v for k, v in kwargs.items() if k != "signal"})

    authorization_ending.connect(receiver, dispatch_uid="test-tiktok-endings")
    yield heard
    authorization_ending.disconnect(dispatch_uid="test-tiktok-endings")


def webhooks(sandbox, kind):
    assert sandbox.flush_webhooks(10)
    return [d for d in sandbox.deliveries if d.kind == kind and d.attempt == 0]


def post(client, delivery, signature=None):
    return client.post(
        reverse("channels_sync:webhook_tiktok"),
        data=delivery.body,
        content_type="application/json",
        headers={"Authorization": signature or delivery.signature},
    )


def reserved(variant):
    return StockLevel.objects.get(variant=variant).reserved


def pull(account, capture, now=None):
    with capture(execute=True):
        return orders_pull(account_id=account.pk, now=now or timezone.now())


def test_connecting_through_the_consent_page_stores_the_cipher(
    client, login_as, tiktok_app, tiktok_sandbox
):
    tiktok_sandbox.add_shop(SHOP, "Áo Thun Sài Gòn", "VN")
    tiktok_sandbox.configure(auto_authorize=True)
    tiktok_sandbox.apps[
        TIKTOK_APP_KEY
    ].redirect_url = f"http://testserver/marketplaces/{tiktok_app.pk}/callback"
    login_as("owner")
    response = client.post(reverse("channels_sync:shop_connect", args=[tiktok_app.pk]))
    assert response["Location"].startswith(f"{tiktok_sandbox.base_url}/oauth/authorize?")
    back = requests.get(response["Location"], allow_redirects=False, timeout=10)
    location = urlsplit(back.headers["Location"])
    assert "shop_id" not in location.query
    state = client.session["channels_sync_oauth_states"][str(tiktok_app.pk)]
    assert parse_qs(location.query)["state"] == [state]
    response = client.get(f"{location.path}?{location.query}")
    shop = ChannelAccount.objects.get()
    assert response["Location"] == reverse("channels_sync:shop_detail", args=[shop.pk])
    assert (shop.platform, shop.shop_id, shop.name, shop.region, shop.currency) == (
        "tiktok",
        SHOP,
        "Áo Thun Sài Gòn",
        "VN",
        "VND",
    )
    assert shop.shop_cipher == tiktok_sandbox.shops[SHOP].cipher
    assert (shop.status, shop.code) == ("active", f"tiktok-{SHOP}"[:28])
    (grant,) = tiktok_sandbox.grants
    assert shop.refresh_expires_at == datetime.fromtimestamp(grant.expires_at, tz=UTC)
    token = tiktok_sandbox.access_tokens[shop.access_token]
    assert shop.access_expires_at == datetime.fromtimestamp(token.expires_at, tz=UTC)


def test_a_denied_consent_connects_nothing(client, login_as, tiktok_app):
    login_as("owner")
    client.post(reverse("channels_sync:shop_connect", args=[tiktok_app.pk]))
    state = client.session["channels_sync_oauth_states"][str(tiktok_app.pk)]
    url = reverse("channels_sync:oauth_callback", args=[tiktok_app.pk])
    response = client.get(
        url, {"code": "null", "error": "auth_denied", "state": state}, follow=True
    )
    assert ChannelAccount.objects.count() == 0
    assert [str(m) for m in response.context["messages"]] == [
        "The platform did not send the shop's authorisation back. Connect the shop again."
    ]


def test_an_order_flows_from_the_sandbox_into_our_list_and_reserves(
    client,
    login_as,
    tiktok_account,
    tiktok_sandbox,
    tiktok_shirt,
    django_capture_on_commit_callbacks,
):
    product_id, sku_id, variant = tiktok_shirt
    order_id = tiktok_sandbox.place_order(SHOP, [(product_id, sku_id, 3)], shipping_fee=30000)
    now = timezone.now()
    run = pull(tiktok_account, django_capture_on_commit_callbacks, now)
    assert (run.status, run.counts, run.api_calls) == (
        "succeeded",
        {"fetched": 1, "created": 1},
        1,  # the search answers full orders: no detail call
    )
    order = ChannelOrder.objects.get(external_id=order_id).order
    assert (order.channel, order.channel_account, order.external_number, order.status) == (
        "tiktok",
        tiktok_account.code,
        order_id,
        "processing",
    )
    assert (order.total, order.shipping_fee, order.payment_method) == (
        Decimal(627000),
        Decimal(30000),
        "cod",
    )
    assert list(order.lines.values_list("sku", "quantity", "quantity_reserved")) == [("TT-M", 3, 3)]
    assert reserved(variant) == 3
    account = ChannelAccount.objects.get(pk=tiktok_account.pk)
    assert account.orders_cursor == now
    login_as("owner")
    page = client.get(reverse("orders:order_list")).content.decode()
    assert order_id in page


@pytest.mark.parametrize("spelling", ["CANCELLED", "CANCEL"])
def test_both_cancel_spellings_cancel_and_release(
    spelling, tiktok_account, tiktok_sandbox, tiktok_shirt, django_capture_on_commit_callbacks
):
    product_id, sku_id, variant = tiktok_shirt
    order_id = tiktok_sandbox.place_order(SHOP, [(product_id, sku_id, 2)])
    pull(tiktok_account, django_capture_on_commit_callbacks)
    assert reserved(variant) == 2
    tiktok_sandbox.configure(detail_cancel_status=spelling)
    tiktok_sandbox.set_order_status(order_id, "CANCELLED")
    pull(tiktok_account, django_capture_on_commit_callbacks)
    channel_order = ChannelOrder.objects.get(external_id=order_id)
    assert (channel_order.platform_status, channel_order.order.status) == (spelling, "cancelled")
    assert reserved(variant) == 0


def test_a_malformed_order_is_quarantined_and_nothing_changes(
    tiktok_account, tiktok_sandbox, tiktok_shirt, django_capture_on_commit_callbacks
):
    product_id, sku_id, variant = tiktok_shirt
    bad = tiktok_sandbox.malformed_order(SHOP, [(product_id, sku_id, 1)], field="line_items.sku_id")
    good = tiktok_sandbox.place_order(SHOP, [(product_id, sku_id, 1)])
    run = pull(tiktok_account, django_capture_on_commit_callbacks)
    assert run.counts == {"fetched": 2, "created": 2}
    payload = InboundPayload.objects.get(external_id=bad)
    assert (payload.status, payload.reason, payload.reason_params) == (
        "quarantined",
        "bad_field",
        {"field": "line_items[0].sku_id"},
    )
    assert "sku_id" not in json.loads(payload.body)["line_items"][0]
    assert list(ChannelOrder.objects.values_list("external_id", flat=True)) == [good]
    assert reserved(variant) == 1


def test_signed_webhook_is_stored_acked_empty_and_drained(
    client, tiktok_account, tiktok_sandbox, tiktok_shirt, django_capture_on_commit_callbacks
):
    product_id, sku_id, variant = tiktok_shirt
    order_id = tiktok_sandbox.place_order(SHOP, [(product_id, sku_id, 1)])
    (delivery,) = webhooks(tiktok_sandbox, 1)
    assert delivery.url == TIKTOK_WEBHOOK_URL
    with django_capture_on_commit_callbacks(execute=False):
        response = post(client, delivery)
    assert (response.status_code, response.content) == (200, b"")
    payload = InboundPayload.objects.get()
    assert (payload.kind, payload.platform, payload.account_id, payload.external_id) == (
        "webhook",
        "tiktok",
        tiktok_account.pk,
        order_id,
    )
    assert payload.body.encode() == delivery.body
    tiktok_sandbox.reset_calls()
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_drain(account_id=tiktok_account.pk) == 1
    assert tiktok_sandbox.call_counts() == {"/order/202309/orders": 1}
    payload.refresh_from_db()
    assert payload.status == "applied"
    assert ChannelOrder.objects.get(external_id=order_id).order.status == "processing"
    assert reserved(variant) == 1


def test_a_bad_webhook_signature_is_refused_and_nothing_is_stored(
    client, tiktok_account, tiktok_sandbox, tiktok_shirt
):
    product_id, sku_id, _variant = tiktok_shirt
    tiktok_sandbox.place_order(SHOP, [(product_id, sku_id, 1)])
    (delivery,) = webhooks(tiktok_sandbox, 1)
    response = post(client, delivery, signature=delivery.signature.upper())
    assert (response.status_code, response.content) == (401, b"")
    assert InboundPayload.objects.count() == 0


def test_expiry_webhook_marks_the_authorisation_end(
    client, tiktok_account, tiktok_sandbox, endings, django_capture_on_commit_callbacks
):
    ends = tiktok_sandbox.warn_expiry(SHOP)
    (delivery,) = webhooks(tiktok_sandbox, 7)
    assert post(client, delivery).status_code == 200
    payload = InboundPayload.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        webhook_process(payload_id=payload.pk)
    account = ChannelAccount.objects.get(pk=tiktok_account.pk)
    expected = datetime.fromtimestamp(ends, tz=UTC)
    assert (account.status, account.authorized_until) == ("active", expected)
    assert endings == [{"account_id": account.pk, "ends_at": expected, "reason": "expiring"}]
    payload.refresh_from_db()
    assert payload.status == "applied"


def test_deauthorisation_webhook_needs_a_reconnect(
    client, tiktok_account, tiktok_sandbox, django_capture_on_commit_callbacks
):
    tiktok_sandbox.revoke_shop(SHOP)
    (delivery,) = webhooks(tiktok_sandbox, 6)
    post(client, delivery)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_process(payload_id=InboundPayload.objects.get().pk)
    account = ChannelAccount.objects.get(pk=tiktok_account.pk)
    assert account.status == "reconnect"


def test_an_expired_token_is_refreshed_once_and_the_pull_goes_on(
    tiktok_account, tiktok_sandbox, tiktok_shirt, django_capture_on_commit_callbacks
):
    product_id, sku_id, _variant = tiktok_shirt
    order_id = tiktok_sandbox.place_order(SHOP, [(product_id, sku_id, 1)])
    tiktok_sandbox.expire_access_token(SHOP)
    run = pull(tiktok_account, django_capture_on_commit_callbacks)
    assert run.status == "succeeded"
    assert tiktok_sandbox.call_count("/api/v2/token/refresh") == 1
    account = ChannelAccount.objects.get(pk=tiktok_account.pk)
    assert account.access_token != tiktok_account.access_token
    token = tiktok_sandbox.access_tokens[account.access_token]
    assert account.access_expires_at == datetime.fromtimestamp(token.expires_at, tz=UTC)
    assert ChannelOrder.objects.filter(external_id=order_id).exists()


def test_a_revoked_shop_refreshes_into_reconnect_needed(tiktok_account, tiktok_sandbox):
    tiktok_sandbox.revoke_shop(SHOP)
    account = tokens_refresh(account_id=tiktok_account.pk, force=True)
    assert (account.status, account.status_reason) == (
        "reconnect",
        "36004005: can not find related auth record",
    )


def test_nightly_check_finds_the_order_the_pull_missed(
    tiktok_account, tiktok_sandbox, tiktok_shirt, django_capture_on_commit_callbacks
):
    product_id, sku_id, _variant = tiktok_shirt
    pull(tiktok_account, django_capture_on_commit_callbacks)
    missed = tiktok_sandbox.place_order(SHOP, [(product_id, sku_id, 1)])
    tiktok_sandbox.orders[missed].update_time -= 3 * 86400  # behind the cursor
    with django_capture_on_commit_callbacks(execute=True):
        run = orders_audit(account_id=tiktok_account.pk)
    assert (run.kind, run.status, run.counts) == (
        "orders_audit",
        "succeeded",
        {"fetched": 1, "created": 1},
    )
    assert ChannelOrder.objects.filter(external_id=missed).exists()


def test_stock_push_and_reconciliation_with_a_promotion_lock(
    tiktok_account, tiktok_sandbox, tiktok_shirt, django_capture_on_commit_callbacks
):
    product_id, sku_id, variant = tiktok_shirt
    with django_capture_on_commit_callbacks(execute=True):
        listings_pull(account_id=tiktok_account.pk)
    listing = Listing.objects.get()
    assert (listing.item_id, listing.model_id, listing.variant_id) == (
        product_id,
        sku_id,
        variant.pk,
    )
    assert listing.location_id == tiktok_sandbox.shops[SHOP].warehouses[0]
    run = stock_push(account_id=tiktok_account.pk, force=True)
    assert (run.status, run.counts.get("pushed")) == ("succeeded", 1)
    assert tiktok_sandbox.sku_stock(product_id, sku_id) == 1000
    # the platform sells on its own and a promotion locks 1200 units
    tiktok_sandbox.products[product_id].skus[0].stock[listing.location_id] = 990
    tiktok_sandbox.set_promotion_lock(product_id, sku_id, 1200)
    run = reconcile(account_id=tiktok_account.pk)
    assert (run.counts["stock_drift"], run.counts.get("failed")) == (1, 1)
    listing.refresh_from_db()
    assert (listing.promotion_reserve, listing.push_error) == (1001, "promotion_floor:1001")
    assert tiktok_sandbox.sku_stock(product_id, sku_id) == 990
    # the promotion ends: the next reconciliation clears the floor and corrects the stock
    tiktok_sandbox.set_promotion_lock(product_id, sku_id, 0)
    run = reconcile(account_id=tiktok_account.pk)
    assert run.counts.get("pushed") == 1
    assert tiktok_sandbox.sku_stock(product_id, sku_id) == 1000
    listing.refresh_from_db()
    assert (listing.promotion_reserve, listing.push_error, listing.pushed_stock) == (0, "", 1000)


def test_prices_are_pushed_in_the_shop_currency(
    tiktok_account, tiktok_sandbox, tiktok_shirt, django_capture_on_commit_callbacks
):
    product_id, sku_id, variant = tiktok_shirt
    variant.sale_price = Decimal("219000")
    variant.save(update_fields=["sale_price"])
    with django_capture_on_commit_callbacks(execute=True):
        listings_pull(account_id=tiktok_account.pk)
    ChannelAccount.objects.filter(pk=tiktok_account.pk).update(push_prices=True)
    run = reconcile(account_id=tiktok_account.pk)
    assert run.counts["price_drift"] == 1
    assert tiktok_sandbox.sku_price(product_id, sku_id) == "219000"
    assert Listing.objects.get().platform_price == Decimal("219000")


def test_a_repeated_notification_is_acked_and_stored_once(
    client, tiktok_account, tiktok_sandbox, endings, run_jobs
):
    tiktok_sandbox.configure(webhook_duplicate=True)
    tiktok_sandbox.warn_expiry(SHOP)
    first, second = webhooks(tiktok_sandbox, 7)
    assert first.body == second.body
    with run_jobs():
        answers = [post(client, first), post(client, second)]
    assert [(a.status_code, a.content) for a in answers] == [(200, b""), (200, b"")]
    (payload,) = InboundPayload.objects.all()
    assert payload.status == "applied"
    assert len(endings) == 1


def test_unpaid_then_paid_reserves_only_once_paid(
    tiktok_account, tiktok_sandbox, tiktok_shirt, django_capture_on_commit_callbacks
):
    product_id, sku_id, variant = tiktok_shirt
    order_id = tiktok_sandbox.place_order(SHOP, [(product_id, sku_id, 2)], status="UNPAID")
    pull(tiktok_account, django_capture_on_commit_callbacks)
    order = ChannelOrder.objects.get(external_id=order_id).order
    assert (order.status, reserved(variant)) == ("new", 0)
    assert order.ship_name == ""  # TikTok hides the address until paid
    tiktok_sandbox.set_order_status(order_id, "AWAITING_SHIPMENT")
    pull(tiktok_account, django_capture_on_commit_callbacks)
    order.refresh_from_db()
    assert (order.status, reserved(variant)) == ("processing", 2)
    assert order.ship_name == "Nguyễn Văn An"


@pytest.mark.postgres(why="SELECT FOR UPDATE between two connections")
@pytest.mark.django_db(transaction=True)
def test_two_workers_refused_at_once_refresh_once(tiktok_account, tiktok_sandbox):
    from channels_sync.services.accounts import call_with_refresh
    from tests.concurrency import run_concurrently

    tiktok_sandbox.expire_access_token(SHOP)
    tiktok_sandbox.reset_calls()
    names: list[str] = []

    def work():
        account = ChannelAccount.objects.get(pk=tiktok_account.pk)
        names.append(call_with_refresh(account, lambda adapter: adapter.shop_info()).name)

    assert run_concurrently([work, work], {}) == ["ok", "ok"]
    assert names == ["Sandbox TikTok VN", "Sandbox TikTok VN"]
    assert tiktok_sandbox.call_count("/api/v2/token/refresh") == 1
    assert tiktok_sandbox.call_count("/authorization/202309/shops", status=401) == 2
    assert tiktok_sandbox.call_count("/authorization/202309/shops", status=200) == 2
    assert ChannelAccount.objects.get(pk=tiktok_account.pk).status == "active"


def test_a_notification_sent_again_with_a_new_timestamp_is_still_one(
    client, tiktok_account, tiktok_app
):
    """TikTok's de-duplication key is `tts_notification_id` (§3.7), not the body: a second
    delivery of the same notification whose envelope timestamp changed is a repeat."""
    import hashlib
    import hmac

    from tests.channels_sync.conftest import TIKTOK_APP_SECRET

    def delivery(timestamp: int) -> tuple[bytes, str]:
        body = json.dumps(
            {
                "type": 1,
                "tts_notification_id": "7327112393057371910",
                "shop_id": SHOP,
                "timestamp": timestamp,
                "data": {
                    "order_id": "576486316948490001",
                    "order_status": "UNPAID",
                    "is_on_hold_order": False,
                    "update_time": 1644412885,
                },
            },
            separators=(",", ":"),
        ).encode()
        signature = hmac.new(
            TIKTOK_APP_SECRET.encode(), TIKTOK_APP_KEY.encode() + body, hashlib.sha256
        ).hexdigest()
        return body, signature

    for timestamp in (1644412885, 1644413005):
        body, signature = delivery(timestamp)
        answer = client.post(
            reverse("channels_sync:webhook_tiktok"),
            data=body,
            content_type="application/json",
            headers={"Authorization": signature},
        )
        assert (answer.status_code, answer.content) == (200, b"")
    (payload,) = InboundPayload.objects.all()
    assert (payload.message_id, payload.external_id) == (
        "7327112393057371910",
        "576486316948490001",
    )
