"""The Shopee sandbox over real HTTP: catalogue, warehouses, logistics, pushes, control API, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from channels_sync.sandbox.shopee import ShopeeSandbox
from tests.channels_sync.conftest import SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY
from tests.channels_sync.sandbox.shopee_client import SHOP_ID, Client, Receiver, sign

DAY = 86400


@pytest.fixture
def connected(shopee_sandbox: ShopeeSandbox) -> Client:
    shopee_sandbox.add_shop(SHOP_ID, "Demo", "TH")
    client = Client(shopee_sandbox)
    client.connect()
    return client


def test_get_shop_info(connected: Client) -> None:
    data = connected.shop("/api/v2/shop/get_shop_info").json()
    link = connected.sandbox.links[(SHOPEE_PARTNER_ID, SHOP_ID)]
    assert (data["shop_name"], data["region"], data["status"]) == ("Demo", "TH", "NORMAL")
    assert data["expire_time"] == link.auth_time + 365 * DAY == link.expire_time
    assert data["response"]["shop_name"] == "Demo"


def test_malformed_orders(connected: Client) -> None:
    sandbox = connected.sandbox
    item_id, (model_id,) = sandbox.add_item(SHOP_ID, "MUG", "Mug", price=99000, stock=9)
    missing = sandbox.malformed_order(SHOP_ID, [(item_id, model_id, 1)])
    bad = sandbox.malformed_order(SHOP_ID, [(item_id, model_id, 1)], defect="bad_price")
    answer = connected.shop(
        "/api/v2/order/get_order_detail",
        {"order_sn_list": f"{missing},{bad}", "response_optional_fields": "item_list,total_amount"},
    ).json()["response"]["order_list"]
    assert "model_quantity_purchased" not in answer[0]["item_list"][0]
    assert answer[1]["item_list"][0]["model_discounted_price"] == "12x.5"
    assert answer[1]["total_amount"] == "n/a"


# -- stock ------------------------------------------------------------------------------------


def test_expire_access_token_helper(connected: Client) -> None:
    connected.sandbox.expire_access_token(SHOP_ID)
    assert connected.shop("/api/v2/shop/get_shop_info").json()["error"] == "invalid_access_token"


def test_item_list_paging_status_filter_and_base_info(connected: Client) -> None:
    sandbox = connected.sandbox
    ids = [
        sandbox.add_item(SHOP_ID, f"SKU{i}", f"Item {i}", price=100 + i, stock=i)[0]
        for i in range(5)
    ]
    hidden = sandbox.add_item(SHOP_ID, "OLD", "Old", price=1, stock=0, status="UNLIST")[0]
    path = "/api/v2/product/get_item_list"
    page = connected.shop(path, [("offset", 0), ("page_size", 3), ("item_status", "NORMAL")])
    data = page.json()["response"]
    assert [x["item_id"] for x in data["item"]] == ids[:3]
    assert (data["total_count"], data["has_next_page"], data["next_offset"]) == (5, True, 3)
    both = connected.shop(
        path,
        [("offset", 3), ("page_size", 100), ("item_status", "NORMAL"), ("item_status", "UNLIST")],
    ).json()["response"]
    assert [x["item_id"] for x in both["item"]] == [*ids[3:], hidden]
    assert (both["has_next_page"], both["next_offset"]) == (False, 0)
    info = connected.shop(
        "/api/v2/product/get_item_base_info", {"item_id_list": f"{ids[2]},{ids[4]}"}
    ).json()["response"]["item_list"]
    assert [x["item_sku"] for x in info] == ["SKU2", "SKU4"]
    assert info[0]["has_model"] is False
    assert info[0]["price_info"] == [
        {"currency": "THB", "original_price": 102, "current_price": 102}
    ]
    assert info[0]["stock_info_v2"] == {
        "summary_info": {"total_reserved_stock": 0, "total_available_stock": 2},
        "seller_stock": [{"stock": 2}],
        "shopee_stock": [],
    }
    many = connected.shop(
        "/api/v2/product/get_item_base_info",
        {"item_id_list": ",".join(str(i) for i in range(1, 52))},
    )
    assert many.json()["error"] == "error_param"


def test_model_list_and_update_price(connected: Client) -> None:
    sandbox = connected.sandbox
    item_id, (small, large) = sandbox.add_item(
        SHOP_ID,
        "TEE",
        "Tee",
        [
            {"model_sku": "TEE-S", "price": 250, "stock": 4},
            {"model_sku": "TEE-L", "price": 260, "stock": 6, "reserved_promotion_stock": 2},
        ],
    )
    data = connected.shop("/api/v2/product/get_model_list", {"item_id": item_id}).json()
    models = data["response"]["model"]
    assert [(m["model_id"], m["model_sku"]) for m in models] == [(small, "TEE-S"), (large, "TEE-L")]
    assert models[1]["stock_info_v2"]["summary_info"] == {
        "total_reserved_stock": 2,
        "total_available_stock": 6,
    }
    answer = connected.shop(
        "/api/v2/product/update_price",
        body={
            "item_id": item_id,
            "price_list": [
                {"model_id": small, "original_price": 199},
                {"model_id": 1, "original_price": 5},
            ],
        },
    )
    result = answer.json()["response"]
    assert result["success_list"] == [{"model_id": small, "original_price": 199}]
    assert result["failure_list"] == [{"model_id": 1, "failed_reason": "Model is not found."}]
    assert (sandbox.item_price(item_id, small), sandbox.item_price(item_id, large)) == (199, 260)


def test_update_stock_batch_limit_and_unknown_item(connected: Client) -> None:
    sandbox = connected.sandbox
    item_id, _ = sandbox.add_item(SHOP_ID, "MUG", "Mug", price=99, stock=5)
    too_many = [{"model_id": 0, "seller_stock": [{"stock": 1}]}] * 51
    answer = connected.shop(
        "/api/v2/product/update_stock", body={"item_id": item_id, "stock_list": too_many}
    )
    assert answer.json()["error"] == "error_param"
    unknown = connected.shop(
        "/api/v2/product/update_stock",
        body={"item_id": 1, "stock_list": [{"model_id": 0, "seller_stock": [{"stock": 1}]}]},
    )
    assert unknown.json()["error"] == "error_item_not_found"
    located = connected.shop(
        "/api/v2/product/update_stock",
        body={
            "item_id": item_id,
            "stock_list": [{"model_id": 0, "seller_stock": [{"location_id": "THZ", "stock": 1}]}],
        },
    ).json()["response"]
    assert located["success_list"] == []
    assert sandbox.item_stock(item_id) == 5


def test_warehouses(shopee_sandbox: ShopeeSandbox) -> None:
    shopee_sandbox.add_shop(SHOP_ID, "Single", "VN")
    shopee_sandbox.add_shop(42, "Multi", "VN", warehouses=["VNZ", "VNN"])
    single = Client(shopee_sandbox)
    single.connect(SHOP_ID)
    refused = single.shop("/api/v2/shop/get_warehouse_detail")
    assert (refused.status_code, refused.json()["error"]) == (
        400,
        "warehouse.error_not_in_whitelist",
    )
    multi = Client(shopee_sandbox)
    multi.connect(42)
    listed = multi.shop("/api/v2/shop/get_warehouse_detail").json()["response"]
    assert [w["location_id"] for w in listed] == ["VNZ", "VNN"]
    item_id, (model_id,) = shopee_sandbox.add_item(
        42, "MUG", "Mug", price=99000, stock={"VNZ": 5, "VNN": 2}
    )
    answer = multi.shop(
        "/api/v2/product/update_stock",
        body={
            "item_id": item_id,
            "stock_list": [{"model_id": 0, "seller_stock": [{"location_id": "VNN", "stock": 9}]}],
        },
    ).json()
    assert answer["response"]["success_list"] == [{"model_id": 0, "location_id": "VNN", "stock": 9}]
    assert (
        shopee_sandbox.item_stock(item_id, 0, "VNZ"),
        shopee_sandbox.item_stock(item_id, 0, "VNN"),
    ) == (5, 9)
    no_location = multi.shop(
        "/api/v2/product/update_stock",
        body={"item_id": item_id, "stock_list": [{"model_id": 0, "seller_stock": [{"stock": 1}]}]},
    ).json()["response"]
    assert no_location["success_list"] == []
    assert model_id == 0


def test_shipment_flow_tracking_push_and_cancel(connected: Client) -> None:
    sandbox, receiver = connected.sandbox, Receiver()
    try:
        sandbox.configure(callback_url=receiver.url)
        item_id, (model_id,) = sandbox.add_item(SHOP_ID, "MUG", "Mug", price=99, stock=5)
        ship_sn = sandbox.place_order(SHOP_ID, [(item_id, model_id, 2)])
        cancel_sn = sandbox.place_order(SHOP_ID, [(item_id, model_id, 1)])
        shipments = connected.shop("/api/v2/order/get_shipment_list", {"page_size": 10}).json()
        assert [o["order_sn"] for o in shipments["response"]["order_list"]] == [ship_sn, cancel_sn]
        params = connected.shop(
            "/api/v2/logistics/get_shipping_parameter", {"order_sn": ship_sn}
        ).json()["response"]
        assert params["info_needed"]["pickup"] == ["address_id", "pickup_time_id"]
        slot = params["pickup"]["address_list"][0]["time_slot_list"][0]["pickup_time_id"]
        shipped = connected.shop(
            "/api/v2/logistics/ship_order",
            body={"order_sn": ship_sn, "pickup": {"address_id": 1, "pickup_time_id": slot}},
        )
        assert shipped.json()["error"] == ""
        assert sandbox.order_status(ship_sn) == "PROCESSED"
        tracking = connected.shop("/api/v2/logistics/get_tracking_number", {"order_sn": ship_sn})
        assert tracking.json()["response"]["tracking_number"] == ""
        sandbox.set_tracking(ship_sn, "SPXVN0123")
        tracking = connected.shop("/api/v2/logistics/get_tracking_number", {"order_sn": ship_sn})
        assert tracking.json()["response"]["tracking_number"] == "SPXVN0123"
        cancelled = connected.shop(
            "/api/v2/order/cancel_order",
            body={"order_sn": cancel_sn, "cancel_reason": "OUT_OF_STOCK"},
        )
        assert cancelled.json()["response"] == {
            "update_time": sandbox.orders[cancel_sn].update_time
        }
        again = connected.shop(
            "/api/v2/order/cancel_order",
            body={"order_sn": ship_sn, "cancel_reason": "OUT_OF_STOCK"},
        )
        assert again.json()["error"] == "error_param"
        assert sandbox.item_stock(item_id) == 3
        assert sandbox.flush_pushes(5)
    finally:
        receiver.close()
    codes = [json.loads(raw)["code"] for _, raw in receiver.received]
    assert codes == [3, 3, 3, 4, 3]
    tracking_push = json.loads(receiver.received[3][1])
    assert tracking_push["data"]["tracking_no"] == "SPXVN0123"
    assert tracking_push["data"]["ordersn"] == ship_sn
    assert "msg_id" in tracking_push


def test_push_duplicate_and_partner_level_pushes(connected: Client) -> None:
    sandbox, receiver = connected.sandbox, Receiver()
    try:
        sandbox.configure(callback_url=receiver.url, push_duplicate=True)
        sandbox.revoke_shop(SHOP_ID)
        assert sandbox.flush_pushes(5)
    finally:
        receiver.close()
    assert len(receiver.received) == 2
    assert receiver.received[0][1] == receiver.received[1][1]
    headers, raw = receiver.received[0]
    push = json.loads(raw)
    assert (push["code"], "shop_id" in push, push["data"]["shop_id"]) == (2, False, SHOP_ID)
    assert headers["Authorization"] == sign(SHOPEE_PARTNER_KEY, receiver.url.encode() + b"|" + raw)


def test_control_api(shopee_sandbox: ShopeeSandbox) -> None:
    base = shopee_sandbox.base_url + "/_sandbox/"
    assert requests.post(
        base + "add_shop", json={"shop_id": 5, "name": "S", "region": "VN"}, timeout=10
    ).json() == {"ok": True}
    item = requests.post(
        base + "add_item",
        json={
            "shop_id": 5,
            "item_sku": "A",
            "name": "A",
            "models": [{"model_sku": "A-1", "price": 10, "stock": 3}],
        },
        timeout=10,
    ).json()
    lines = [[item["item_id"], item["model_ids"][0], 1]]
    placed = requests.post(
        base + "place_order",
        timeout=10,
        json={
            "orders": [
                {"shop_id": 5, "lines": lines},
                {"shop_id": 5, "lines": lines},
                {"shop_id": 5, "lines": [[item["item_id"], item["model_ids"][0], 5]]},
            ]
        },
    ).json()
    assert len(placed["order_sn_list"]) == 2
    assert placed["failed"][0]["index"] == 2
    stock = requests.get(
        base + "stock",
        timeout=10,
        params={"item_id": item["item_id"], "model_id": item["model_ids"][0]},
    ).json()
    assert stock == {"ok": True, "stock": 1, "price": 10}
    status = requests.post(
        base + "set_order_status",
        timeout=10,
        json={"order_sn": placed["order_sn_list"][0], "status": "COMPLETED"},
    )
    assert status.json() == {"ok": True}
    assert shopee_sandbox.order_status(placed["order_sn_list"][0]) == "COMPLETED"
    before = shopee_sandbox.now()
    moved = requests.post(base + "advance", json={"seconds": 3600}, timeout=10).json()
    assert moved["now"] - before == pytest.approx(3600, abs=5)
    configured = requests.post(
        base + "configure", timeout=10, json={"rate_limit_per_second": 5, "burst": 1}
    )
    assert configured.json() == {"ok": True}
    assert shopee_sandbox.burst == 1
    Client(shopee_sandbox).public("/api/v2/push/get_lost_push_message")
    calls = requests.get(base + "calls", timeout=10).json()
    assert calls["counts"] == {"/api/v2/push/get_lost_push_message": 1}
    bad = requests.post(base + "configure", json={"nope": 1}, timeout=10)
    assert bad.status_code == 400
    assert bad.json()["ok"] is False


def test_cli_seeds_and_serves(tmp_path: Path) -> None:
    seed = {
        "partners": [{"partner_id": SHOPEE_PARTNER_ID, "partner_key": SHOPEE_PARTNER_KEY}],
        "shops": [
            {
                "shop_id": SHOP_ID,
                "name": "Demo",
                "region": "VN",
                "items": [{"item_sku": "MUG", "name": "Mug", "price": 99000, "stock": 50}],
            }
        ],
    }
    (tmp_path / "seed.json").write_text(json.dumps(seed))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "channels_sync.sandbox.shopee",
            "--port",
            "0",
            "--seed",
            str(tmp_path / "seed.json"),
            "--order-every",
            "0.05",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        assert process.stdout.readline().startswith("placed order ")
        orders = requests.get(base_url + "/_sandbox/orders", timeout=10).json()["orders"]
        assert orders
        assert all(o["shop_id"] == SHOP_ID for o in orders)
        state = requests.get(base_url + "/_sandbox/state", timeout=10).json()
        assert state["partners"] == [SHOPEE_PARTNER_ID]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_decimal_prices_cancelled_orders_and_broken_bodies(connected: Client) -> None:
    from decimal import Decimal

    sandbox = connected.sandbox
    item_id, (model_id,) = sandbox.add_item(SHOP_ID, "MUG", "Mug", price=Decimal("99.00"), stock=4)
    assert sandbox.item_price(item_id) == 99
    sandbox.place_order(SHOP_ID, [(item_id, model_id, 3)], status="CANCELLED")
    assert sandbox.item_stock(item_id) == 4
    with pytest.raises(ValueError, match="not enough stock"):
        sandbox.place_order(SHOP_ID, [(item_id, model_id, 5)])
    assert sandbox.item_stock(item_id) == 4
    url = sandbox.base_url + "/api/v2/product/update_stock"
    broken = requests.post(url, data=b"{not json", timeout=10)
    assert (broken.status_code, broken.json()["error"]) == (400, "error_param")
    odd = connected.shop(
        "/api/v2/product/update_stock", body={"item_id": item_id, "stock_list": ["x"]}
    ).json()
    assert odd["response"]["failure_list"] == [
        {"model_id": None, "failed_reason": "Model is not found."}
    ]
