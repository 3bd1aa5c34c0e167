"""The TikTok sandbox's listing calls driven with raw signed HTTP (no adapter): the multipart
upload signed without its body, signatures checked on every listing call, the create body's
rules, a draft that is not audited, the audit deciding at the first read after its delay, the
created product in products/search, and partial_edit on a frozen product."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import urlencode

import requests
from PIL import Image

from channels_sync.adapters.tiktok_protocol import tiktok_sign
from channels_sync.sandbox.tiktok_listings import configure_listings
from tests.channels_sync.sandbox.test_tiktok_sandbox import (  # noqa: F401  (fixture)
    KEY,
    SECRET,
    SHOP,
    call,
    sandbox,
    token,
)

UPLOAD = "/product/202309/images/upload"
CREATE = "/product/202309/products"


def png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (400, 400), "#c62828").save(buffer, "PNG")
    return buffer.getvalue()


def upload(sb, access: str, *, sign_body: bool = False) -> tuple[int, dict]:
    query = {"app_key": KEY, "timestamp": str(int(sb.now()))}
    prepared = requests.Request(
        "POST",
        f"{sb.base_url}{UPLOAD}",
        files={"data": ("a.png", png())},
        data={"use_case": "MAIN_IMAGE"},
    ).prepare()
    body = prepared.body if sign_body and isinstance(prepared.body, bytes) else b""
    query["sign"] = tiktok_sign(SECRET, UPLOAD, query, body, multipart=not sign_body)
    prepared.prepare_url(f"{sb.base_url}{UPLOAD}?{urlencode(query)}", {})
    prepared.headers["x-tts-access-token"] = access
    answer = requests.Session().send(prepared, timeout=5)
    return answer.status_code, answer.json()


def body(uri: str, **changes) -> dict:
    values = {
        "title": "Cốc sứ trắng in hình mèo dung tích 350ml",
        "description": "<p>Cốc sứ trắng.</p>",
        "category_id": "700437",
        "main_images": [{"uri": uri}],
        "package_weight": {"value": "0.4", "unit": "KILOGRAM"},
        "product_attributes": [{"id": "100520", "values": [{"name": "350 ml"}]}],
        "skus": [
            {
                "seller_sku": "CUP-350",
                "price": {"amount": "89000", "currency": "VND"},
                "inventory": [{"warehouse_id": f"WH{SHOP[-4:]}01", "quantity": 5}],
            }
        ],
    }
    values.update(changes)
    return values


def test_upload_is_signed_without_its_body(sandbox):  # noqa: F811
    access = token(sandbox)
    status, answer = upload(sandbox, access, sign_body=True)
    assert (status, answer["code"]) == (401, 106001)
    status, answer = upload(sandbox, access)
    assert (status, answer["code"]) == (200, 0)
    assert answer["data"]["uri"].startswith("tos-")
    assert (answer["data"]["width"], answer["data"]["use_case"]) == (400, "MAIN_IMAGE")


def test_create_checks_the_signature_and_the_body(sandbox):  # noqa: F811
    access = token(sandbox)
    uri = upload(sandbox, access)[1]["data"]["uri"]

    def spoil(query):
        query["sign"] = query["sign"].upper()

    status, answer = call(sandbox, "POST", CREATE, access=access, body=body(uri), fix=spoil)
    assert (status, answer["code"]) == (401, 106001)
    cases = [
        ({"category_version": "v2"}, 12052217),
        ({"description": "x" * 10_001}, 12052013),
        ({"main_images": []}, 12052028),
        ({"package_weight": {"value": "0.4", "unit": "POUND"}}, 12052181),
        ({"package_dimensions": {"length": "1.5", "width": "2", "height": "3"}}, 12052915),
        ({"skus": [{**body(uri)["skus"][0], "seller_sku": "CUP 350"}]}, 12052054),
        (
            {
                "skus": [
                    {**body(uri)["skus"][0], "inventory": [{"warehouse_id": "X", "quantity": 1}]}
                ]
            },
            12052530,
        ),
        ({"skus": [body(uri)["skus"][0]] * 101}, 12052050),
    ]
    for changes, code in cases:
        status, answer = call(sandbox, "POST", CREATE, access=access, body=body(uri, **changes))
        assert answer["code"] == code, changes
    assert sandbox.products == {}


def test_draft_is_not_audited_and_the_audit_waits_its_delay(sandbox):  # noqa: F811
    access = token(sandbox)
    uri = upload(sandbox, access)[1]["data"]["uri"]
    _status, draft = call(
        sandbox, "POST", CREATE, access=access, body=body(uri, save_mode="AS_DRAFT")
    )
    detail = call(sandbox, "GET", f"{CREATE}/{draft['data']['product_id']}", access=access)[1]
    assert (detail["data"]["status"], detail["data"]["audit"]["status"]) == ("DRAFT", "NONE")
    configure_listings(sandbox, audit="reject", audit_seconds=60)
    _status, made = call(
        sandbox, "POST", CREATE, access=access, body=body(uri, title=body(uri)["title"] + " mới")
    )
    product_id = made["data"]["product_id"]
    search = {"page_size": 10}
    found = call(sandbox, "POST", f"{CREATE}/search", access=access, params=search, body={})[1]
    assert {p["id"]: p["status"] for p in found["data"]["products"]}[product_id] == "PENDING"
    sandbox.advance(61)
    found = call(sandbox, "POST", f"{CREATE}/search", access=access, params=search, body={})[1]
    assert {p["id"]: p["status"] for p in found["data"]["products"]}[product_id] == "FAILED"
    detail = call(sandbox, "GET", f"{CREATE}/{product_id}", access=access)[1]["data"]
    assert detail["audit"]["status"] == "FAILED"
    assert detail["audit_failed_reasons"][0]["reasons"] == [
        "Hình ảnh chính không rõ ràng hoặc chứa chữ quảng cáo."
    ]
    assert detail["skus"][0]["sales_attributes"] == []


def test_a_frozen_product_refuses_edits(sandbox):  # noqa: F811
    access = token(sandbox)
    uri = upload(sandbox, access)[1]["data"]["uri"]
    product_id = call(sandbox, "POST", CREATE, access=access, body=body(uri))[1]["data"][
        "product_id"
    ]
    sandbox.set_product_status(product_id, "FREEZE")
    path = f"{CREATE}/{product_id}/partial_edit"
    _status, answer = call(sandbox, "POST", path, access=access, body={"title": "x" * 30})
    assert answer["code"] == 120527003
    assert sandbox.products[product_id].title == body(uri)["title"]
