"""The S-Invoice adapter against the local sandbox over real HTTP: sign-in and token reuse,
templates, preview, issuing (numbering, idempotency, a timeout then find), the tax authority's
code, files, corrections, cancellation and the error mapping."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from invoicing.adapters.base import (
    AdjustmentKind,
    AuthError,
    Correction,
    InvoiceKind,
    InvoiceRequest,
    IssuedInvoice,
    PermanentError,
    ProviderConfig,
    TemplateInfo,
    TransientError,
)
from invoicing.adapters.sinvoice import SInvoiceAdapter, SInvoiceBasicAdapter
from invoicing.sandbox.sinvoice import Fault, SInvoiceSandbox

Make = Callable[..., InvoiceRequest]


def test_sign_in_once_for_many_calls(sinvoice_adapter: SInvoiceAdapter, sinvoice_sandbox) -> None:
    sinvoice_adapter.check_credentials()
    sinvoice_adapter.templates()
    sinvoice_adapter.templates()
    assert sinvoice_sandbox.calls["login"] == 1
    assert sinvoice_sandbox.calls["getAllInvoiceTemplates"] == 2
    assert sinvoice_adapter.calls == 3


def test_a_wrong_password_is_an_auth_error(sinvoice_config: ProviderConfig) -> None:
    adapter = SInvoiceAdapter(replace(sinvoice_config, password="wrong"))
    with pytest.raises(AuthError) as refused:
        adapter.check_credentials()
    assert refused.value.message == "Sai tên đăng nhập hoặc mật khẩu"


def test_templates(sinvoice_adapter: SInvoiceAdapter) -> None:
    found = [(t.template, t.series, t.kind, t.name) for t in sinvoice_adapter.templates()]
    assert found == [
        ("1/001", "C26TAA", InvoiceKind.VAT, "Hóa đơn giá trị gia tăng"),
        ("1/002", "K26TAB", InvoiceKind.VAT, "Hóa đơn giá trị gia tăng (không mã)"),
        ("2/001", "C26TBB", InvoiceKind.SALES, "Hóa đơn bán hàng"),
    ]
    assert isinstance(sinvoice_adapter.templates()[0], TemplateInfo)


def test_preview_is_a_pdf_and_issues_nothing(
    sinvoice_adapter: SInvoiceAdapter, sinvoice_sandbox: SInvoiceSandbox, sinvoice_request: Make
) -> None:
    content = sinvoice_adapter.preview(request=sinvoice_request())
    assert content.startswith(b"%PDF-1.4\n")
    assert content.rstrip().endswith(b"%%EOF")
    assert b"So: \\(chua cap so\\)" in content
    assert sinvoice_sandbox.invoice_count() == 0
    assert (
        sinvoice_sandbox.payloads("createInvoiceDraftPreview")[0]["generalInvoiceInfo"][
            "templateCode"
        ]
        == "1/001"
    )


def test_issue_numbers_the_series_in_order(
    sinvoice_adapter: SInvoiceAdapter, sinvoice_request: Make, sinvoice_series: str
) -> None:
    issued = [
        sinvoice_adapter.issue(request=sinvoice_request(key=f"key-000000000{n}")) for n in range(3)
    ]
    assert [i.number for i in issued] == [f"{sinvoice_series}{n}" for n in (1, 2, 3)]
    assert {i.series for i in issued} == {sinvoice_series}
    assert [i.key for i in issued] == [f"key-000000000{n}" for n in range(3)]
    assert all(len(i.lookup_code) == 10 for i in issued)
    assert issued[0].template == "1/001"


def test_the_same_key_returns_the_same_invoice(
    sinvoice_adapter: SInvoiceAdapter, sinvoice_sandbox: SInvoiceSandbox, sinvoice_request: Make
) -> None:
    request = sinvoice_request()
    first = sinvoice_adapter.issue(request=request)
    again = sinvoice_adapter.issue(request=request)
    assert (again.number, again.lookup_code) == (first.number, first.lookup_code)
    assert sinvoice_sandbox.invoice_count() == 1


def test_a_timeout_then_find_then_no_second_invoice(
    sinvoice_config: ProviderConfig,
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_request: Make,
    sinvoice_series: str,
) -> None:
    adapter = SInvoiceAdapter(replace(sinvoice_config, timeout=(2.0, 0.5)))
    request = sinvoice_request()
    sinvoice_sandbox.add_fault(Fault("slow", delay=1.5, path="createInvoice"))
    with pytest.raises(TransientError) as timed_out:
        adapter.issue(request=request)
    assert timed_out.value.code == "timeout"
    found = adapter.find(key=request.key)
    assert found is not None
    assert found.number == f"{sinvoice_series}1"
    assert found.status == "Chưa thanh toán"
    assert adapter.issue(request=request).number == f"{sinvoice_series}1"
    assert sinvoice_sandbox.invoice_count() == 1


def test_find_an_unknown_key(
    sinvoice_adapter: SInvoiceAdapter, sinvoice_sandbox: SInvoiceSandbox
) -> None:
    assert sinvoice_adapter.find(key="never-issued-0001") is None
    sinvoice_sandbox.configure(not_found_style="error")
    assert sinvoice_adapter.find(key="never-issued-0001") is None


def test_the_tax_authority_code_comes_after_the_delay(
    sinvoice_adapter: SInvoiceAdapter,
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_request: Make,
    sinvoice_clock: datetime,
) -> None:
    sinvoice_sandbox.configure(tax_code_delay=60)
    issued = sinvoice_adapter.issue(request=sinvoice_request())
    assert issued.tax_authority_code == ""
    waiting = sinvoice_adapter.find(key=issued.key)
    assert waiting is not None
    assert (waiting.tax_authority_code, waiting.raw["exchangeDes"]) == ("", "Chờ CQT cấp mã")
    assert waiting.issued_at == sinvoice_clock
    sinvoice_sandbox.advance(61)
    coded = sinvoice_adapter.find(key=issued.key)
    assert coded is not None
    assert len(coded.tax_authority_code) == 34
    assert coded.tax_authority_code == sinvoice_sandbox.code_of_tax(
        sinvoice_sandbox.invoices[(sinvoice_adapter.tax_code, issued.key)]
    )


def test_a_series_without_code_never_gets_one(
    sinvoice_adapter: SInvoiceAdapter, sinvoice_sandbox: SInvoiceSandbox, sinvoice_request: Make
) -> None:
    issued = sinvoice_adapter.issue(request=sinvoice_request(template="1/002", series="K26TAB"))
    sinvoice_sandbox.advance(3600)
    found = sinvoice_adapter.find(key=issued.key)
    assert found is not None
    assert (found.tax_authority_code, found.raw["exchangeDes"]) == ("", "Đã gửi CQT")


def test_files_pdf_and_xml_after_the_delay(
    sinvoice_adapter: SInvoiceAdapter, sinvoice_sandbox: SInvoiceSandbox, sinvoice_request: Make
) -> None:
    sinvoice_sandbox.configure(file_delay=30)
    issued = sinvoice_adapter.issue(request=sinvoice_request())
    assert sinvoice_adapter.file(invoice=issued, kind="pdf") is None
    assert sinvoice_adapter.file(invoice=issued, kind="xml") is None
    sinvoice_sandbox.advance(31)
    pdf = sinvoice_adapter.file(invoice=issued, kind="pdf")
    assert pdf is not None
    assert (pdf.file_name, pdf.content_type) == (
        f"0100109106-506_{issued.number}.pdf",
        "application/pdf",
    )
    assert pdf.content.startswith(b"%PDF-")
    assert f"So: {issued.number}".encode() in pdf.content
    xml = sinvoice_adapter.file(invoice=issued, kind="xml")
    assert xml is not None
    assert (xml.file_name, xml.content_type) == (
        f"0100109106-506_{issued.number}.xml",
        "application/xml",
    )
    root = ET.parse(io.BytesIO(xml.content)).getroot()
    assert root.findtext("DLHDon/TTChung/SHDon") == "1"
    assert root.findtext("DLHDon/TTChung/KHHDon") == issued.series
    assert root.findtext("DLHDon/NDHDon/TToan/TgTTTBSo") == "700250"


def test_a_number_given_later(
    sinvoice_adapter: SInvoiceAdapter,
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_request: Make,
    sinvoice_series: str,
) -> None:
    sinvoice_sandbox.configure(number_delay=45)
    issued = sinvoice_adapter.issue(request=sinvoice_request())
    assert issued.number == ""
    assert sinvoice_adapter.file(invoice=issued, kind="pdf") is None
    sinvoice_sandbox.advance(46)
    found = sinvoice_adapter.find(key=issued.key)
    assert found is not None
    assert found.number == f"{sinvoice_series}1"


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
    import requests

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


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        (
            "buyer_tax_code",
            "INVALID_BUYER_TAX_CODE",
            "Mã số thuế người mua không hợp lệ: 0100233480",
        ),
        ("series", "INVALID_INVOICE_SERIES", "Ký hiệu C26TZZ chưa được đăng ký cho mẫu số 1/001"),
        ("template", "ERR", "Sai mẫu số: '1-001'"),
        (
            "line_amount",
            "INVALID_ITEM_AMOUNT",
            "Dòng 1: thành tiền chưa thuế 300006 không khớp số lượng x đơn giá (300000), "
            "sai lệch cho phép 5",
        ),
        (
            "tax",
            "INVALID_TAX_AMOUNT",
            "Thuế suất 10: tiền thuế 49501 lệch quá 20000 so với tính toán (29500)",
        ),
    ],
)
def test_validation_errors_keep_the_provider_message(
    sinvoice_adapter: SInvoiceAdapter,
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_request: Make,
    change: str,
    code: str,
    message: str,
) -> None:
    request = sinvoice_request()
    if change == "buyer_tax_code":
        request = replace(request, buyer=replace(request.buyer, tax_code="0100233480"))
    elif change == "series":
        request = replace(request, series="C26TZZ")
    elif change == "template":
        request = replace(request, template="1-001")
    elif change == "line_amount":
        first = replace(request.lines[0], amount=request.lines[0].amount + 6)
        request = replace(request, lines=(first, *request.lines[1:]))
    else:
        ten = replace(request.breakdown[0], vat=request.breakdown[0].vat + 20001)
        request = replace(request, breakdown=(ten, *request.breakdown[1:]))
    with pytest.raises(PermanentError) as refused:
        sinvoice_adapter.issue(request=request)
    assert (refused.value.code, refused.value.message) == (code, message)
    assert sinvoice_sandbox.invoice_count() == 0


def test_amounts_within_the_tolerances_pass(
    sinvoice_adapter: SInvoiceAdapter, sinvoice_request: Make, sinvoice_series: str
) -> None:
    request = sinvoice_request()
    ten = replace(request.breakdown[0], vat=request.breakdown[0].vat + 20000)
    request = replace(
        request,
        breakdown=(ten, *request.breakdown[1:]),
        total_vat=request.total_vat + 20000,
        total=request.total + 20000,
    )
    assert sinvoice_adapter.issue(request=request).number == f"{sinvoice_series}1"


def test_an_injected_validation_error(
    sinvoice_adapter: SInvoiceAdapter, sinvoice_sandbox: SInvoiceSandbox, sinvoice_request: Make
) -> None:
    sinvoice_sandbox.add_fault(
        Fault(
            "validation",
            code="INVALID_BUYER_EMAIL",
            message="Email người mua không hợp lệ",
            path="createInvoice",
        )
    )
    with pytest.raises(PermanentError) as refused:
        sinvoice_adapter.issue(request=sinvoice_request())
    assert (refused.value.code, refused.value.message) == (
        "INVALID_BUYER_EMAIL",
        "Email người mua không hợp lệ",
    )


def test_an_expired_token_signs_in_again(
    sinvoice_adapter: SInvoiceAdapter,
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_request: Make,
    sinvoice_series: str,
) -> None:
    sinvoice_adapter.templates()
    sinvoice_sandbox.expire_tokens()
    assert sinvoice_adapter.issue(request=sinvoice_request()).number == f"{sinvoice_series}1"
    sinvoice_sandbox.add_fault(Fault("expired_token", path="searchInvoiceByTransactionUuid"))
    assert sinvoice_adapter.find(key="never-issued-0001") is None
    assert sinvoice_sandbox.calls["login"] == 3


def test_a_token_refused_twice_is_an_auth_error(
    sinvoice_adapter: SInvoiceAdapter, sinvoice_sandbox: SInvoiceSandbox
) -> None:
    sinvoice_sandbox.add_fault(Fault("expired_token", count=2, path="getAllInvoiceTemplates"))
    with pytest.raises(AuthError) as refused:
        sinvoice_adapter.templates()
    assert (refused.value.code, refused.value.message) == ("http_401", "Access token expired")


def test_the_token_is_renewed_when_its_time_is_up(
    sinvoice_config: ProviderConfig, sinvoice_sandbox: SInvoiceSandbox, sinvoice_clock: datetime
) -> None:
    now = [sinvoice_clock]
    adapter = SInvoiceAdapter(replace(sinvoice_config, clock=lambda: now[0]))
    adapter.templates()
    now[0] += timedelta(seconds=569)
    adapter.templates()
    assert sinvoice_sandbox.calls["login"] == 1
    now[0] += timedelta(seconds=2)  # 600 s less 30 s early
    adapter.templates()
    assert sinvoice_sandbox.calls["login"] == 2


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_5xx_is_transient(
    sinvoice_adapter: SInvoiceAdapter,
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_request: Make,
    status: int,
) -> None:
    sinvoice_sandbox.add_fault(Fault("error", status=status, path="createInvoice"))
    with pytest.raises(TransientError) as failed:
        sinvoice_adapter.issue(request=sinvoice_request())
    assert failed.value.code == f"http_{status}"
    assert sinvoice_sandbox.invoice_count() == 0


def test_send_email_is_not_supported(sinvoice_adapter: SInvoiceAdapter, sinvoice_clock) -> None:
    invoice = IssuedInvoice(
        key="k", number="C26TAA1", series="C26TAA", template="1/001", issued_at=sinvoice_clock
    )
    with pytest.raises(PermanentError) as refused:
        sinvoice_adapter.send_email(invoice=invoice, to="an@minhan.vn", name="An")
    assert refused.value.code == "not_supported"


def test_basic_auth_without_sign_in(
    sinvoice_config: ProviderConfig,
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_request: Make,
    sinvoice_series: str,
) -> None:
    adapter = SInvoiceBasicAdapter(sinvoice_config)
    adapter.check_credentials()
    assert adapter.issue(request=sinvoice_request()).number == f"{sinvoice_series}1"
    assert sinvoice_sandbox.calls["login"] == 0
    with pytest.raises(AuthError):
        SInvoiceBasicAdapter(replace(sinvoice_config, password="nope")).templates()
