"""MISA adapter: adjustment (increase, decrease, information) and replacement invoices that
reference the original (Decree 70/2025), the sandbox's rules on them, and cancel."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest

from invoicing.adapters.base import (
    AdjustmentKind,
    Correction,
    InvoiceLine,
    IssuedInvoice,
    LineKind,
    PermanentError,
    VatRate,
)
from tests.invoicing.conftest_misa import goods

AGREEMENT = date(2026, 12, 1)


def new_key() -> str:
    return str(uuid.uuid4())


def correction(original: IssuedInvoice, kind: AdjustmentKind, number: str = "") -> Correction:
    assert original.issued_at is not None
    return Correction(
        kind=kind,
        original_number=number or original.number,
        original_template="1",
        original_series=original.series,
        original_issued_at=original.issued_at,
        reason="Sai số lượng",
        agreement_name="Biên bản thỏa thuận số 01/BB",
        agreement_date=AGREEMENT,
        original_transaction_id=original.lookup_code,
    )


def state_of(control: Any, key: str) -> dict[str, Any]:
    return next(i for i in control.get("state")["invoices"] if i["RefID"] == key)


ONE_LINE = (goods(1, "Áo thun", 1, 100_000, VatRate.TEN),)


def test_adjustment_increase(misa_adapter, misa_request, misa_control) -> None:
    original = misa_adapter.issue(request=misa_request(new_key()))
    request = misa_request(
        new_key(), lines=ONE_LINE, correction=correction(original, AdjustmentKind.INCREASE)
    )
    adjustment = misa_adapter.issue(request=request)
    assert adjustment.number == "00000002"
    body = misa_control.get("received")[-1]
    assert {k: body[k] for k in ("ReferenceType", "OrgInvoiceType", "OrgInvTemplateNo")} == {
        "ReferenceType": 2,
        "OrgInvoiceType": 1,
        "OrgInvTemplateNo": "1",
    }
    assert (body["OrgInvSeries"], body["OrgInvNo"]) == (original.series, "00000001")
    assert original.issued_at is not None
    assert body["OrgInvDate"] == original.issued_at.date().isoformat()
    assert body["InvoiceNote"] == (
        f"Điều chỉnh tăng cho hóa đơn số 00000001, ký hiệu 1{original.series}, ngày "
        f"{original.issued_at.strftime('%d/%m/%Y')}, theo Biên bản thỏa thuận số 01/BB ngày "
        "01/12/2026. Lý do: Sai số lượng"
    )
    totals = (body["TotalAmountWithoutVATOC"], body["TotalVATAmountOC"], body["TotalAmountOC"])
    assert totals == (100_000, 10_000, 110_000)
    assert state_of(misa_control, original.key)["EInvoiceStatus"] == 9
    assert state_of(misa_control, request.key)["EInvoiceStatus"] == 5


def test_adjustment_decrease_sends_negative_amounts(
    misa_adapter, misa_request, misa_control
) -> None:
    original = misa_adapter.issue(request=misa_request(new_key()))
    request = misa_request(
        new_key(), lines=ONE_LINE, correction=correction(original, AdjustmentKind.DECREASE)
    )
    assert misa_adapter.issue(request=request).number == "00000002"
    body = misa_control.get("received")[-1]
    [line] = body["OriginalInvoiceDetail"]
    assert (line["Quantity"], line["UnitPrice"], line["AmountOC"], line["VATAmountOC"]) == (
        1,
        -100_000,
        -100_000,
        -10_000,
    )
    assert body["TaxRateInfo"] == [
        {"VATRateName": "10%", "AmountWithoutVATOC": -100_000, "VATAmountOC": -10_000}
    ]
    assert (body["TotalAmountOC"], body["TotalSaleAmountOC"]) == (-110_000, -100_000)
    assert body["InvoiceNote"].startswith("Điều chỉnh giảm cho hóa đơn số 00000001")


def test_adjustment_of_information_only(misa_adapter, misa_request, misa_control) -> None:
    original = misa_adapter.issue(request=misa_request(new_key()))
    note = InvoiceLine(number=1, kind=LineKind.NOTE, name="Điều chỉnh địa chỉ người mua")
    request = misa_request(
        new_key(), lines=(note,), correction=correction(original, AdjustmentKind.INFORMATION)
    )
    assert misa_adapter.issue(request=request).number == "00000002"
    body = misa_control.get("received")[-1]
    assert body["OriginalInvoiceDetail"] == [
        {
            "ItemType": 4,
            "LineNumber": 1,
            "SortOrder": 1,
            "ItemCode": "",
            "ItemName": "Điều chỉnh địa chỉ người mua",
            "UnitName": "",
        }
    ]
    assert (body["TaxRateInfo"], body["TotalAmountOC"], body["ReferenceType"]) == ([], 0, 2)


def test_replacement_references_the_original(misa_adapter, misa_request, misa_control) -> None:
    original = misa_adapter.issue(request=misa_request(new_key()))
    request = misa_request(new_key(), correction=correction(original, AdjustmentKind.REPLACEMENT))
    replacement = misa_adapter.issue(request=request)
    body = misa_control.get("received")[-1]
    assert (body["ReferenceType"], body["OrgInvNo"], body["TotalAmountOC"]) == (
        1,
        "00000001",
        894_700,
    )
    assert body["InvoiceNote"].startswith("Thay thế cho hóa đơn số 00000001")
    assert state_of(misa_control, original.key)["EInvoiceStatus"] == 7
    assert misa_adapter.find(key=replacement.key).status == (  # type: ignore[union-attr]
        "PublishStatus=1 EInvoiceStatus=3 SendTaxStatus=2"
    )
    again = misa_request(new_key(), correction=correction(original, AdjustmentKind.REPLACEMENT))
    with pytest.raises(PermanentError) as caught:
        misa_adapter.issue(request=again)
    assert (caught.value.code, caught.value.message) == (
        "OrgInvoiceReplaced",
        "Hóa đơn gốc đã bị thay thế",
    )


def test_an_adjusted_invoice_cannot_be_replaced(misa_adapter, misa_request) -> None:
    original = misa_adapter.issue(request=misa_request(new_key()))
    misa_adapter.issue(
        request=misa_request(
            new_key(), lines=ONE_LINE, correction=correction(original, AdjustmentKind.INCREASE)
        )
    )
    request = misa_request(new_key(), correction=correction(original, AdjustmentKind.REPLACEMENT))
    with pytest.raises(PermanentError) as caught:
        misa_adapter.issue(request=request)
    assert (caught.value.code, caught.value.message) == (
        "OrgInvoiceAdjusted",
        "Hóa đơn gốc đã có hóa đơn điều chỉnh, không thể thay thế",
    )


def test_the_original_must_exist(misa_adapter, misa_request, misa_sandbox) -> None:
    original = misa_adapter.issue(request=misa_request(new_key()))
    fix = correction(original, AdjustmentKind.INCREASE, number="00000099")
    with pytest.raises(PermanentError) as caught:
        misa_adapter.issue(request=misa_request(new_key(), lines=ONE_LINE, correction=fix))
    assert caught.value.code == "OrgInvoiceNotFound"
    assert caught.value.message == (
        f"Không tìm thấy hóa đơn gốc 1{original.series} số 00000099 ngày "
        f"{misa_sandbox.today().isoformat()}"
    )
    assert len(misa_sandbox.invoices) == 1
    assert misa_sandbox.counters == {f"1{original.series}": 1}


def test_cancel_allowed_then_refused(misa_adapter, misa_request) -> None:
    issued = misa_adapter.issue(request=misa_request(new_key()))
    misa_adapter.cancel(
        invoice=issued,
        reason="Khách hủy đơn",
        agreement_name="Biên bản hủy số 02",
        agreement_date=AGREEMENT,
    )
    found = misa_adapter.find(key=issued.key)
    assert found is not None
    assert found.status == "PublishStatus=1 EInvoiceStatus=2 SendTaxStatus=2"
    with pytest.raises(PermanentError) as caught:
        misa_adapter.cancel(
            invoice=issued, reason="Lần hai", agreement_name="", agreement_date=AGREEMENT
        )
    assert (caught.value.code, caught.value.message) == (
        "InvoiceCanceled",
        "Hóa đơn đã bị hủy trước đó",
    )


def test_cancel_refused_after_an_adjustment(misa_adapter, misa_request, misa_sandbox) -> None:
    original = misa_adapter.issue(request=misa_request(new_key()))
    misa_adapter.issue(
        request=misa_request(
            new_key(), lines=ONE_LINE, correction=correction(original, AdjustmentKind.DECREASE)
        )
    )
    with pytest.raises(PermanentError) as caught:
        misa_adapter.cancel(
            invoice=original, reason="Hủy", agreement_name="BB 03", agreement_date=AGREEMENT
        )
    assert caught.value.code == "InvoiceHasReference"
    assert not misa_sandbox.invoices[original.lookup_code].cancelled


def test_cancel_sends_the_documented_fields(misa_adapter, misa_request, misa_sandbox) -> None:
    issued = misa_adapter.issue(request=misa_request(new_key()))
    misa_adapter.cancel(
        invoice=issued, reason="Khách hủy", agreement_name="BB 04", agreement_date=AGREEMENT
    )
    assert misa_sandbox.calls[-1] == "/api/v3/code/itg/invoicepublished/cancel"
    assert misa_sandbox.invoices[issued.lookup_code].cancelled
    assert issued.issued_at is not None
    assert misa_sandbox.cancels == [
        {
            "TransactionID": issued.lookup_code,
            "InvNo": "00000001",
            "RefDate": issued.issued_at.date().isoformat(),
            "CancelReason": "Khách hủy (theo BB 04 ngày 01/12/2026)",
        }
    ]
