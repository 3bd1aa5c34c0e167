"""The TikTok sandbox itself, driven with raw signed HTTP (no adapter): signature and
timestamp rules, documented error bodies, page tokens, batch limits, the per-API 50 QPS limit,
inventory rules, the consent page, the control API, and webhooks with the documented retry
schedule (compressed) and the duplicate switch."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from channels_sync.adapters.tiktok_protocol import tiktok_sign
from channels_sync.sandbox.tiktok import TikTokSandbox
from channels_sync.sandbox.tiktok_webhooks import RETRY_DELAYS, webhook_signature

KEY, SECRET, SHOP = "app1", "secret1", "7494049642642441621"


@pytest.fixture
def sandbox() -> Iterator[TikTokSandbox]:
    sb = TikTokSandbox(retry_scale=0.0001)
    sb.add_app(KEY, SECRET, "http://127.0.0.1:9/back")
    sb.add_shop(SHOP, "Shop", "VN")
    sb.start()
    try:
        yield sb
    finally:
        sb.stop()


def token(sb: TikTokSandbox) -> str:
    code = sb.authorize(KEY, [SHOP])
    answer = requests.get(
        f"{sb.base_url}/api/v2/token/get",
        params={
            "app_key": KEY,
            "app_secret": SECRET,
            "auth_code": code,
            "grant_type": "authorized_code",
        },
        timeout=5,
    ).json()
    return answer["data"]["access_token"]


def call(sb, method, path, *, access="", params=None, body=None, ts=None, shop=True, fix=None):
    query = {"app_key": KEY, "timestamp": str(int(sb.now()) if ts is None else ts)}
    if shop:
        query["shop_cipher"] = sb.shops[SHOP].cipher
    query.update({k: str(v) for k, v in (params or {}).items()})
    raw = json.dumps(body).encode() if body is not None else b""
    query["sign"] = tiktok_sign(SECRET, path, query, raw)
    if fix:
        fix(query)
    answer = requests.request(
        method,
        f"{sb.base_url}{path}?{urlencode(query)}",
        data=raw or None,
        headers={"x-tts-access-token": access, "content-type": "application/json"},
        timeout=5,
    )
    return answer.status_code, answer.json()


def shirt(sb, count=1, **sku):
    specs = [{"seller_sku": f"S{n}", "price": "1000", "stock": 50, **sku} for n in range(count)]
    return sb.add_product(SHOP, "Áo thun cotton cơ bản", specs)


def test_signature_rules(sandbox):
    access = token(sandbox)
    path = "/product/202309/products/search"
    ok = call(sandbox, "POST", path, access=access, params={"page_size": 5}, body={})
    assert ok[0] == 200
    assert (ok[1]["code"], ok[1]["message"], ok[1]["data"]["total_count"]) == (0, "Success", 0)
    upper = call(
        sandbox,
        "POST",
        path,
        access=access,
        params={"page_size": 5},
        body={},
        fix=lambda q: q.update(sign=q["sign"].upper()),
    )
    assert (upper[0], upper[1]["code"], upper[1]["message"]) == (401, 106001, "Invalid sign.")
    body_changed = call(
        sandbox,
        "POST",
        path,
        access=access,
        params={"page_size": 5},
        body={},
        fix=lambda q: q.update(page_size="6"),
    )
    assert body_changed[1]["code"] == 106001
    future = call(
        sandbox,
        "POST",
        path,
        access=access,
        params={"page_size": 5},
        body={},
        ts=int(sandbox.now()) + 90,  # past the 30 s allowed ahead, whatever the machine load
    )
    assert (future[0], future[1]["code"]) == (401, 36009004)
    past = call(
        sandbox,
        "POST",
        path,
        access=access,
        params={"page_size": 5},
        body={},
        ts=int(sandbox.now()) - 301,
    )
    assert past[1]["code"] == 36009004
    no_token = call(sandbox, "POST", path, params={"page_size": 5}, body={})
    assert (no_token[0], no_token[1]["code"]) == (401, 36009004)
    no_cipher = call(
        sandbox, "POST", path, access=access, params={"page_size": 5}, body={}, shop=False
    )
    assert (no_cipher[0], no_cipher[1]["code"]) == (400, 106013)
    assert set(no_cipher[1]) == {"code", "message", "request_id"}


def test_auth_code_is_single_use_and_dies_after_30_minutes(sandbox):
    code = sandbox.authorize(KEY, [SHOP])
    sandbox.advance(30 * 60 + 1)
    answer = requests.get(
        f"{sandbox.base_url}/api/v2/token/get",
        params={
            "app_key": KEY,
            "app_secret": SECRET,
            "auth_code": code,
            "grant_type": "authorized_code",
        },
        timeout=5,
    ).json()
    assert (answer["code"], answer["message"]) == (36004005, "can not find related auth record")


def test_consent_page_form(sandbox):
    url = f"{sandbox.base_url}/oauth/authorize?app_key={KEY}&state=s1"
    page = requests.get(url, timeout=5)
    assert page.status_code == 200
    assert f'value="{SHOP}"' in page.text
    answer = requests.post(url, data={"shop_id": SHOP}, allow_redirects=False, timeout=5)
    back = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert answer.headers["Location"].startswith("http://127.0.0.1:9/back?")
    assert back["state"] == ["s1"]
    assert back["code"][0] in sandbox.codes
    denied = requests.post(url, data={}, allow_redirects=False, timeout=5)
    assert parse_qs(urlsplit(denied.headers["Location"]).query) == {
        "code": ["null"],
        "error": ["auth_denied"],
        "state": ["s1"],
    }


def test_page_tokens_are_opaque_and_bound_to_their_search(sandbox):
    access = token(sandbox)
    product_id, skus = shirt(sandbox)
    for _ in range(3):
        sandbox.place_order(SHOP, [(product_id, skus[0], 1)])
    path = "/order/202309/orders/search"
    first = call(sandbox, "POST", path, access=access, params={"page_size": 2}, body={})[1]["data"]
    assert (len(first["orders"]), first["total_count"]) == (2, 3)
    next_token = first["next_page_token"]
    assert len(next_token) >= 16
    assert not next_token.isdigit()
    second = call(
        sandbox,
        "POST",
        path,
        access=access,
        params={"page_size": 2, "page_token": next_token},
        body={},
    )[1]["data"]
    assert (len(second["orders"]), second["next_page_token"]) == (1, "")
    other = call(
        sandbox,
        "POST",
        path,
        access=access,
        params={"page_size": 2, "page_token": next_token},
        body={"order_status": "UNPAID"},
    )
    assert (other[0], other[1]["code"]) == (400, 40006)


def test_batch_limits(sandbox):
    access = token(sandbox)
    big = call(
        sandbox,
        "POST",
        "/order/202309/orders/search",
        access=access,
        params={"page_size": 101},
        body={},
    )
    assert (big[0], big[1]["code"]) == (400, 40006)
    ids = ",".join(str(n) for n in range(51))
    many = call(sandbox, "GET", "/order/202309/orders", access=access, params={"ids": ids})
    assert (many[0], many[1]["code"]) == (400, 40006)
    product_id, skus = shirt(sandbox, 101)
    body = {
        "skus": [
            {
                "id": s,
                "inventory": [{"warehouse_id": sandbox.shops[SHOP].warehouses[0], "quantity": 1}],
            }
            for s in skus
        ]
    }
    status, answer = call(
        sandbox,
        "POST",
        f"/product/202309/products/{product_id}/inventory/update",
        access=access,
        body=body,
    )
    assert (status, answer["code"]) == (200, 12052050)
    assert sandbox.sku_stock(product_id, skus[0]) == 50


def test_inventory_rules(sandbox):
    access = token(sandbox)
    sandbox.configure(allow_zero_quantity=False)
    product_id, (a, b, c) = shirt(sandbox, 3)
    warehouse = sandbox.shops[SHOP].warehouses[0]
    body = {
        "skus": [
            {"id": a, "inventory": [{"warehouse_id": warehouse, "quantity": 100_000}]},
            {"id": b, "inventory": [{"warehouse_id": "OTHER", "quantity": 3}]},
            {"id": c, "inventory": [{"warehouse_id": warehouse, "quantity": 0}]},
        ]
    }
    path = f"/product/202309/products/{product_id}/inventory/update"
    status, answer = call(sandbox, "POST", path, access=access, body=body)
    assert (status, answer["code"]) == (200, 0)
    assert [(e["code"], e["detail"]["sku_id"]) for e in answer["data"]["errors"]] == [
        (12052055, a),
        (12052037, b),
        (12052055, c),
    ]
    assert [sandbox.sku_stock(product_id, s) for s in (a, b, c)] == [50, 50, 50]


def test_rate_limit_is_per_api(sandbox):
    access = token(sandbox)
    sandbox.configure(qps=2)
    path = "/product/202309/products/search"
    answers = [
        call(sandbox, "POST", path, access=access, params={"page_size": 1}, body={})
        for _ in range(3)
    ]
    assert [a[0] for a in answers] == [200, 200, 429]
    assert (answers[2][1]["code"], answers[2][1]["message"]) == (36009002, "Too many requests.")
    other = call(
        sandbox,
        "POST",
        "/order/202309/orders/search",
        access=access,
        params={"page_size": 1},
        body={},
    )
    assert other[0] == 200
    time.sleep(1.05)
    assert call(sandbox, "POST", path, access=access, params={"page_size": 1}, body={})[0] == 200


def test_control_api(sandbox):
    base = f"{sandbox.base_url}/_sandbox"
    made = requests.post(
        f"{base}/add_product",
        json={
            "shop_id": SHOP,
            "title": "Mug",
            "skus": [{"seller_sku": "MUG", "price": "99000", "stock": 4}],
        },
        timeout=5,
    ).json()
    product_id, (sku_id,) = made["result"]
    order = requests.post(
        f"{base}/place_order", json={"shop_id": SHOP, "lines": [[product_id, sku_id, 3]]}, timeout=5
    ).json()
    assert order["ok"] is True
    assert sandbox.sku_stock(product_id, sku_id) == 1
    state = requests.get(f"{base}/state", timeout=5).json()
    assert state["orders"] == [
        {"id": order["result"], "shop_id": SHOP, "status": "AWAITING_SHIPMENT"}
    ]
    short = requests.post(
        f"{base}/place_order", json={"shop_id": SHOP, "lines": [[product_id, sku_id, 2]]}, timeout=5
    )
    assert (short.status_code, short.json()["ok"]) == (400, False)
    assert requests.post(f"{base}/drop_tables", json={}, timeout=5).status_code == 400
    cancel = requests.post(
        f"{base}/set_order_status",
        json={"order_id": order["result"], "status": "CANCELLED"},
        timeout=5,
    )
    assert cancel.json() == {"ok": True, "result": None}
    assert sandbox.sku_stock(product_id, sku_id) == 4


class Receiver:
    """A local webhook receiver answering the given statuses in turn (then 200)."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses, self.seen = list(statuses), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                return

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.seen.append((time.monotonic(), body, self.headers["Authorization"]))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/tiktok"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_webhooks_are_signed_and_retried_on_the_documented_schedule(sandbox):
    receiver = Receiver([500, 401, 500])
    try:
        sandbox.configure(webhook_url=receiver.url)
        sandbox.authorize(KEY, [SHOP])
        product_id, skus = shirt(sandbox)
        order_id = sandbox.place_order(SHOP, [(product_id, skus[0], 1)])
        assert sandbox.flush_webhooks(10, retries=True)
    finally:
        receiver.close()
    assert [d.attempt for d in sandbox.deliveries] == [0, 1, 2, 3]
    assert [d.status for d in sandbox.deliveries] == [500, 401, 500, 200]
    times = [t for t, _b, _s in receiver.seen]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    for gap, delay in zip(gaps, RETRY_DELAYS, strict=False):
        assert gap >= delay * 0.0001
    body = receiver.seen[0][1]
    assert {b for _t, b, _s in receiver.seen} == {body}
    assert {s for _t, _b, s in receiver.seen} == {webhook_signature(KEY, SECRET, body)}
    envelope = json.loads(body)
    assert (envelope["type"], envelope["shop_id"], envelope["data"]["order_id"]) == (
        1,
        SHOP,
        order_id,
    )
    assert envelope["data"]["order_status"] == "AWAITING_SHIPMENT"


def test_a_webhook_nobody_accepts_is_dropped_after_four_retries(sandbox):
    sandbox.configure(webhook_url="http://127.0.0.1:9/nothing")
    sandbox.authorize(KEY, [SHOP])
    sandbox.warn_expiry(SHOP)
    assert sandbox.flush_webhooks(15, retries=True)
    assert [d.attempt for d in sandbox.deliveries] == [0, 1, 2, 3, 4]
    assert len(sandbox.sender.dropped) == 1


def test_duplicate_switch_and_cancel_spelling(sandbox):
    receiver = Receiver([])
    try:
        sandbox.configure(webhook_url=receiver.url, webhook_duplicate=True)
        sandbox.authorize(KEY, [SHOP])
        product_id, skus = shirt(sandbox)
        order_id = sandbox.place_order(SHOP, [(product_id, skus[0], 1)])
        sandbox.set_order_status(order_id, "CANCELLED")
        assert sandbox.flush_webhooks(10)
    finally:
        receiver.close()
    statuses = [json.loads(b)["data"]["order_status"] for _t, b, _s in receiver.seen]
    assert statuses == ["AWAITING_SHIPMENT", "AWAITING_SHIPMENT", "CANCEL", "CANCEL"]
    assert sandbox.order_status(order_id) == "CANCELLED"


def test_package_and_inventory_webhooks(sandbox):
    access = token(sandbox)
    receiver = Receiver([])
    try:
        sandbox.configure(webhook_url=receiver.url)
        product_id, (sku_id,) = shirt(sandbox)
        order_id = sandbox.place_order(SHOP, [(product_id, sku_id, 1)])
        sandbox.set_order_status(order_id, "IN_TRANSIT")
        warehouse = sandbox.shops[SHOP].warehouses[0]
        body = {"skus": [{"id": sku_id, "inventory": [{"warehouse_id": warehouse, "quantity": 0}]}]}
        path = f"/product/202309/products/{product_id}/inventory/update"
        assert call(sandbox, "POST", path, access=access, body=body)[1]["code"] == 0
        assert sandbox.flush_webhooks(10)
    finally:
        receiver.close()
    sent = [json.loads(b) for _t, b, _s in receiver.seen]
    assert [e["type"] for e in sent] == [1, 1, 4, 27]
    assert sent[2]["data"]["package_list"] == [
        {"package_id": f"P{order_id}", "order_id_list": [order_id]}
    ]
    assert sent[3]["data"]["current_inventory_status"] == "OUT_OF_STOCK"
    assert sent[3]["data"]["sku_id"] == sku_id
