"""The S-Invoice sandbox over raw HTTP, as another client than our adapter would use it: sign-in
shapes, the three ways to authenticate, form fields from the query string (Odoo's way) or the
body, error bodies, the control API and the command line."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from invoicing.adapters.base import InvoiceRequest
from invoicing.adapters.sinvoice import SInvoiceAdapter
from invoicing.adapters.sinvoice_payload import dumps, invoice_body
from invoicing.sandbox.sinvoice import PASSWORD, TAX_CODE, USERNAME, SInvoiceSandbox

JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _token(sb: SInvoiceSandbox) -> str:
    answer = requests.post(
        sb.auth_url, json={"username": USERNAME, "password": PASSWORD}, timeout=5
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["token_type"], body["expires_in"]) == ("bearer", "600")
    return str(body["access_token"])


def _api(sb: SInvoiceSandbox, path: str) -> str:
    return f"{sb.api_base}/InvoiceAPI/{path}"


def test_sign_in_refused(sinvoice_sandbox: SInvoiceSandbox) -> None:
    answer = requests.post(
        sinvoice_sandbox.auth_url, json={"username": USERNAME, "password": "x"}, timeout=5
    )
    assert (answer.status_code, answer.json()) == (
        401,
        {"code": 401, "message": "Unauthorized", "data": "Sai tên đăng nhập hoặc mật khẩu"},
    )


@pytest.mark.parametrize("how", ["cookie", "bearer", "basic", "none", "unknown"])
def test_three_ways_to_authenticate(sinvoice_sandbox: SInvoiceSandbox, how: str) -> None:
    headers = dict(JSON)
    if how == "cookie":
        headers["Cookie"] = f"access_token={_token(sinvoice_sandbox)}"
    elif how == "bearer":
        headers["Authorization"] = f"Bearer {_token(sinvoice_sandbox)}"
    elif how == "basic":
        pair = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        headers["Authorization"] = f"Basic {pair}"
    elif how == "unknown":
        headers["Cookie"] = "access_token=forged"
    answer = requests.post(
        _api(sinvoice_sandbox, "InvoiceUtilsWS/getAllInvoiceTemplates"),
        json={"taxCode": TAX_CODE, "invoiceType": "all"},
        headers=headers,
        timeout=5,
    )
    if how in ("none", "unknown"):
        assert answer.status_code == 401
        assert answer.json()["code"] == 401
    else:
        assert answer.status_code == 200
        assert [t["templateCode"] for t in answer.json()["template"]] == ["1/001", "1/002", "2/001"]


def test_an_expired_token(sinvoice_sandbox: SInvoiceSandbox) -> None:
    token = _token(sinvoice_sandbox)
    sinvoice_sandbox.advance(601)
    answer = requests.post(
        _api(sinvoice_sandbox, "InvoiceUtilsWS/getAllInvoiceTemplates"),
        json={"taxCode": TAX_CODE},
        cookies={"access_token": token},
        timeout=5,
    )
    assert (answer.status_code, answer.json()) == (
        401,
        {"error": "invalid_token", "error_description": "Access token expired"},
    )


def _issue(sb: SInvoiceSandbox, request: InvoiceRequest, token: str) -> dict[str, Any]:
    answer = requests.post(
        _api(sb, f"InvoiceWS/createInvoice/{TAX_CODE}"),
        data=dumps(invoice_body(request)),
        headers=JSON,
        cookies={"access_token": token},
        timeout=5,
    )
    assert answer.status_code == 200
    return dict(answer.json())


@pytest.mark.parametrize("where", ["query", "body"])
def test_form_fields_from_the_query_or_the_body(
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_request: Callable[..., InvoiceRequest],
    sinvoice_series: str,
    where: str,
) -> None:
    token = _token(sinvoice_sandbox)
    request = sinvoice_request()
    created = _issue(sinvoice_sandbox, request, token)
    assert created["errorCode"] is None
    assert created["result"]["invoiceNo"] == f"{sinvoice_series}1"
    fields = {"supplierTaxCode": TAX_CODE, "transactionUuid": request.key}
    url = _api(sinvoice_sandbox, "InvoiceWS/searchInvoiceByTransactionUuid")
    answer = requests.post(
        url,
        params=fields if where == "query" else None,
        data=fields if where == "body" else None,
        headers=FORM,
        cookies={"access_token": token},
        timeout=5,
    )
    row = answer.json()["result"][0]
    assert (row["invoiceNo"], row["status"], row["templateCode"]) == (
        f"{sinvoice_series}1",
        "Chưa thanh toán",
        "1/001",
    )


def test_form_endpoints_refuse_json(sinvoice_sandbox: SInvoiceSandbox) -> None:
    answer = requests.post(
        _api(sinvoice_sandbox, "InvoiceWS/cancelTransactionInvoice"),
        data=json.dumps({"supplierTaxCode": TAX_CODE}),
        headers=JSON,
        cookies={"access_token": _token(sinvoice_sandbox)},
        timeout=5,
    )
    assert (answer.status_code, answer.json()["data"]) == (
        400,
        "Content-Type phải là application/x-www-form-urlencoded",
    )


def test_a_body_that_is_not_the_dto(sinvoice_sandbox: SInvoiceSandbox) -> None:
    answer = requests.post(
        _api(sinvoice_sandbox, f"InvoiceWS/createInvoice/{TAX_CODE}"),
        data=b"[1]",
        headers=JSON,
        cookies={"access_token": _token(sinvoice_sandbox)},
        timeout=5,
    )
    assert (answer.status_code, answer.json()) == (
        400,
        {
            "code": 400,
            "message": "Bad Request",
            "data": "Nội dung yêu cầu phải là một đối tượng JSON",
        },
    )


def test_another_sellers_tax_code(
    sinvoice_sandbox: SInvoiceSandbox, sinvoice_request: Callable[..., InvoiceRequest]
) -> None:
    answer = requests.post(
        _api(sinvoice_sandbox, "InvoiceWS/createInvoice/0100233488"),
        data=dumps(invoice_body(sinvoice_request())),
        headers=JSON,
        cookies={"access_token": _token(sinvoice_sandbox)},
        timeout=5,
    )
    assert answer.json() == {
        "errorCode": "INVALID_SUPPLIER_TAX_CODE",
        "description": "Mã số thuế người bán 0100233488 không thuộc tài khoản",
        "result": None,
    }


def test_back_dated_invoices_are_refused(
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_request: Callable[..., InvoiceRequest],
    sinvoice_clock,
) -> None:
    from datetime import timedelta

    token = _token(sinvoice_sandbox)
    assert _issue(sinvoice_sandbox, sinvoice_request(), token)["errorCode"] is None
    earlier = sinvoice_request(
        key=str(uuid.uuid4()), issued_at=sinvoice_clock - timedelta(minutes=1)
    )
    assert _issue(sinvoice_sandbox, earlier, token)["errorCode"] == "INVALID_ISSUE_DATE"


def test_preview_with_basic_only(
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_adapter: SInvoiceAdapter,
    sinvoice_request: Callable[..., InvoiceRequest],
) -> None:
    sinvoice_sandbox.configure(preview_requires_basic=True)
    assert sinvoice_adapter.preview(request=sinvoice_request()).startswith(b"%PDF-")
    assert sinvoice_sandbox.calls["createInvoiceDraftPreview"] == 1
    assert sinvoice_sandbox.calls["login"] == 2


def test_the_control_api(
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_adapter: SInvoiceAdapter,
    sinvoice_request: Callable[..., InvoiceRequest],
) -> None:
    base = f"{sinvoice_sandbox.base_url}/_sandbox"
    assert requests.post(f"{base}/configure", json={"file_delay": 5}, timeout=5).json() == {
        "ok": True
    }
    assert sinvoice_sandbox.file_delay == 5
    fault = {"kind": "error", "status": 502, "path": "createInvoice"}
    assert requests.post(f"{base}/fault", json=fault, timeout=5).json() == {"ok": True}
    assert len(sinvoice_sandbox.faults) == 1
    requests.post(f"{base}/clear_faults", json={}, timeout=5)
    issued = sinvoice_adapter.issue(request=sinvoice_request())
    rows = requests.get(f"{base}/invoices", timeout=5).json()["invoices"]
    assert [(r["invoiceNo"], r["state"], r["transactionUuid"]) for r in rows] == [
        (issued.number, "issued", issued.key)
    ]
    sent = requests.get(f"{base}/payloads", timeout=5).json()["payloads"][0]
    assert sent["summarizeInfo"]["totalAmountWithTax"] == 700250
    calls = requests.get(f"{base}/calls", timeout=5).json()
    assert calls == {"ok": True, "total": 2, "counts": {"login": 1, "createInvoice": 1}}
    assert requests.post(f"{base}/expire_tokens", json={}, timeout=5).json() == {
        "ok": True,
        "expired": 1,
    }
    now = requests.post(f"{base}/advance", json={"seconds": 10}, timeout=5).json()["now"]
    assert now == pytest.approx(sinvoice_sandbox.now(), abs=1)
    account = {
        "username": "0314409058-001",
        "password": "p",
        "tax_code": "0314409058",
        "templates": [["2/001", "K26TAA", "Bán hàng"]],
    }
    assert requests.post(f"{base}/add_account", json=account, timeout=5).json() == {"ok": True}
    state = requests.get(f"{base}/state", timeout=5).json()
    assert [a["tax_code"] for a in state["accounts"]] == [TAX_CODE, "0314409058"]
    assert state["options"]["file_delay"] == 5
    bad = requests.post(f"{base}/fault", json={"kind": "gremlin"}, timeout=5)
    assert (bad.status_code, bad.json()) == (
        400,
        {"ok": False, "error": "ValueError: unknown fault gremlin"},
    )
    assert requests.get(f"{base}/nothing", timeout=5).status_code == 404


def test_the_command_line_serves_until_stopped() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "invoicing.sandbox.sinvoice", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("S-Invoice sandbox: base_url http://127.0.0.1:")
        auth_url = line.split(" auth_url ")[1].split(" ")[0]
        answer = requests.post(
            auth_url, json={"username": USERNAME, "password": PASSWORD}, timeout=5
        )
        assert answer.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_numbers_stay_unique_under_parallel_issuing(
    sinvoice_sandbox: SInvoiceSandbox, sinvoice_config, sinvoice_series: str
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from tests.invoicing.conftest_sinvoice import mixed_request

    def issue_five(_: int) -> list[str]:
        adapter = SInvoiceAdapter(sinvoice_config)
        return [adapter.issue(request=mixed_request(issued_at=None)).number for _ in range(5)]

    with ThreadPoolExecutor(max_workers=6) as pool:
        numbers = [n for batch in pool.map(issue_five, range(6)) for n in batch]
    assert sorted(numbers, key=lambda n: int(n[6:])) == [
        f"{sinvoice_series}{n}" for n in range(1, 31)
    ]
    assert sinvoice_sandbox.invoice_count() == 30


def _create(sb: SInvoiceSandbox, body: dict[str, Any], token: str) -> requests.Response:
    return requests.post(
        _api(sb, f"InvoiceWS/createInvoice/{TAX_CODE}"),
        data=dumps(body),
        headers=JSON,
        cookies={"access_token": token},
        timeout=5,
    )


def test_json_endpoints_and_sign_in_want_json(sinvoice_sandbox: SInvoiceSandbox) -> None:
    form = requests.post(
        sinvoice_sandbox.auth_url, data={"username": USERNAME, "password": PASSWORD}, timeout=5
    )
    assert (form.status_code, form.json()["data"]) == (
        400,
        "Content-Type phải là application/json",
    )
    answer = requests.post(
        _api(sinvoice_sandbox, "InvoiceUtilsWS/getAllInvoiceTemplates"),
        data={"taxCode": TAX_CODE, "invoiceType": "all"},
        cookies={"access_token": _token(sinvoice_sandbox)},
        timeout=5,
    )
    assert (answer.status_code, answer.json()["data"]) == (
        400,
        "Content-Type phải là application/json",
    )


def test_templates_answer_odoos_keys(sinvoice_sandbox: SInvoiceSandbox) -> None:
    answer = requests.post(
        _api(sinvoice_sandbox, "InvoiceUtilsWS/getAllInvoiceTemplates"),
        json={"taxCode": TAX_CODE, "invoiceType": "all"},
        cookies={"access_token": _token(sinvoice_sandbox)},
        timeout=5,
    )
    assert answer.json()["template"][0] == {
        "templateCode": "1/001",
        "invoiceSeri": "C26TAA",
        "invoiceType": "1",
        "templateName": "Hóa đơn giá trị gia tăng",
    }


@pytest.mark.parametrize(
    ("change", "code", "description"),
    [
        (
            "buyer_without_tax_code",
            "BUYER_INFO_REQUIRED",
            "Người mua lấy hóa đơn phải có mã số thuế",
        ),
        (
            "sequence_all_zero",
            "INVALID_BUYER_TAX_CODE",
            "Mã số thuế người mua không hợp lệ: 0100000003",
        ),
        (
            "breakdown_twice",
            "INVALID_TAX_BREAKDOWN",
            "Thuế suất 10 xuất hiện nhiều lần trong bảng tổng hợp thuế suất",
        ),
        (
            "special_goods_without_type",
            "ITEM_TYPE_REQUIRED",
            "Dòng 1: hàng hóa đặc biệt phải có itemType",
        ),
    ],
)
def test_createinvoice_refusals(
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_request: Callable[..., InvoiceRequest],
    change: str,
    code: str,
    description: str,
) -> None:
    body = invoice_body(sinvoice_request())
    if change == "buyer_without_tax_code":
        del body["buyerInfo"]["buyerTaxCode"]
        del body["buyerInfo"]["buyerLegalName"]
    elif change == "sequence_all_zero":  # the check digit fits, the sequence may not be 0
        body["buyerInfo"]["buyerTaxCode"] = "0100000003"
    elif change == "breakdown_twice":
        body["taxBreakdowns"].append(dict(body["taxBreakdowns"][0]))
    else:
        body["itemInfo"][0]["selection"] = 6
    answer = _create(sinvoice_sandbox, body, _token(sinvoice_sandbox))
    assert (answer.status_code, answer.json()) == (
        200,
        {"errorCode": code, "description": description, "result": None},
    )
    assert sinvoice_sandbox.invoice_count() == 0


@pytest.mark.parametrize(("match", "shift", "accepted"), [("second", 1, False), ("day", 1, True)])
def test_str_issue_date_to_the_second_or_the_day(
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_request: Callable[..., InvoiceRequest],
    match: str,
    shift: int,
    accepted: bool,
) -> None:
    sinvoice_sandbox.configure(issue_date_match=match)
    token = _token(sinvoice_sandbox)
    request = sinvoice_request()
    created = _create(sinvoice_sandbox, invoice_body(request), token).json()["result"]
    assert request.issued_at is not None
    issued_ms = int(request.issued_at.timestamp()) * 1000
    if request.issued_at.second == 59:  # stay within the minute, hence the day
        shift = -shift
    answer = requests.post(
        _api(sinvoice_sandbox, "InvoiceWS/updatePaymentStatus"),
        data={
            "supplierTaxCode": TAX_CODE,
            "invoiceNo": created["invoiceNo"],
            "templateCode": "1/001",
            "strIssueDate": str(issued_ms + shift * 1000),
        },
        headers=FORM,
        cookies={"access_token": token},
        timeout=5,
    )
    if accepted:
        assert answer.json() == {"errorCode": None, "description": None, "result": True}
    else:
        assert answer.json() == {
            "errorCode": "INVALID_ISSUE_DATE",
            "description": "strIssueDate không đúng ngày lập hóa đơn",
            "result": None,
        }
