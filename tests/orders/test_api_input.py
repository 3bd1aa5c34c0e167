# ruff: noqa: F401, F811, RUF001  (the shop fixture is imported; non-ASCII digits are the point)
"""Website order API input at its edges: NUL and lone surrogates in any string, bodies that are
not UTF-8, over-long ids, non-ASCII digits, ids in the status URL. Every such request is
refused with a field error, kept with its exact bytes, and can be repaired by staff."""

from __future__ import annotations

import json

import pytest
from pydantic_core import PydanticCustomError

from orders.api import fields
from orders.models import Order, WebsiteRequest
from orders.services.website_requests import website_request_reapply
from orders.validators import InvalidTaxCode, th_tax_code_normalize, vn_tax_code_normalize
from tests.orders.test_website_api import codes, nothing_created, payload, post, shop

pytestmark = pytest.mark.django_db


def _with(body: dict, path: str, value: str) -> str:
    """The JSON text of `body` with the string at `path` ("customer.name", "items[0].sku")
    replaced by the JSON literal `value` (written as is: it may hold escapes json.dumps
    would not write)."""
    marker = "@@MARK@@"
    data = json.loads(json.dumps(body))
    node = data
    parts = path.replace("[", ".").replace("]", "").split(".")
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    last = parts[-1]
    node[int(last) if last.isdigit() else last] = marker
    return json.dumps(data, ensure_ascii=False).replace(f'"{marker}"', value)


@pytest.mark.parametrize(
    ("path", "literal"),
    [
        ("customer.name", '"Tr\\u0000n"'),
        ("items[0].sku", '"AO\\u0000"'),
        ("notes", '"X\\udc80Y"'),
        ("shipping_address.street", '"\\ud800"'),
        ("id", '"WEB\\udfff"'),
        ("payment_reference", '"\\u0000"'),
    ],
)
def test_nul_and_lone_surrogates_are_field_errors_and_the_request_is_kept(
    client, shop, path, literal
):
    _website, key = shop
    raw = _with(payload(payment_reference="x"), path, literal)
    response = post(client, key, raw.encode())
    assert response.status_code == 422
    assert codes(response) == [(path, "invalid_text")]
    assert response["Content-Type"] == "application/json"
    assert nothing_created()
    kept = WebsiteRequest.objects.get()
    assert (kept.outcome, kept.status_code, kept.payload, kept.external_number) == (
        "rejected",
        422,
        None,
        "",
    )
    assert kept.raw_body == raw  # ASCII escapes: the text is the bytes
    assert kept.raw_bytes is None
    assert [(e["field"], e["code"]) for e in kept.errors] == [(path, "invalid_text")]


def test_a_bad_key_is_named_with_its_characters_escaped(client, shop):
    _website, key = shop
    raw = json.dumps(payload()).replace('"notes"', '"no\\u0000tes"')
    response = post(client, key, raw)
    assert codes(response) == [("no\\u0000tes", "invalid_text")]


def test_a_backslash_u0000_written_as_text_is_plain_text(client, shop):
    _website, key = shop
    response = post(client, key, payload(notes="C:\\u0000 là đường dẫn"))
    assert response.status_code == 201, response.json()
    assert Order.objects.get().notes == "C:\\u0000 là đường dẫn"


@pytest.mark.parametrize(
    "raw",
    [
        b'{"id": "WEB-1", "notes": "X\xed\xb2\x80Y"}',  # a surrogate encoded as UTF-8
        b'{"id": "WEB-1", "notes": "\xff\xfe"}',
        b'{"id": "WEB-1"}\x00',
        b'{"id": "WEB-1", "notes": "a\x00b"}',
    ],
)
def test_bodies_that_are_not_storable_text_are_kept_as_bytes(client, shop, raw, make_user):
    website, key = shop
    response = post(client, key, raw)
    assert response.status_code == 400
    assert codes(response) == [(None, "invalid_json")]
    kept = WebsiteRequest.objects.get()
    assert bytes(kept.raw_bytes) == raw
    assert "\x00" not in kept.raw_body
    assert (kept.outcome, kept.payload) == ("rejected", None)
    client.force_login(make_user("manager"))
    page = client.get(f"/settings/websites/{website.pk}/?open={kept.pk}")
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="raw-bytes-note"') == 1


def test_a_kept_surrogate_request_can_be_seen_repaired_and_reapplied(client, shop, make_user):
    website, key = shop
    raw = _with(payload(), "customer.name", '"Tr\\udc80n"')
    post(client, key, raw.encode())
    kept = WebsiteRequest.objects.get()
    staff = make_user("manager")
    client.force_login(staff)
    page = client.get(f"/settings/websites/{website.pk}/?open={kept.pk}")
    assert page.status_code == 200
    assert "Tr\\udc80n" in page.content.decode()
    # Still broken (the escape typed again, or the character itself from a form): refused.
    for text in (raw, raw.replace("\\udc80", "\udc80")):
        again = website_request_reapply(request_id=kept.pk, payload_text=text, user_id=staff.pk)
        assert (again.outcome, again.status_code) == ("rejected", 422)
        assert [(e["field"], e["code"]) for e in again.errors] == [
            ("customer.name", "invalid_text")
        ]
        assert nothing_created()
    repaired = website_request_reapply(
        request_id=kept.pk, payload_text=raw.replace("\\udc80", "ầ"), user_id=staff.pk
    )
    assert (repaired.outcome, repaired.status_code) == ("created", 201)
    assert repaired.order.customer.name == "Trần"


def test_a_too_long_id_is_refused_before_the_duplicate_lookup(client, shop):
    _website, key = shop
    first = payload(id="A" * 64)
    assert post(client, key, first).status_code == 201
    long_id = "A" * 64 + "0123456789"  # 74 characters, its first 64 those of the order above
    answers = [post(client, key, payload(id=long_id)) for _ in range(2)]
    for response in answers:
        assert response.status_code == 422
        assert codes(response) == [("id", "too_long")]
    # A new over-long id gets the same answer, every time.
    for _ in range(2):
        response = post(client, key, payload(id="B" * 74))
        assert (response.status_code, codes(response)) == (422, [("id", "too_long")])
    assert Order.objects.count() == 1
    kept = WebsiteRequest.objects.order_by("id").values_list("outcome", "external_number")
    assert list(kept) == [
        ("created", "A" * 64),
        ("rejected", ""),
        ("rejected", ""),
        ("rejected", ""),
        ("rejected", ""),
    ]


@pytest.mark.parametrize("amount", ["١٢٣", "๑๒๓", "１２３", "12٣", "1.๕", "-١"])
def test_amounts_take_only_ascii_digits(client, shop, amount):
    _website, key = shop
    response = post(client, key, payload(shipping_fee=amount))
    assert response.status_code == 422
    assert codes(response) == [("shipping_fee", "invalid_amount")]
    assert nothing_created()


def test_the_amount_pattern_is_ascii_only():
    assert fields.money_parse("150000", "VND") == 150000
    with pytest.raises(PydanticCustomError) as refused:
        fields.money_parse("١٥٠", "VND")
    assert refused.value.type == "invalid_amount"


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        # NUL and bytes that are not UTF-8 cannot be read at all: refused before routing.
        ("/api/v1/orders/abc%00def", 400, "bad_request"),
        ("/api/v1/orders/abc%ED%B2%80def", 400, "bad_request"),
        # Readable, but no id the API accepts looks like these: never looked up.
        ("/api/v1/orders/%F0%9F%98%80", 404, "not_found"),
        ("/api/v1/orders/" + "A" * 65, 404, "not_found"),
        ("/api/v1/orders/abc%0A", 404, "not_found"),
    ],
)
def test_status_urls_with_ids_the_api_never_accepts_are_json_errors(
    client, shop, url, status, code
):
    _website, key = shop
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == status
    assert codes(response) == [(None, code)]
    assert "\x00" not in response.content.decode()


@pytest.mark.parametrize(
    ("normalize", "code"),
    [(vn_tax_code_normalize, "๐๑๐๐๑๐๙๑๐๖"), (th_tax_code_normalize, "๐" * 13)],
)
def test_tax_codes_take_only_ascii_digits(normalize, code):
    with pytest.raises(InvalidTaxCode):
        normalize(code)
    assert vn_tax_code_normalize("0100109106") == "0100109106"
