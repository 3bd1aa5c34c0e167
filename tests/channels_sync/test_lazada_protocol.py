"""Lazada protocol pieces without HTTP: the doc's signature vectors, the push signature, the
error family, the order status from its lines, and order/push parsing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from channels_sync.adapters.base import (
    AuthError,
    PayloadError,
    PermanentError,
    RateLimited,
    ReconnectNeeded,
    TransientError,
)
from channels_sync.adapters.lazada import LazadaAdapter, auth_origin, host_region
from channels_sync.adapters.lazada_parse import order_status, parse_order, parse_webhook
from channels_sync.adapters.lazada_protocol import (
    error_for,
    floor_from,
    lazada_sign,
    lazada_time,
    push_signature,
    sku_xml,
)
from channels_sync.status_map import target_for
from orders import transitions as t

SYSTEM = {"access_token": "test", "app_key": "123456", "sign_method": "sha256"}
SYSTEM["timestamp"] = "1517820392000"
VECTOR_XML = (
    "<Request><Product><Skus><Sku><ItemId>234234234</ItemId><SkuId>234</SkuId>"
    "<SellerSku>Apple-SG-Glod-64G</SellerSku><SellableQuantity>20</SellableQuantity></Sku>"
    "</Skus></Product></Request>"
)
PUSH_BODY = (
    b'{"seller_id":"1234567","message_type":0,"data":{"order_status":"unpaid",'
    b'"trade_order_id":"260422900198363","trade_order_line_id":"260422900298363",'
    b'"status_update_time":1603698638},"timestamp":1603766859530,"site":"lazada_vn"}'
)


def test_get_signature_matches_the_official_vector():
    params = {**SYSTEM, "order_id": "1234"}
    assert lazada_sign("helloworld", "/order/get", params) == (
        "4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A"
    )
    # `sign` itself is never signed
    assert lazada_sign("helloworld", "/order/get", {**params, "sign": "X"}) == (
        "4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A"
    )


def test_stock_payload_and_its_signature_match_the_post_vector():
    xml = sku_xml(
        [
            {
                "ItemId": 234234234,
                "SkuId": 234,
                "SellerSku": "Apple-SG-Glod-64G",
                "SellableQuantity": 20,
            }
        ]
    )
    assert xml == VECTOR_XML
    assert lazada_sign(
        "helloworld", "/product/stock/sellable/update", {**SYSTEM, "payload": xml}
    ) == ("F877A2742DC8053903E9FAF74B5E43B80860CAF09E7834BF40D8366BC2B379F3")


def test_per_warehouse_rows_share_one_sku():
    xml = sku_xml(
        [
            {"ItemId": 1, "SkuId": 2, "SellableQuantity": 5, "WarehouseCode": "dropshipping"},
            {"ItemId": 1, "SkuId": 2, "SellableQuantity": 3, "WarehouseCode": "WH2"},
        ]
    )
    assert xml == (
        "<Request><Product><Skus><Sku><ItemId>1</ItemId><SkuId>2</SkuId>"
        "<MultiWarehouseInventories><MultiWarehouseInventory><WarehouseCode>dropshipping"
        "</WarehouseCode><SellableQuantity>5</SellableQuantity></MultiWarehouseInventory>"
        "<MultiWarehouseInventory><WarehouseCode>WH2</WarehouseCode><SellableQuantity>3"
        "</SellableQuantity></MultiWarehouseInventory></MultiWarehouseInventories></Sku>"
        "</Skus></Product></Request>"
    )


def test_push_signature_matches_the_vector_and_verifies():
    assert push_signature("helloworld", "123456", PUSH_BODY) == (
        "b0cfd0349e915667babf3c35e2335fb09653527421c46a94bd9e70e874c16322"
    )
    good = {"Authorization": "B0CFD0349E915667BABF3C35E2335FB09653527421C46A94BD9E70E874C16322"}
    kwargs = {"secret": "helloworld", "app_key": "123456", "url": "", "body": PUSH_BODY}
    assert LazadaAdapter.verify_webhook(**kwargs, headers=good) is True
    assert LazadaAdapter.verify_webhook(**kwargs, headers={}) is False
    assert LazadaAdapter.verify_webhook(**{**kwargs, "app_key": "654321"}, headers=good) is False
    assert (
        LazadaAdapter.verify_webhook(**{**kwargs, "body": PUSH_BODY + b" "}, headers=good) is False
    )


@pytest.mark.parametrize(
    ("code", "kind", "retry_after"),
    [
        ("IllegalAccessToken", AuthError, None),
        ("IllegalRefreshToken", ReconnectNeeded, None),
        ("ApiCallLimit", RateLimited, 1.0),
        ("E901", RateLimited, 2.0),
        ("4170", TransientError, None),
        ("ServiceTimeout", TransientError, None),
        ("IncompleteSignature", PermanentError, None),
        ("E017", PermanentError, None),
    ],
)
def test_error_codes_map_onto_the_family(code, kind, retry_after):
    error = error_for(code, "msg", request_id="r1")
    assert type(error) is kind
    assert (error.code, error.message, error.request_id) == (code, "msg", "r1")
    if retry_after is not None:
        assert error.retry_after == retry_after


def test_a_system_error_is_transient():
    assert type(error_for("X1", "boom", error_type="SYSTEM")) is TransientError
    assert type(error_for("X1", "boom", error_type="ISV")) is PermanentError


def test_dates_hosts_and_floor_text():
    when = datetime(2026, 12, 7, 10, 0, 5, 123, tzinfo=UTC)
    assert lazada_time(when) == "2026-12-07T10:00:05+00:00"
    assert host_region("https://api.lazada.co.th/rest") == "TH"
    assert host_region("http://127.0.0.1:5000/rest") == ""
    assert auth_origin("https://api.lazada.vn/rest") == "https://auth.lazada.com"
    assert auth_origin("http://127.0.0.1:5000/rest") == "http://127.0.0.1:5000"
    assert floor_from("SellableQuantity 3 is lower than the campaign locked quantity 5") == 5
    assert floor_from("SKU not found 12") is None


# -- the order status from its lines -----------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "status"),
    [
        (["pending", "pending"], "pending"),
        (["canceled", "canceled"], "canceled"),
        (["canceled", "packed"], "packed"),  # the canceled line is left out
        (["shipped", "packed"], "packed"),  # the least advanced line
        (["delivered", "shipped"], "shipped"),
        (["unpaid", "pending"], "unpaid"),
        (["delivered", "returned"], "returned"),  # an exception needs staff
        (["canceled", "delivered", "lost_by_3pl"], "lost_by_3pl"),
        (["pending", "teleported"], "teleported"),  # unknown: quarantined, not guessed
    ],
)
def test_order_status_from_lines(lines, status):
    assert order_status(lines) == status


def test_every_status_the_rule_returns_is_mapped():
    assert target_for("lazada", "canceled").status == t.CANCELLED
    assert target_for("lazada", "unpaid").awaiting_payment is True
    assert target_for("lazada", "packed").status == t.PROCESSING
    assert target_for("lazada", "delivered").status == t.COMPLETED
    returned = target_for("lazada", "returned")
    assert (returned.status, returned.return_requested) == (t.SHIPPED, True)
    assert target_for("lazada", "teleported") is None


def _line(n, status="pending", **extra):
    return {
        "order_item_id": 900 + n,
        "order_id": 77,
        "product_id": 5,
        "sku_id": 6,
        "sku": "LZ-M",
        "shop_sku": "5_VN-6",
        "name": "Áo thun",
        "item_price": "199000.00",
        "paid_price": "189000.00",
        "currency": "VND",
        "status": status,
        "tracking_code": "",
        **extra,
    }


def _order(lines, **extra):
    return {
        "order_id": 77,
        "created_at": "2026-12-07T17:00:00+07:00",
        "updated_at": "2026-12-07 17:05:00 +0700",
        "price": "398000.00",
        "shipping_fee": "15000.00",
        "payment_method": "COD",
        "customer_first_name": "Nguyễn",
        "customer_last_name": "An",
        "statuses": sorted({x["status"] for x in lines}),
        "address_shipping": {
            "first_name": "Nguyễn",
            "last_name": "An",
            "phone": "84912345678",
            "address1": "12 Lý Thường Kiệt",
            "city": "Hà Nội",
        },
        "order_items": lines,
        **extra,
    }


def test_an_order_with_a_canceled_line_keeps_the_others():
    data = parse_order(_order([_line(1), _line(2), _line(3, "canceled", reason="Out of stock")]))
    assert data.external_id == "77"
    assert data.status == "pending"
    assert data.currency == "VND"
    assert data.created_at == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    assert data.updated_at == datetime(2026, 12, 7, 10, 5, tzinfo=UTC)
    assert [(i.item_id, i.model_id, i.seller_sku, i.quantity) for i in data.items] == [
        ("5", "6", "LZ-M", 2)
    ]
    assert data.items[0].unit_price == Decimal("189000")
    assert data.shipping_fee == Decimal("15000")
    assert data.total == Decimal("393000")
    assert data.cod is True
    assert data.address is not None
    assert data.address.full_address == "12 Lý Thường Kiệt, Hà Nội"


def test_an_order_with_every_line_canceled_keeps_them_all():
    data = parse_order(_order([_line(1, "canceled"), _line(2, "canceled")]))
    assert data.status == "canceled"
    assert [i.quantity for i in data.items] == [2]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda o: o["order_items"][0].pop("paid_price"), "order_items[0].paid_price"),
        (lambda o: o["order_items"][0].update(paid_price="1.5"), "order_items[0].paid_price"),
        (lambda o: o.update(order_items=[]), "order_items"),
        (lambda o: o.update(updated_at="yesterday"), "updated_at"),
        (lambda o: o["order_items"][0].pop("currency"), "order_items[0].currency"),
    ],
)
def test_a_malformed_order_names_its_field(change, field):
    raw = _order([_line(1)])
    change(raw)
    with pytest.raises(PayloadError) as caught:
        parse_order(raw)
    assert caught.value.field == field


def test_push_messages():
    event = parse_webhook(PUSH_BODY)
    assert (event.kind, event.shop_id, event.external_id, event.status) == (
        "order",
        "1234567",
        "260422900198363",
        "unpaid",
    )
    assert event.updated_at == datetime.fromtimestamp(1603698638, tz=UTC)
    expiring = parse_webhook(
        b'{"seller_id":"1","message_type":8,"data":{"app_key":"1","seller_id":"1",'
        b'"auth_expiry_time":1603766859530},"timestamp":1603766859}'
    )
    assert (expiring.kind, expiring.shop_id) == ("authorization_expiring", "1")
    assert expiring.updated_at == datetime.fromtimestamp(1603766859.530, tz=UTC)
    assert parse_webhook(b'{"message_type":13,"data":{"status":"close"}}').kind == "other"
    with pytest.raises(PayloadError):
        parse_webhook(b'{"message_type":0,"data":{"order_status":"x"}}')


@pytest.mark.parametrize(
    ("country", "region"),
    [("Vietnam", "VN"), ("Việt Nam", "VN"), ("VN", "VN"), ("Thailand", "TH"), ("Mars", "")],
)
def test_the_shipping_country_is_read_as_its_code(country, region):
    """Lazada writes the country's name; our address form takes ISO codes (the demo's Lazada
    orders came in without any address because of "Vietnam")."""
    raw = _order([_line(1)])
    raw["address_shipping"]["country"] = country
    address = parse_order(raw).address
    assert address is not None
    assert (address.region, address.province) == (region, "Hà Nội")
