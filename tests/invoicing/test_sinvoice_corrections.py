"""S-Invoice corrections against the local sandbox over real HTTP (Decree 70/2025): adjustment
(increase, decrease, information) and replacement invoices referencing the original, an
original that must exist and may be replaced once, and cancellation allowed or refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime

import pytest
import requests

from invoicing.adapters.base import (
    AdjustmentKind,
    Correction,
    InvoiceRequest,
    IssuedInvoice,
    PermanentError,
)
from invoicing.adapters.sinvoice import SInvoiceAdapter
from invoicing.sandbox.sinvoice import SInvoiceSandbox

Make = Callable[..., InvoiceRequest]


def _correction(original: IssuedInvoice, kind: AdjustmentKind) -> Correction:
    assert original.issued_at is not None
    return Correction(
        kind=kind,
        original_number=original.number,
        original_template=original.template,
        original_series=original.series,
        original_issued_at=original.issued_at,
        reason="Khách trả lại 1 áo thun",
        agreement_name="Biên bản điều chỉnh số 01/2026",
        agreement_date=date(2026, 12, 7),
    )


def _issued(adapter: SInvoiceAdapter, make: Make) -> IssuedInvoice:
    first = adapter.issue(request=make())
    assert first.issued_at is not None
    return first


def test_a_decrease_adjustment_references_the_original(
    sinvoice_adapter: SInvoiceAdapter,
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_request: Make,
    sinvoice_series: str,
) -> None:
    original = _issued(sinvoice_adapter, sinvoice_request)
    base = sinvoice_request()
    one_shirt = replace(
        base.lines[0],
        quantity=base.lines[0].quantity - 1,
        amount=base.lines[0].amount / 2,
        vat_amount=base.lines[0].vat_amount / 2,
    )
    request = replace(
        base,
        key="adjust-decrease-0001",
        correction=_correction(original, AdjustmentKind.DECREASE),
        lines=(one_shirt,),
        breakdown=(replace(base.breakdown[0], taxable=one_shirt.amount, vat=one_shirt.vat_amount),),
        total_without_vat=one_shirt.amount,
        total_vat=one_shirt.vat_amount,
        total=one_shirt.amount + one_shirt.vat_amount,
        discount_total=base.discount_total * 0,
        total_in_words="Một trăm sáu mươi lăm nghìn đồng",
    )
    adjusted = sinvoice_adapter.issue(request=request)
    assert adjusted.number == f"{sinvoice_series}2"
    sent = sinvoice_sandbox.payloads()[-1]
    general = sent["generalInvoiceInfo"]
    assert {
        k: general[k]
        for k in (
            "adjustmentType",
            "adjustmentInvoiceType",
            "originalInvoiceId",
            "originalTemplateCode",
            "adjustedNote",
            "additionalReferenceDesc",
        )
    } == {
        "adjustmentType": "5",
        "adjustmentInvoiceType": "1",
        "originalInvoiceId": original.number,
        "originalTemplateCode": "1/001",
        "adjustedNote": "Khách trả lại 1 áo thun",
        "additionalReferenceDesc": "Biên bản điều chỉnh số 01/2026",
    }
    assert general["originalInvoiceIssueDate"] == int(original.issued_at.timestamp()) * 1000
    assert general["additionalReferenceDate"] == 1796576400000  # 07/12/2026 00:00 GMT+7
    item = sent["itemInfo"][0]
    assert (
        item["unitPrice"],
        item["quantity"],
        item["itemTotalAmountWithoutTax"],
        item["taxAmount"],
        item["isIncreaseItem"],
        item["adjustmentTaxAmount"],
    ) == (-150000, 1, 150000, 15000, False, 15000)
    assert sent["taxBreakdowns"] == [
        {
            "taxPercentage": 10,
            "taxableAmount": 150000,
            "taxAmount": 15000,
            "taxableAmountPos": False,
            "taxAmountPos": False,
        }
    ]
    assert sent["summarizeInfo"]["isTotalAmountPos"] is False
    states = {i["invoiceNo"]: i["state"] for i in _control_invoices(sinvoice_sandbox)}
    assert states == {original.number: "adjusted", adjusted.number: "issued"}


def test_an_increase_adjustment(
    sinvoice_adapter: SInvoiceAdapter, sinvoice_sandbox: SInvoiceSandbox, sinvoice_request: Make
) -> None:
    original = _issued(sinvoice_adapter, sinvoice_request)
    base = sinvoice_request()
    fee = base.lines[7]
    request = replace(
        base,
        key="adjust-increase-0001",
        correction=_correction(original, AdjustmentKind.INCREASE),
        lines=(fee,),
        breakdown=(replace(base.breakdown[0], taxable=fee.amount, vat=fee.vat_amount),),
        total_without_vat=fee.amount,
        total_vat=fee.vat_amount,
        total=fee.amount + fee.vat_amount,
        discount_total=base.discount_total * 0,
        total_in_words="Hai mươi bảy nghìn năm trăm đồng",
    )
    sinvoice_adapter.issue(request=request)
    sent = sinvoice_sandbox.payloads()[-1]
    item = sent["itemInfo"][0]
    assert (item["unitPrice"], item["isIncreaseItem"], item["selection"]) == (25000, True, 1)
    assert sent["taxBreakdowns"][0]["taxableAmountPos"] is True
    assert sent["summarizeInfo"]["isTotalAmountPos"] is True


def test_a_replacement_and_no_second_one(
    sinvoice_adapter: SInvoiceAdapter, sinvoice_sandbox: SInvoiceSandbox, sinvoice_request: Make
) -> None:
    original = _issued(sinvoice_adapter, sinvoice_request)
    correction = _correction(original, AdjustmentKind.REPLACEMENT)
    replacement = sinvoice_adapter.issue(
        request=sinvoice_request(key="replace-000001", correction=correction)
    )
    sent = sinvoice_sandbox.payloads()[-1]["generalInvoiceInfo"]
    assert (sent["adjustmentType"], sent["originalInvoiceId"]) == ("3", original.number)
    assert "adjustmentInvoiceType" not in sent
    states = {i["invoiceNo"]: i["state"] for i in _control_invoices(sinvoice_sandbox)}
    assert states == {original.number: "replaced", replacement.number: "issued"}
    with pytest.raises(PermanentError) as refused:
        sinvoice_adapter.issue(
            request=sinvoice_request(key="replace-000002", correction=correction)
        )
    assert refused.value.code == "ORIGINAL_INVOICE_INVALID_STATE"
    assert refused.value.message == f"Hóa đơn gốc {original.number} đã bị thay thế"


def test_a_correction_needs_an_existing_original(
    sinvoice_adapter: SInvoiceAdapter,
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_request: Make,
    sinvoice_clock: datetime,
) -> None:
    ghost = IssuedInvoice(
        key="x", number="C26TAA99", series="C26TAA", template="1/001", issued_at=sinvoice_clock
    )
    request = sinvoice_request(correction=_correction(ghost, AdjustmentKind.REPLACEMENT))
    with pytest.raises(PermanentError) as refused:
        sinvoice_adapter.issue(request=request)
    assert (refused.value.code, refused.value.message) == (
        "ORIGINAL_INVOICE_NOT_FOUND",
        "Không tìm thấy hóa đơn gốc C26TAA99",
    )
    assert sinvoice_sandbox.invoice_count() == 0


def _control_invoices(sb: SInvoiceSandbox) -> list[dict]:

    return requests.get(f"{sb.base_url}/_sandbox/invoices", timeout=5).json()["invoices"]


def test_cancel_while_allowed(
    sinvoice_adapter: SInvoiceAdapter, sinvoice_sandbox: SInvoiceSandbox, sinvoice_request: Make
) -> None:
    issued = _issued(sinvoice_adapter, sinvoice_request)
    sinvoice_adapter.cancel(
        invoice=issued,
        reason="Khách hủy đơn",
        agreement_name="Biên bản hủy 02/2026",
        agreement_date=date(2026, 12, 7),
    )
    found = sinvoice_adapter.find(key=issued.key)
    assert found is not None
    assert found.status == "Đã hủy"
    sent = sinvoice_sandbox.payloads("cancelTransactionInvoice")[0]
    assert sent == {
        "supplierTaxCode": "0100109106-506",
        "templateCode": "1/001",
        "invoiceNo": issued.number,
        "strIssueDate": str(int(issued.issued_at.timestamp()) * 1000),  # type: ignore[union-attr]
        "additionalReferenceDesc": "Biên bản hủy 02/2026",
        "additionalReferenceDate": "1796576400000",
        "reasonDelete": "Khách hủy đơn",
    }


def test_cancel_refused(
    sinvoice_adapter: SInvoiceAdapter, sinvoice_sandbox: SInvoiceSandbox, sinvoice_request: Make
) -> None:
    issued = _issued(sinvoice_adapter, sinvoice_request)
    sinvoice_sandbox.configure(allow_cancel=False)
    with pytest.raises(PermanentError) as refused:
        sinvoice_adapter.cancel(
            invoice=issued,
            reason="Sai giá",
            agreement_name="BB 03",
            agreement_date=date(2026, 12, 7),
        )
    assert refused.value.code == "CANCEL_NOT_ALLOWED"
    assert "Nghị định 70/2025" in refused.value.message
    assert _control_invoices(sinvoice_sandbox)[0]["state"] == "issued"
    sinvoice_sandbox.configure(allow_cancel=True)
    sinvoice_adapter.issue(
        request=sinvoice_request(
            key="replace-000003", correction=_correction(issued, AdjustmentKind.REPLACEMENT)
        )
    )
    with pytest.raises(PermanentError) as replaced:
        sinvoice_adapter.cancel(
            invoice=issued,
            reason="Sai giá",
            agreement_name="BB 03",
            agreement_date=date(2026, 12, 7),
        )
    assert replaced.value.message == f"Hóa đơn {issued.number} đã bị thay thế, không thể hủy"


def test_an_information_adjustment(
    sinvoice_adapter: SInvoiceAdapter, sinvoice_sandbox: SInvoiceSandbox, sinvoice_request: Make
) -> None:
    original = _issued(sinvoice_adapter, sinvoice_request)
    base = sinvoice_request()
    note = replace(base.lines[8], number=1, name="Sửa địa chỉ người mua: 7 Lê Lợi, Quận 1")
    zero = base.total * 0
    request = replace(
        base,
        key="adjust-info-0001",
        correction=_correction(original, AdjustmentKind.INFORMATION),
        lines=(note,),
        breakdown=(),
        total_without_vat=zero,
        total_vat=zero,
        total=zero,
        discount_total=zero,
        total_in_words="Không đồng",
    )
    sinvoice_adapter.issue(request=request)
    sent = sinvoice_sandbox.payloads()[-1]
    assert (
        sent["generalInvoiceInfo"]["adjustmentType"],
        sent["generalInvoiceInfo"]["adjustmentInvoiceType"],
    ) == ("5", "2")
    assert sent["itemInfo"] == [
        {"lineNumber": 1, "selection": 2, "itemName": "Sửa địa chỉ người mua: 7 Lê Lợi, Quận 1"}
    ]
    assert sent["taxBreakdowns"] == []
