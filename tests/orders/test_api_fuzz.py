"""Fuzz test of the website API: every endpoint under /api/, with a valid key, gets valid
payloads with one value at a time replaced by something hostile (NUL, lone surrogates, bytes
that are not UTF-8, extreme dates, huge numbers, wrong JSON types, very long text), plus broken
JSON, wrong content types, empty bodies and hostile URLs. No answer may be a 500, every answer
is JSON in the API's error format (or a success), and every POST is kept for staff."""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

import pytest

from orders.models import ApiEndpoint, WebsiteRequest
from orders.services.websites import website_create
from tests.orders.factories import WarehouseFactory, stocked_variant

pytestmark = pytest.mark.django_db

MARK = b'"@@FUZZ@@"'
# Raw JSON values (bytes, written into the body as they are).
MUTATIONS: list[bytes] = [
    b'"a\\u0000b"',
    b'"\\u0000"',
    b'"X\\udc80Y"',
    b'"\\ud800"',
    b'"\\udfff\\ud800"',
    b'"X\xed\xb2\x80Y"',  # a surrogate encoded as UTF-8: not UTF-8
    b'"\xff\xfe"',
    b'"a\x00b"',  # a raw NUL byte inside a string: not JSON
    b'"9999-12-31T23:59:59-14:00"',
    b'"0001-01-01T00:00:00+14:00"',
    b'"1999-12-31"',
    b"1e309",
    b"-1e309",
    b"1000000000000000000000000000000",
    b"-1",
    b"0",
    b"1.5",
    b'"\xd9\xa1\xd9\xa2\xd9\xa3"',  # Arabic-Indic digits
    b'"\xe0\xb9\x91\xe0\xb9\x92"',  # Thai digits
    b"[]",
    b'{"a": 1}',
    b"null",
    b"true",
    b'""',
    b'"' + b"x" * 5000 + b'"',
    b'"' + "ầ".encode() * 30_000 + b'"',  # 90 KB
]
BROKEN_BODIES: list[bytes] = [
    b"",
    b" ",
    b"{",
    b"[1, 2]",
    b'"text"',
    b"null",
    b"\x00",
    b"\xff\xfe\x00{",
    b'{"id": NaN}',
    b'{"id": 1, "id": 2}',
    b"[" * 100_000,
    b'{"a": ' * 5000,
    b"1" * 5000,
]
CONTENT_TYPES = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "",
    "application/json; charset=latin-1",
]


def _leaves(data: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(data, dict):
        return [leaf for key, value in data.items() for leaf in _leaves(value, (*path, key))]
    if isinstance(data, list):
        return [leaf for i, value in enumerate(data) for leaf in _leaves(value, (*path, i))]
    return [path]


def _mutated(body: dict, path: tuple, raw: bytes) -> bytes:
    data = json.loads(json.dumps(body))
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = "@@FUZZ@@"
    return json.dumps(data, ensure_ascii=False).encode().replace(MARK, raw)


def _order(n: int) -> dict:
    return {
        "id": f"FUZZ-{n}",
        "customer": {"name": "Trần Thị Bình", "phone": "0987 654 321", "email": "b@example.com"},
        "shipping_address": {
            "recipient_name": "Bình",
            "phone": "0987654321",
            "street": "45 Nguyễn Huệ",
            "ward": "Phường Bến Nghé",
            "district": "Quận 1",
            "province": "TP. Hồ Chí Minh",
            "postcode": "700000",
            "country": "VN",
        },
        "items": [{"sku": "AO-DO-M", "quantity": 1, "unit_price": "140000", "discount": "0"}],
        "payment_method": "cod",
        "shipping_fee": "30000",
        "discount": 0,
        "notes": "Gọi trước",
        "warehouse": "HCM01",
        "paid_amount": "0",
        "payment_reference": "",
        "currency": "VND",
    }


def _contact(n: int) -> dict:
    return {
        "id": f"REQ-{n}",
        "name": "Chị An",
        "phone": "0912 345 678",
        "email": "an@example.vn",
        "message": "Tư vấn giúp em",
        "preferred_at": "2026-11-25T15:00:00+07:00",
    }


def test_no_api_request_gets_a_500_or_an_answer_that_is_not_json(client, settings):
    settings.API_RATE_LIMIT_PER_MINUTE = 1_000_000
    warehouse = WarehouseFactory(code="HCM01")
    stocked_variant(warehouse, 10_000, price="150000", sku="AO-DO-M")
    _website, key = website_create(
        name="Fuzz", code="FUZZ", warehouse_id=warehouse.pk, user_id=None
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    started = time.monotonic()
    answers: list[tuple[str, str, int]] = []
    sent = Counter()

    def check(label: str, response) -> None:
        answers.append((label, response["Content-Type"], response.status_code))
        assert response.status_code < 500, (label, response.content[:300])
        assert response["Content-Type"] == "application/json", label
        body = json.loads(response.content)
        if response.status_code >= 400:
            assert set(body) == {"errors"}, label
            for error in body["errors"]:
                assert set(error) == {"field", "code", "message"}, label
                assert isinstance(error["code"], str), label
                assert error["message"], label

    def post(url: str, raw: bytes, label: str, content_type: str = "application/json") -> None:
        sent[url] += 1
        check(label, client.post(url, data=raw, content_type=content_type, **auth))

    endpoints = [("/api/v1/orders", _order), ("/api/v1/contact-requests", _contact)]
    n = 0
    for url, valid in endpoints:
        for path in _leaves(valid(0)):
            for raw in MUTATIONS:
                n += 1
                post(url, _mutated(valid(n), path, raw), f"{url} {path} {raw[:40]!r}")
        for raw in BROKEN_BODIES:
            post(url, raw, f"{url} broken {raw[:40]!r}")
        for content_type in CONTENT_TYPES:
            n += 1
            body = json.dumps(valid(n)).encode()
            post(url, body, f"{url} {content_type}", content_type=content_type)
        post(url, b"x" * 300_000, f"{url} huge")

    hostile_ids = [
        "abc%00def",
        "%00",
        "abc%ED%B2%80def",
        "%FF%FE",
        "%F0%9F%98%80",
        "A" * 65,
        "A" * 3000,
        "..",
        "a%2Fb",
        "a%0Ab",
        "%D9%A1%D9%A2",
        "FUZZ-1",
    ]
    for order_id in hostile_ids:
        check(f"GET {order_id}", client.get(f"/api/v1/orders/{order_id}", **auth))
        check(f"GET {order_id} ?", client.get(f"/api/v1/orders/{order_id}?x=%00", **auth))
    for url in [
        "/api/v1/openapi.json",
        "/api/v1/openapi.json?x=%00%ED%B2%80",
        "/api/v1/nope",
        "/api/v1/orders/a/b",
        "/api/v1/" + "x" * 5000,
        "/api/",
    ]:
        check(f"GET {url[:60]}", client.get(url, **auth))
        check(f"DELETE {url[:60]}", client.delete(url, **auth))

    kept = Counter(WebsiteRequest.objects.values_list("endpoint", flat=True))
    assert kept[ApiEndpoint.ORDERS] == sent["/api/v1/orders"]
    assert kept[ApiEndpoint.CONTACT_REQUESTS] == sent["/api/v1/contact-requests"]
    statuses = Counter(status for _label, _type, status in answers)
    assert statuses[500] == 0
    # Sanity: the fuzzing reached validation and also produced successes.
    assert statuses[201] > 0
    assert statuses[422] + statuses[400] > len(answers) // 2
    assert time.monotonic() - started < 60
