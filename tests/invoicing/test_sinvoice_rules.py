"""S-Invoice rules found in the protocol audit (carriers_einvoice.md C.3, C.5, C.10, C.11, E.5),
over real HTTP against the sandbox: the issue date we send is the one S-Invoice holds (so a
cancellation quotes it exactly even when the provider's clock differs), a correction names its
original in `invoiceNote` and always carries the agreement, a buyer without a tax code does not
"take" the invoice in S-Invoice's sense, and a currency without an exchange rate is refused
before any call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime

import pytest

from invoicing.adapters.base import (
    AdjustmentKind,
    Buyer,
    Correction,
    InvoiceRequest,
    PayloadError,
)
from invoicing.adapters.sinvoice import SInvoiceAdapter
from invoicing.adapters.sinvoice_protocol import ICT
from invoicing.models import EInvoice, InvoiceState
from invoicing.sandbox.sinvoice import SInvoiceSandbox
from invoicing.services.cancel import invoice_cancel
from invoicing.services.corrections import correction_draft
from invoicing.services.issuing import InvoiceStateError, invoice_draft, invoice_issue

Make = Callable[..., InvoiceRequest]


def test_the_adapter_dates_the_invoice_and_returns_that_date(
    sinvoice_adapter: SInvoiceAdapter,
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_request: Make,
    sinvoice_clock: datetime,
) -> None:
    issued = sinvoice_adapter.issue(request=sinvoice_request(issued_at=None))
    sent = sinvoice_sandbox.payloads()[0]["generalInvoiceInfo"]
    assert sent["invoiceIssuedDate"] == int(sinvoice_clock.timestamp()) * 1000
    assert issued.issued_at == sinvoice_clock
    held = sinvoice_sandbox.invoices[(sinvoice_adapter.tax_code, issued.key)]
    assert held.issued_ms == int(sinvoice_clock.timestamp()) * 1000


@pytest.mark.django_db(transaction=True)
def test_a_cancellation_quotes_the_issue_time_the_provider_holds(
    sinvoice_account, sinvoice_sandbox: SInvoiceSandbox, hand_order
) -> None:
    sinvoice_sandbox.advance(90)  # the provider's clock runs 90 s ahead of ours
    invoice = invoice_issue(
        invoice_id=invoice_draft(order=hand_order.order, account=sinvoice_account).pk
    )
    assert invoice.state == InvoiceState.ISSUED
    held = sinvoice_sandbox.invoices[(sinvoice_account.seller_tax_code, str(invoice.key))]
    assert invoice.issued_at is not None
    assert held.issued_ms == int(invoice.issued_at.timestamp()) * 1000
    cancelled = invoice_cancel(
        invoice_id=invoice.pk,
        reason="Lập nhầm hóa đơn, chưa gửi người mua",
        agreement_name="Biên bản hủy 02/2026",
        agreement_date=date(2026, 12, 7),
    )
    assert cancelled.state == InvoiceState.CANCELLED
    assert held.state == "cancelled"
    assert sinvoice_sandbox.payloads("cancelTransactionInvoice")[0]["strIssueDate"] == str(
        held.issued_ms
    )


def _correction(kind: AdjustmentKind, **changes: object) -> Correction:
    values: dict = {
        "kind": kind,
        "original_number": "C26TAA12",
        "original_template": "1/001",
        "original_series": "C26TAA",
        "original_issued_at": datetime.fromisoformat("2026-12-06T23:30:00+00:00"),
        "reason": "Sai đơn giá",
        "agreement_name": "Biên bản điều chỉnh số 01/2026",
        "agreement_date": date(2026, 12, 7),
    }
    return Correction(**{**values, **changes})


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (AdjustmentKind.DECREASE, "Điều chỉnh giảm"),
        (AdjustmentKind.INCREASE, "Điều chỉnh tăng"),
        (AdjustmentKind.REPLACEMENT, "Thay thế"),
    ],
)
def test_a_correction_names_its_original_in_the_invoice_note(
    sinvoice_adapter: SInvoiceAdapter,
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_request: Make,
    kind: AdjustmentKind,
    words: str,
) -> None:
    original = sinvoice_adapter.issue(request=sinvoice_request())
    assert original.issued_at is not None
    correction = _correction(
        kind,
        original_number=original.number,
        original_series=original.series,
        original_issued_at=original.issued_at,
    )
    request = sinvoice_request(key="correction-0001", correction=correction)
    if kind != AdjustmentKind.REPLACEMENT:  # one line: the original's first
        line = request.lines[0]
        request = replace(
            request,
            lines=(line,),
            breakdown=(replace(request.breakdown[0], taxable=line.amount, vat=line.vat_amount),),
            total_without_vat=line.amount,
            total_vat=line.vat_amount,
            total=line.amount + line.vat_amount,
            discount_total=line.discount,
        )
    sinvoice_adapter.issue(request=request)
    day = original.issued_at.astimezone(ICT).strftime("%d/%m/%Y")
    assert original.number == f"{original.series}1"
    assert sinvoice_sandbox.payloads()[-1]["generalInvoiceInfo"]["invoiceNote"] == (
        f"{words} cho hóa đơn mẫu số 1 ký hiệu {original.series} số 1 ngày {day}. Đơn hàng SO-1001"
    )


def test_the_note_of_an_original_issued_late_in_the_evening_utc() -> None:
    from invoicing.adapters.sinvoice_payload import correction_note

    # 23:30 UTC on 6 December is 06:30 on 7 December in Vietnam
    assert correction_note(_correction(AdjustmentKind.DECREASE)) == (
        "Điều chỉnh giảm cho hóa đơn mẫu số 1 ký hiệu C26TAA số 12 ngày 07/12/2026"
    )


@pytest.mark.parametrize(
    "changes", [{"agreement_name": ""}, {"agreement_date": None}, {"agreement_name": "  "}]
)
def test_a_correction_without_its_agreement_is_refused_before_any_call(
    sinvoice_adapter: SInvoiceAdapter,
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_request: Make,
    changes: dict,
) -> None:
    request = sinvoice_request(correction=_correction(AdjustmentKind.REPLACEMENT, **changes))
    with pytest.raises(PayloadError) as refused:
        sinvoice_adapter.issue(request=request)
    assert (refused.value.code, refused.value.field) == ("missing_field", "additionalReferenceDesc")
    assert sinvoice_sandbox.calls["createInvoice"] == 0
    assert sinvoice_sandbox.invoice_count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_persons_correction_needs_the_notice_and_its_date(sinvoice_account, hand_order) -> None:
    original = invoice_issue(
        invoice_id=invoice_draft(order=hand_order.order, account=sinvoice_account).pk
    )
    assert original.state == InvoiceState.ISSUED
    EInvoice.objects.filter(pk=original.pk).update(buyer_tax_code="", buyer_company="")
    original.refresh_from_db()
    with pytest.raises(InvoiceStateError) as refused:
        correction_draft(
            original=original,
            kind="replacement",
            reason="Sai đơn giá",
            agreement_name="",
            agreement_date=None,
        )
    assert str(refused.value) == (
        "Give the notice to the buyer (what was sent to them, or where it was published) "
        "and its date in the agreement fields."
    )
    assert EInvoice.objects.filter(order=hand_order.order).count() == 1
    draft = correction_draft(
        original=original,
        kind="replacement",
        reason="Sai đơn giá",
        agreement_name="Thông báo cho người mua ngày 07/12/2026",
        agreement_date=date(2026, 12, 7),
    )
    replacement = invoice_issue(invoice_id=draft.pk)
    assert replacement.state == InvoiceState.ISSUED


def test_a_buyer_without_a_tax_code_does_not_take_the_invoice(
    sinvoice_adapter: SInvoiceAdapter,
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_request: Make,
    sinvoice_series: str,
) -> None:
    person = Buyer(
        name="Trần Thị Lan", address="7 Lê Lợi, Quận 1, TP Hồ Chí Minh", email="lan@example.vn"
    )
    issued = sinvoice_adapter.issue(request=sinvoice_request(buyer=person))
    assert issued.number == f"{sinvoice_series}1"
    assert sinvoice_sandbox.payloads()[0]["buyerInfo"] == {
        "buyerName": "Trần Thị Lan",
        "buyerAddressLine": "7 Lê Lợi, Quận 1, TP Hồ Chí Minh",
        "buyerEmail": "lan@example.vn",
        "buyerNotGetInvoice": 1,
    }
    with_id = replace(person, id_number="079123456789")  # the person's tax code (TT 86/2024)
    sinvoice_adapter.issue(request=sinvoice_request(key="personal-code-01", buyer=with_id))
    assert sinvoice_sandbox.payloads()[1]["buyerInfo"] == {
        "buyerName": "Trần Thị Lan",
        "buyerTaxCode": "079123456789",
        "buyerAddressLine": "7 Lê Lợi, Quận 1, TP Hồ Chí Minh",
        "buyerEmail": "lan@example.vn",
        "buyerNotGetInvoice": 0,
        "buyerIdType": "1",
        "buyerIdNo": "079123456789",
    }


def test_a_currency_other_than_vnd_is_refused_before_any_call(
    sinvoice_adapter: SInvoiceAdapter, sinvoice_sandbox: SInvoiceSandbox, sinvoice_request: Make
) -> None:
    with pytest.raises(PayloadError) as refused:
        sinvoice_adapter.issue(request=sinvoice_request(currency="USD"))
    assert (refused.value.code, refused.value.field) == ("unsupported_currency", "exchangeRate")
    assert sinvoice_sandbox.calls["createInvoice"] == 0
