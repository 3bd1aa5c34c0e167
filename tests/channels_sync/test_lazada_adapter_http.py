"""LazadaAdapter over real HTTP against the Lazada sandbox: every call, good and error paths,
the ApiCallLimit wait, batch limits and the number of API calls."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from channels_sync.adapters.base import (
    AdapterConfig,
    AuthError,
    PermanentError,
    PriceUpdate,
    RateLimited,
    ReconnectNeeded,
    StockUpdate,
    UpdateResult,
)
from channels_sync.adapters.lazada import LazadaAdapter
from tests.channels_sync.conftest import LAZADA_APP_KEY, LAZADA_APP_SECRET, LAZADA_SELLER_ID

SELLER = LAZADA_SELLER_ID


def public(sandbox, *, secret=LAZADA_APP_SECRET, **extra) -> LazadaAdapter:
    config = AdapterConfig(
        base_url=sandbox.base_url, app_key=LAZADA_APP_KEY, app_secret=secret, **extra
    )
    return LazadaAdapter(config)


def connect(sandbox, **extra) -> LazadaAdapter:
    tokens = public(sandbox).tokens_from_code(
        code=sandbox.authorize(LAZADA_APP_KEY, SELLER), shop_id=""
    )
    return public(sandbox, shop_id=tokens.shop_id, access_token=tokens.access_token, **extra)


def products(sandbox, count, stock=10):
    """`count` one-SKU products; [(item_id, sku_id)]."""
    made = []
    for n in range(count):
        item_id, skus = sandbox.add_product(
            SELLER, f"P{n}", [{"seller_sku": f"SKU-{n}", "price": 1000 + n, "stock": stock}]
        )
        made.append((item_id, skus[0]))
    return made


def test_consent_page_code_and_tokens(lazada_sandbox):
    lazada_sandbox.configure(auto_authorize_seller_id=SELLER)
    fixed = datetime.fromtimestamp(int(lazada_sandbox.now()), tz=UTC)
    adapter = public(lazada_sandbox, clock=lambda: fixed)
    url = adapter.authorize_url(redirect_url="https://crm.example.com/back?x=1")
    parts = urlsplit(url)
    assert parts.path == "/oauth/authorize"
    assert parse_qs(parts.query) == {
        "response_type": ["code"],
        "force_auth": ["true"],
        "client_id": [LAZADA_APP_KEY],
        "redirect_uri": ["https://crm.example.com/back?x=1"],
    }
    answer = requests.get(url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    back = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert back["x"] == ["1"]
    tokens = adapter.tokens_from_code(code=back["code"][0], shop_id="")
    assert tokens.shop_id == str(SELLER)
    assert tokens.access_expires_at == fixed + timedelta(days=30)
    assert tokens.refresh_expires_at == fixed + timedelta(days=180)
    with pytest.raises(PermanentError) as caught:  # the code is single use
        adapter.tokens_from_code(code=back["code"][0], shop_id="")
    assert caught.value.code == "InvalidCode"
    assert adapter.calls == 2
    sent = lazada_sandbox.calls[0][1]
    assert sorted(sent) == ["app_key", "code", "sign", "sign_method", "timestamp"]
    assert sent["timestamp"] == str(int(fixed.timestamp() * 1000))


@pytest.mark.parametrize("rotate", [False, True])
def test_refresh_keeps_what_the_platform_returns(lazada_sandbox, rotate):
    lazada_sandbox.configure(rotate_refresh_token=rotate)
    code = lazada_sandbox.authorize(LAZADA_APP_KEY, SELLER)
    first = public(lazada_sandbox).tokens_from_code(code=code, shop_id="")
    adapter = public(lazada_sandbox, shop_id=first.shop_id)
    second = adapter.refresh_tokens(refresh_token=first.refresh_token)
    assert second.shop_id == str(SELLER)
    assert second.access_token != first.access_token
    assert (second.refresh_token == first.refresh_token) is not rotate
    if rotate:  # the old one is spent
        with pytest.raises(ReconnectNeeded) as caught:
            adapter.refresh_tokens(refresh_token=first.refresh_token)
        assert caught.value.code == "IllegalRefreshToken"
    assert adapter.refresh_tokens(refresh_token=second.refresh_token).shop_id == str(SELLER)


def test_bad_secret_expired_token_and_shop_info(lazada_sandbox):
    adapter = connect(lazada_sandbox)
    info = adapter.shop_info()
    assert (info.shop_id, info.name, info.region, info.currency) == (
        str(SELLER),
        "Lazada Shop VN",
        "VN",
        "VND",
    )
    wrong = public(lazada_sandbox, secret="nope", shop_id=str(SELLER), access_token="x")
    with pytest.raises(PermanentError) as caught:
        wrong.fetch_orders(external_ids=["1"])
    assert caught.value.code == "IncompleteSignature"
    lazada_sandbox.expire_access_token(SELLER)
    with pytest.raises(AuthError) as caught_auth:
        adapter.fetch_orders(external_ids=["1"])
    assert caught_auth.value.code == "IllegalAccessToken"


def test_a_skewed_clock_is_refused(lazada_sandbox):
    late = datetime.now(tz=UTC) + timedelta(hours=3)
    with pytest.raises(PermanentError) as caught:
        public(lazada_sandbox, clock=lambda: late).tokens_from_code(code="x", shop_id="")
    assert caught.value.code == "InvalidTimestamp"


def test_orders_updated_pages_by_offset_and_fetch_joins_the_lines(lazada_sandbox):
    ((item, sku),) = products(lazada_sandbox, 1, stock=1000)
    placed = [lazada_sandbox.place_order(SELLER, [(item, sku, 1 + n % 2)]) for n in range(230)]
    adapter = connect(lazada_sandbox)
    now = datetime.now(tz=UTC)
    refs = list(
        adapter.orders_updated(since=now - timedelta(hours=1), until=now + timedelta(seconds=5))
    )
    assert sorted(int(r.external_id) for r in refs) == sorted(placed)
    assert {r.status for r in refs} == {"pending"}
    assert lazada_sandbox.call_count("/orders/get") == 3
    listed = [p for path, p in lazada_sandbox.calls if path == "/orders/get"]
    assert [p["offset"] for p in listed] == ["0", "100", "200"]
    assert {(p["sort_by"], p["sort_direction"], p["limit"]) for p in listed} == {
        ("updated_at", "ASC", "100")
    }
    raws = adapter.fetch_orders(external_ids=[r.external_id for r in refs])
    assert lazada_sandbox.call_count("/orders/items/get") == 5  # 230 / 50
    assert lazada_sandbox.call_count("/order/get") == 0  # headers came with the list
    assert len(raws) == 230
    data = adapter.parse_order(raws[1])
    assert data.external_id == str(placed[1])
    assert [(i.item_id, i.model_id, i.quantity) for i in data.items] == [(str(item), str(sku), 2)]
    assert data.total == Decimal("2000")


def test_a_pushed_order_costs_one_header_call(lazada_sandbox):
    ((item, sku),) = products(lazada_sandbox, 1)
    order_id = lazada_sandbox.place_order(SELLER, [(item, sku, 1)])
    adapter = connect(lazada_sandbox)
    raws = adapter.fetch_orders(external_ids=[str(order_id), "999"])
    assert [r["order_id"] for r in raws] == [order_id]
    assert lazada_sandbox.call_count("/order/get") == 1


def test_pushed_orders_get_their_headers_from_one_listing(lazada_sandbox):
    ((item, sku),) = products(lazada_sandbox, 1, stock=1000)
    old = lazada_sandbox.place_order(SELLER, [(item, sku, 1)], created=lazada_sandbox.now() - 7200)
    lazada_sandbox.orders[old].updated -= 7200  # its header says two hours ago, its line now
    lazada_sandbox.advance(5)
    burst = [lazada_sandbox.place_order(SELLER, [(item, sku, 1)]) for _ in range(60)]
    adapter = connect(lazada_sandbox)
    lazada_sandbox.reset_calls()
    raws = adapter.fetch_orders(external_ids=[str(i) for i in burst])
    assert [r["order_id"] for r in raws] == burst
    assert lazada_sandbox.call_counts() == {"/orders/items/get": 2, "/orders/get": 1}
    listed = next(p for path, p in lazada_sandbox.calls if path == "/orders/get")
    assert listed["update_after"] < raws[0]["updated_at"]
    # a header older than its lines is not in the listing: /order/get for that one
    lazada_sandbox.reset_calls()
    olds = [old, *burst[:2]]
    raws = adapter.fetch_orders(external_ids=[str(i) for i in olds])
    assert [r["order_id"] for r in raws] == olds
    assert lazada_sandbox.call_counts() == {
        "/orders/items/get": 1,
        "/orders/get": 1,
        "/order/get": 1,
    }


def test_order_list_errors(lazada_sandbox):
    adapter = connect(lazada_sandbox)
    with pytest.raises(PermanentError) as caught:
        adapter.call("GET", "/orders/get", {"limit": 10})
    assert caught.value.code == "MissingParameter"
    with pytest.raises(PermanentError) as caught:
        adapter.call("GET", "/orders/get", {"update_after": "2026-12-01 10:00"})
    assert caught.value.code == "E017"
    with pytest.raises(PermanentError) as caught:
        adapter.call(
            "GET", "/orders/get", {"update_after": "2026-12-01T10:00:00+07:00", "limit": 101}
        )
    assert caught.value.code == "E019"
    with pytest.raises(PermanentError) as caught:
        adapter.call("GET", "/orders/items/get", {"order_ids": str(list(range(1, 52)))})
    assert caught.value.code == "E019"


def test_listings_page_by_50(lazada_sandbox):
    made = products(lazada_sandbox, 120, stock=7)
    adapter = connect(lazada_sandbox)
    rows = list(adapter.listings())
    assert [(int(r.item_id), int(r.model_id)) for r in rows] == made
    assert {(r.stock, r.active, r.promotion_reserve) for r in rows} == {(7, True, 0)}
    assert rows[3].seller_sku == "SKU-3"
    assert rows[3].price == Decimal("1003")
    assert lazada_sandbox.call_count("/products/get") == 3
    assert {p["limit"] for path, p in lazada_sandbox.calls if path == "/products/get"} == {"50"}


def test_push_stock_in_calls_of_50_skus(lazada_sandbox):
    made = products(lazada_sandbox, 60)
    adapter = connect(lazada_sandbox)
    updates = [StockUpdate(str(i), str(s), 20 + n) for n, (i, s) in enumerate(made)]
    results = adapter.push_stock(updates=updates)
    assert results == [UpdateResult(str(i), str(s), True) for i, s in made]
    assert [lazada_sandbox.sellable(i, s) for i, s in made] == [20 + n for n in range(60)]
    assert lazada_sandbox.call_count("/product/stock/sellable/update") == 2


def test_more_than_50_skus_in_one_call_is_e204(lazada_sandbox):
    made = products(lazada_sandbox, 51)
    adapter = connect(lazada_sandbox)
    from channels_sync.adapters.lazada_protocol import sku_xml

    payload = sku_xml([{"ItemId": i, "SkuId": s, "SellableQuantity": 1} for i, s in made])
    with pytest.raises(PermanentError) as caught:
        adapter.call("POST", "/product/stock/sellable/update", {"payload": payload})
    assert caught.value.code == "E204"
    assert [lazada_sandbox.sellable(i, s) for i, s in made] == [10] * 51


def test_a_campaign_lock_is_reported_as_the_floor_and_the_others_are_kept(lazada_sandbox):
    (a, sa), (b, sb_) = products(lazada_sandbox, 2)
    lazada_sandbox.set_campaign_lock(a, sa, 5)
    lazada_sandbox.configure(partial_apply=False)  # the refused call changes nothing
    adapter = connect(lazada_sandbox)
    results = adapter.push_stock(
        updates=[StockUpdate(str(a), str(sa), 3), StockUpdate(str(b), str(sb_), 8)]
    )
    assert results == [
        UpdateResult(
            str(a),
            str(sa),
            False,
            "promotion_floor",
            "SellableQuantity 3 is lower than the campaign locked quantity 5",
            5,
        ),
        UpdateResult(str(b), str(sb_), True),
    ]
    assert (lazada_sandbox.sellable(a, sa), lazada_sandbox.sellable(b, sb_)) == (10, 8)
    assert lazada_sandbox.call_count("/product/stock/sellable/update") == 2  # resent without a


def test_adjust_stock_is_a_delta_and_per_warehouse(lazada_sandbox):
    item, skus = lazada_sandbox.add_product(
        SELLER, "Multi", [{"seller_sku": "MW", "price": 1, "stock": {"dropshipping": 4, "WH2": 6}}]
    )
    adapter = connect(lazada_sandbox)
    assert adapter.adjust_stock(updates=[StockUpdate(str(item), str(skus[0]), -3, "WH2")]) == [
        UpdateResult(str(item), str(skus[0]), True)
    ]
    assert lazada_sandbox.sellable(item, skus[0], "WH2") == 3
    assert lazada_sandbox.sellable(item, skus[0], "dropshipping") == 4
    refused = adapter.adjust_stock(updates=[StockUpdate(str(item), str(skus[0]), -9, "WH2")])
    assert [(r.ok, r.code) for r in refused] == [(False, "push_refused")]
    assert lazada_sandbox.sellable(item, skus[0], "WH2") == 3


def test_push_prices(lazada_sandbox):
    (item, sku), (other, osku) = products(lazada_sandbox, 2)
    adapter = connect(lazada_sandbox)
    results = adapter.push_prices(
        updates=[
            PriceUpdate(str(item), str(sku), Decimal("259000")),
            PriceUpdate("1", "2", Decimal(5)),
        ]
    )
    assert results == [
        UpdateResult(str(item), str(sku), True),
        UpdateResult("1", "2", False, "push_refused", "SKU not found or bad price"),
    ]
    assert lazada_sandbox.price(item, sku) == Decimal("259000")
    assert lazada_sandbox.price(other, osku) == Decimal("1001")


def test_api_call_limit_is_waited_out(lazada_sandbox):
    lazada_sandbox.configure(qps_per_api=2)
    adapter = connect(lazada_sandbox)
    started = time.monotonic()
    for _ in range(3):
        adapter.shop_info()
    assert time.monotonic() - started >= 1.0
    assert adapter.calls == 4  # the third was banned once, then went through
    time.sleep(1.1)  # the window of the calls before
    impatient = connect(lazada_sandbox, max_wait=0.5)
    impatient.shop_info()
    impatient.shop_info()
    with pytest.raises(RateLimited) as caught:
        impatient.shop_info()
    assert caught.value.code == "ApiCallLimit"
