"""TikTokAdapter over real HTTP against the TikTok sandbox: every call, good and error paths,
the 429 back-off and the number of calls against the minimum."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from channels_sync.adapters.base import (
    AdapterConfig,
    AuthError,
    OrderRef,
    PermanentError,
    PriceUpdate,
    RateLimited,
    ReconnectNeeded,
    StockUpdate,
    TransientError,
    UpdateResult,
)
from channels_sync.adapters.tiktok import TikTokAdapter
from tests.channels_sync.conftest import (
    TIKTOK_APP_KEY,
    TIKTOK_APP_SECRET,
    TIKTOK_REDIRECT_URL,
    TIKTOK_SHOP_ID,
)

SHOP = TIKTOK_SHOP_ID
SEARCH = "/order/202309/orders/search"
DETAIL = "/order/202309/orders"


def public(sandbox, **extra) -> TikTokAdapter:
    config = {"base_url": sandbox.base_url, "app_key": TIKTOK_APP_KEY}
    config["app_secret"] = extra.pop("secret", TIKTOK_APP_SECRET)
    return TikTokAdapter(AdapterConfig(**config, **extra))


def connect(sandbox, *, region="VN", warehouses=None, **extra) -> TikTokAdapter:
    cipher = sandbox.add_shop(SHOP, "Shop", region, warehouses)
    code = sandbox.authorize(TIKTOK_APP_KEY, [SHOP])
    tokens = public(sandbox).tokens_from_code(code=code, shop_id="")
    currency = {"VN": "VND", "TH": "THB"}[region]
    return public(
        sandbox,
        shop_id=SHOP,
        access_token=tokens.access_token,
        shop_cipher=cipher,
        currency=currency,
        **extra,
    )


def sent(sandbox, path):
    return [(params, body) for p, params, body, _status in sandbox.calls if p == path]


def shirt(sandbox, **sku):
    spec = {"seller_sku": "TT-M", "price": "199000", "stock": 100, **sku}
    product_id, (sku_id,) = sandbox.add_product(SHOP, "Áo thun cotton cơ bản", [spec])
    return product_id, sku_id


def test_consent_page_code_tokens_with_absolute_expiry(tiktok_sandbox):
    tiktok_sandbox.add_shop(SHOP, "Shop", "VN")
    tiktok_sandbox.configure(auto_authorize=True)
    adapter = public(tiktok_sandbox)
    url = adapter.authorize_url(redirect_url=TIKTOK_REDIRECT_URL)
    parts = urlsplit(url)
    assert (parts.path, sorted(parse_qs(parts.query))) == ("/oauth/authorize", ["app_key", "state"])
    answer = requests.get(url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    back = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == TIKTOK_REDIRECT_URL
    assert back["state"] == parse_qs(parts.query)["state"]
    before = int(tiktok_sandbox.now())
    tokens = adapter.tokens_from_code(code=back["code"][0], shop_id="")
    (grant,) = tiktok_sandbox.grants
    assert tokens.refresh_expires_at == datetime.fromtimestamp(grant.expires_at, tz=UTC)
    lifetime = tokens.access_expires_at - datetime.fromtimestamp(before, tz=UTC)
    assert timedelta(days=7) <= lifetime <= timedelta(days=7, seconds=2)
    assert tokens.shop_id == ""
    ((query, _body),) = sent(tiktok_sandbox, "/api/v2/token/get")
    assert query["grant_type"] == ["authorized_code"]
    assert query["app_secret"] == [TIKTOK_APP_SECRET]
    with pytest.raises(ReconnectNeeded) as caught:  # single use
        adapter.tokens_from_code(code=back["code"][0], shop_id="")
    assert caught.value.code == "36004005"
    assert adapter.calls == 2


def test_wrong_secret_is_refused_at_the_auth_host(tiktok_sandbox):
    tiktok_sandbox.add_shop(SHOP, "Shop", "VN")
    code = tiktok_sandbox.authorize(TIKTOK_APP_KEY, [SHOP])
    with pytest.raises(AuthError) as caught:
        public(tiktok_sandbox, secret="wrong").tokens_from_code(code=code, shop_id="")
    assert caught.value.code == "36009004"


def test_shop_info_finds_the_cipher_and_shop_calls_carry_it(tiktok_sandbox):
    adapter = connect(tiktok_sandbox)
    bare = public(tiktok_sandbox, access_token=adapter.config.access_token)
    info = bare.shop_info()
    assert (info.shop_id, info.name, info.region, info.currency) == (SHOP, "Shop", "VN", "VND")
    assert info.shop_cipher == tiktok_sandbox.shops[SHOP].cipher
    ((query, _),) = sent(tiktok_sandbox, "/authorization/202309/shops")
    assert sorted(query) == ["app_key", "sign", "timestamp"]
    list(adapter.listings())
    ((query, body),) = sent(tiktok_sandbox, "/product/202309/products/search")
    assert query["shop_cipher"] == [info.shop_cipher]
    assert sorted(query) == ["app_key", "page_size", "shop_cipher", "sign", "timestamp"]
    assert body == {}
    with pytest.raises(PermanentError) as caught:
        public(tiktok_sandbox, access_token=adapter.config.access_token, shop_id="1").shop_info()
    assert caught.value.code == "no_shop"


def test_refresh_keeps_the_authorisation_end_and_revocation_needs_reconnect(tiktok_sandbox):
    adapter = connect(tiktok_sandbox)
    grant = tiktok_sandbox.grants[0]
    refresh = next(iter(tiktok_sandbox.refresh_tokens))
    tokens = adapter.refresh_tokens(refresh_token=refresh)
    assert tokens.access_token != adapter.config.access_token
    assert tokens.refresh_expires_at == datetime.fromtimestamp(grant.expires_at, tz=UTC)
    assert tokens.shop_id == SHOP
    tiktok_sandbox.revoke_shop(SHOP)
    with pytest.raises(AuthError) as caught:
        list(adapter.listings())
    assert caught.value.code == "36009004"
    with pytest.raises(ReconnectNeeded) as caught:
        adapter.refresh_tokens(refresh_token=refresh)
    assert caught.value.code == "36004005"


def test_expired_refresh_token_needs_reconnect(tiktok_sandbox):
    adapter = connect(tiktok_sandbox)
    refresh = next(iter(tiktok_sandbox.refresh_tokens))
    tiktok_sandbox.advance(366 * 86400)
    later = datetime.fromtimestamp(tiktok_sandbox.now(), tz=UTC)
    moved = TikTokAdapter(AdapterConfig(**{**adapter.config.__dict__, "clock": lambda: later}))
    with pytest.raises(ReconnectNeeded) as caught:
        moved.refresh_tokens(refresh_token=refresh)
    assert (caught.value.code, caught.value.message) == ("36004001", "rt has expired")


def test_expired_access_token_is_an_auth_error(tiktok_sandbox):
    adapter = connect(tiktok_sandbox)
    tiktok_sandbox.expire_access_token(SHOP)
    with pytest.raises(AuthError) as caught:
        list(
            adapter.orders_updated(since=datetime(2026, 1, 1, tzinfo=UTC), until=datetime.now(UTC))
        )
    assert caught.value.code == "105002"


def test_bad_sign_stale_timestamp_and_missing_cipher_are_refused(tiktok_sandbox):
    adapter = connect(tiktok_sandbox)
    config = adapter.config.__dict__
    with pytest.raises(PermanentError) as caught:
        list(TikTokAdapter(AdapterConfig(**{**config, "app_secret": "other"})).listings())
    assert caught.value.code == "106001"
    stale = datetime.now(UTC) - timedelta(seconds=400)
    with pytest.raises(AuthError) as caught:
        list(TikTokAdapter(AdapterConfig(**{**config, "clock": lambda: stale})).listings())
    assert caught.value.code == "36009004"
    with pytest.raises(PermanentError) as caught:
        list(TikTokAdapter(AdapterConfig(**{**config, "shop_cipher": ""})).listings())
    assert caught.value.code == "106013"
    assert tiktok_sandbox.call_count("/product/202309/products/search", status=200) == 0


def test_orders_search_pages_with_tokens_and_detail_fetches_fifty_at_a_time(tiktok_sandbox):
    adapter = connect(tiktok_sandbox)
    product_id, sku_id = shirt(tiktok_sandbox, stock=1000)
    placed = [tiktok_sandbox.place_order(SHOP, [(product_id, sku_id, 1)]) for _ in range(230)]
    since = datetime.now(UTC) - timedelta(hours=1)
    refs = list(adapter.orders_updated(since=since, until=datetime.now(UTC)))
    assert [r.external_id for r in refs] == placed
    assert {r.status for r in refs} == {"AWAITING_SHIPMENT"}
    pages = sent(tiktok_sandbox, SEARCH)
    assert len(pages) == 3
    assert next(q.get("page_token") for q, _ in pages) is None
    assert all(q["page_size"] == ["100"] and q["sort_order"] == ["ASC"] for q, _ in pages)
    assert pages[0][1] == {
        "update_time_ge": int(since.timestamp()),
        "update_time_lt": pages[0][1]["update_time_lt"],
    }
    # the search answered full orders: no detail call for them
    raws = adapter.fetch_orders(external_ids=placed)
    assert [r["id"] for r in raws] == placed
    assert sent(tiktok_sandbox, DETAIL) == []
    # a fresh adapter (a webhook drain) fetches by id, 50 per call
    again = TikTokAdapter(adapter.config)
    raws = again.fetch_orders(external_ids=[*placed[:120], "999"])
    assert [r["id"] for r in raws] == placed[:120]
    assert [len(q["ids"][0].split(",")) for q, _ in sent(tiktok_sandbox, DETAIL)] == [50, 50, 21]
    assert again.calls == 3


def test_search_filters_by_update_time(tiktok_sandbox):
    adapter = connect(tiktok_sandbox)
    product_id, sku_id = shirt(tiktok_sandbox)
    old = tiktok_sandbox.place_order(SHOP, [(product_id, sku_id, 1)])
    tiktok_sandbox.orders[old].update_time -= 3600
    new = tiktok_sandbox.place_order(SHOP, [(product_id, sku_id, 1)])
    since = datetime.fromtimestamp(tiktok_sandbox.orders[new].update_time, tz=UTC)
    refs = list(adapter.orders_updated(since=since, until=since + timedelta(seconds=1)))
    assert refs == [OrderRef(new, "AWAITING_SHIPMENT", since)]
    assert old not in [r.external_id for r in refs]


def test_listings_page_through_products(tiktok_sandbox):
    adapter = connect(tiktok_sandbox)
    ids = [shirt(tiktok_sandbox, seller_sku=f"SKU-{n}")[1] for n in range(205)]
    tiktok_sandbox.set_product_status(
        tiktok_sandbox.products[next(iter(tiktok_sandbox.products))].product_id,
        "SELLER_DEACTIVATED",
    )
    rows = list(adapter.listings())
    assert [r.model_id for r in rows] == ids
    assert [r.active for r in rows[:2]] == [False, True]
    assert (rows[1].seller_sku, rows[1].price, rows[1].stock) == ("SKU-1", Decimal(199000), 100)
    assert len(sent(tiktok_sandbox, "/product/202309/products/search")) == 3
    assert adapter.calls == 3


def test_stock_push_names_the_warehouse_and_keeps_the_others(tiktok_sandbox):
    adapter = connect(tiktok_sandbox, warehouses=["WH-A", "WH-B"])
    product_id, (first, second) = tiktok_sandbox.add_product(
        SHOP,
        "Áo thun cotton cơ bản",
        [
            {"seller_sku": "A", "price": "1000", "stock": {"WH-A": 5, "WH-B": 9}},
            {"seller_sku": "B", "price": "1000", "stock": {"WH-A": 1, "WH-B": 2}},
        ],
    )
    results = adapter.push_stock(
        updates=[
            StockUpdate(product_id, first, 7, "WH-A"),
            StockUpdate(product_id, first, 3, "WH-B"),
            StockUpdate(product_id, second, 4, "WH-A"),
        ]
    )
    assert results == [
        UpdateResult(product_id, first, True),
        UpdateResult(product_id, second, True),
    ]
    stock = {
        (s, w): tiktok_sandbox.sku_stock(product_id, s, w)
        for s in (first, second)
        for w in ("WH-A", "WH-B")
    }
    assert stock == {
        (first, "WH-A"): 7,
        (first, "WH-B"): 3,
        (second, "WH-A"): 4,
        (second, "WH-B"): 2,
    }
    inventory = f"/product/202309/products/{product_id}/inventory/update"
    calls = sent(tiktok_sandbox, inventory)
    assert len(calls) == 2  # refused as incomplete once, then sent with WH-B of B kept
    assert tiktok_sandbox.call_count(f"/product/202309/products/{product_id}") == 1
    assert calls[1][1] == {
        "skus": [
            {
                "id": first,
                "inventory": [
                    {"warehouse_id": "WH-A", "quantity": 7},
                    {"warehouse_id": "WH-B", "quantity": 3},
                ],
            },
            {
                "id": second,
                "inventory": [
                    {"warehouse_id": "WH-A", "quantity": 4},
                    {"warehouse_id": "WH-B", "quantity": 2},
                ],
            },
        ]
    }


def test_stock_push_partial_failures_and_promotion_lock(tiktok_sandbox):
    adapter = connect(tiktok_sandbox)
    warehouse = tiktok_sandbox.shops[SHOP].warehouses[0]
    product_id, (locked, free) = tiktok_sandbox.add_product(
        SHOP,
        "Áo thun cotton cơ bản",
        [
            {"seller_sku": "A", "price": "1", "stock": 20},
            {"seller_sku": "B", "price": "1", "stock": 20},
        ],
    )
    tiktok_sandbox.set_promotion_lock(product_id, locked, 10)
    results = adapter.push_stock(
        updates=[
            StockUpdate(product_id, locked, 6, warehouse),
            StockUpdate(product_id, free, 6, warehouse),
            StockUpdate(product_id, "404", 6, warehouse),
        ]
    )
    assert [(r.model_id, r.ok, r.code, r.floor) for r in results] == [
        (locked, False, "promotion_floor", 7),
        (free, True, "", None),
        ("404", False, "12052556", None),
    ]
    assert (
        tiktok_sandbox.sku_stock(product_id, locked),
        tiktok_sandbox.sku_stock(product_id, free),
    ) == (20, 6)
    assert adapter.push_stock(updates=[StockUpdate(product_id, locked, 10, warehouse)]) == [
        UpdateResult(product_id, locked, True)
    ]
    assert tiktok_sandbox.sku_stock(product_id, locked) == 10


def test_stock_push_of_an_inactive_product_fails_its_skus_only(tiktok_sandbox):
    adapter = connect(tiktok_sandbox)
    off, (off_sku,) = tiktok_sandbox.add_product(
        SHOP,
        "Áo thun cotton cơ bản",
        [{"seller_sku": "A", "price": "1", "stock": 5}],
        status="FREEZE",
    )
    on, on_sku = shirt(tiktok_sandbox)
    warehouse = tiktok_sandbox.shops[SHOP].warehouses[0]
    results = adapter.push_stock(
        updates=[StockUpdate(off, off_sku, 1, warehouse), StockUpdate(on, on_sku, 1, warehouse)]
    )
    assert [(r.model_id, r.ok, r.code) for r in results] == [
        (off_sku, False, "120527002"),
        (on_sku, True, ""),
    ]
    assert (tiktok_sandbox.sku_stock(off, off_sku), tiktok_sandbox.sku_stock(on, on_sku)) == (5, 1)


def test_stock_push_sends_at_most_100_skus_per_call(tiktok_sandbox):
    adapter = connect(tiktok_sandbox)
    warehouse = tiktok_sandbox.shops[SHOP].warehouses[0]
    specs = [{"seller_sku": f"S{n}", "price": "1", "stock": 1} for n in range(130)]
    product_id, skus = tiktok_sandbox.add_product(SHOP, "Áo thun cotton cơ bản", specs)
    results = adapter.push_stock(updates=[StockUpdate(product_id, s, 3, warehouse) for s in skus])
    assert all(r.ok for r in results)
    assert len(results) == 130
    calls = sent(tiktok_sandbox, f"/product/202309/products/{product_id}/inventory/update")
    assert [len(body["skus"]) for _q, body in calls] == [100, 30]
    assert sum(tiktok_sandbox.sku_stock(product_id, s) for s in skus) == 390


def test_price_push_and_its_refusal(tiktok_sandbox):
    adapter = connect(tiktok_sandbox, region="TH")
    product_id, sku_id = shirt(tiktok_sandbox, price="199")
    assert adapter.push_prices(updates=[PriceUpdate(product_id, sku_id, Decimal("249.50"))]) == [
        UpdateResult(product_id, sku_id, True)
    ]
    ((_, body),) = sent(tiktok_sandbox, f"/product/202309/products/{product_id}/prices/update")
    assert body == {"skus": [{"id": sku_id, "price": {"amount": "249.5", "currency": "THB"}}]}
    assert tiktok_sandbox.sku_price(product_id, sku_id) == "249.5"
    results = adapter.push_prices(
        updates=[
            PriceUpdate(product_id, sku_id, Decimal(300)),
            PriceUpdate(product_id, "404", Decimal(1)),
        ]
    )
    assert [(r.model_id, r.ok, r.code) for r in results] == [
        (sku_id, False, "12052556"),
        ("404", False, "12052556"),
    ]
    assert tiktok_sandbox.sku_price(product_id, sku_id) == "249.5"


def test_429_is_backed_off_and_retried(tiktok_sandbox):
    adapter = connect(tiktok_sandbox)
    tiktok_sandbox.configure(qps=3)
    errors: list[Exception] = []
    counts: list[int] = []

    def search() -> None:
        mine = TikTokAdapter(adapter.config)
        try:
            list(mine.listings())
        except Exception as error:
            errors.append(error)
        counts.append(mine.calls)

    # another process of ours (no shared pacing): simulated by clearing the pacer's memory
    from channels_sync.adapters import tiktok_pacing

    threads = [threading.Thread(target=search) for _ in range(12)]
    with tiktok_pacing._lock:
        tiktok_pacing._slots.clear()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    limited = tiktok_sandbox.call_count("/product/202309/products/search", status=429)
    assert limited > 0
    assert tiktok_sandbox.call_count("/product/202309/products/search", status=200) == 12
    assert sum(counts) == 12 + limited


def test_429_past_the_longest_wait_is_raised(tiktok_sandbox):
    adapter = connect(tiktok_sandbox, max_wait=0.0)
    tiktok_sandbox.configure(qps=1)
    list(adapter.listings())
    with pytest.raises(RateLimited) as caught:
        list(adapter.listings())
    assert caught.value.code == "36009002"
    assert tiktok_sandbox.call_count("/product/202309/products/search", status=429) == 1


def test_an_answer_that_is_not_an_envelope(tiktok_sandbox):
    adapter = connect(tiktok_sandbox)
    config = adapter.config.__dict__
    unknown = TikTokAdapter(AdapterConfig(**{**config, "base_url": tiktok_sandbox.base_url + "/x"}))
    with pytest.raises(PermanentError) as caught:
        list(unknown.listings())
    assert caught.value.code == "40006"  # the sandbox's envelope for an unknown path
    # the sandbox's control API answers 400 without an envelope
    control = TikTokAdapter(
        AdapterConfig(**{**config, "base_url": tiktok_sandbox.base_url + "/_sandbox"})
    )
    with pytest.raises(PermanentError) as caught:
        list(control.listings())
    assert (caught.value.code, caught.value.message) == (
        "http_400",
        "the answer is not a TikTok envelope",
    )
    gone = TikTokAdapter(AdapterConfig(**{**config, "base_url": "http://127.0.0.1:9"}))
    with pytest.raises(TransientError) as caught:
        list(gone.listings())
    assert caught.value.code == "network"


class SmallReach(TikTokAdapter):
    search_reach = 3


def test_a_shop_beyond_the_search_reach_is_read_status_by_status(tiktok_sandbox):
    adapter = connect(tiktok_sandbox)
    tiktok_sandbox.configure(search_reach=3)
    made = [shirt(tiktok_sandbox, seller_sku=f"S{n}") for n in range(5)]
    for product_id, _sku in made[3:]:
        tiktok_sandbox.set_product_status(product_id, "SELLER_DEACTIVATED")
    small = SmallReach(adapter.config)
    rows = list(small.listings())
    assert sorted(r.seller_sku for r in rows) == ["S0", "S1", "S2", "S3", "S4"]
    bodies = [body for _q, body in sent(tiktok_sandbox, "/product/202309/products/search")]
    assert bodies[:3] == [{}, {"status": "ACTIVATE"}, {"status": "SELLER_DEACTIVATED"}]
    assert small.calls == 8  # the first look, then one page for each of the 7 statuses
    made.append(shirt(tiktok_sandbox, seller_sku="S5"))  # 4 active now: beyond the reach
    with pytest.raises(PermanentError) as caught:
        list(SmallReach(adapter.config).listings())
    assert caught.value.code == "too_many_products"


def test_stock_above_the_documented_maximum_is_sent_as_99999(tiktok_sandbox):
    """Quantity range 1-99,999 per warehouse (marketplaces.md section 0): 100,004 available is
    sent as 99,999 rather than refused every time."""
    adapter = connect(tiktok_sandbox, warehouses=["WH-A"])
    product_id, (sku,) = tiktok_sandbox.add_product(
        SHOP, "Áo thun cotton cơ bản", [{"seller_sku": "A", "price": "1000", "stock": 5}]
    )
    results = adapter.push_stock(updates=[StockUpdate(product_id, sku, 100_004, "WH-A")])
    assert results == [UpdateResult(product_id, sku, True)]
    assert tiktok_sandbox.sku_stock(product_id, sku, "WH-A") == 99_999
    (call,) = sent(tiktok_sandbox, f"/product/202309/products/{product_id}/inventory/update")
    assert call[1] == {
        "skus": [{"id": sku, "inventory": [{"warehouse_id": "WH-A", "quantity": 99_999}]}]
    }
