"""TikTok Shop, to the letter of marketplaces.md §3 over real HTTP against the sandbox: one
authorisation covering several shops (§3.2 step 3: `data.shops[]`, a cipher each), the token
refresh shared by those shops, and order lines without a quantity field (§3.5, §5)."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from channels_sync.adapters.tiktok import TikTokAdapter
from channels_sync.adapters.tiktok_parse import parse_order, parse_webhook
from channels_sync.models import ChannelAccount, ChannelOrder
from channels_sync.services.accounts import account_config, connect_finish_all
from channels_sync.services.pull import orders_pull
from tests.channels_sync.conftest import TIKTOK_APP_KEY
from tests.channels_sync.test_tiktok_adapter import order as order_json
from tests.inventory.factories import WarehouseFactory
from tests.orders.factories import stocked_variant

VN, TH = "7494049642642441621", "7494049642642441622"
skus = {VN: "TT-VN", TH: "TT-TH"}


def two_shops(sandbox):
    sandbox.add_shop(VN, "Áo Thun Sài Gòn", "VN")
    sandbox.add_shop(TH, "Bangkok Tees", "TH")
    products = {}
    for shop, sku in skus.items():
        products[shop] = sandbox.add_product(
            shop,
            "Basic cotton T-shirt regular fit",
            [{"seller_sku": sku, "price": "100", "stock": 5}],
        )
    return products


def pull(account, capture):
    with capture(execute=True):
        return orders_pull(account_id=account.pk, now=timezone.now())


def test_one_consent_for_two_shops_connects_both_each_with_its_cipher(
    client, login_as, tiktok_app, tiktok_sandbox, django_capture_on_commit_callbacks
):
    products = two_shops(tiktok_sandbox)
    tiktok_sandbox.configure(auto_authorize=True)  # the seller ticks both shops
    app = tiktok_sandbox.apps[TIKTOK_APP_KEY]
    app.redirect_url = f"http://testserver/marketplaces/{tiktok_app.pk}/callback"
    login_as("owner")
    response = client.post(reverse("channels_sync:shop_connect", args=[tiktok_app.pk]))
    back = requests.get(response["Location"], allow_redirects=False, timeout=10)
    location = urlsplit(back.headers["Location"])
    response = client.get(f"{location.path}?{location.query}", follow=True)

    shops = {a.shop_id: a for a in ChannelAccount.objects.all()}
    assert set(shops) == {VN, TH}
    assert {s: a.shop_cipher for s, a in shops.items()} == {
        s: tiktok_sandbox.shops[s].cipher for s in (VN, TH)
    }
    assert (shops[VN].currency, shops[TH].currency) == ("VND", "THB")
    assert len({a.code for a in shops.values()}) == 2
    assert [str(m) for m in response.context["messages"]] == [
        "2 shops are connected: Áo Thun Sài Gòn, Bangkok Tees. Choose each one's order "
        "warehouse and stock rules."
    ]
    placed = {}
    for shop, (product_id, sku_ids) in products.items():
        placed[shop] = tiktok_sandbox.place_order(shop, [(product_id, sku_ids[0], 1)])
    for shop, account in shops.items():
        warehouse = WarehouseFactory()
        stocked_variant(warehouse, 10, sku=skus[shop])
        account.warehouse = warehouse
        account.save(update_fields=["warehouse"])
        run = pull(account, django_capture_on_commit_callbacks)
        assert (run.status, run.counts) == ("succeeded", {"fetched": 1, "created": 1})
        got = ChannelOrder.objects.filter(account=account).values_list("external_id", flat=True)
        assert list(got) == [placed[shop]]


def test_a_refresh_renews_every_shop_of_the_authorisation(
    tiktok_app, tiktok_sandbox, django_capture_on_commit_callbacks
):
    """The refresh token may be spent by a refresh ([UNV]; the sandbox spends it here): the
    second shop must not refresh again with the spent one, or it would need a reconnect."""
    two_shops(tiktok_sandbox)
    tiktok_sandbox.configure(rotate_refresh_token=True)
    code = tiktok_sandbox.authorize(TIKTOK_APP_KEY, [VN, TH])
    first, second = connect_finish_all(app_id=tiktok_app.pk, code=code, shop_id="")
    tiktok_sandbox.expire_access_token(VN)

    for account in (first, second):
        assert pull(account, django_capture_on_commit_callbacks).status == "succeeded"

    assert tiktok_sandbox.call_count("/api/v2/token/refresh") == 1
    first, second = (ChannelAccount.objects.get(pk=a.pk) for a in (first, second))
    assert (first.status, second.status) == ("active", "active")
    assert first.refresh_token == second.refresh_token in tiktok_sandbox.refresh_tokens
    assert first.access_token == second.access_token


def test_a_refused_refresh_ends_every_shop_of_the_authorisation(tiktok_app, tiktok_sandbox):
    from channels_sync.services.accounts import tokens_refresh

    two_shops(tiktok_sandbox)
    code = tiktok_sandbox.authorize(TIKTOK_APP_KEY, [VN, TH])
    first, _second = connect_finish_all(app_id=tiktok_app.pk, code=code, shop_id="")
    tiktok_sandbox.revoke_shop(VN)
    tokens_refresh(account_id=first.pk, force=True)
    assert set(ChannelAccount.objects.values_list("status", flat=True)) == {"reconnect"}


@pytest.mark.parametrize("quantity_field", [False, True])
def test_three_units_of_a_sku_are_one_item_of_three(tiktok_account, tiktok_sandbox, quantity_field):
    """§3.5: no quantity field, one row per unit (the doc's reading, [UNV]); a row per SKU with
    `quantity` (the other reading) gives the same items."""
    from tests.channels_sync.conftest import TIKTOK_SHOP_ID

    product_id, (black, white) = tiktok_sandbox.add_product(
        TIKTOK_SHOP_ID,
        "Basic cotton T-shirt regular fit",
        [
            {"seller_sku": "TT-B", "price": "199000", "stock": 10},
            {"seller_sku": "TT-W", "price": "209000", "stock": 10},
        ],
    )
    tiktok_sandbox.configure(line_quantity_field=quantity_field)
    order_id = tiktok_sandbox.place_order(
        TIKTOK_SHOP_ID, [(product_id, black, 3), (product_id, white, 1)]
    )
    adapter = TikTokAdapter(account_config(tiktok_account))
    (raw,) = adapter.fetch_orders(external_ids=[order_id])
    assert len(raw["line_items"]) == (2 if quantity_field else 4)
    items = {i.seller_sku: (i.quantity, i.unit_price) for i in parse_order(raw).items}
    assert items == {"TT-B": (3, Decimal(199000)), "TT-W": (1, Decimal(209000))}
    assert parse_order(raw).total == Decimal(3 * 199000 + 209000)


def test_a_cancelled_line_of_a_live_order_is_not_sold():
    line = {
        "id": "1",
        "sku_id": "S1",
        "product_id": "P1",
        "seller_sku": "TT-B",
        "sale_price": "199000",
        "original_price": "199000",
        "display_status": "AWAITING_SHIPMENT",
    }
    gone = {**line, "id": "2", "sku_id": "S2", "seller_sku": "TT-W", "display_status": "CANCELLED"}
    live = parse_order(order_json(line_items=[line, {**line, "id": "3"}, gone]))
    assert [(i.seller_sku, i.quantity) for i in live.items] == [("TT-B", 2)]
    dead = [{**line, "display_status": "CANCELLED"}, gone]
    cancelled = parse_order(order_json(status="CANCELLED", line_items=dead))
    assert [(i.seller_sku, i.quantity) for i in cancelled.items] == [("TT-B", 1), ("TT-W", 1)]


def test_the_webhooks_cancel_is_the_details_cancelled():
    body = (
        b'{"type":1,"tts_notification_id":"1","shop_id":"7","timestamp":1644412885,'
        b'"data":{"order_id":"5","order_status":"CANCEL","is_on_hold_order":false,'
        b'"update_time":1644412885}}'
    )
    assert parse_webhook(body).status == "CANCELLED"


def test_the_list_page_lets_connect_a_shop_go_to_the_consent_page(
    client, login_as, tiktok_app, lazada_app, tiktok_sandbox, lazada_sandbox
):
    """The page with "Connect a shop" allows each app's consent host as a form target (CSP
    form-action): Chromium stops a form's redirect to any other host."""
    login_as("owner")
    policy = client.get(reverse("channels_sync:marketplace_list"))["Content-Security-Policy"]
    form_action = next(d for d in policy.split(";") if d.strip().startswith("form-action"))
    assert "'self'" in form_action
    for sandbox in (tiktok_sandbox, lazada_sandbox):
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(sandbox.base_url))
        assert origin in form_action.split()
