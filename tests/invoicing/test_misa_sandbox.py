"""The MISA sandbox itself over raw HTTP: what the adapter never sends (a wrong VAT code, a
missing OptionUserDefined, an adjustment without the original's fields, a form body, no token)
must still be answered the provider's way, and the control API."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import requests

from invoicing.adapters import misa_protocol as proto
from invoicing.sandbox.misa import APP_ID, PASSWORD, TAX_CODE, USERNAME, MisaSandbox

PUBLISH = "/code/itg/invoicepublishing/publishhsm"


def token(sandbox: MisaSandbox) -> str:
    body = {"appid": APP_ID, "taxcode": TAX_CODE, "username": USERNAME, "password": PASSWORD}
    answer = requests.post(f"{sandbox.api_base}/auth/token", json=body, timeout=5)
    return answer.json()["Data"]


def post(sandbox: MisaSandbox, path: str, body: Any, **headers: str) -> requests.Response:
    sent = {
        "Authorization": f"Bearer {token(sandbox)}",
        "CompanyTaxCode": TAX_CODE,
        "Content-Type": "application/json",
        **headers,
    }
    data = body if isinstance(body, (str, bytes)) else proto.dumps(body).encode()
    return requests.post(f"{sandbox.api_base}{path}", data=data, headers=sent, timeout=5)


def wrapped(body: dict[str, Any]) -> dict[str, Any]:
    """One publishhsm element as MISA's page shows it."""
    return {"RefID": body["RefID"], "OriginalInvoiceData": body}


def publish_error(sandbox: MisaSandbox, body: dict[str, Any]) -> tuple[str, str]:
    answer = post(sandbox, PUBLISH, [wrapped(body)])
    document = answer.json()
    assert (answer.status_code, document["Success"], document["ErrorCode"]) == (200, True, None)
    [item] = json.loads(document["Data"])
    return item["ErrorCode"], item["ErrorData"]


@pytest.fixture
def good_body(misa_request) -> dict[str, Any]:
    return proto.invoice_data(misa_request(str(uuid.uuid4())), today=datetime.now(tz=UTC))


def test_envelope_data_is_a_json_string(misa_sandbox, good_body) -> None:
    answer = post(misa_sandbox, PUBLISH, [wrapped(good_body)])
    document = answer.json()
    assert set(document) == {"Success", "ErrorCode", "Errors", "Data", "CustomData"}
    assert isinstance(document["Data"], str)
    [item] = json.loads(document["Data"])
    assert (item["RefID"], item["InvNo"], item["ErrorCode"]) == (
        good_body["RefID"],
        "00000001",
        None,
    )


def test_unknown_vat_rate_name(misa_sandbox, good_body) -> None:
    good_body["OriginalInvoiceDetail"][0]["VATRateName"] = "7%"
    assert publish_error(misa_sandbox, good_body) == (
        "InvalidVATRateName",
        "Thuế suất '7%' không hợp lệ",
    )


def test_other_rate_form_is_known(misa_sandbox, good_body) -> None:
    line = good_body["OriginalInvoiceDetail"][3]  # 0%, 50,000
    line["VATRateName"] = "KHAC:3.5%"
    line["VATAmountOC"] = line["VATAmount"] = Decimal(1750)
    assert publish_error(misa_sandbox, good_body)[0] == "InvalidTaxRateInfo"


def test_option_user_defined_is_mandatory(misa_sandbox, good_body) -> None:
    del good_body["OptionUserDefined"]
    assert publish_error(misa_sandbox, good_body) == (
        "RequiredField",
        "Thiếu thông tin bắt buộc: OptionUserDefined",
    )


def test_adjustment_needs_the_original_fields(misa_sandbox, good_body) -> None:
    good_body["ReferenceType"] = 2
    good_body["OrgInvSeries"] = good_body["InvSeries"][1:]
    assert publish_error(misa_sandbox, good_body) == (
        "RequiredField",
        "Hóa đơn thay thế/điều chỉnh thiếu: OrgInvTemplateNo, OrgInvNo, OrgInvDate",
    )


def test_seller_must_be_the_company(misa_sandbox, good_body) -> None:
    good_body["SellerTaxCode"] = "0100233488"
    assert publish_error(misa_sandbox, good_body) == (
        "InvalidSellerTaxCode",
        "Mã số thuế người bán không khớp CompanyTaxCode",
    )


def test_totals_must_add_up(misa_sandbox, good_body) -> None:
    good_body["TotalAmountOC"] = Decimal(894_701)
    assert publish_error(misa_sandbox, good_body) == (
        "InvalidTotalAmount",
        "TotalAmountOC = 894701 khác 894700",
    )


def test_form_body_is_refused(misa_sandbox) -> None:
    answer = post(
        misa_sandbox, PUBLISH, "a=1", **{"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert answer.status_code == 415
    assert answer.json()["ErrorCode"] == "UnsupportedMediaType"


def test_no_token_is_401(misa_sandbox) -> None:
    answer = requests.post(f"{misa_sandbox.api_base}{PUBLISH}", json=[], timeout=5)
    assert answer.status_code == 401
    assert answer.json() == {
        "Success": False,
        "ErrorCode": "UnAuthorize",
        "Errors": ["Token không hợp lệ"],
        "Data": None,
        "CustomData": None,
    }


def test_more_than_fifty_refused(misa_sandbox, good_body) -> None:
    answer = post(misa_sandbox, PUBLISH, [wrapped(good_body)] * 51)
    assert answer.json()["ErrorCode"] == "InvalidData"
    assert answer.json()["Errors"] == ["Tối đa 50 hóa đơn mỗi lần"]


def test_control_api(misa_sandbox, misa_control, good_body) -> None:
    post(misa_sandbox, PUBLISH, [wrapped(good_body)])
    state = misa_control.get("state")
    assert [i["InvNo"] for i in state["invoices"]] == ["00000001"]
    assert state["invoices"][0]["Payload"]["RefID"] == good_body["RefID"]
    assert state["counters"] == {good_body["InvSeries"]: 1}
    assert misa_control.post("clock", {"advance": 10})["now"] >= misa_sandbox.now() - 1
    fault = misa_control.post("fault", {"kind": "error", "status": 502, "path": "templates"})
    assert fault["status"] == 502
    answer = requests.get(
        f"{misa_sandbox.api_base}/itg/InvoicePublishing/templates",
        headers={"Authorization": f"Bearer {token(misa_sandbox)}", "CompanyTaxCode": TAX_CODE},
        timeout=5,
    )
    assert answer.status_code == 502
    assert misa_control.post("reset") == {"ok": True}
    assert misa_control.get("state")["invoices"] == []
    bad = requests.post(f"{misa_sandbox.origin}/_sandbox/config", json={"nope": 1}, timeout=5)
    assert bad.status_code == 400
