"""MISA meInvoice adapter against the local sandbox over real HTTP: sign-in, templates, draft
preview, issuing (numbering, idempotency, timeout then find), the tax-authority code, files,
e-mail and the amounts the sandbox received for mixed VAT rates."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from invoicing.adapters.base import AuthError, InvoiceKind, ProviderConfig, TransientError
from invoicing.adapters.misa import MisaAdapter
from invoicing.sandbox.misa import MisaSandbox
from tests.invoicing.conftest_misa import MisaControl

D = Decimal


def new_key() -> str:
    return str(uuid.uuid4())


def test_sign_in_and_token_reuse(misa_adapter, misa_sandbox) -> None:
    misa_adapter.check_credentials()
    token = misa_adapter.token
    assert misa_sandbox.token_state(token) == "valid"
    misa_adapter.templates()
    misa_adapter.templates()
    assert misa_adapter.token == token
    assert misa_sandbox.calls.count("/api/v3/auth/token") == 1


def test_wrong_password_is_auth_error(misa_config, misa_sandbox) -> None:
    from dataclasses import replace

    adapter = MisaAdapter(replace(misa_config, password="wrong"))
    with pytest.raises(AuthError) as caught:
        adapter.check_credentials()
    assert caught.value.code == "InvalidUserNameOrPassword"
    assert caught.value.message == "Tên đăng nhập hoặc mật khẩu không đúng"


def test_base_url_may_be_the_host(misa_config, misa_sandbox) -> None:
    from dataclasses import replace

    adapter = MisaAdapter(replace(misa_config, base_url=misa_sandbox.origin))
    assert adapter.base_url == misa_sandbox.api_base
    assert len(adapter.templates()) == 3


def test_templates(misa_adapter, misa_sandbox) -> None:
    templates = misa_adapter.templates()
    year = misa_sandbox.today().year % 100
    assert [(t.template, t.series, t.kind) for t in templates] == [
        ("00000000-0000-0000-0000-000000000001", f"C{year}TAA", InvoiceKind.VAT),
        ("00000000-0000-0000-0000-000000000002", f"C{year}TBB", InvoiceKind.SALES),
        ("00000000-0000-0000-0000-000000000003", f"K{year}TKK", InvoiceKind.VAT),
    ]
    assert templates[0].name == "Hóa đơn GTGT có mã"


def test_preview_is_a_pdf_and_issues_nothing(misa_adapter, misa_request, misa_sandbox) -> None:
    content = misa_adapter.preview(request=misa_request(new_key()))
    assert content.startswith(b"%PDF-1.4")
    assert content.rstrip().endswith(b"%%EOF")
    assert b"Ao thun" in content
    assert misa_sandbox.invoices == {}


def test_issue_numbers_in_the_series(misa_adapter, misa_request, misa_sandbox) -> None:
    first = misa_adapter.issue(request=misa_request(new_key()))
    second = misa_adapter.issue(request=misa_request(new_key()))
    series = misa_sandbox.templates[0].symbol[1:]
    assert (first.number, second.number) == ("00000001", "00000002")
    assert (first.series, second.series) == (series, series)
    assert first.template == misa_sandbox.templates[0].template_id
    assert first.issued_at is not None
    assert first.issued_at.date() == misa_sandbox.today()
    assert first.lookup_code != second.lookup_code
    assert misa_sandbox.calls.count("/api/v3/code/itg/invoicepublishing/publishhsm") == 2


def test_same_key_same_invoice(misa_adapter, misa_request, misa_sandbox) -> None:
    request = misa_request(new_key())
    first = misa_adapter.issue(request=request)
    again = misa_adapter.issue(request=request)
    assert again == first
    assert len(misa_sandbox.invoices) == 1
    assert misa_sandbox.counters == {misa_sandbox.templates[0].symbol: 1}


def test_timeout_then_find_then_no_second_invoice(
    misa_config, misa_request, misa_control: MisaControl
) -> None:
    from dataclasses import replace

    misa_adapter = MisaAdapter(replace(misa_config, timeout=(2.0, 0.5)))
    request = misa_request(new_key())
    misa_adapter.check_credentials()
    misa_control.post("fault", {"kind": "slow", "delay": 1.0, "path": "publishhsm"})
    with pytest.raises(TransientError) as caught:
        misa_adapter.issue(request=request)
    assert caught.value.code == "timeout"
    found = misa_adapter.find(key=request.key)
    assert found is not None
    assert found.number == "00000001"
    assert misa_adapter.issue(request=request) == found
    assert misa_adapter.find(key=new_key()) is None
    assert len(misa_control.get("state")["invoices"]) == 1


def test_tax_authority_code_after_the_delay(
    misa_adapter, misa_request, misa_control: MisaControl
) -> None:
    misa_control.post("config", {"code_delay": 60})
    issued = misa_adapter.issue(request=misa_request(new_key()))
    assert issued.tax_authority_code == ""
    assert misa_adapter.status(invoice=issued).tax_authority_code == ""
    misa_control.post("clock", {"advance": 61})
    later = misa_adapter.find(key=issued.key)
    assert later is not None
    assert len(later.tax_authority_code) == 32
    assert later.tax_authority_code.startswith("00")
    assert misa_adapter.status(invoice=issued).tax_authority_code == later.tax_authority_code
    assert later.status == "PublishStatus=1 EInvoiceStatus=1 SendTaxStatus=2"


def test_without_code_series_uses_the_plain_routes(misa_config, misa_request, misa_sandbox) -> None:
    from dataclasses import replace

    adapter = MisaAdapter(replace(misa_config, with_tax_authority_code=False))
    plain = misa_sandbox.templates[2]
    issued = adapter.issue(
        request=misa_request(new_key(), template=plain.template_id, series=plain.symbol[1:])
    )
    assert issued.number == "00000001"
    assert issued.tax_authority_code == ""
    assert "/api/v3/itg/invoicepublishing/publishhsm" in misa_sandbox.calls
    assert adapter.file(invoice=issued, kind="pdf") is not None


def test_files_not_ready_then_pdf_and_xml(
    misa_adapter, misa_request, misa_control: MisaControl
) -> None:
    misa_control.post("config", {"file_delay": 30})
    issued = misa_adapter.issue(request=misa_request(new_key()))
    assert misa_adapter.file(invoice=issued, kind="pdf") is None
    assert misa_adapter.file(invoice=issued, kind="xml") is None
    misa_control.post("clock", {"advance": 31})
    pdf = misa_adapter.file(invoice=issued, kind="pdf")
    assert pdf is not None
    assert pdf.content.startswith(b"%PDF-1.4")
    assert (pdf.file_name, pdf.content_type) == (f"{issued.series}_00000001.pdf", "application/pdf")
    xml = misa_adapter.file(invoice=issued, kind="xml")
    assert xml is not None
    assert xml.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?><HDon>')
    assert f"<KHHDon>{issued.series}</KHHDon><SHDon>1</SHDon>".encode() in xml.content
    assert xml.content_type == "application/xml"


def test_xml_inside_a_zip_is_unpacked(
    misa_adapter, misa_request, misa_control: MisaControl
) -> None:
    misa_control.post("config", {"xml_in_zip": True})
    issued = misa_adapter.issue(request=misa_request(new_key()))
    xml = misa_adapter.file(invoice=issued, kind="xml")
    assert xml is not None
    assert xml.content.startswith(b"<?xml")
    assert xml.content.endswith(b"</HDon>")


def test_send_email(misa_adapter, misa_request, misa_sandbox) -> None:
    issued = misa_adapter.issue(request=misa_request(new_key()))
    misa_adapter.send_email(invoice=issued, to="binh@binhan.vn", name="Nguyễn Văn Bình")
    assert misa_sandbox.emails == [
        {
            "TransactionID": issued.lookup_code,
            "ReceiverName": "Nguyễn Văn Bình",
            "ReceiverEmail": "binh@binhan.vn",
        }
    ]


def test_numbers_as_strings_are_read(misa_adapter, misa_request, misa_control) -> None:
    misa_control.post("config", {"string_numbers": True})
    issued = misa_adapter.issue(request=misa_request(new_key()))
    assert issued.status == "PublishStatus=1 EInvoiceStatus=1 SendTaxStatus=2"


def test_mixed_vat_rates_payload(misa_adapter, misa_request, misa_control) -> None:
    request = misa_request(new_key())
    misa_adapter.issue(request=request)
    [body] = misa_control.get("received")
    assert body["RefID"] == request.key
    assert body["InvSeries"] == f"1{request.series}"
    assert body["InvoiceTemplateID"] == request.template
    assert body["InvoiceName"] == "Hóa đơn giá trị gia tăng"
    assert body["PaymentMethodName"] == "TM/CK"
    assert body["BuyerTaxCode"] == "0100233488"
    assert body["BuyerLegalName"] == "Công ty Cổ phần Bình An"
    assert body["IsTaxReduction43"] is True
    assert body["OptionUserDefined"]["AmountDecimalDigits"] == "0"
    totals = {
        name: body[name]
        for name in (
            "TotalSaleAmountOC",
            "TotalDiscountAmountOC",
            "TotalAmountWithoutVATOC",
            "TotalVATAmountOC",
            "TotalAmountOC",
            "TotalAmount",
        )
    }
    assert totals == {
        "TotalSaleAmountOC": 862_000,
        "TotalDiscountAmountOC": 27_000,
        "TotalAmountWithoutVATOC": 835_000,
        "TotalVATAmountOC": 59_700,
        "TotalAmountOC": 894_700,
        "TotalAmount": 894_700,
    }
    rows = [
        (
            d["ItemType"],
            d["LineNumber"],
            d.get("VATRateName"),
            d.get("AmountOC"),
            d.get("DiscountAmountOC"),
            d.get("AmountWithoutVATOC"),
            d.get("VATAmountOC"),
        )
        for d in body["OriginalInvoiceDetail"]
    ]
    assert rows == [
        (1, 1, "10%", 300_000, 0, 300_000, 30_000),
        (1, 2, "8%", 297_000, 7_000, 290_000, 23_200),
        (1, 3, "5%", 120_000, 0, 120_000, 6_000),
        (1, 4, "0%", 50_000, 0, 50_000, 0),
        (1, 5, "KCT", 40_000, 0, 40_000, 0),
        (1, 6, "KKKNT", 30_000, 0, 30_000, 0),
        (3, 7, "10%", 20_000, 0, 20_000, 2_000),
        (1, 8, "10%", 25_000, 0, 25_000, 2_500),
        (4, 9, None, None, None, None, None),
    ]
    assert body["OriginalInvoiceDetail"][1]["DiscountRate"] == D("2.36")
    assert body["OriginalInvoiceDetail"][1]["Quantity"] == 3
    assert body["OriginalInvoiceDetail"][1]["UnitPrice"] == 99_000
    assert body["TaxRateInfo"] == [
        {"VATRateName": "10%", "AmountWithoutVATOC": 305_000, "VATAmountOC": 30_500},
        {"VATRateName": "8%", "AmountWithoutVATOC": 290_000, "VATAmountOC": 23_200},
        {"VATRateName": "5%", "AmountWithoutVATOC": 120_000, "VATAmountOC": 6_000},
        {"VATRateName": "0%", "AmountWithoutVATOC": 50_000, "VATAmountOC": 0},
        {"VATRateName": "KCT", "AmountWithoutVATOC": 40_000, "VATAmountOC": 0},
        {"VATRateName": "KKKNT", "AmountWithoutVATOC": 30_000, "VATAmountOC": 0},
    ]


def test_in_process_sandbox_runs_on_a_free_port() -> None:
    with MisaSandbox.running() as one, MisaSandbox.running() as two:
        assert one.origin != two.origin
        adapter = MisaAdapter(
            ProviderConfig(
                base_url=one.api_base,
                username="misa-sandbox@example.vn",
                password="misa-sandbox-pass",
                seller_tax_code="0100109106-506",
                app_id="sandbox-app-id",
            )
        )
        adapter.check_credentials()
        assert one.token_state(adapter.token) == "valid"
        assert two.token_state(adapter.token) == "unknown"
