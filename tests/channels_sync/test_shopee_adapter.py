"""ShopeeAdapter without HTTP: signing vectors of marketplaces.md §1.3/§1.7, the error mapping of
§1.4, parse_order on get_order_detail JSON shaped like §1.5, parse_webhook on §1.7 pushes."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from channels_sync.adapters import adapter_class
from channels_sync.adapters.base import (
    AdapterConfig,
    Address,
    AuthError,
    OrderItem,
    PayloadError,
    PermanentError,
    RateLimited,
    ReconnectNeeded,
    TransientError,
)
from channels_sync.adapters.shopee import ShopeeAdapter
from channels_sync.adapters.shopee_protocol import (
    error_for,
    hmac_sha256_hex,
    push_signature,
    seconds_to_quota_reset,
    shopee_sign,
)

KEY = "test_partner_key"
PUSH_URL = "https://crm.example.com/webhooks/shopee"
PUSH_BODY = (
    b'{"data":{"items":[],"ordersn":"220810QSK8S7BX","status":"PROCESSED",'
    b'"completed_scenario":"","update_time":1660123127},"shop_id":727720655,"code":3,'
    b'"timestamp":1660123127}'
)
PUSH_SIGNATURE = "d53e509c38b86bc4c0a42cc7084b8b03d2c3f499ead4b4098aba77c3ec3c3195"

ORDER = {
    "order_sn": "220810QSK8S7BX",
    "region": "VN",
    "currency": "VND",
    "cod": True,
    "order_status": "READY_TO_SHIP",
    "create_time": 1660120000,
    "update_time": 1660123127,
    "days_to_ship": 2,
    "ship_by_date": 1660292800,
    "message_to_seller": "",
    "buyer_user_id": 700001,
    "buyer_username": "buyer_an",
    "recipient_address": {
        "name": "Nguyễn Văn An",
        "phone": "84912345678",
        "town": "Phường Bến Nghé",
        "district": "Quận 1",
        "city": "Hồ Chí Minh",
        "state": "Hồ Chí Minh",
        "region": "VN",
        "zipcode": "700000",
        "full_address": "12 Lê Lợi, Phường Bến Nghé, Quận 1, Hồ Chí Minh",
    },
    "item_list": [
        {
            "item_id": 800000001,
            "item_name": "Áo thun",
            "item_sku": "TS",
            "model_id": 1000000001,
            "model_name": "Đen M",
            "model_sku": "TS-BLK-M",
            "model_quantity_purchased": 2,
            "model_original_price": 199000,
            "model_discounted_price": 179000.0,
            "order_item_id": 11,
            "product_location_id": ["VNZ"],
        },
        {
            "item_id": 800000002,
            "item_name": "Mũ",
            "item_sku": "HAT-1",
            "model_id": 0,
            "model_name": "",
            "model_sku": "",
            "model_quantity_purchased": 1,
            "model_original_price": 50000,
            "model_discounted_price": 50000,
            "order_item_id": 12,
            "product_location_id": [],
        },
    ],
    "pay_time": 1660120100,
    "total_amount": 408000,
    "payment_method": "Cash on Delivery",
    "shipping_carrier": "SPX Express",
    "package_list": [],
    "cancel_by": "",
    "cancel_reason": "",
    "note": "giao giờ hành chính",
    "note_update_time": 1660123127,
}


def at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=UTC)


def test_shop_signature_matches_the_doc_vector():
    base = "2001887/api/v2/shop/get_shop_info165571443159777174636562737266615546704c6d14701711"
    expected = "9fdae5aeed86e753249982ec04aa54339280f12d3f456b9e3f7d8ee91e66a2b3"
    assert hmac_sha256_hex(KEY, base) == expected
    # the same base string built from its parts (access token + shop id appended)
    assert (
        shopee_sign(
            KEY,
            2001887,
            "/api/v2/shop/get_shop_info",
            1655714431,
            access_token="59777174636562737266615546704c6d",
            shop_id=14701711,
        )
        == expected
    )


def test_public_signature_matches_the_doc_vector():
    assert (
        shopee_sign(KEY, "2001887", "/api/v2/auth/token/get", "1655714431")
        == "4347600f52b50a77f5ecee90bf489adf3cec2d59d3c2febe004674f37def5451"
    )


def test_webhook_signature_matches_the_doc_vector_and_verify_is_exact():
    assert push_signature(KEY, PUSH_URL, PUSH_BODY) == PUSH_SIGNATURE
    ok = {"Authorization": PUSH_SIGNATURE}
    verify = ShopeeAdapter.verify_webhook
    assert verify(secret=KEY, app_key="2001887", url=PUSH_URL, body=PUSH_BODY, headers=ok)
    lower = {"authorization": PUSH_SIGNATURE}
    assert verify(secret=KEY, app_key="2001887", url=PUSH_URL, body=PUSH_BODY, headers=lower)
    assert not verify(secret="other", app_key="2001887", url=PUSH_URL, body=PUSH_BODY, headers=ok)
    assert not verify(secret=KEY, app_key="2001887", url=PUSH_URL + "/", body=PUSH_BODY, headers=ok)
    assert not verify(
        secret=KEY, app_key="2001887", url=PUSH_URL, body=PUSH_BODY + b" ", headers=ok
    )
    assert not verify(secret=KEY, app_key="2001887", url=PUSH_URL, body=PUSH_BODY, headers={})


def test_adapter_is_registered_for_shopee():
    assert adapter_class("shopee") is ShopeeAdapter


@pytest.mark.parametrize(
    ("error", "family"),
    [
        ("error_auth", AuthError),
        ("invalid_acceess_token", AuthError),
        ("invalid_access_token", AuthError),
        ("shop_no_linked", ReconnectNeeded),
        ("partner_shop_no_link", ReconnectNeeded),
        ("shop_banned", ReconnectNeeded),
        ("refresh_token_expired", ReconnectNeeded),
        ("error_shop_refresh_token", ReconnectNeeded),
        ("shop_access_expired", ReconnectNeeded),
        ("error_server", TransientError),
        ("error_network", TransientError),
        ("error_data", TransientError),
        ("error_sign", PermanentError),
        ("error_param", PermanentError),
        ("order.order_list_invalid_time", PermanentError),
    ],
)
def test_errors_map_onto_the_family(error, family):
    mapped = error_for(error, "text", request_id="r1")
    assert type(mapped) is family
    assert (mapped.code, mapped.message, mapped.request_id) == (error, "text", "r1")


def test_rate_limit_and_daily_limit():
    burst = error_for("error_rate_limit", "slow down")
    assert type(burst) is RateLimited
    assert burst.retry_after == 1.0
    # 15:30 UTC = 23:30 UTC+8: the daily quota resets in 30 minutes
    daily = error_for("error_limit", "quota", now=datetime(2026, 3, 1, 15, 30, tzinfo=UTC))
    assert type(daily) is RateLimited
    assert daily.retry_after == 1800.0
    assert seconds_to_quota_reset(datetime(2026, 3, 1, 16, 0, tzinfo=UTC)) == 86400.0


def test_order_windows_are_at_most_15_days():
    adapter = ShopeeAdapter(AdapterConfig(base_url="http://x", app_key="1", app_secret="k"))
    since = datetime(2026, 1, 1, tzinfo=UTC)
    windows = adapter.order_windows(since, since + timedelta(days=40))
    day = 86400
    start = int(since.timestamp())
    assert windows == [
        (start, start + 15 * day),
        (start + 15 * day, start + 30 * day),
        (start + 30 * day, start + 40 * day),
    ]
    assert adapter.order_windows(since, since) == []


def parse(raw):
    return ShopeeAdapter(
        AdapterConfig(base_url="http://x", app_key="1", app_secret="k")
    ).parse_order(raw)


def test_parse_order_reads_every_field():
    data = parse(ORDER)
    assert data.external_id == "220810QSK8S7BX"
    assert data.status == "READY_TO_SHIP"
    assert data.created_at == at(1660120000)
    assert data.updated_at == at(1660123127)
    assert data.paid_at == at(1660120100)
    assert data.currency == "VND"
    assert data.total == Decimal("408000")
    assert data.total.as_tuple().exponent == 0
    assert data.shipping_fee == Decimal("0")
    assert data.cod is True
    assert (data.buyer_id, data.buyer_username) == ("700001", "buyer_an")
    assert data.note == "giao giờ hành chính"
    assert data.address == Address(
        name="Nguyễn Văn An",
        phone="84912345678",
        full_address="12 Lê Lợi, Phường Bến Nghé, Quận 1, Hồ Chí Minh",
        region="VN",
        province="Hồ Chí Minh",
        district="Quận 1",
        ward="Phường Bến Nghé",
        postcode="700000",
    )
    assert data.items == (
        OrderItem(
            item_id="800000001",
            model_id="1000000001",
            seller_sku="TS-BLK-M",
            name="Áo thun",
            quantity=2,
            unit_price=Decimal("179000"),
            original_price=Decimal("199000"),
            line_id="11",
        ),
        OrderItem(
            item_id="800000002",
            model_id="",
            seller_sku="HAT-1",
            name="Mũ",
            quantity=1,
            unit_price=Decimal("50000"),
            original_price=Decimal("50000"),
            line_id="12",
        ),
    )
    assert data.raw is ORDER


def test_parse_order_thb_keeps_two_decimals_and_paid_online():
    raw = copy.deepcopy(ORDER)
    raw.update(currency="THB", total_amount=358.5, payment_method="Credit Card/Debit Card")
    raw["item_list"][0]["model_discounted_price"] = 154.25
    data = parse(raw)
    assert data.total == Decimal("358.50")
    assert data.items[0].unit_price == Decimal("154.25")
    assert data.cod is False


def test_parse_order_round_trips_through_stored_json_text():
    assert parse(json.loads(json.dumps(ORDER, ensure_ascii=False))) == parse(ORDER)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda o: o.pop("order_sn"), "order_sn"),
        (lambda o: o.pop("update_time"), "update_time"),
        (lambda o: o.update(create_time="yesterday"), "create_time"),
        (lambda o: o.pop("currency"), "currency"),
        (lambda o: o.update(total_amount="n/a"), "total_amount"),
        (lambda o: o.update(total_amount=408000.5), "total_amount"),
        (lambda o: o.update(item_list=[]), "item_list"),
        (lambda o: o.pop("item_list"), "item_list"),
        (
            lambda o: o["item_list"][1].pop("model_quantity_purchased"),
            "item_list[1].model_quantity_purchased",
        ),
        (
            lambda o: o["item_list"][0].update(model_quantity_purchased=0),
            "item_list[0].model_quantity_purchased",
        ),
        (
            lambda o: o["item_list"][0].update(model_discounted_price="12x.5"),
            "item_list[0].model_discounted_price",
        ),
        (lambda o: o["item_list"][0].pop("item_id"), "item_list[0].item_id"),
        (lambda o: o.update(recipient_address="street"), "recipient_address"),
    ],
)
def test_parse_order_names_the_bad_field(change, field):
    raw = copy.deepcopy(ORDER)
    change(raw)
    with pytest.raises(PayloadError) as caught:
        parse(raw)
    assert (caught.value.code, caught.value.field) == ("bad_field", field)


def test_parse_webhook_order_status_push():
    event = ShopeeAdapter.parse_webhook(PUSH_BODY)
    assert (event.kind, event.shop_id, event.external_id, event.status) == (
        "order",
        "727720655",
        "220810QSK8S7BX",
        "PROCESSED",
    )
    assert event.updated_at == at(1660123127)
    assert event.raw["code"] == 3


def test_parse_webhook_tracking_and_authorisation_pushes():
    tracking = ShopeeAdapter.parse_webhook(
        b'{"data":{"ordersn":"A1","forder_id":"A1F1","package_number":"OFGA1",'
        b'"tracking_no":"SPX1"},"shop_id":5,"code":4,"timestamp":1660123127,"msg_id":"m1"}'
    )
    assert (tracking.kind, tracking.shop_id, tracking.external_id) == ("tracking", "5", "A1")
    assert tracking.raw["data"]["tracking_no"] == "SPX1"
    granted = ShopeeAdapter.parse_webhook(
        b'{"data":{"shop_id":5,"success":1,"extra":""},"code":1,"timestamp":1660123127}'
    )
    assert (granted.kind, granted.shop_id) == ("authorized", "5")
    revoked = ShopeeAdapter.parse_webhook(
        b'{"data":{"shop_id":5,"success":1,"extra":"cancel authorization"},"code":2,'
        b'"timestamp":1660123127}'
    )
    assert (revoked.kind, revoked.shop_id) == ("deauthorized", "5")
    expiring = ShopeeAdapter.parse_webhook(
        b'{"data":{"merchant_expire_soon":[],"shop_expire_soon":[5],"expire_before":1660727927,'
        b'"page_no":1,"total_page":1},"code":12,"timestamp":1660123127}'
    )
    assert (expiring.kind, expiring.shop_id) == ("authorization_expiring", "5")
    assert expiring.updated_at == at(1660727927)
    other = ShopeeAdapter.parse_webhook(b'{"data":{"item_id":1},"shop_id":5,"code":6}')
    assert (other.kind, other.shop_id, other.external_id) == ("other", "5", "")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "body"),
        (b"[1]", "body"),
        (b'{"data":{}}', "code"),
        (b'{"code":3}', "data"),
        (b'{"code":3,"shop_id":5,"data":{"status":"PROCESSED"}}', "data.ordersn"),
    ],
)
def test_parse_webhook_refuses_what_it_cannot_read(body, field):
    with pytest.raises(PayloadError) as caught:
        ShopeeAdapter.parse_webhook(body)
    assert caught.value.field == field
