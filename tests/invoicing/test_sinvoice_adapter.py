"""The S-Invoice adapter against the local sandbox over real HTTP: sign-in and token reuse,
templates, preview, issuing (numbering, idempotency, a timeout then find), the tax authority's
code, files, corrections, cancellation and the error mapping."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from invoicing.adapters.base import (
    AuthError,
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


def test_a_buyer_who_takes_no_invoice(
    sinvoice_adapter: SInvoiceAdapter,
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_request: Make,
    sinvoice_series: str,
) -> None:
    from invoicing.adapters.base import Buyer

    request = sinvoice_request(buyer=Buyer(name="", takes_invoice=False))
    assert sinvoice_adapter.issue(request=request).number == f"{sinvoice_series}1"
    assert sinvoice_sandbox.payloads()[0]["buyerInfo"] == {"buyerNotGetInvoice": 1}
    company = Buyer(name="Chị Lan", legal_name="Công ty TNHH Minh An", tax_code="0100233488")
    with pytest.raises(PermanentError) as refused:
        sinvoice_adapter.issue(request=sinvoice_request(buyer=company))
    assert refused.value.message == "Người mua lấy hóa đơn phải có tên và địa chỉ"


def test_a_short_token_lifetime(
    sinvoice_config: ProviderConfig, sinvoice_sandbox: SInvoiceSandbox, sinvoice_clock: datetime
) -> None:
    sinvoice_sandbox.configure(token_ttl=20, expires_in_as_text=False)
    now = [sinvoice_clock]
    adapter = SInvoiceAdapter(replace(sinvoice_config, clock=lambda: now[0]))
    adapter.templates()
    now[0] += timedelta(seconds=9)
    adapter.templates()
    assert sinvoice_sandbox.calls["login"] == 1
    now[0] += timedelta(seconds=1)
    adapter.templates()
    assert sinvoice_sandbox.calls["login"] == 2


@pytest.mark.parametrize(
    "style",
    [
        {"pascal_keys": True},
        {"string_numbers": True, "expires_in_as_text": False},
        {"single_zip": True, "not_ready_style": "error", "business_http_status": 400},
        {"pascal_keys": True, "string_numbers": True, "not_found_style": "error"},
    ],
)
def test_answers_in_every_documented_shape(
    sinvoice_adapter: SInvoiceAdapter,
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_request: Make,
    sinvoice_series: str,
    sinvoice_clock: datetime,
    style: dict,
) -> None:
    sinvoice_sandbox.configure(file_delay=10, tax_code_delay=10, **style)
    assert [t.template for t in sinvoice_adapter.templates()] == ["1/001", "1/002", "2/001"]
    issued = sinvoice_adapter.issue(request=sinvoice_request())
    assert (issued.number, issued.tax_authority_code) == (f"{sinvoice_series}1", "")
    assert sinvoice_adapter.file(invoice=issued, kind="xml") is None
    sinvoice_sandbox.advance(11)
    found = sinvoice_adapter.find(key=issued.key)
    assert found is not None
    assert (found.number, found.template, found.series, found.issued_at) == (
        issued.number,
        "1/001",
        sinvoice_series,
        sinvoice_clock,
    )
    assert len(found.tax_authority_code) == 34
    xml = sinvoice_adapter.file(invoice=issued, kind="xml")
    assert xml is not None
    assert xml.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<HDon>')
    assert sinvoice_adapter.find(key="never-issued-0001") is None
    with pytest.raises(PermanentError) as refused:
        sinvoice_adapter.issue(request=sinvoice_request(key="other-key-0001", series="C26TZZ"))
    assert (refused.value.code, refused.value.message) == (
        "INVALID_INVOICE_SERIES",
        "Ký hiệu C26TZZ chưa được đăng ký cho mẫu số 1/001",
    )
