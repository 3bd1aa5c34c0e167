"""The Lazada sandbox on its own: the push retry schedule (compressed), one push per order line,
duplicates, the signature of its pushes, the control API and the token lifetimes."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from channels_sync.adapters.lazada_protocol import push_signature
from channels_sync.sandbox.lazada import LazadaSandbox

KEY, SECRET, SELLER = "123456", "helloworld", 1234567


class Receiver:
    """A local push receiver answering `statuses` in turn (then 200), after `delay` seconds."""

    def __init__(self, statuses: list[int], delay: float = 0.0) -> None:
        self.statuses, self.delay, self.seen = list(statuses), delay, []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # type: ignore[no-untyped-def]
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.seen.append((time.monotonic(), body, self.headers["Authorization"]))
                time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/lazada"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sandbox():
    sb = LazadaSandbox(push_retry_interval=0.3, push_retry_count=3)
    sb.add_app(KEY, SECRET)
    sb.add_seller(SELLER, "Shop", "VN")
    sb.start()
    yield sb
    sb.stop()


def test_a_failed_push_is_retried_on_the_schedule_then_given_up(sandbox):
    receiver = Receiver([500, 500, 500, 500])
    sandbox.configure(callback_url=receiver.url)
    try:
        item, skus = sandbox.add_product(SELLER, "P", [{"seller_sku": "A", "price": 1, "stock": 5}])
        sandbox.place_order(SELLER, [(item, skus[0], 1)])
        assert sandbox.flush_pushes(10)
    finally:
        receiver.stop()
    assert [d.attempt for d in sandbox.deliveries] == [0, 1, 2, 3]  # 1 + 3 retries
    gaps = [b[0] - a[0] for a, b in zip(receiver.seen, receiver.seen[1:], strict=False)]
    assert min(gaps) >= 0.3
    assert len(sandbox.given_up) == 1


def test_a_slow_ack_counts_as_failed_and_is_sent_again(sandbox):
    receiver = Receiver([], delay=0.6)
    sandbox.configure(callback_url=receiver.url)
    try:
        sandbox.warn_expiry(SELLER)
        time.sleep(0.8)
        receiver.delay = 0.0
        assert sandbox.flush_pushes(10)
    finally:
        receiver.stop()
    assert [(d.attempt, d.ok) for d in sandbox.deliveries] == [(0, False), (1, True)]


def test_one_signed_push_per_order_line_and_duplicates(sandbox):
    receiver = Receiver([])
    sandbox.configure(callback_url=receiver.url, push_duplicates=2)
    try:
        item, skus = sandbox.add_product(SELLER, "P", [{"seller_sku": "A", "price": 1, "stock": 5}])
        order_id = sandbox.place_order(SELLER, [(item, skus[0], 2)])
        assert sandbox.flush_pushes(10)
    finally:
        receiver.stop()
    lines = sorted(str(x) for x in sandbox.line_ids(order_id))
    bodies = [json.loads(body) for _t, body, _s in receiver.seen]
    assert sorted(b["data"]["trade_order_line_id"] for b in bodies) == sorted(lines * 2)
    assert {b["data"]["trade_order_id"] for b in bodies} == {str(order_id)}
    assert {(b["message_type"], b["seller_id"], b["site"]) for b in bodies} == {
        (0, str(SELLER), "lazada_vn")
    }
    assert all(sig == push_signature(SECRET, KEY, body) for _t, body, sig in receiver.seen)
    assert sandbox.sellable(item, skus[0]) == 3


def test_control_api_places_orders_and_moves_lines(sandbox):
    base = f"{sandbox.origin}/_sandbox"
    made = requests.post(
        f"{base}/add_product",
        json={
            "seller_id": SELLER,
            "name": "P",
            "skus": [{"seller_sku": "A", "price": 9, "stock": 2}],
        },
        timeout=5,
    ).json()
    order = requests.post(
        f"{base}/place_order",
        json={
            "orders": [
                {"seller_id": SELLER, "lines": [[made["item_id"], made["sku_ids"][0], 2]]},
                {"seller_id": SELLER, "lines": [[made["item_id"], made["sku_ids"][0], 1]]},
            ]
        },
        timeout=5,
    ).json()
    assert len(order["order_ids"]) == 1
    assert order["failed"] == [
        {"index": 1, "error": f"not enough stock for {made['item_id']}/{made['sku_ids'][0]}"}
    ]
    order_id = order["order_ids"][0]
    first = sandbox.line_ids(order_id)[0]
    moved = requests.post(
        f"{base}/set_status",
        json={"order_id": order_id, "status": "canceled", "line_ids": [first]},
        timeout=5,
    )
    assert moved.json() == {"ok": True}
    listed = requests.get(f"{base}/orders", params={"seller_id": SELLER}, timeout=5).json()
    assert listed["orders"][0]["statuses"] == ["canceled", "pending"]
    stock = requests.get(
        f"{base}/stock",
        params={"item_id": made["item_id"], "sku_id": made["sku_ids"][0]},
        timeout=5,
    ).json()
    assert stock == {"ok": True, "sellable": 1, "price": "9"}
    bad = requests.post(
        f"{base}/set_status", json={"order_id": order_id, "status": "nope"}, timeout=5
    )
    assert (bad.status_code, bad.json()["ok"]) == (400, False)


def test_control_api_lists_products_with_their_sellable_stock(sandbox):
    item, skus = sandbox.add_product(
        SELLER, "Bình", [{"seller_sku": "B-1", "price": 99000, "stock": {"wh1": 2, "wh2": 3}}]
    )
    sandbox.add_seller(SELLER + 1, "Other", "TH")
    sandbox.add_product(SELLER + 1, "Khác", [{"seller_sku": "X", "price": 1, "stock": 1}])
    base = f"{sandbox.origin}/_sandbox"
    listed = requests.get(f"{base}/products", params={"seller_id": SELLER}, timeout=5).json()
    assert listed == {
        "ok": True,
        "products": [
            {
                "item_id": item,
                "seller_id": SELLER,
                "name": "Bình",
                "status": "Active",
                "skus": [{"sku_id": skus[0], "seller_sku": "B-1", "sellable": 5, "price": "99000"}],
            }
        ],
    }
