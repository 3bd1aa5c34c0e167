"""ShopeeAdapter over real HTTP against the Shopee sandbox: every call, the error family, the
rate-limit back-off and the number of API calls against the minimum."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from channels_sync.adapters.base import (
    AdapterConfig,
    AuthError,
    ListingData,
    OrderRef,
    PayloadError,
    PermanentError,
    PriceUpdate,
    RateLimited,
    ReconnectNeeded,
    StockUpdate,
    TransientError,
    UpdateResult,
)
from channels_sync.adapters.shopee import AUTH_PARTNER_PATH, ORDER_OPTIONAL_FIELDS, ShopeeAdapter
from tests.channels_sync.conftest import SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY

SHOP = 727720655
PID = str(SHOPEE_PARTNER_ID)


def public(sandbox, *, key=SHOPEE_PARTNER_KEY, **extra) -> ShopeeAdapter:
    return ShopeeAdapter(
        AdapterConfig(base_url=sandbox.base_url, app_key=PID, app_secret=key, **extra)
    )


def connect(sandbox, *, shop_id=SHOP, region="VN", warehouses=None, **extra) -> ShopeeAdapter:
    sandbox.add_shop(shop_id, f"Shop {shop_id}", region, warehouses)
    code = sandbox.authorize(SHOPEE_PARTNER_ID, shop_id)
    tokens = public(sandbox).tokens_from_code(code=code, shop_id=str(shop_id))
    return public(sandbox, shop_id=str(shop_id), access_token=tokens.access_token, **extra)


def sent(sandbox, path):
    """(query params, JSON body) of every call the sandbox received on `path`."""
    full = f"/api/v2/{path}"
    return [(params, body) for p, params, body in sandbox.calls if p == full]


def test_authorize_url_leads_to_a_code_and_tokens(shopee_sandbox):
    shopee_sandbox.add_shop(SHOP, "Shop", "VN")
    shopee_sandbox.configure(auto_authorize_shop_id=SHOP)
    fixed = datetime.fromtimestamp(int(shopee_sandbox.now()), tz=UTC)
    adapter = public(shopee_sandbox, clock=lambda: fixed)
    url = adapter.authorize_url(redirect_url="https://crm.example.com/shopee/back?x=1")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.path == AUTH_PARTNER_PATH
    assert sorted(query) == ["partner_id", "redirect", "sign", "timestamp"]
    assert query["timestamp"] == [str(int(fixed.timestamp()))]
    answer = requests.get(url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    back = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert back["shop_id"] == [str(SHOP)]
    assert back["x"] == ["1"]
    tokens = adapter.tokens_from_code(code=back["code"][0], shop_id=str(SHOP))
    assert tokens.shop_id == str(SHOP)
    assert tokens.access_expires_at == fixed + timedelta(hours=4)
    assert tokens.refresh_expires_at == fixed + timedelta(days=30)
    assert tokens.access_token != tokens.refresh_token
    # the code is single use
    with pytest.raises(AuthError) as caught:
        adapter.tokens_from_code(code=back["code"][0], shop_id=str(SHOP))
    assert caught.value.code == "error_auth"
    assert adapter.calls == 2
    params, body = sent(shopee_sandbox, "auth/token/get")[0]
    assert body == {"code": back["code"][0], "shop_id": SHOP, "partner_id": SHOPEE_PARTNER_ID}
    assert sorted(params) == ["partner_id", "sign", "timestamp"]


def test_refresh_rotates_and_the_old_refresh_token_is_refused(shopee_sandbox):
    shopee_sandbox.add_shop(SHOP, "Shop", "VN")
    code = shopee_sandbox.authorize(SHOPEE_PARTNER_ID, SHOP)
    first = public(shopee_sandbox).tokens_from_code(code=code, shop_id=str(SHOP))
    shop = public(shopee_sandbox, shop_id=str(SHOP), access_token=first.access_token)
    second = shop.refresh_tokens(refresh_token=first.refresh_token)
    assert second.access_token != first.access_token
    assert second.refresh_token != first.refresh_token
    with pytest.raises(ReconnectNeeded) as caught:
        shop.refresh_tokens(refresh_token=first.refresh_token)
    assert caught.value.code == "error_shop_refresh_token"
    third = shop.refresh_tokens(refresh_token=second.refresh_token)
    assert third.refresh_token not in (first.refresh_token, second.refresh_token)
    assert sent(shopee_sandbox, "auth/access_token/get")[0][1] == {
        "refresh_token": first.refresh_token,
        "shop_id": SHOP,
        "partner_id": SHOPEE_PARTNER_ID,
    }


def test_shop_info(shopee_sandbox):
    adapter = connect(shopee_sandbox)
    info = adapter.shop_info()
    link = shopee_sandbox.links[(SHOPEE_PARTNER_ID, SHOP)]
    assert (info.shop_id, info.name, info.region, info.currency) == (
        str(SHOP),
        f"Shop {SHOP}",
        "VN",
        "VND",
    )
    assert info.authorized_until == datetime.fromtimestamp(link.expire_time, tz=UTC)
    params, _ = sent(shopee_sandbox, "shop/get_shop_info")[0]
    assert sorted(params) == ["access_token", "partner_id", "shop_id", "sign", "timestamp"]
    assert adapter.calls == 1


def test_wrong_partner_key_is_a_permanent_sign_error(shopee_sandbox):
    good = connect(shopee_sandbox)
    bad = public(
        shopee_sandbox, key="wrong_key", shop_id=str(SHOP), access_token=good.config.access_token
    )
    with pytest.raises(PermanentError) as caught:
        bad.shop_info()
    assert (caught.value.code, caught.value.message) == ("error_sign", "Wrong sign.")
    with pytest.raises(PermanentError):
        public(shopee_sandbox, key="wrong_key").tokens_from_code(code="x", shop_id=str(SHOP))


def test_expired_access_token_is_an_auth_error(shopee_sandbox):
    adapter = connect(shopee_sandbox)
    shopee_sandbox.expire_access_token(SHOP)
    with pytest.raises(AuthError) as caught:
        adapter.shop_info()
    assert caught.value.code == "invalid_access_token"


def test_revoked_shop_needs_reconnecting(shopee_sandbox):
    adapter = connect(shopee_sandbox)
    shopee_sandbox.revoke_shop(SHOP)
    with pytest.raises(ReconnectNeeded) as caught:
        adapter.shop_info()
    assert caught.value.code == "shop_no_linked"


def test_network_failure_and_non_json_answers_are_transient(shopee_sandbox):
    nowhere = ShopeeAdapter(
        AdapterConfig(base_url="http://127.0.0.1:9", app_key=PID, app_secret="k")
    )
    with pytest.raises(TransientError) as caught:
        nowhere.tokens_from_code(code="c", shop_id="1")
    assert caught.value.code == "network"
    assert nowhere.calls == 1
    # the seller's authorisation page is HTML, not an envelope
    adapter = public(shopee_sandbox)
    with pytest.raises(TransientError) as caught:
        adapter.call("GET", AUTH_PARTNER_PATH, params={"redirect": "https://x"}, shop=False)
    assert caught.value.code == "http_200"


def test_rate_limit_backs_off_then_succeeds(shopee_sandbox):
    adapter = connect(shopee_sandbox)
    shopee_sandbox.configure(rate_limit_per_second=4, burst=1)
    shopee_sandbox.reset_calls()
    adapter.calls = 0
    adapter.shop_info()
    info = adapter.shop_info()  # the bucket is empty: refused, waits 0.5 s, succeeds
    assert info.name == f"Shop {SHOP}"
    assert adapter.calls == 3
    assert shopee_sandbox.call_count("shop/get_shop_info") == 3


def test_rate_limit_raises_once_max_wait_is_spent(shopee_sandbox):
    adapter = connect(shopee_sandbox, max_wait=0.0)
    shopee_sandbox.configure(rate_limit_per_second=0.001, burst=1)
    adapter.shop_info()
    with pytest.raises(RateLimited) as caught:
        adapter.shop_info()
    assert caught.value.code == "error_rate_limit"


def seed_orders(sandbox, count, *, shop_id=SHOP):
    item_id, models = sandbox.add_item(
        shop_id,
        "TS",
        "Áo thun",
        [{"model_sku": "TS-M", "price": 199000, "stock": 10_000}],
    )
    return [sandbox.place_order(shop_id, [(item_id, models[0], 1)]) for _ in range(count)]


def test_orders_updated_follows_cursors_with_page_size_100(shopee_sandbox):
    adapter = connect(shopee_sandbox)
    placed = seed_orders(shopee_sandbox, 130)
    now = datetime.fromtimestamp(shopee_sandbox.now() + 1, tz=UTC)
    refs = list(adapter.orders_updated(since=now - timedelta(hours=1), until=now))
    assert sorted(r.external_id for r in refs) == sorted(placed)
    assert refs[0] == OrderRef(refs[0].external_id, "READY_TO_SHIP")
    calls = sent(shopee_sandbox, "order/get_order_list")
    assert len(calls) == 2
    assert [c[0]["page_size"] for c in calls] == [["100"], ["100"]]
    assert calls[0][0]["cursor"] == [""]
    assert calls[1][0]["cursor"] != [""]
    assert calls[0][0]["time_range_field"] == ["update_time"]
    assert calls[0][0]["response_optional_fields"] == ["order_status"]


def test_orders_updated_over_40_days_uses_three_windows(shopee_sandbox):
    adapter = connect(shopee_sandbox)
    placed = seed_orders(shopee_sandbox, 2)
    until = datetime.fromtimestamp(shopee_sandbox.now() + 1, tz=UTC)
    refs = list(adapter.orders_updated(since=until - timedelta(days=40), until=until))
    assert sorted(r.external_id for r in refs) == sorted(placed)
    windows = [
        (int(p["time_from"][0]), int(p["time_to"][0]))
        for p, _ in sent(shopee_sandbox, "order/get_order_list")
    ]
    assert len(windows) == 3
    assert [b - a for a, b in windows] == [15 * 86400, 15 * 86400, 10 * 86400]
    assert windows[0][0] == int((until - timedelta(days=40)).timestamp())
    assert windows[1][0] == windows[0][1]
    assert windows[2][1] == int(until.timestamp())


def test_fetch_orders_in_batches_of_50_with_every_optional_field(shopee_sandbox):
    adapter = connect(shopee_sandbox)
    placed = seed_orders(shopee_sandbox, 120)
    adapter.calls = 0
    raws = adapter.fetch_orders(external_ids=placed)
    assert [r["order_sn"] for r in raws] == placed
    assert adapter.calls == math.ceil(120 / 50) == 3
    calls = sent(shopee_sandbox, "order/get_order_detail")
    assert [len(p["order_sn_list"][0].split(",")) for p, _ in calls] == [50, 50, 20]
    assert {p["response_optional_fields"][0] for p, _ in calls} == {ORDER_OPTIONAL_FIELDS}
    assert ORDER_OPTIONAL_FIELDS.split(",") == [
        "buyer_user_id",
        "buyer_username",
        "recipient_address",
        "item_list",
        "pay_time",
        "total_amount",
        "payment_method",
        "shipping_carrier",
        "package_list",
        "cancel_by",
        "cancel_reason",
        "note",
    ]
    data = adapter.parse_order(raws[0])
    assert (data.external_id, data.status, data.currency, data.total, data.cod) == (
        placed[0],
        "READY_TO_SHIP",
        "VND",
        Decimal("199000"),
        True,
    )
    assert [(i.seller_sku, i.quantity, i.unit_price) for i in data.items] == [
        ("TS-M", 1, Decimal("199000"))
    ]
    assert data.address is not None
    assert data.address.district == "Quận 1"


def test_malformed_order_detail_is_a_payload_error(shopee_sandbox):
    adapter = connect(shopee_sandbox)
    item_id, models = shopee_sandbox.add_item(SHOP, "HAT", "Mũ", price=50000, stock=5)
    order_sn = shopee_sandbox.malformed_order(SHOP, [(item_id, models[0], 1)])
    (raw,) = adapter.fetch_orders(external_ids=[order_sn])
    with pytest.raises(PayloadError) as caught:
        adapter.parse_order(raw)
    assert caught.value.field == "item_list[0].model_quantity_purchased"


def seed_listings(sandbox):
    shirt, shirt_models = sandbox.add_item(
        SHOP,
        "TS",
        "Áo thun",
        [
            {"model_sku": "TS-BLK-M", "price": 199000, "stock": 7},
            {"model_sku": "TS-WHT-L", "price": 209000, "stock": 9, "reserved_promotion_stock": 4},
        ],
    )
    hat, _ = sandbox.add_item(SHOP, "HAT-1", "Mũ", price=50000, stock=3)
    old, _ = sandbox.add_item(SHOP, "OLD-1", "Cũ", price=10000, stock=0, status="UNLIST")
    return shirt, shirt_models, hat, old


def test_listings_reads_items_and_models(shopee_sandbox):
    adapter = connect(shopee_sandbox)
    shirt, (black, white), hat, old = seed_listings(shopee_sandbox)
    adapter.calls = 0
    rows = list(adapter.listings())
    assert [
        (r.item_id, r.model_id, r.seller_sku, r.price, r.stock, r.promotion_reserve, r.active)
        for r in rows
    ] == [
        (str(shirt), str(black), "TS-BLK-M", Decimal("199000"), 7, 0, True),
        (str(shirt), str(white), "TS-WHT-L", Decimal("209000"), 9, 4, True),
        (str(hat), "", "HAT-1", Decimal("50000"), 3, 0, True),
        (str(old), "", "OLD-1", Decimal("10000"), 0, 0, False),
    ]
    assert rows[0].name == "Áo thun - TS-BLK-M"
    assert isinstance(rows[2], ListingData)
    assert adapter.calls == 3  # item list, base info (one batch), models of the one item
    ((params, _),) = sent(shopee_sandbox, "product/get_item_list")
    assert params["item_status"] == ["NORMAL", "UNLIST", "BANNED", "REVIEWING"]
    assert params["page_size"] == ["100"]


def test_listings_page_and_batch(shopee_sandbox):
    adapter = connect(shopee_sandbox)
    for n in range(120):
        shopee_sandbox.add_item(SHOP, f"SKU-{n}", f"Item {n}", price=1000, stock=n)
    rows = list(adapter.listings())
    assert [r.seller_sku for r in rows] == [f"SKU-{n}" for n in range(120)]
    assert shopee_sandbox.call_count("product/get_item_list") == 2
    assert shopee_sandbox.call_count("product/get_item_base_info") == 3
    assert shopee_sandbox.call_count("product/get_model_list") == 0


def test_push_stock_groups_per_item_and_maps_failures(shopee_sandbox):
    adapter = connect(shopee_sandbox)
    shirt, (black, white), hat, _ = seed_listings(shopee_sandbox)
    adapter.calls = 0
    results = adapter.push_stock(
        updates=[
            StockUpdate(str(shirt), str(black), 12),
            StockUpdate(str(hat), "", 5),
            StockUpdate(str(shirt), str(white), 2),  # below the promotion reserve of 4
        ]
    )
    assert results == [
        UpdateResult(str(shirt), str(black), True),
        UpdateResult(
            str(shirt),
            str(white),
            False,
            "promotion_floor",
            "Stock can not be less than the reserved promotion stock.",
            4,
        ),
        UpdateResult(str(hat), "", True),
    ]
    assert shopee_sandbox.item_stock(shirt, black) == 12
    assert shopee_sandbox.item_stock(shirt, white) == 9
    assert shopee_sandbox.item_stock(hat) == 5
    bodies = [body for _, body in sent(shopee_sandbox, "product/update_stock")]
    assert bodies == [
        {
            "item_id": shirt,
            "stock_list": [
                {"model_id": black, "seller_stock": [{"stock": 12}]},
                {"model_id": white, "seller_stock": [{"stock": 2}]},
            ],
        },
        {"item_id": hat, "stock_list": [{"model_id": 0, "seller_stock": [{"stock": 5}]}]},
    ]
    assert adapter.calls == 3  # two items + the reserve look-up after the refusal


def test_push_stock_sends_location_only_when_given_and_50_models_per_call(shopee_sandbox):
    adapter = connect(shopee_sandbox, warehouses=["VNZ", "VNN"])
    models = [{"model_sku": f"M{n}", "price": 1000, "stock": {"VNZ": 1}} for n in range(60)]
    item, model_ids = shopee_sandbox.add_item(SHOP, "BIG", "Big", models)
    results = adapter.push_stock(
        updates=[StockUpdate(str(item), str(m), 8, "VNN") for m in model_ids]
    )
    assert all(r.ok for r in results)
    assert len(results) == 60
    bodies = [body for _, body in sent(shopee_sandbox, "product/update_stock")]
    assert [len(b["stock_list"]) for b in bodies] == [50, 10]
    assert bodies[0]["stock_list"][0]["seller_stock"] == [{"location_id": "VNN", "stock": 8}]
    assert shopee_sandbox.item_stock(item, model_ids[59], "VNN") == 8
    assert shopee_sandbox.item_stock(item, model_ids[59], "VNZ") == 1


def test_push_stock_refused_item_fails_its_models_and_the_next_items_go_on(shopee_sandbox):
    adapter = connect(shopee_sandbox)
    hat, _ = shopee_sandbox.add_item(SHOP, "HAT-1", "Mũ", price=50000, stock=3)
    results = adapter.push_stock(updates=[StockUpdate("999", "", 1), StockUpdate(str(hat), "", 6)])
    assert results == [
        UpdateResult("999", "", False, "error_item_not_found", "Item 999 is not found."),
        UpdateResult(str(hat), "", True),
    ]
    assert shopee_sandbox.item_stock(hat) == 6


def test_push_prices(shopee_sandbox):
    adapter = connect(shopee_sandbox)
    shirt, (black, white), hat, _ = seed_listings(shopee_sandbox)
    results = adapter.push_prices(
        updates=[
            PriceUpdate(str(shirt), str(black), Decimal("189000")),
            PriceUpdate(str(shirt), str(white), Decimal("0")),
            PriceUpdate(str(hat), "", Decimal("55000")),
        ]
    )
    assert results == [
        UpdateResult(str(shirt), str(black), True),
        UpdateResult(str(shirt), str(white), False, "push_refused", "original_price is invalid."),
        UpdateResult(str(hat), "", True),
    ]
    assert shopee_sandbox.item_price(shirt, black) == 189000
    assert shopee_sandbox.item_price(shirt, white) == 209000
    assert shopee_sandbox.item_price(hat) == 55000
    bodies = [body for _, body in sent(shopee_sandbox, "product/update_price")]
    assert bodies[1] == {"item_id": hat, "price_list": [{"model_id": 0, "original_price": 55000}]}


def test_lost_pushes_and_confirm(shopee_sandbox):
    shopee_sandbox.configure(callback_url="http://127.0.0.1:9/webhooks/shopee")
    adapter = connect(shopee_sandbox)
    placed = seed_orders(shopee_sandbox, 2)
    assert shopee_sandbox.flush_pushes(10)
    messages, last_id, more = adapter.lost_pushes()
    codes = [m["code"] for m in messages]
    assert codes == [1, 3, 3]
    assert more is False
    order_sns = [json.loads(m["data"])["data"].get("ordersn") for m in messages[1:]]
    assert order_sns == placed
    adapter.lost_pushes_confirm(last_message_id=last_id)
    assert adapter.lost_pushes() == ([], 0, False)
