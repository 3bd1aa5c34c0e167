"""MISA protocol audit (issue 14, carriers_einvoice.md D.1-D.5): the publishhsm element shape,
the refid lookup under /code, an element's own ErrorCode on a status lookup, InvalidTokenCode,
/code only where D.3 puts it, the integration family's base URL, and no replacement of an
invoice that has an adjustment. Over real HTTP against the sandbox."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import requests

from invoicing.adapters import misa_protocol as proto
from invoicing.adapters.base import InvoiceLine, IssuedInvoice, LineKind, PermanentError, VatRate
from invoicing.adapters.misa import MisaAdapter
from invoicing.models import EInvoice, InvoiceState
from invoicing.sandbox.misa import APP_ID, PASSWORD, TAX_CODE, USERNAME, MisaSandbox
from invoicing.services.corrections import correction_draft, increase_lines
from invoicing.services.issuing import InvoiceStateError, invoice_draft, invoice_issue
from tests.invoicing.conftest_misa import MisaControl

PUBLISH = "/code/itg/invoicepublishing/publishhsm"
REFID = "/invoicepublished/invoice-status/refid"


def new_key() -> str:
    return str(uuid.uuid4())


def raw_post(sandbox: MisaSandbox, path: str, body: object) -> requests.Response:
    sign_in = {"appid": APP_ID, "taxcode": TAX_CODE, "username": USERNAME, "password": PASSWORD}
    token = requests.post(f"{sandbox.api_base}/auth/token", json=sign_in, timeout=5).json()["Data"]
    headers = {
        "Authorization": f"Bearer {token}",
        "CompanyTaxCode": TAX_CODE,
        "Content-Type": "application/json",
    }
    data = proto.dumps(body).encode()
    return requests.post(f"{sandbox.api_base}{path}", data=data, headers=headers, timeout=5)


@pytest.mark.parametrize("shape", ["wrapped", "flat"])
def test_publish_element_read_in_either_shape(
    misa_adapter, misa_request, misa_control: MisaControl, misa_sandbox, shape: str
) -> None:
    misa_control.post("config", {"publish_body": shape})
    request = misa_request(new_key())
    issued = misa_adapter.issue(request=request)
    assert (issued.key, issued.number) == (request.key, "00000001")
    [received] = misa_control.get("received")
    assert (received["RefID"], received["InvSeries"]) == (
        request.key,
        misa_sandbox.templates[0].symbol,
    )
    assert len(misa_sandbox.invoices) == 1


def test_publish_element_is_the_vendor_wrapper(misa_request) -> None:
    data = proto.invoice_data(misa_request(new_key()), today=datetime.now(tz=UTC))
    element = proto.publish_item(data)
    assert element["OriginalInvoiceData"] == data
    assert (element["RefID"], element["IsSendEmail"]) == (data["RefID"], False)
    assert {k: v for k, v in element.items() if k != "OriginalInvoiceData"} == data


def test_a_bare_element_is_refused_by_a_wrapping_server(
    misa_sandbox, misa_request, misa_control: MisaControl
) -> None:
    body = proto.invoice_data(misa_request(new_key()), today=datetime.now(tz=UTC))
    answer = raw_post(misa_sandbox, PUBLISH, [body])
    [item] = json.loads(answer.json()["Data"])
    assert (item["RefID"], item["ErrorCode"], item["ErrorData"]) == (
        body["RefID"],
        "RequireError_OriginalInvoiceData",
        "Thiếu OriginalInvoiceData",
    )
    assert misa_sandbox.invoices == {}
    assert misa_control.get("received") == []


def test_find_a_coded_invoice_under_code(misa_adapter, misa_request, misa_sandbox) -> None:
    issued = misa_adapter.issue(request=misa_request(new_key()))
    found = misa_adapter.find(key=issued.key)
    assert found is not None
    assert (found.number, found.lookup_code) == ("00000001", issued.lookup_code)
    assert misa_sandbox.calls[-2:] == [f"/api/v3{REFID}", f"/api/v3/code{REFID}"]
    assert misa_adapter.find(key=new_key()) is None


def test_find_an_uncoded_invoice_without_code(misa_config, misa_request, misa_sandbox) -> None:
    adapter = MisaAdapter(replace(misa_config, with_tax_authority_code=False))
    template = misa_sandbox.templates[2]
    request = misa_request(new_key(), template=template.template_id, series=template.symbol[1:])
    issued = adapter.issue(request=request)
    found = adapter.find(key=issued.key)
    assert found is not None
    assert found.number == "00000001"
    assert misa_sandbox.calls[-1] == f"/api/v3{REFID}"


def test_status_of_an_unknown_invoice_is_its_error(misa_adapter, misa_sandbox) -> None:
    unknown = IssuedInvoice(
        key="k", number="00000007", series="C26TAA", template="t", issued_at=None, lookup_code="X1"
    )
    with pytest.raises(PermanentError) as caught:
        misa_adapter.status(invoice=unknown)
    assert (caught.value.code, caught.value.message) == (
        "InvoiceNotFound",
        "Không tìm thấy hóa đơn",
    )


def test_invalid_token_code_signs_in_again(
    misa_adapter, misa_control: MisaControl, misa_sandbox
) -> None:
    misa_adapter.check_credentials()
    misa_control.post(
        "fault",
        {"kind": "validation", "path": "templates", "code": "InvalidTokenCode", "message": "Token"},
    )
    assert len(misa_adapter.templates()) == 3
    assert misa_sandbox.calls.count("/api/v3/auth/token") == 2


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/code/auth/token"),
        ("GET", "/code/itg/InvoicePublishing/templates"),
        ("POST", "/code/itg/emails"),
    ],
)
def test_code_prefix_only_where_the_doc_puts_it(misa_sandbox, method: str, path: str) -> None:
    answer = requests.request(method, f"{misa_sandbox.api_base}{path}", json={}, timeout=5)
    assert (answer.status_code, answer.json()["ErrorCode"]) == (404, "NotFound")


@pytest.mark.parametrize("suffix", ["/api/integration", "/api/integration/", "", "/"])
def test_base_url_host_or_integration_family_is_v3(misa_config, misa_sandbox, suffix) -> None:
    adapter = MisaAdapter(replace(misa_config, base_url=misa_sandbox.origin + suffix))
    assert adapter.base_url == misa_sandbox.api_base
    assert len(adapter.templates()) == 3


@pytest.mark.django_db(transaction=True)
def test_an_adjusted_invoice_is_not_replaced(misa_account, hand_order) -> None:
    original = invoice_issue(
        invoice_id=invoice_draft(order=hand_order.order, account=misa_account).pk
    )
    agreement_name, agreement_date = "Biên bản số 03/2026", date(2026, 12, 7)
    extra = increase_lines(
        name="Phí giao hàng bổ sung",
        quantity=Decimal(1),
        unit_price=Decimal(11000),
        vat_rate=VatRate.TEN,
        currency="VND",
    )
    adjustment = correction_draft(
        original=original,
        kind="increase",
        reason="Thiếu phí giao",
        agreement_name=agreement_name,
        agreement_date=agreement_date,
        computed=extra,
    )
    invoice_issue(invoice_id=adjustment.pk)
    original.refresh_from_db()
    assert original.state == InvoiceState.ADJUSTED
    before = list(EInvoice.objects.order_by("pk").values_list("pk", "state"))
    with pytest.raises(InvoiceStateError) as caught:
        correction_draft(
            original=original,
            kind="replacement",
            reason="Sai đơn giá",
            agreement_name=agreement_name,
            agreement_date=agreement_date,
        )
    assert str(caught.value) == (
        "An invoice that has an adjustment cannot be replaced: adjust it again."
    )
    assert list(EInvoice.objects.order_by("pk").values_list("pk", "state")) == before


def test_option_digits_cover_the_unit_prices_and_quantities(
    misa_adapter, misa_request, misa_control: MisaControl
) -> None:
    """A VAT-exclusive unit price (100,000 with 8 % in it: 92,592.5926) and 1.125 kg: the
    digits declared are those sent, which a server checks against OptionUserDefined."""
    lines = (
        InvoiceLine(
            number=1,
            kind=LineKind.GOODS,
            name="Bánh trung thu",
            quantity=Decimal(1),
            unit_price=Decimal("92592.5926"),
            amount=Decimal(92593),
            vat_rate=VatRate.EIGHT,
            vat_amount=Decimal(7407),
        ),
        InvoiceLine(
            number=2,
            kind=LineKind.GOODS,
            name="Cà phê rang xay",
            unit="kg",
            quantity=Decimal("1.125"),
            unit_price=Decimal(80000),
            amount=Decimal(90000),
            vat_rate=VatRate.EIGHT,
            vat_amount=Decimal(7200),
        ),
    )
    issued = misa_adapter.issue(request=misa_request(new_key(), lines=lines))
    assert issued.number == "00000001"
    [received] = misa_control.get("received")
    options = received["OptionUserDefined"]
    assert (
        options["UnitPriceOCDecimalDigits"],
        options["UnitPriceDecimalDigits"],
        options["QuantityDecimalDigits"],
        options["AmountOCDecimalDigits"],
    ) == ("4", "4", "3", "0")
    assert [line["UnitPrice"] for line in received["OriginalInvoiceDetail"]] == [
        Decimal("92592.5926"),
        Decimal(80000),
    ]


def test_more_decimals_than_declared_are_refused(misa_sandbox, misa_request) -> None:
    body = proto.invoice_data(misa_request(new_key()), today=datetime.now(tz=UTC))
    body["OriginalInvoiceDetail"][0]["Quantity"] = Decimal("2.000")  # trailing zeros are fine
    body["OriginalInvoiceDetail"][1]["UnitPrice"] = Decimal("99000.5")
    answer = raw_post(misa_sandbox, PUBLISH, [proto.publish_item(body)])
    [item] = json.loads(answer.json()["Data"])
    assert (item["ErrorCode"], item["ErrorData"]) == (
        "InvoiceDetail_UnitPrice",
        "Dòng 2: UnitPrice có nhiều hơn 0 chữ số thập phân (UnitPriceOCDecimalDigits)",
    )
    assert misa_sandbox.invoices == {}


def test_another_currency_is_refused_before_sending(
    misa_adapter, misa_request, misa_sandbox
) -> None:
    request = replace(misa_request(new_key()), currency="THB")
    for call in (misa_adapter.issue, misa_adapter.preview):
        with pytest.raises(PermanentError) as caught:
            call(request=request)
        assert (caught.value.code, caught.value.message) == (
            "currency_without_rate",
            "Hóa đơn bằng THB cần tỷ giá quy đổi sang VND (ExchangeRate); "
            "chỉ lập được hóa đơn bằng VND",
        )
    assert misa_sandbox.calls == []
    assert misa_sandbox.invoices == {}


def test_sandbox_wants_a_rate_for_another_currency(misa_sandbox, misa_request) -> None:
    body = proto.invoice_data(misa_request(new_key()), today=datetime.now(tz=UTC))
    body["CurrencyCode"] = "USD"
    answer = raw_post(misa_sandbox, PUBLISH, [proto.publish_item(body)])
    [item] = json.loads(answer.json()["Data"])
    assert (item["ErrorCode"], item["ErrorData"]) == (
        "InvalidExchangeRate",
        "Hóa đơn bằng USD phải có tỷ giá quy đổi sang VND",
    )
    assert misa_sandbox.invoices == {}


def test_series_year_is_the_invoice_year(misa_sandbox, misa_request) -> None:
    """E.3: characters 2-3 of the series are the year of the invoice date."""
    template = misa_sandbox.templates[0]
    body = proto.invoice_data(misa_request(new_key()), today=datetime.now(tz=UTC))
    year = int(body["InvDate"][:4])
    stale = f"1C{(year - 1) % 100:02d}TAA"
    misa_sandbox.templates[0] = replace(template, symbol=stale)
    body["InvSeries"] = stale
    answer = raw_post(misa_sandbox, PUBLISH, [proto.publish_item(body)])
    [item] = json.loads(answer.json()["Data"])
    assert (item["ErrorCode"], item["ErrorData"]) == (
        "InvalidInvSeries",
        f"Ký hiệu {stale}: năm {stale[2:4]} khác năm của ngày hóa đơn",
    )
    assert misa_sandbox.invoices == {}


def test_a_token_lasts_fifteen_days(misa_adapter, misa_sandbox, misa_control) -> None:
    misa_adapter.check_credentials()
    misa_control.post("clock", {"advance": 15 * 24 * 3600 - 60})
    assert len(misa_adapter.templates()) == 3
    misa_control.post("clock", {"advance": 120})
    assert len(misa_adapter.templates()) == 3
    assert misa_sandbox.calls.count("/api/v3/auth/token") == 2


def test_the_series_is_sent_with_the_invoice_year(
    misa_adapter, misa_request, misa_sandbox, misa_control: MisaControl
) -> None:
    """An account still on last year's series (C25TAA in 2026) issues in this year's."""
    symbol = misa_sandbox.templates[0].symbol
    stale = f"{symbol[1]}{(int(symbol[2:4]) - 1) % 100:02d}{symbol[4:]}"
    issued = misa_adapter.issue(request=misa_request(new_key(), series=stale))
    assert (issued.series, issued.number) == (symbol[1:], "00000001")
    [received] = misa_control.get("received")
    assert received["InvSeries"] == symbol
    assert proto.series_of_year("1K24TKK", date(2026, 1, 1)) == "K26TKK"
    assert proto.series_of_year("C25TAA", date(2025, 12, 31)) == "C25TAA"
