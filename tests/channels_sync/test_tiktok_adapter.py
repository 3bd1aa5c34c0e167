"""TikTok Shop protocol pieces without HTTP: the doc's signature vectors, the error family,
orders (units counted per SKU, both cancel spellings), webhooks and SKUs as our dataclasses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from channels_sync.adapters import adapter_class
from channels_sync.adapters.base import (
    Address,
    AuthError,
    OrderItem,
    PayloadError,
    PermanentError,
    RateLimited,
    ReconnectNeeded,
    TransientError,
)
from channels_sync.adapters.tiktok import TikTokAdapter
from channels_sync.adapters.tiktok_pacing import api_name
from channels_sync.adapters.tiktok_parse import listing_rows, parse_order, parse_webhook
from channels_sync.adapters.tiktok_protocol import error_for, tiktok_sign, webhook_signature
from channels_sync.status_map import target_for
from orders import transitions as t

VECTOR_BODY = (
    b'{"type":1,"tts_notification_id":"7327112393057371910","shop_id":"7494049642642441621",'
    b'"timestamp":1644412885,"data":{"order_id":"576486316948490001","order_status":"UNPAID",'
    b'"is_on_hold_order":false,"update_time":1644412885}}'
)


def test_official_signature_vector():
    query = {"app_key": "29a39d", "timestamp": 1623812664, "sign": "x", "access_token": "y"}
    assert (
        tiktok_sign("e59af819cc", "/authorization/202309/shops", query)
        == "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"
    )


def test_signature_covers_the_body_bytes_as_sent():
    query = {
        "app_key": "68xu9ks5p4i8",
        "shop_cipher": "ROW_xkMbgAAAeVAQra0eZWebFQq5aIK",
        "timestamp": 1696909648,
    }
    body = b'{    "address":"https://partner.tiktokshop.com",    "event_type": "PACKAGE_UPDATE"}'
    assert (
        tiktok_sign("e59af819cc", "/event/202309/webhooks", query, body)
        == "495c39774c04ee06162f20a6bef8edae5b17676229588fe76630bb5166da37d2"
    )
    assert tiktok_sign("e59af819cc", "/event/202309/webhooks", query, body, multipart=True) == (
        tiktok_sign("e59af819cc", "/event/202309/webhooks", query)
    )


def test_webhook_signature_vector_and_verification():
    expected = "e21e909414e500178230da539adfc1faddd443124f93a8f67a060568a49620be"
    assert webhook_signature("29a39d", "e59af819cc", VECTOR_BODY) == expected
    verify = TikTokAdapter.verify_webhook
    args = {"secret": "e59af819cc", "app_key": "29a39d", "url": "", "body": VECTOR_BODY}
    assert verify(**args, headers={"Authorization": expected}) is True
    assert verify(**args, headers={"authorization": expected}) is True
    assert verify(**args, headers={"Authorization": expected.upper()}) is False
    assert verify(**args, headers={}) is False
    assert (
        verify(**{**args, "body": VECTOR_BODY + b" "}, headers={"Authorization": expected}) is False
    )


@pytest.mark.parametrize(
    ("code", "status", "family", "permanent"),
    [
        ("105002", 401, AuthError, False),
        ("36009004", 401, AuthError, False),
        ("105005", 200, ReconnectNeeded, True),
        ("36004001", 400, ReconnectNeeded, True),
        ("36004005", 400, ReconnectNeeded, True),
        ("36009002", 429, RateLimited, False),
        ("", 429, RateLimited, False),
        ("36009003", 200, TransientError, False),
        ("", 503, TransientError, False),
        ("106001", 401, PermanentError, True),
        ("106013", 400, PermanentError, True),
        ("36009033", 200, PermanentError, True),
    ],
)
def test_error_codes_map_onto_the_family(code, status, family, permanent):
    error = error_for(code, "text", request_id="r1", http_status=status)
    assert type(error) is family
    assert (error.permanent, error.message, error.request_id) == (permanent, "text", "r1")


def test_registered_and_paced_per_api():
    assert adapter_class("tiktok") is TikTokAdapter
    assert TikTokAdapter.callback_has_shop_id is False
    assert (TikTokAdapter.order_detail_batch, TikTokAdapter.stock_batch) == (50, 100)
    assert api_name("/product/202309/products/1729000000000000001/inventory/update") == (
        "/product/202309/products/{id}/inventory/update"
    )
    assert api_name("/order/202309/orders/search") == "/order/202309/orders/search"


def order(**changes):
    line = {
        "id": "L1",
        "sku_id": "S1",
        "product_id": "P1",
        "seller_sku": " TT-M ",
        "product_name": "Áo thun",
        "sku_name": "Đen, M",
        "sale_price": "189000",
        "original_price": "199000",
    }
    raw = {
        "id": "576486316948490001",
        "status": "AWAITING_SHIPMENT",
        "create_time": 1644412000,
        "update_time": 1644412885,
        "paid_time": 1644412100,
        "user_id": "7494000000000000001",
        "buyer_message": "Giao giờ hành chính",
        "payment": {"currency": "VND", "total_amount": "408000", "shipping_fee": "30000"},
        "line_items": [
            line,
            {**line, "id": "L2"},
            {
                **line,
                "id": "L3",
                "sku_id": "S2",
                "seller_sku": "TT-L",
                "sale_price": "0",
                "original_price": "0",
            },
        ],
        "recipient_address": {
            "name": "Nguyễn Văn An",
            "phone_number": "(+84)90*****67",
            "full_address": "12 Lê Lợi, Quận 1",
            "postal_code": "700000",
            "region_code": "VN",
            "district_info": [
                {"address_level": "L1", "address_name": "Hồ Chí Minh"},
                {"address_level": "L2", "address_name": "Quận 1"},
                {"address_level": "L3", "address_name": "Phường Bến Nghé"},
            ],
        },
        "is_cod": True,
        "cancel_reason": "",
    }
    raw.update(changes)
    return raw


def test_order_units_are_counted_per_sku_and_price():
    data = parse_order(order())
    assert data.items == (
        OrderItem(
            "P1", "S1", "TT-M", "Áo thun - Đen, M", 2, Decimal(189000), Decimal(199000), "L1"
        ),
        OrderItem("P1", "S2", "TT-L", "Áo thun - Đen, M", 1, Decimal(0), Decimal(0), "L3"),
    )
    assert (data.external_id, data.status, data.currency) == (
        "576486316948490001",
        "AWAITING_SHIPMENT",
        "VND",
    )
    assert (data.total, data.shipping_fee, data.cod) == (Decimal(408000), Decimal(30000), True)
    assert data.created_at == datetime(2022, 2, 9, 13, 6, 40, tzinfo=UTC)
    assert data.updated_at == datetime.fromtimestamp(1644412885, tz=UTC)
    assert data.paid_at == datetime.fromtimestamp(1644412100, tz=UTC)
    assert (data.buyer_id, data.note) == ("7494000000000000001", "Giao giờ hành chính")
    assert data.address == Address(
        "Nguyễn Văn An",
        "(+84)90*****67",
        "12 Lê Lợi, Quận 1",
        "VN",
        "Hồ Chí Minh",
        "Quận 1",
        "Phường Bến Nghé",
        "700000",
    )


def test_unpaid_order_has_no_address_and_no_payment_time():
    data = parse_order(order(status="UNPAID", paid_time=None, recipient_address=None))
    assert (data.address, data.paid_at) == (None, None)
    assert target_for("tiktok", "UNPAID").awaiting_payment is True


@pytest.mark.parametrize("spelling", ["CANCELLED", "CANCEL"])
def test_both_cancel_spellings_cancel(spelling):
    data = parse_order(order(status=spelling, cancel_reason="Buyer changed their mind"))
    assert data.cancel_reason == "Buyer changed their mind"
    assert target_for("tiktok", data.status).status == t.CANCELLED


def test_status_map_follows_the_doc():
    assert {
        s: target_for("tiktok", s).status
        for s in (
            "UNPAID",
            "ON_HOLD",
            "AWAITING_SHIPMENT",
            "PARTIALLY_SHIPPING",
            "AWAITING_COLLECTION",
            "IN_TRANSIT",
            "DELIVERED",
            "COMPLETED",
        )
    } == {
        "UNPAID": t.NEW,
        "ON_HOLD": t.NEW,
        "AWAITING_SHIPMENT": t.PROCESSING,
        "PARTIALLY_SHIPPING": t.PROCESSING,
        "AWAITING_COLLECTION": t.PROCESSING,
        "IN_TRANSIT": t.SHIPPED,
        "DELIVERED": t.SHIPPED,
        "COMPLETED": t.COMPLETED,
    }
    assert target_for("tiktok", "RETURNED") is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id": ""}, "id"),
        ({"payment": None}, "payment"),
        ({"payment": {"total_amount": "1"}}, "payment.currency"),
        ({"payment": {"currency": "VND", "total_amount": "1.5"}}, "payment.total_amount"),
        ({"line_items": []}, "line_items"),
        ({"update_time": "soon"}, "update_time"),
        ({"line_items": [{"product_id": "P1", "sale_price": "1"}]}, "line_items[0].sku_id"),
        (
            {"line_items": [{"sku_id": "S", "product_id": "P", "sale_price": "x"}]},
            "line_items[0].sale_price",
        ),
    ],
)
def test_a_malformed_order_names_the_field(changes, field):
    with pytest.raises(PayloadError) as caught:
        parse_order(order(**changes))
    assert (caught.value.code, caught.value.field) == ("bad_field", field)


def test_order_webhook_vector_parses():
    event = parse_webhook(VECTOR_BODY)
    assert (event.kind, event.shop_id, event.external_id, event.status) == (
        "order",
        "7494049642642441621",
        "576486316948490001",
        "UNPAID",
    )
    assert event.updated_at == datetime.fromtimestamp(1644412885, tz=UTC)


def envelope(kind, data):
    return json.dumps(
        {"type": kind, "tts_notification_id": "1", "shop_id": "9", "timestamp": 1, "data": data}
    ).encode()


def test_other_webhooks():
    expiring = parse_webhook(envelope(7, {"message": "m", "expiration_time": 1700000000}))
    assert (expiring.kind, expiring.shop_id) == ("authorization_expiring", "9")
    assert expiring.updated_at == datetime.fromtimestamp(1700000000, tz=UTC)
    assert parse_webhook(envelope(6, {"message": "bye"})).kind == "deauthorized"
    cancel = parse_webhook(envelope(11, {"order_id": "77", "cancel_status": "X", "create_time": 5}))
    assert (cancel.kind, cancel.external_id, cancel.status, cancel.updated_at) == (
        "order",
        "77",
        "",
        None,
    )
    assert parse_webhook(envelope(27, {"product_id": "1"})).kind == "other"
    with pytest.raises(PayloadError):
        parse_webhook(envelope(7, {"message": "no date"}))
    with pytest.raises(PayloadError):
        parse_webhook(b"[1]")


def test_sku_rows_of_a_product():
    product = {
        "id": "P1",
        "title": "Áo thun",
        "status": "SELLER_DEACTIVATED",
        "skus": [
            {
                "id": "S1",
                "seller_sku": "TT-M ",
                "price": {"sale_price": "199000", "currency": "VND"},
                "inventory": [
                    {"warehouse_id": "W1", "quantity": 3},
                    {"warehouse_id": "W2", "quantity": 4},
                ],
                "sales_attributes": [{"value_name": "Đen"}, {"value_name": "M"}],
            },
            {"id": "S2", "seller_sku": "", "price": {}, "inventory": []},
        ],
    }
    first, second = listing_rows(product)
    assert (first.item_id, first.model_id, first.seller_sku, first.name) == (
        "P1",
        "S1",
        "TT-M",
        "Áo thun - Đen, M",
    )
    assert (first.price, first.stock, first.location_id, first.active) == (
        Decimal(199000),
        7,
        "W1",
        False,
    )
    assert (second.price, second.stock, second.location_id) == (None, None, "")
