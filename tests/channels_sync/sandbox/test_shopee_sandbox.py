"""The Shopee sandbox over real HTTP: auth, signatures, orders, stock, rate limit, pushes."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from channels_sync.sandbox.shopee import ShopeeSandbox
from tests.channels_sync.conftest import SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY
from tests.channels_sync.sandbox.shopee_client import SHOP_ID, Client, Receiver, sign

DAY = 86400


@pytest.fixture
def client(shopee_sandbox: ShopeeSandbox) -> Client:
    shopee_sandbox.add_shop(SHOP_ID, "Cửa hàng Demo", "VN")
    return Client(shopee_sandbox)


@pytest.fixture
def connected(client: Client) -> Client:
    client.connect()
    return client


# -- signing vectors of the doc ---------------------------------------------------------------
def test_doc_signing_vectors() -> None:
    shop_base = (
        "2001887/api/v2/shop/get_shop_info165571443159777174636562737266615546704c6d14701711"
    )
    assert sign(SHOPEE_PARTNER_KEY, shop_base) == (
        "9fdae5aeed86e753249982ec04aa54339280f12d3f456b9e3f7d8ee91e66a2b3"
    )
    assert sign(SHOPEE_PARTNER_KEY, "2001887/api/v2/auth/token/get1655714431") == (
        "4347600f52b50a77f5ecee90bf489adf3cec2d59d3c2febe004674f37def5451"
    )
    body = (
        '{"data":{"items":[],"ordersn":"220810QSK8S7BX","status":"PROCESSED",'
        '"completed_scenario":"","update_time":1660123127},"shop_id":727720655,"code":3,'
        '"timestamp":1660123127}'
    )
    assert sign(SHOPEE_PARTNER_KEY, "https://crm.example.com/webhooks/shopee|" + body) == (
        "d53e509c38b86bc4c0a42cc7084b8b03d2c3f499ead4b4098aba77c3ec3c3195"
    )


def test_sandbox_accepts_the_doc_vectors(shopee_sandbox: ShopeeSandbox) -> None:
    # The doc's base strings at their own timestamp: signatures pass, only the token/code fail.
    shopee_sandbox.advance(1655714431 - shopee_sandbox.now())
    shopee_sandbox.add_shop(14701711, "Vector shop", "VN")
    client = Client(shopee_sandbox)
    client.shop_id = 14701711
    answer = client.shop(
        "/api/v2/shop/get_shop_info", ts=1655714431, token="59777174636562737266615546704c6d"
    )
    assert answer.url.endswith(
        "sign=9fdae5aeed86e753249982ec04aa54339280f12d3f456b9e3f7d8ee91e66a2b3"
    )
    assert answer.json()["error"] == "error_auth"  # signature accepted, token unknown
    public = client.public(
        "/api/v2/auth/token/get", {"code": "x", "shop_id": 14701711}, ts=1655714431
    )
    assert public.url.endswith(
        "sign=4347600f52b50a77f5ecee90bf489adf3cec2d59d3c2febe004674f37def5451"
    )
    assert (public.json()["error"], public.json()["message"]) == ("error_auth", "Invalid code.")


# -- authorization ----------------------------------------------------------------------------
def test_auth_page_lists_shops_and_authorize_redirects_with_code(client: Client) -> None:
    path = "/api/v2/shop/auth_partner"
    ts = int(client.sandbox.now())
    query = {
        "partner_id": SHOPEE_PARTNER_ID,
        "timestamp": ts,
        "sign": sign(SHOPEE_PARTNER_KEY, f"{SHOPEE_PARTNER_ID}{path}{ts}"),
        "redirect": "https://crm.example.com/cb?x=1",
    }
    page = requests.get(client.sandbox.base_url + path, params=query, timeout=10)
    assert page.status_code == 200
    assert "Cửa hàng Demo" in page.text
    assert f'value="{SHOP_ID}"' in page.text
    posted = requests.post(
        client.sandbox.base_url + path,
        params=query,
        timeout=10,
        data={"shop_id": str(SHOP_ID)},
        allow_redirects=False,
    )
    assert posted.status_code == 302
    assert posted.headers["Location"].startswith("https://crm.example.com/cb?x=1&code=")
    assert posted.headers["Location"].endswith(f"&shop_id={SHOP_ID}")


def test_auth_page_refuses_bad_sign_and_old_link(client: Client) -> None:
    path = "/api/v2/shop/auth_partner"
    ts = int(client.sandbox.now()) - 301
    query = {
        "partner_id": SHOPEE_PARTNER_ID,
        "timestamp": ts,
        "redirect": "https://x.test/cb",
        "sign": sign(SHOPEE_PARTNER_KEY, f"{SHOPEE_PARTNER_ID}{path}{ts}"),
    }
    old = requests.get(client.sandbox.base_url + path, params=query, timeout=10)
    assert (old.status_code, old.json()["error"]) == (400, "error_param")
    query.update(timestamp=ts + 301, sign="0" * 64)
    bad = requests.get(client.sandbox.base_url + path, params=query, timeout=10)
    assert (bad.status_code, bad.json()["error"]) == (403, "error_sign")
    assert client.sandbox.codes == {}


def test_auto_authorize_redirects_on_get(client: Client) -> None:
    client.sandbox.configure(auto_authorize_shop_id=SHOP_ID)
    path = "/api/v2/shop/auth_partner"
    ts = int(client.sandbox.now())
    query = {
        "partner_id": SHOPEE_PARTNER_ID,
        "timestamp": ts,
        "redirect": "https://x.test/cb",
        "sign": sign(SHOPEE_PARTNER_KEY, f"{SHOPEE_PARTNER_ID}{path}{ts}"),
    }
    answer = requests.get(
        client.sandbox.base_url + path, params=query, timeout=10, allow_redirects=False
    )
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("https://x.test/cb?code=")


def test_token_get_answers_at_top_level_and_code_is_single_use(client: Client) -> None:
    code = client.auth_code()
    body = {"code": code, "shop_id": SHOP_ID, "partner_id": SHOPEE_PARTNER_ID}
    first = client.public("/api/v2/auth/token/get", body)
    data = first.json()
    assert first.status_code == 200
    assert (data["error"], data["message"], data["expire_in"]) == ("", "", 14400)
    assert len(data["access_token"]) == 32
    assert len(data["refresh_token"]) == 32
    assert "response" not in data
    again = client.public("/api/v2/auth/token/get", body)
    assert (again.status_code, again.json()["error"]) == (403, "error_auth")
    assert len(client.sandbox.access_tokens) == 1


def test_auth_code_dies_after_ten_minutes(client: Client) -> None:
    code = client.auth_code()
    client.sandbox.advance(601)
    answer = client.public(
        "/api/v2/auth/token/get",
        {"code": code, "shop_id": SHOP_ID, "partner_id": SHOPEE_PARTNER_ID},
    )
    assert answer.json()["error"] == "error_auth"
    assert client.sandbox.access_tokens == {}


def test_refresh_rotates_and_spent_refresh_token_is_refused(connected: Client) -> None:
    old_refresh = connected.refresh_token
    body = {"refresh_token": old_refresh, "shop_id": SHOP_ID, "partner_id": SHOPEE_PARTNER_ID}
    data = connected.public("/api/v2/auth/access_token/get", body).json()
    assert data["error"] == ""
    assert data["refresh_token"] != old_refresh
    assert data["access_token"] != connected.access_token
    assert (data["expire_in"], data["shop_id"], data["partner_id"]) == (
        14400,
        SHOP_ID,
        SHOPEE_PARTNER_ID,
    )
    spent = connected.public("/api/v2/auth/access_token/get", body)
    assert (spent.status_code, spent.json()["error"]) == (403, "error_shop_refresh_token")
    fresh = {**body, "refresh_token": data["refresh_token"]}
    assert connected.public("/api/v2/auth/access_token/get", fresh).json()["error"] == ""


def test_refresh_token_expires_after_thirty_days(connected: Client) -> None:
    connected.sandbox.advance(30 * DAY + 1)
    body = {
        "refresh_token": connected.refresh_token,
        "shop_id": SHOP_ID,
        "partner_id": SHOPEE_PARTNER_ID,
    }
    answer = connected.public("/api/v2/auth/access_token/get", body)
    assert answer.json()["error"] == "refresh_token_expired"


def test_access_token_expires_after_four_hours(connected: Client) -> None:
    path = "/api/v2/shop/get_shop_info"
    assert connected.shop(path).json()["error"] == ""
    connected.sandbox.advance(4 * 3600 + 1)
    expired = connected.shop(path)
    assert (expired.status_code, expired.json()["error"]) == (403, "invalid_access_token")


def test_bad_sign_and_expired_timestamp(connected: Client) -> None:
    path = "/api/v2/shop/get_shop_info"
    wrong = connected.shop(path, token=connected.access_token + "x")
    assert wrong.json()["error"] == "error_auth"
    forged = Client(connected.sandbox, key="not_the_key")
    forged.access_token, forged.shop_id = connected.access_token, SHOP_ID
    bad = forged.shop(path)
    assert (bad.status_code, bad.json()["error"], bad.json()["message"]) == (
        403,
        "error_sign",
        "Wrong sign.",
    )
    old = connected.shop(path, ts=int(connected.sandbox.now()) - 301)
    assert (old.status_code, old.json()["error"], old.json()["message"]) == (
        400,
        "error_param",
        "Timestamp is expired.",
    )
    public_bad = connected.public("/api/v2/push/get_lost_push_message", sign_with="nope")
    assert public_bad.json()["error"] == "error_sign"


def test_revoked_shop_is_no_longer_linked(connected: Client) -> None:
    connected.sandbox.revoke_shop(SHOP_ID)
    answer = connected.shop("/api/v2/shop/get_shop_info")
    assert (answer.status_code, answer.json()["error"]) == (403, "shop_no_linked")
    body = {
        "refresh_token": connected.refresh_token,
        "shop_id": SHOP_ID,
        "partner_id": SHOPEE_PARTNER_ID,
    }
    assert connected.public("/api/v2/auth/access_token/get", body).json()["error"] == (
        "shop_no_linked"
    )


# -- orders -----------------------------------------------------------------------------------
def _seed_orders(client: Client, count: int, start: int) -> list[str]:
    item_id, (model_id,) = client.sandbox.add_item(
        SHOP_ID, "MUG", "Mug", price=99000, stock=count + 10
    )
    return [
        client.sandbox.place_order(SHOP_ID, [(item_id, model_id, 1)], create_time=start + i)
        for i in range(count)
    ]


def test_order_list_fifteen_day_rule(connected: Client) -> None:
    path, now = "/api/v2/order/get_order_list", int(connected.sandbox.now())
    base = {"time_range_field": "create_time", "page_size": 10}
    too_long = connected.shop(path, {**base, "time_from": now - 15 * DAY - 1, "time_to": now})
    assert (too_long.status_code, too_long.json()["error"], too_long.json()["message"]) == (
        400,
        "order.order_list_invalid_time",
        "Start time must be earlier than end time and diff in 15days.",
    )
    backwards = connected.shop(path, {**base, "time_from": now, "time_to": now - 1})
    assert backwards.json()["error"] == "order.order_list_invalid_time"
    ok = connected.shop(path, {**base, "time_from": now - 15 * DAY, "time_to": now})
    assert ok.json()["response"] == {"more": False, "next_cursor": "", "order_list": []}


def test_order_list_pages_through_250_orders_with_cursors(connected: Client) -> None:
    now = int(connected.sandbox.now())
    expected = _seed_orders(connected, 250, now - 1000)
    seen, cursor, pages = [], "", []
    while True:
        answer = connected.shop(
            "/api/v2/order/get_order_list",
            {
                "time_range_field": "update_time",
                "time_from": now - 2000,
                "time_to": now + 10,
                "page_size": 100,
                "cursor": cursor,
            },
        ).json()
        assert answer["error"] == ""
        page = answer["response"]
        pages.append((len(page["order_list"]), page["more"]))
        seen += [row["order_sn"] for row in page["order_list"]]
        assert all(set(row) == {"order_sn"} for row in page["order_list"])
        if not page["more"]:
            assert page["next_cursor"] == ""
            break
        cursor = page["next_cursor"]
    assert pages == [(100, True), (100, True), (50, False)]
    assert sorted(seen) == sorted(expected)
    assert len(set(seen)) == 250


def test_order_list_page_size_status_filter_and_optional_status(connected: Client) -> None:
    now = int(connected.sandbox.now())
    first, second = _seed_orders(connected, 2, now - 100)
    connected.sandbox.set_order_status(second, "SHIPPED")
    path = "/api/v2/order/get_order_list"
    base = {"time_range_field": "create_time", "time_from": now - 200, "time_to": now}
    assert connected.shop(path, {**base, "page_size": 101}).json()["error"] == "error_param"
    assert connected.shop(path, {**base, "page_size": 0}).json()["error"] == "error_param"
    filtered = connected.shop(
        path,
        {
            **base,
            "page_size": 10,
            "order_status": "SHIPPED",
            "response_optional_fields": "order_status",
        },
    ).json()
    assert filtered["response"]["order_list"] == [{"order_sn": second, "order_status": "SHIPPED"}]
    bad_cursor = connected.shop(path, {**base, "page_size": 10, "cursor": "%%%"})
    assert bad_cursor.json()["error"] == "error_param"
    assert first in connected.sandbox.orders


def test_order_detail_refuses_more_than_fifty(connected: Client) -> None:
    now = int(connected.sandbox.now())
    orders = _seed_orders(connected, 51, now - 100)
    path = "/api/v2/order/get_order_detail"
    refused = connected.shop(path, {"order_sn_list": ",".join(orders)})
    assert (refused.status_code, refused.json()["error"]) == (400, "error_param")
    comma = connected.shop(path, {"order_sn_list": ",".join(orders[:50])}).json()
    assert [o["order_sn"] for o in comma["response"]["order_list"]] == orders[:50]
    brackets = connected.shop(path, {"order_sn_list": json.dumps(orders[:2])}).json()
    repeated = connected.shop(path, [("order_sn_list", sn) for sn in orders[:2]]).json()
    assert [o["order_sn"] for o in brackets["response"]["order_list"]] == orders[:2]
    assert [o["order_sn"] for o in repeated["response"]["order_list"]] == orders[:2]


def test_order_detail_optional_fields(connected: Client) -> None:
    sandbox = connected.sandbox
    item_id, models = sandbox.add_item(
        SHOP_ID,
        "TSHIRT",
        "Áo thun",
        [
            {"model_sku": "TSHIRT-S", "price": 199000, "stock": 5},
            {"model_sku": "TSHIRT-M", "price": 209000, "stock": 5},
        ],
    )
    order_sn = sandbox.place_order(
        SHOP_ID,
        [(item_id, models[0], 2), (item_id, models[1], 1)],
        buyer_username="lan.nguyen",
        note="call first",
    )
    path = "/api/v2/order/get_order_detail"
    bare = connected.shop(path, {"order_sn_list": order_sn}).json()["response"]["order_list"][0]
    for absent in ("item_list", "recipient_address", "total_amount", "buyer_username"):
        assert absent not in bare
    assert (bare["order_status"], bare["currency"], bare["cod"]) == ("READY_TO_SHIP", "VND", True)
    fields = "item_list,total_amount,recipient_address,buyer_username,payment_method,note"
    full = connected.shop(
        path, {"order_sn_list": order_sn, "response_optional_fields": fields}
    ).json()
    detail = full["response"]["order_list"][0]
    assert detail["total_amount"] == 607000
    assert isinstance(detail["total_amount"], int)
    assert (detail["buyer_username"], detail["payment_method"], detail["note"]) == (
        "lan.nguyen",
        "COD",
        "call first",
    )
    assert detail["recipient_address"]["name"] == "Nguyễn Văn An"
    first = detail["item_list"][0]
    assert {
        k: first[k]
        for k in (
            "item_id",
            "item_sku",
            "model_id",
            "model_sku",
            "model_quantity_purchased",
            "model_original_price",
            "model_discounted_price",
        )
    } == {
        "item_id": item_id,
        "item_sku": "TSHIRT",
        "model_id": models[0],
        "model_sku": "TSHIRT-S",
        "model_quantity_purchased": 2,
        "model_original_price": 199000,
        "model_discounted_price": 199000,
    }
    assert sandbox.item_stock(item_id, models[0]) == 3


def test_update_stock_below_promotion_floor_fails_while_others_succeed(connected: Client) -> None:
    sandbox = connected.sandbox
    item_id, (small, large) = sandbox.add_item(
        SHOP_ID,
        "TSHIRT",
        "Áo thun",
        [
            {"model_sku": "TSHIRT-S", "price": 199000, "stock": 10, "reserved_promotion_stock": 5},
            {"model_sku": "TSHIRT-L", "price": 199000, "stock": 10},
        ],
    )
    answer = connected.shop(
        "/api/v2/product/update_stock",
        body={
            "item_id": item_id,
            "stock_list": [
                {"model_id": small, "seller_stock": [{"stock": 3}]},
                {"model_id": large, "seller_stock": [{"stock": 4}]},
            ],
        },
    )
    data = answer.json()
    assert (answer.status_code, data["error"]) == (200, "")
    assert data["response"]["success_list"] == [{"model_id": large, "stock": 4}]
    assert data["response"]["failure_list"] == [
        {
            "model_id": small,
            "failed_reason": "Stock can not be less than the reserved promotion stock.",
        }
    ]
    assert (sandbox.item_stock(item_id, small), sandbox.item_stock(item_id, large)) == (10, 4)


def test_rate_limit_then_recovery(connected: Client) -> None:
    connected.sandbox.configure(rate_limit_per_second=1, burst=2)
    path = "/api/v2/shop/get_shop_info"
    assert [connected.shop(path).json()["error"] for _ in range(2)] == ["", ""]
    limited = connected.shop(path)
    assert (limited.status_code, limited.json()["error"]) == (429, "error_rate_limit")
    connected.sandbox.advance(1.1)
    assert connected.shop(path).json()["error"] == ""
    assert connected.sandbox.call_count(path) == 4


# -- pushes -----------------------------------------------------------------------------------
@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def test_push_is_delivered_with_a_valid_signature(connected: Client, receiver: Receiver) -> None:
    sandbox = connected.sandbox
    sandbox.configure(callback_url=receiver.url)
    item_id, (model_id,) = sandbox.add_item(SHOP_ID, "MUG", "Mug", price=99000, stock=3)
    order_sn = sandbox.place_order(SHOP_ID, [(item_id, model_id, 1)])
    assert sandbox.flush_pushes(5)
    ((headers, raw),) = receiver.received
    assert headers["Authorization"] == sign(SHOPEE_PARTNER_KEY, receiver.url.encode() + b"|" + raw)
    push = json.loads(raw)
    assert (push["code"], push["shop_id"]) == (3, SHOP_ID)
    assert push["data"] == {
        "items": [],
        "ordersn": order_sn,
        "status": "READY_TO_SHIP",
        "completed_scenario": "",
        "update_time": sandbox.orders[order_sn].update_time,
    }
    (delivery,) = sandbox.deliveries
    assert (delivery.ok, delivery.status, delivery.empty_body) == (True, 204, True)
    assert sandbox.lost == []


def test_failed_push_is_kept_for_get_lost_push_message_and_confirmed(connected: Client) -> None:
    sandbox, dead = connected.sandbox, Receiver(status=500)
    try:
        sandbox.configure(callback_url=dead.url)
        item_id, (model_id,) = sandbox.add_item(SHOP_ID, "MUG", "Mug", price=99000, stock=3)
        order_sn = sandbox.place_order(SHOP_ID, [(item_id, model_id, 1)])
        assert sandbox.flush_pushes(5)
    finally:
        dead.close()
    ((_headers, raw),) = dead.received
    path = "/api/v2/push/get_lost_push_message"
    data = connected.public(path).json()
    assert data["error"] == ""
    (message,) = data["response"]["push_message_list"]
    assert (message["shop_id"], message["code"]) == (SHOP_ID, 3)
    assert message["data"] == raw.decode()
    assert json.loads(message["data"])["data"]["ordersn"] == order_sn
    assert data["response"]["has_next_page"] is False
    last = data["response"]["last_message_id"]
    confirm = connected.public(
        "/api/v2/push/confirm_consumed_lost_push_message", {"last_message_id": last}
    )
    assert confirm.json()["error"] == ""
    assert connected.public(path).json()["response"] == {
        "push_message_list": [],
        "has_next_page": False,
        "last_message_id": 0,
    }


def test_lost_pushes_are_kept_three_days(connected: Client) -> None:
    sandbox = connected.sandbox
    sandbox.configure(callback_url="http://127.0.0.1:9/unreachable")
    sandbox.warn_expiry(SHOP_ID)
    assert sandbox.flush_pushes(10)
    listed = connected.public("/api/v2/push/get_lost_push_message").json()["response"]
    (message,) = listed["push_message_list"]
    assert "shop_id" not in message
    assert message["code"] == 12
    sandbox.advance(3 * DAY + 1)
    later = connected.public("/api/v2/push/get_lost_push_message").json()["response"]
    assert later["push_message_list"] == []
