"""The inbound website order API: keys, authentication, validation, idempotency (also under
concurrency), the request log and re-apply, the status endpoint and the OpenAPI document."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import requests
from django.test import Client
from django.urls import reverse

from inventory.models import Variant
from inventory.selectors.stock import ledger_mismatches
from inventory.services.stock import stock_receive
from orders.api import responses, schema
from orders.api.fields import PAYMENT_METHODS
from orders.api.handlers import website_order_receive
from orders.api.openapi import EXAMPLES, TOTAL_EXAMPLE, openapi_document
from orders.api.selectors import register_shipment_provider, unregister_shipment_provider
from orders.models import Customer, CustomerAddress, Order, OrderLine, Website, WebsiteRequest
from orders.services.orders.transitions import (
    order_cancel,
    order_complete,
    order_confirm,
    order_ship,
)
from orders.services.website_requests import MAX_BODY_BYTES, website_request_reapply
from orders.services.websites import (
    WebsiteError,
    website_authenticate,
    website_create,
    website_key_rotate,
    website_set_active,
)
from tests.concurrency import run_concurrently
from tests.orders.factories import (
    VariantFactory,
    WarehouseFactory,
    level,
    make_customer,
    order_ledger,
    stocked_variant,
)

pytestmark = pytest.mark.django_db

D = Decimal
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2026, 3, 1, 9, 30, tzinfo=HCM)
ORDERS_URL = "/api/v1/orders"


# --- Helpers ------------------------------------------------------------------------------------


@pytest.fixture
def shop():
    """A warehouse with two stocked SKUs and a website shipping from it: (website, key)."""
    warehouse = WarehouseFactory(code="HCM01")
    stocked_variant(warehouse, 10, price="150000", vat="10", sku="AO-DO-M")
    stocked_variant(warehouse, 5, price="99000", vat="8", sku="NON-01")
    website, key = website_create(
        name="Cửa hàng chính", code="main-site", warehouse_id=warehouse.pk, user_id=None
    )
    return website, key


def payload(**changes):
    data = {
        "id": "WEB-1001",
        "customer": {
            "name": "Trần Thị Bình",
            "phone": "0987 654 321",
            "email": "Binh@Example.com",
        },
        "shipping_address": {
            "street": "45 Nguyễn Huệ",
            "ward": "Phường Bến Nghé",
            "district": "Quận 1",
            "province": "TP. Hồ Chí Minh",
        },
        "items": [
            {"sku": "AO-DO-M", "quantity": 2, "unit_price": "140000"},
            {"sku": "non-01", "quantity": 1},
        ],
        "payment_method": "cod",
        "shipping_fee": "30000",
        "discount": 10000,
        "notes": "Gọi trước khi giao",
    }
    data.update(changes)
    return data


def post(client, key, body, **headers):
    raw = body if isinstance(body, bytes | str) else json.dumps(body, ensure_ascii=False)
    if key is not None:
        headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {key}")
    return client.post(ORDERS_URL, data=raw, content_type="application/json", **headers)


def codes(response):
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


def nothing_created():
    return (Order.objects.count(), Customer.objects.count(), OrderLine.objects.count()) == (0, 0, 0)


# --- Keys and authentication --------------------------------------------------------------------


def test_website_create_keeps_only_the_hash_of_a_key_shown_once(make_user):
    user = make_user("manager")
    website, key = website_create(
        name="  Shop  online ", code=" shop-vn_1 ", warehouse_id=None, user_id=user.pk, now=T0
    )
    assert re.fullmatch(r"crm_[A-Za-z0-9_-]{43}", key)
    website.refresh_from_db()
    assert (website.name, website.code, website.is_active, website.created_by_id) == (
        "Shop online",
        "SHOP-VN_1",
        True,
        user.pk,
    )
    assert website.key_prefix == key[:12]
    assert website.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = json.dumps(list(Website.objects.values()), default=str)
    assert key not in stored
    assert key[12:] not in stored


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "The code is 1 to 32 capital letters"),
        ("MAIN SITE", "The code is 1 to 32 capital letters"),
        ("-MAIN", "The code is 1 to 32 capital letters"),
        ("main-site", "Another website already has the code MAIN-SITE."),
    ],
)
def test_website_create_refuses_bad_or_taken_codes(shop, code, message):
    with pytest.raises(WebsiteError, match=re.escape(message)):
        website_create(name="Other", code=code, warehouse_id=None, user_id=None)
    assert Website.objects.count() == 1


def test_authenticate_by_prefix_and_hash_refuses_wrong_rotated_and_inactive_keys(shop):
    website, key = shop
    assert website_authenticate(key) == website
    assert website_authenticate(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert website_authenticate(key[:12]) is None
    assert website_authenticate("") is None
    assert website_authenticate("Bearer " + key) is None

    new_key = website_key_rotate(website_id=website.pk)
    assert new_key != key
    assert website_authenticate(key) is None
    assert website_authenticate(new_key) == website

    website_set_active(website_id=website.pk, active=False)
    assert website_authenticate(new_key) is None
    website_set_active(website_id=website.pk, active=True)
    assert website_authenticate(new_key) == website


def test_last_used_is_stamped_at_most_once_a_minute(shop, django_assert_num_queries):
    website, key = shop
    with django_assert_num_queries(2):  # lookup + stamp
        website_authenticate(key, now=T0)
    with django_assert_num_queries(1):  # lookup only
        website_authenticate(key, now=T0 + timedelta(seconds=59))
    website.refresh_from_db()
    assert website.last_used_at == T0
    with django_assert_num_queries(2):
        website_authenticate(key, now=T0 + timedelta(seconds=61))
    website.refresh_from_db()
    assert website.last_used_at == T0 + timedelta(seconds=61)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer crm_wrongwrongwrongwrongwrongwrongwrongwrongwro"},
        {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"},
        {"HTTP_X_API_KEY": "nope"},
    ],
)
def test_missing_or_wrong_key_is_401_json_and_nothing_is_stored(client, shop, headers):
    response = post(client, None, payload(), **headers)
    assert response.status_code == 401
    assert response.json() == {
        "errors": [
            {
                "field": None,
                "code": "unauthorized",
                "message": "Send a valid API key in Authorization: Bearer <key> or X-Api-Key.",
            }
        ]
    }
    assert response["Cache-Control"] == "no-store"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert nothing_created()
    assert WebsiteRequest.objects.count() == 0


def test_x_api_key_header_is_accepted(client, shop):
    _website, key = shop
    response = post(client, None, payload(), HTTP_X_API_KEY=key)
    assert response.status_code == 201


def test_rotated_key_and_inactive_website_get_401(client, shop):
    website, key = shop
    new_key = website_key_rotate(website_id=website.pk)
    assert post(client, key, payload()).status_code == 401
    website_set_active(website_id=website.pk, active=False)
    assert post(client, new_key, payload()).status_code == 401
    assert (
        client.get(f"{ORDERS_URL}/WEB-1001", HTTP_AUTHORIZATION=f"Bearer {new_key}").status_code
        == 401
    )
    assert nothing_created()
    website_set_active(website_id=website.pk, active=True)
    assert post(client, new_key, payload()).status_code == 201


def test_wrong_methods_are_405_json(client, shop):
    _website, key = shop
    response = client.get(ORDERS_URL, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert codes(response) == [(None, "method_not_allowed")]
    response = client.put(f"{ORDERS_URL}/WEB-1", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert (response.status_code, response["Allow"]) == (405, "GET")
    assert client.post(reverse("api:openapi")).status_code == 405
    assert WebsiteRequest.objects.count() == 0


# --- Creating orders ----------------------------------------------------------------------------


def test_create_makes_the_order_and_customer_and_stores_the_request(client, shop):
    website, key = shop
    body = json.dumps(payload(), ensure_ascii=False)
    response = post(client, key, body)

    assert response.status_code == 201
    order = Order.objects.get()
    assert response.json() == {
        "id": "WEB-1001",
        "number": order.number,
        "status": "new",
        "payment_status": "unpaid",
        "total": "399000",
        "currency": "VND",
        "url": "http://testserver/api/v1/orders/WEB-1001",
    }
    assert response["Location"] == "http://testserver/api/v1/orders/WEB-1001"
    assert response["Cache-Control"] == "no-store"
    assert (order.channel, order.channel_account, order.external_number) == (
        "website",
        "MAIN-SITE",
        "WEB-1001",
    )
    assert (order.payment_method, order.warehouse.code, order.created_by_id) == (
        "cod",
        "HCM01",
        None,
    )
    # 2 x 140000 (the website's price, not the catalogue's 150000) + 1 x 99000 (catalogue).
    assert (order.subtotal, order.discount_total, order.shipping_fee, order.total) == (
        D("379000"),
        D("10000"),
        D("30000"),
        D("399000"),
    )
    assert list(order.lines.order_by("id").values_list("sku", "quantity", "unit_price")) == [
        ("AO-DO-M", 2, D("140000")),
        ("NON-01", 1, D("99000")),
    ]
    assert order.notes == "Gọi trước khi giao"
    assert (order.ship_name, order.ship_phone, order.ship_scheme, order.ship_ward) == (
        "Trần Thị Bình",
        "+84987654321",
        "vn_3level",
        "Phường Bến Nghé",
    )
    customer = order.customer
    assert (customer.name, customer.emails) == ("Trần Thị Bình", ["binh@example.com"])
    assert list(customer.phones.values_list("e164", "is_primary")) == [("+84987654321", True)]
    assert list(
        CustomerAddress.objects.filter(customer=customer).values_list("street", "is_default")
    ) == [("45 Nguyễn Huệ", True)]

    logged = WebsiteRequest.objects.get()
    assert (logged.website, logged.external_number, logged.outcome, logged.status_code) == (
        website,
        "WEB-1001",
        "created",
        201,
    )
    assert (logged.order, logged.errors, logged.raw_body) == (order, [], body)
    assert logged.payload == payload()


def test_existing_customer_is_found_by_phone_in_another_format(client, shop):
    _website, key = shop
    known = make_customer("Bình (khách cũ)", phones=("+84 987-654-321",))
    response = post(client, key, payload())
    assert response.status_code == 201
    order = Order.objects.get()
    assert order.customer == known
    assert Customer.objects.count() == 1
    known.refresh_from_db()
    assert (known.name, known.emails) == ("Bình (khách cũ)", [])  # the customer is not edited
    assert order.ship_name == "Trần Thị Bình"


def test_integer_id_warehouse_code_and_thb_style_decimals(client, shop, settings):
    _website, key = shop
    other = WarehouseFactory(code="HN02")
    shirt = VariantFactory(sku="AO-XANH", sale_price=D("1"))
    stock_receive(variant_id=shirt.pk, warehouse_id=other.pk, quantity=3)
    settings.SHOP_CURRENCY = "THB"
    response = post(
        client,
        key,
        payload(
            id=10023,
            warehouse="hn02",
            items=[{"sku": "ao-xanh", "quantity": 3, "unit_price": "199.50", "discount": "0.50"}],
            shipping_fee="40",
            discount="0",
            customer={"name": "Somchai", "phone": "081-234-5678"},
            shipping_address={
                "street": "99/1 Sukhumvit Soi 11",
                "ward": "Khlong Toei Nuea",
                "district": "Watthana",
                "province": "Bangkok",
                "postcode": "10110",
                "country": "th",
            },
        ),
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["id"], response.json()["total"], response.json()["currency"]) == (
        "10023",
        "638.00",
        "THB",
    )
    order = Order.objects.get()
    assert (order.external_number, order.warehouse_id, order.ship_country) == (
        "10023",
        other.pk,
        "TH",
    )
    assert order.customer.phones.get().e164 == "+66812345678"


# --- Idempotency --------------------------------------------------------------------------------


def test_a_repeat_is_200_with_the_same_order_and_creates_nothing(client, shop):
    _website, key = shop
    first = post(client, key, payload())
    # The website resends, even with other content: the first order stands.
    again = post(client, key, payload(items=[{"sku": "AO-DO-M", "quantity": 9}]))

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert "Location" not in again
    assert (Order.objects.count(), Customer.objects.count(), OrderLine.objects.count()) == (1, 1, 2)
    assert list(
        WebsiteRequest.objects.order_by("id").values_list("outcome", "status_code", "order")
    ) == [
        ("created", 201, Order.objects.get().pk),
        ("duplicate", 200, Order.objects.get().pk),
    ]


def test_the_same_id_from_two_websites_makes_two_orders(client, shop):
    _website, key = shop
    _other, other_key = website_create(
        name="Landing page", code="LANDING", warehouse_id=None, user_id=None
    )
    assert post(client, key, payload()).status_code == 201
    assert post(client, other_key, payload()).status_code == 201
    assert sorted(Order.objects.values_list("channel_account", "external_number")) == [
        ("LANDING", "WEB-1001"),
        ("MAIN-SITE", "WEB-1001"),
    ]
    assert Customer.objects.count() == 1  # one buyer, found by phone the second time


@pytest.mark.postgres(why="real concurrent transactions racing on the unique external id")
@pytest.mark.django_db(transaction=True)
def test_identical_requests_at_the_same_moment_make_exactly_one_order(shop):
    _website, key = shop
    body = json.dumps(payload(), ensure_ascii=False)
    statuses: list[int] = []
    numbers: set[str] = set()

    def send():
        response = post(Client(), key, body)
        statuses.append(response.status_code)
        numbers.add(response.json().get("number", ""))

    outcomes = run_concurrently([send] * 4, {})

    assert outcomes == ["ok"] * 4
    assert sorted(statuses) == [200, 200, 200, 201]
    assert (Order.objects.count(), Customer.objects.count(), OrderLine.objects.count()) == (1, 1, 2)
    assert numbers == {Order.objects.get().number}
    assert Counter(WebsiteRequest.objects.values_list("outcome", flat=True)) == {
        "created": 1,
        "duplicate": 3,
    }
    assert set(WebsiteRequest.objects.values_list("order", flat=True)) == {Order.objects.get().pk}


# --- Validation ---------------------------------------------------------------------------------


def _without(data, *path):
    data = copy.deepcopy(data)
    target = data
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return data


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            _without(payload(), "customer", "phone"),
            [("customer.phone", "required", "This field is required.")],
            id="missing phone",
        ),
        pytest.param(
            payload(customer={"name": "Bình", "phone": "0123"}),
            [("customer.phone", "invalid_phone", "0123 is not a valid phone number in VN.")],
            id="bad phone",
        ),
        pytest.param(
            payload(items=[{"sku": "AO-DO-M", "quantity": 1}, {"sku": "NON-99", "quantity": 1}]),
            [("items[1].sku", "unknown_sku", "No product has the SKU NON-99.")],
            id="unknown sku",
        ),
        pytest.param(
            payload(items=[{"sku": "AO-DO-M", "quantity": 0}]),
            [("items[0].quantity", "out_of_range", "Send a number from 1 to 100000.")],
            id="quantity 0",
        ),
        pytest.param(
            payload(items=[{"sku": "AO-DO-M", "quantity": 2.0}]),
            [("items[0].quantity", "invalid_type", "Send a whole number.")],
            id="quantity float",
        ),
        pytest.param(
            payload(items=[{"sku": "AO-DO-M", "quantity": 1, "unit_price": 149999.5}]),
            [
                (
                    "items[0].unit_price",
                    "float_not_allowed",
                    'Amounts must not be JSON decimal numbers: send a string such as "199.50" '
                    "or a whole number.",
                )
            ],
            id="float money",
        ),
        pytest.param(
            payload(shipping_fee=3e4),
            [
                (
                    "shipping_fee",
                    "float_not_allowed",
                    'Amounts must not be JSON decimal numbers: send a string such as "199.50" '
                    "or a whole number.",
                )
            ],
            id="float money with exponent",
        ),
        pytest.param(
            payload(shipping_fee="30.000"),
            [
                (
                    "shipping_fee",
                    "too_many_decimals",
                    'VND amounts are whole numbers: send "30000", without a decimal point (a "." '
                    "is never a thousands separator here).",
                )
            ],
            id="dotted thousands in VND",
        ),
        pytest.param(
            payload(discount="-5"),
            [("discount", "negative", "The amount cannot be negative.")],
            id="negative",
        ),
        pytest.param(
            payload(discount="10,000"),
            [
                (
                    "discount",
                    "invalid_amount",
                    "This is not an amount: use digits and at most one decimal point, without "
                    'thousands separators or currency, e.g. "150000" or "199.50".',
                )
            ],
            id="comma amount",
        ),
        pytest.param(
            payload(payment_method="paypal"),
            [("payment_method", "invalid_choice", "Use one of: cod, bank_transfer, card, cash.")],
            id="payment method",
        ),
        pytest.param(
            payload(phone_number="0987654321"),
            [
                (
                    "phone_number",
                    "unknown_field",
                    "This field is not part of the API; check its spelling.",
                )
            ],
            id="unknown field",
        ),
        pytest.param(
            payload(id="WEB/1"),
            [
                (
                    "id",
                    "invalid_format",
                    "Use letters, digits and . _ : # - only, starting with a letter, a digit or #.",
                )
            ],
            id="id with slash",
        ),
        pytest.param(
            payload(items=[]), [("items", "required", "Send at least one item.")], id="no items"
        ),
        pytest.param(
            payload(discount="500000"),
            [
                (
                    "discount",
                    "too_large",
                    "The order discount is larger than the items' total (379000).",
                )
            ],
            id="discount above subtotal",
        ),
        pytest.param(
            payload(warehouse="NOWHERE"),
            [("warehouse", "unknown_warehouse", "No warehouse has the code NOWHERE.")],
            id="unknown warehouse",
        ),
        pytest.param(
            payload(
                shipping_address={
                    "street": "1 Sukhumvit",
                    "ward": "X",
                    "province": "Bangkok",
                    "country": "TH",
                }
            ),
            [
                ("shipping_address.district", "required", "This field is required."),
                ("shipping_address.postcode", "required", "This field is required."),
            ],
            id="thai address needs district and postcode",
        ),
    ],
)
def test_each_validation_error_is_422_field_level_and_changes_nothing(client, shop, body, expected):
    _website, key = shop
    raw = json.dumps(body, ensure_ascii=False)
    response = post(client, key, raw)

    assert response.status_code == 422
    assert [(e["field"], e["code"], e["message"]) for e in response.json()["errors"]] == expected
    assert nothing_created()
    logged = WebsiteRequest.objects.get()
    assert (logged.outcome, logged.status_code, logged.order, logged.raw_body) == (
        "rejected",
        422,
        None,
        raw,
    )
    assert logged.errors == response.json()["errors"]


def test_many_errors_are_reported_in_one_answer(client, shop):
    _website, key = shop
    response = post(
        client,
        key,
        {
            "id": True,
            "customer": {"phone": "0987654321"},
            "shipping_address": "12 Lê Lợi",
            "items": [{"sku": "AO-DO-M"}, "NON-01", {"sku": "NOPE", "quantity": 1}],
            "payment_method": "cod",
        },
    )
    assert response.status_code == 422
    assert codes(response) == [
        ("id", "invalid_type"),
        ("customer.name", "required"),
        ("shipping_address", "invalid_type"),
        ("items[0].quantity", "required"),
        ("items[1]", "invalid_type"),
        ("items[2].sku", "unknown_sku"),  # SKUs are checked in the same answer
    ]


def test_inactive_variant_is_not_sold(client, shop):
    _website, key = shop
    VariantFactory(sku="OLD-1", is_active=False)
    response = post(client, key, payload(items=[{"sku": "old-1", "quantity": 1}]))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "items[0].sku", "code": "not_sold", "message": "OLD-1 is no longer sold."}
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"id": "WEB-1",', "The body is not valid JSON (line 1, column 16)."),
        (b"", "The body is empty."),
        (b"\xff\xfe{}", "The body is not UTF-8 text."),
        (b'{"id": NaN}', "The body is not valid JSON."),
        (b'{"id": "a", "id": "b"}', "The key id appears twice in one object."),
    ],
)
def test_bad_json_is_400_and_stored_as_received(client, shop, raw, message):
    _website, key = shop
    response = post(client, key, raw)
    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"field": None, "code": "invalid_json", "message": message}]
    }
    assert nothing_created()
    logged = WebsiteRequest.objects.get()
    assert (logged.outcome, logged.status_code, logged.payload, logged.external_number) == (
        "rejected",
        400,
        None,
        "",
    )
    assert logged.raw_body == raw.decode("utf-8", errors="replace")


def test_a_json_array_is_refused_as_a_whole(client, shop):
    _website, key = shop
    response = post(client, key, [payload()])
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": None, "code": "invalid_type", "message": "Send a JSON object."}
    ]


def test_a_body_over_256_kb_is_413_and_kept_cut_at_the_limit(client, shop):
    _website, key = shop
    body = json.dumps(payload(notes="x" * MAX_BODY_BYTES))
    response = post(client, key, body)
    assert response.status_code == 413
    assert response.json() == {
        "errors": [
            {
                "field": None,
                "code": "payload_too_large",
                "message": "The body is larger than 256 KB.",
            }
        ]
    }
    assert nothing_created()
    logged = WebsiteRequest.objects.get()
    assert (logged.outcome, logged.status_code, len(logged.raw_body)) == (
        "rejected",
        413,
        MAX_BODY_BYTES,
    )


def test_errors_follow_accept_language_with_the_same_codes(client, shop):
    _website, key = shop
    bad = payload(items=[{"sku": "NON-99", "quantity": 0}])
    english = post(client, key, bad, HTTP_ACCEPT_LANGUAGE="en")
    thai = post(client, key, bad, HTTP_ACCEPT_LANGUAGE="th")
    vietnamese = post(client, key, bad, HTTP_ACCEPT_LANGUAGE="vi-VN,vi;q=0.9")
    assert (
        codes(english)
        == codes(thai)
        == codes(vietnamese)
        == [("items[0].quantity", "out_of_range"), ("items[0].sku", "unknown_sku")]
    )
    assert (
        english["Content-Language"],
        thai["Content-Language"],
        vietnamese["Content-Language"],
    ) == (
        "en",
        "th",
        "vi",
    )
    unauthorized = post(client, None, bad, HTTP_ACCEPT_LANGUAGE="th")
    assert (unauthorized.status_code, unauthorized["Content-Language"]) == (401, "th")
    assert codes(unauthorized) == [(None, "unauthorized")]


# --- Re-apply -----------------------------------------------------------------------------------


def test_a_rejected_request_is_repaired_and_reapplied(shop, make_user):
    website, _key = shop
    user = make_user("manager")
    raw = json.dumps(payload(items=[{"sku": "AO-DO-N", "quantity": 1}]))
    status, body = website_order_receive(website=website, raw_body=raw.encode(), now=T0)
    assert (status, body["errors"][0]["code"]) == (422, "unknown_sku")
    logged = WebsiteRequest.objects.get()

    still_bad = json.dumps(payload(items=[{"sku": "AO-DO-M", "quantity": 0}]))
    website_request_reapply(request_id=logged.pk, payload_text=still_bad, user_id=user.pk)
    logged.refresh_from_db()
    assert (logged.outcome, logged.status_code, logged.order) == ("rejected", 422, None)
    assert [(e["field"], e["code"]) for e in logged.errors] == [
        ("items[0].quantity", "out_of_range")
    ]
    assert nothing_created()

    repaired = json.dumps(payload(items=[{"sku": "AO-DO-M", "quantity": 1}]))
    website_request_reapply(request_id=logged.pk, payload_text=repaired, user_id=user.pk)
    logged.refresh_from_db()
    order = Order.objects.get()
    assert (logged.outcome, logged.status_code, logged.order, logged.errors) == (
        "created",
        201,
        order,
        [],
    )
    assert logged.raw_body == raw  # the body as first received is kept
    assert logged.payload == json.loads(repaired)
    assert (order.external_number, order.created_by_id, order.total) == (
        "WEB-1001",
        user.pk,
        D("170000"),
    )

    with pytest.raises(WebsiteError, match=r"This request was already applied\."):
        website_request_reapply(request_id=logged.pk, payload_text=repaired, user_id=user.pk)
    assert Order.objects.count() == 1


def test_reapply_of_an_id_that_meanwhile_arrived_links_the_existing_order(client, shop):
    website, key = shop
    status, _body = website_order_receive(website=website, raw_body=b"{oops")
    assert status == 400
    rejected = WebsiteRequest.objects.get()
    assert post(client, key, payload()).status_code == 201
    website_request_reapply(
        request_id=rejected.pk, payload_text=json.dumps(payload()), user_id=None
    )
    rejected.refresh_from_db()
    assert (rejected.outcome, rejected.status_code, rejected.order) == (
        "duplicate",
        200,
        Order.objects.get(),
    )
    assert Order.objects.count() == 1


# --- Status endpoint ----------------------------------------------------------------------------


def test_the_website_reads_its_order_status_and_shipments(client, shop):
    _website, key = shop
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    post(client, key, payload())
    order = Order.objects.get()
    order_confirm(order_id=order.pk, user_id=None, now=T0)

    def shipments(found):
        return [
            {
                "carrier": "ghn",
                "tracking_number": f"GHN-{found.number}",
                "status": "picking",
                "tracking_url": None,
            }
        ]

    register_shipment_provider(shipments)
    try:
        response = client.get(f"{ORDERS_URL}/WEB-1001", **auth)
    finally:
        unregister_shipment_provider(shipments)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data == {
        "id": "WEB-1001",
        "number": order.number,
        "status": "processing",
        "payment_status": "unpaid",
        "total": "399000",
        "paid": "0",
        "refunded": "0",
        "currency": "VND",
        "created_at": data["created_at"],
        "updated_at": "2026-03-01T09:30:00+07:00",
        "confirmed_at": "2026-03-01T09:30:00+07:00",
        "shipped_at": None,
        "completed_at": None,
        "cancelled_at": None,
        "returned_at": None,
        "shipments": [
            {
                "carrier": "ghn",
                "tracking_number": f"GHN-{order.number}",
                "status": "picking",
                "tracking_url": None,
            }
        ],
    }

    _other, other_key = website_create(name="Other", code="OTHER", warehouse_id=None, user_id=None)
    hidden = client.get(f"{ORDERS_URL}/WEB-1001", HTTP_AUTHORIZATION=f"Bearer {other_key}")
    assert hidden.status_code == 404
    assert hidden.json() == {
        "errors": [
            {
                "field": None,
                "code": "not_found",
                "message": "No order of this website has the id WEB-1001.",
            }
        ]
    }
    assert client.get(f"{ORDERS_URL}/WEB-1001").status_code == 401


def test_an_id_with_a_hash_sign_round_trips_through_the_status_url(client, shop):
    _website, key = shop
    response = post(client, key, payload(id="#1001"))
    assert response.status_code == 201
    assert response.json()["url"] == "http://testserver/api/v1/orders/%231001"
    status = client.get("/api/v1/orders/%231001", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert (status.status_code, status.json()["id"]) == (200, "#1001")


# --- The life of an API order with stock --------------------------------------------------------


def test_full_life_of_an_api_order_with_stock_at_each_step(client, shop):
    website, key = shop
    shirt_sku, cap_sku = "AO-DO-M", "NON-01"
    shirt, cap = Variant.objects.get(sku=shirt_sku), Variant.objects.get(sku=cap_sku)
    warehouse = website.warehouse

    response = post(client, key, payload())
    assert response.status_code == 201
    order = Order.objects.get(number=response.json()["number"])
    assert (level(shirt, warehouse), level(cap, warehouse)) == ((10, 0), (5, 0))
    assert order_ledger(order) == []

    order_confirm(order_id=order.pk, user_id=None)
    assert (level(shirt, warehouse), level(cap, warehouse)) == ((10, 2), (5, 1))
    assert order_ledger(order) == [
        ("AO-DO-M", "reservation", 0, 2),
        ("NON-01", "reservation", 0, 1),
    ]

    order_ship(order_id=order.pk, user_id=None)
    assert (level(shirt, warehouse), level(cap, warehouse)) == ((8, 0), (4, 0))
    assert order_ledger(order)[2:] == [
        ("AO-DO-M", "shipment", -2, -2),
        ("NON-01", "shipment", -1, -1),
    ]

    order_complete(order_id=order.pk, user_id=None)
    order.refresh_from_db()
    assert (order.status, order.payment_status, order.paid_amount) == (
        "completed",
        "paid",
        D("399000"),
    )
    assert (level(shirt, warehouse), level(cap, warehouse)) == ((8, 0), (4, 0))
    assert len(order_ledger(order)) == 4
    status = client.get(f"{ORDERS_URL}/WEB-1001", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert (status["status"], status["payment_status"], status["paid"]) == (
        "completed",
        "paid",
        "399000",
    )

    second = post(client, key, payload(id="WEB-1002", items=[{"sku": "AO-DO-M", "quantity": 3}]))
    assert second.status_code == 201
    other = Order.objects.get(number=second.json()["number"])
    assert other.customer_id == order.customer_id
    order_confirm(order_id=other.pk, user_id=None)
    assert level(shirt, warehouse) == (8, 3)
    order_cancel(order_id=other.pk, user_id=None, reason="khách đổi ý")
    assert level(shirt, warehouse) == (8, 0)
    assert order_ledger(other) == [
        ("AO-DO-M", "reservation", 0, 3),
        ("AO-DO-M", "release", 0, -3),
    ]
    status = client.get(f"{ORDERS_URL}/WEB-1002", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert status["status"] == "cancelled"
    assert ledger_mismatches() == []


# --- Over a real socket -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_create_and_read_over_real_http(live_server, shop):
    _website, key = shop
    url = f"{live_server.url}/api/v1/orders"
    response = requests.post(
        url,
        data=json.dumps(payload(), ensure_ascii=False).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    assert response.json()["url"] == f"{live_server.url}/api/v1/orders/WEB-1001"
    status = requests.get(response.json()["url"], headers={"X-Api-Key": key}, timeout=10)
    assert (status.status_code, status.json()["number"]) == (200, response.json()["number"])
    refused = requests.post(url, data=b"{}", headers={"X-Api-Key": "crm_nope"}, timeout=10)
    assert (refused.status_code, refused.json()["errors"][0]["code"]) == (401, "unauthorized")
    assert Order.objects.count() == 1


# --- OpenAPI ------------------------------------------------------------------------------------


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_openapi_document_is_valid_json_and_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    document = json.loads(response.content)
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "http://testserver/api/v1"}]
    # /contact-requests is added by the follow-ups app (orders.api.openapi.register_api_paths).
    assert set(document["paths"]) == {
        "/orders",
        "/orders/{id}",
        "/openapi.json",
        "/contact-requests",
    }
    assert set(document["components"]["securitySchemes"]) == {"bearerAuth", "apiKeyAuth"}
    assert document["security"] == [{"bearerAuth": []}, {"apiKeyAuth": []}]
    for ref in _refs(document):
        assert ref.startswith("#/components/schemas/")
        assert ref.removeprefix("#/components/schemas/") in document["components"]["schemas"]
    for operations in document["paths"].values():
        for operation in operations.values():
            assert operation["operationId"]
            for code, answer in operation["responses"].items():
                assert re.fullmatch(r"[2-5]\d\d", code)
                assert answer["description"]
    error_codes = [
        c["const"]
        for c in document["components"]["schemas"]["Error"]["properties"]["code"]["oneOf"]
    ]
    assert error_codes == list(schema.ERROR_CODES)


def _schema_problems(document, schema, value, path="$"):
    """What is wrong with `value` for `schema` (the JSON Schema keywords the document uses)."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        return _schema_problems(
            document, {**document["components"]["schemas"][name], **rest}, value, path
        )
    kinds = schema.get("type", [])
    kinds = [kinds] if isinstance(kinds, str) else kinds
    json_type = {
        str: "string",
        bool: "boolean",
        int: "integer",
        float: "number",
        dict: "object",
        list: "array",
        type(None): "null",
    }[type(value)]
    if kinds and json_type not in kinds:
        return [f"{path}: {json_type} is not {kinds}"]
    problems = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{path}: {value!r} not in enum")
    if "oneOf" in schema and sum(value == option["const"] for option in schema["oneOf"]) != 1:
        problems.append(f"{path}: {value!r} matches no oneOf")
    if json_type == "string":
        if len(value) > schema.get("maxLength", len(value)):
            problems.append(f"{path}: too long")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(f"{path}: does not match {schema['pattern']}")
    if json_type == "integer" and not schema.get("minimum", value) <= value <= schema.get(
        "maximum", value
    ):
        problems.append(f"{path}: out of range")
    if json_type == "array":
        if not schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", len(value)):
            problems.append(f"{path}: wrong number of items")
        for index, item in enumerate(value):
            problems += _schema_problems(
                document, schema.get("items", {}), item, f"{path}[{index}]"
            )
    if json_type == "object":
        properties = schema.get("properties", {})
        problems += [
            f"{path}.{name}: missing" for name in schema.get("required", ()) if name not in value
        ]
        for name, item in value.items():
            if name in properties:
                problems += _schema_problems(document, properties[name], item, f"{path}.{name}")
            elif schema.get("additionalProperties") is False:
                problems.append(f"{path}.{name}: not allowed")
    return problems


def _examples(document):
    """(where, schema, example) of every example of a request or answer in the document."""
    for route, operations in document["paths"].items():
        for method, operation in operations.items():
            contents = [("request", operation.get("requestBody", {}).get("content", {}))]
            contents += [
                (code, answer.get("content", {})) for code, answer in operation["responses"].items()
            ]
            for where, content in contents:
                for media in content.values():
                    if "example" in media:
                        yield f"{method} {route} {where}", media["schema"], media["example"]


@pytest.mark.parametrize("currency", ["VND", "THB"])
def test_the_document_validates_its_own_examples_and_the_validator_accepts_them(currency):
    # The schemas are the models' own (orders.api.schema, orders.api.responses): the document
    # cannot disagree with the validator; what is checked is that it describes valid examples.
    document = openapi_document(currency=currency)
    checked = []
    for where, schema_ref, example in _examples(document):
        assert _schema_problems(document, schema_ref, example) == [], where
        checked.append(where)
    assert len(checked) == 20
    assert {
        "post /orders request",
        "get /orders/{id} 200",
        "post /contact-requests request",
    } <= set(checked)
    order_in, errors = schema.order_validate(EXAMPLES[currency], currency=currency)
    assert (errors, order_in.external_id, len(order_in.items)) == (
        [],
        "WEB-10023",
        len(EXAMPLES[currency]["items"]),
    )
    # Not vacuous: what the validator refuses, the document refuses too.
    wrong = {**EXAMPLES[currency], "extra": 1, "payment_method": "paypal", "items": []}
    request = {"$ref": "#/components/schemas/OrderRequest"}
    assert sorted(_schema_problems(document, request, wrong)) == [
        "$.extra: not allowed",
        "$.items: wrong number of items",
        "$.payment_method: 'paypal' not in enum",
    ]
    _order, errors = schema.order_validate(wrong, currency=currency)
    assert [(e.field, e.code) for e in errors] == [
        ("extra", "unknown_field"),
        ("items", "required"),
        ("payment_method", "invalid_choice"),
    ]


def test_documented_fields_and_the_validator_agree_both_ways():
    document = openapi_document(currency="VND")
    schemas = document["components"]["schemas"]
    example = EXAMPLES["VND"]
    nested = [
        ("OrderRequest", ()),
        ("Customer", ("customer",)),
        ("ShippingAddress", ("shipping_address",)),
        ("OrderItem", ("items", 0)),
    ]
    for name, where in nested:
        assert schemas[name]["additionalProperties"] is False, name
        for field, spec in schemas[name]["properties"].items():
            body = copy.deepcopy(example)
            target = body
            for part in where:
                target = target[part]
            path = ".".join(str(p) for p in (*where, field)).replace(".0.", "[0].")
            # Every documented field is accepted: absent when optional, "required" when not.
            target.pop(field, None)
            _order, errors = schema.order_validate(body, currency="VND")
            if field in schemas[name]["required"]:
                assert [(e.field, e.code) for e in errors] == [(path, "required")], path
            else:
                assert errors == [], path
            # A documented limit is the validator's limit.
            if (
                spec.get("maxLength")
                and spec.get("type") == "string"
                and field not in ("phone", "email", "country")
            ):
                target[field] = "A" * (spec["maxLength"] + 1)
                _order, errors = schema.order_validate(body, currency="VND")
                assert [(e.field, e.code) for e in errors] == [(path, "too_long")], path
            # An undocumented field is refused at its path.
            target[f"{field}_x"] = "1"
            _order, errors = schema.order_validate(body, currency="VND")
            assert (f"{path}_x", "unknown_field") in [(e.field, e.code) for e in errors], path
    assert schemas["OrderRequest"]["properties"]["payment_method"]["enum"] == [
        str(m) for m in PAYMENT_METHODS
    ]


def test_real_answers_are_what_the_document_describes(client, shop):
    _website, key = shop
    document = openapi_document()
    created = post(client, key, payload())
    status = client.get(created.json()["url"], HTTP_AUTHORIZATION=f"Bearer {key}")
    refused = post(client, key, payload(id="WEB-2", items=[{"sku": "NOPE", "quantity": 0}]))
    answers = [
        (created, "OrderReceipt", 201),
        (status, "OrderStatus", 200),
        (refused, "Errors", 422),
    ]
    for response, name, code in answers:
        assert response.status_code == code
        ref = {"$ref": f"#/components/schemas/{name}"}
        assert _schema_problems(document, ref, response.json()) == [], name
        assert getattr(responses, name).model_validate(response.json())


@pytest.mark.parametrize("currency", ["VND", "THB"])
def test_the_documented_example_creates_the_documented_total(client, settings, currency):
    settings.SHOP_CURRENCY = currency
    warehouse = WarehouseFactory()
    for item in EXAMPLES[currency]["items"]:
        stocked_variant(warehouse, 5, sku=item["sku"])
    _website, key = website_create(
        name="Docs", code="DOCS", warehouse_id=warehouse.pk, user_id=None
    )
    response = post(client, key, EXAMPLES[currency])
    assert response.status_code == 201, response.json()
    assert response.json()["total"] == TOTAL_EXAMPLE[currency]


def test_a_website_over_its_rate_limit_gets_429_with_retry_after(client, shop, settings):
    from orders.api.openapi import openapi_document

    settings.API_RATE_LIMIT_PER_MINUTE = 2
    _website, key = shop
    url = reverse("api:order_status", args=["NOPE"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert [client.get(url, **auth).status_code for _ in range(2)] == [404, 404]
    refused = client.get(url, **auth)
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    paths = openapi_document()["paths"]
    assert all(
        "429" in op["responses"]
        for item in paths.values()
        for op in item.values()
        if isinstance(op, dict) and "responses" in op and "401" in op["responses"]
    )


def test_an_order_paid_on_the_website_arrives_paid(client, shop):
    _website, key = shop
    body = payload(
        payment_method="card",
        paid_amount="170000",
        payment_reference="VNPAY-7781",
        items=[{"sku": "AO-DO-M", "quantity": 1}],
        shipping_fee="30000",
    )
    response = post(client, key, body)
    assert response.status_code == 201
    assert response.json()["payment_status"] == "paid"
    order = Order.objects.get()
    payment = order.payments.get()
    assert (payment.kind, payment.amount, payment.method, payment.reference) == (
        "payment",
        D("170000"),
        "card",
        "VNPAY-7781",
    )
    assert (order.total, order.paid_amount, order.payment_status) == (
        D("170000"),
        D("170000"),
        "paid",
    )


def test_a_payment_above_the_total_is_refused_and_nothing_is_created(client, shop):
    _website, key = shop
    body = payload(paid_amount="999999", items=[{"sku": "AO-DO-M", "quantity": 1}])
    response = post(client, key, body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "order_rejected"
    assert Order.objects.count() == 0
