"""A sales invoice (template 2, "hóa đơn bán hàng", issue 14) carries no VAT: the hand-worked
order's (conftest_app.hand_order) lines as paid, issued over real HTTP at both sandboxes with
what each provider's document says for it, our preview without a VAT line, and both sandboxes
refusing a sales invoice that carries VAT.

Figures (prices include VAT; the order discount 73,800 spread 33,000 / 30,000 / 10,800):
  shirt 2 x 165,000 = 330,000, paid 297,000: discount 33,000;
  rice  3 x 105,000 = 315,000, paid 315,000 - 15,000 - 30,000 = 270,000: discount 45,000;
  milk  4 x  27,000 = 108,000, paid 97,200: discount 10,800;
  shipping 22,000. Total 686,200 = the order's, VAT 0, discounts 88,800.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import requests

from invoicing.adapters import misa_protocol as proto
from invoicing.adapters.base import InvoiceKind, LineKind, PayloadError, PermanentError, VatRate
from invoicing.adapters.sinvoice_payload import dumps, invoice_body
from invoicing.models import EInvoice, InvoiceState, Provider, ProviderAccount
from invoicing.sandbox.sinvoice import PASSWORD, TAX_CODE, USERNAME
from invoicing.services.corrections import adjustment_confirm, correction_draft, increase_lines
from invoicing.services.issuing import (
    InvoiceStateError,
    compute_for_order,
    invoice_draft,
    invoice_issue,
    preview_request,
)
from invoicing.services.preview import preview_pdf
from orders.services.returns import ReturnLineInput, return_create
from tests.invoicing.test_misa_sandbox import PUBLISH, post, publish_error, wrapped

D = Decimal
TOTAL = D(686200)


def figures(line):
    return (
        line.kind,
        line.quantity,
        line.unit_price,
        line.discount,
        line.amount,
        line.vat_rate,
        line.vat_amount,
    )


SALES_LINES = [
    (LineKind.GOODS, D(2), D(165000), D(33000), D(297000), VatRate.NOT_SUBJECT, D(0)),
    (LineKind.GOODS, D(3), D(105000), D(45000), D(270000), VatRate.NOT_SUBJECT, D(0)),
    (LineKind.GOODS, D(4), D(27000), D(10800), D(97200), VatRate.NOT_SUBJECT, D(0)),
    (LineKind.FEE, D(1), D(22000), D(0), D(22000), VatRate.NOT_SUBJECT, D(0)),
]


@pytest.mark.django_db
def test_a_sales_invoice_has_the_paid_amounts_and_no_vat(hand_order) -> None:
    computed = compute_for_order(hand_order.order, "2")
    assert [figures(line) for line in computed.lines] == SALES_LINES
    assert computed.breakdown == ()
    assert (computed.total_without_vat, computed.total_vat, computed.total) == (TOTAL, 0, TOTAL)
    assert computed.discount_total == D(88800)
    assert computed.total_in_words == "Sáu trăm tám mươi sáu nghìn hai trăm đồng"


def _sales_account(provider: str, request: Any) -> ProviderAccount:
    """The provider's account moved to its registered sales template (2/001 C..TBB at
    S-Invoice, 2C..TBB at MISA)."""
    if provider == Provider.SINVOICE:
        account = request.getfixturevalue("sinvoice_account")
        fields = {"template": "2/001", "series": account.series[:3] + "TBB"}
    else:
        account = request.getfixturevalue("misa_account")
        template = request.getfixturevalue("misa_sandbox").templates[1]
        assert template.symbol.startswith("2")
        fields = {"template": template.template_id, "series": template.symbol[1:]}
    ProviderAccount.objects.filter(pk=account.pk).update(default_kind="2", **fields)
    account.refresh_from_db()
    return account


def _received(provider: str, request: Any) -> list[Any]:
    if provider == Provider.SINVOICE:
        return list(request.getfixturevalue("sinvoice_sandbox").payloads())
    state = request.getfixturevalue("misa_control").get("state")
    return [item["Payload"] for item in state["invoices"]]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("provider", [Provider.SINVOICE.value, Provider.MISA.value])
def test_a_sales_invoice_is_issued_without_vat(hand_order, provider, request) -> None:
    account = _sales_account(provider, request)
    invoice = invoice_draft(order=hand_order.order, account=account)
    assert (invoice.kind, invoice.total_without_vat, invoice.total_vat, invoice.total) == (
        "2",
        TOTAL,
        0,
        TOTAL,
    )
    assert [(ln.amount, ln.vat_rate, ln.vat_amount) for ln in invoice.lines.order_by("number")] == [
        (line[4], "kct", D(0)) for line in SALES_LINES
    ]
    issued = invoice_issue(invoice_id=invoice.pk)
    issued.refresh_from_db()
    assert (issued.state, issued.error_code) == (InvoiceState.ISSUED, "")
    [sent] = _received(provider, request)
    if provider == Provider.SINVOICE:
        general = sent["generalInvoiceInfo"]
        assert (general["invoiceType"], general["templateCode"]) == ("2", "2/001")
        assert [
            (i["taxPercentage"], i["taxAmount"], i["itemTotalAmountAfterDiscount"])
            for i in sent["itemInfo"]
        ] == [(-2, 0, int(line[4])) for line in SALES_LINES]
        assert sent["taxBreakdowns"] == [
            {
                "taxPercentage": -2,
                "taxableAmount": 686200,
                "taxAmount": 0,
                "taxableAmountPos": True,
                "taxAmountPos": True,
            }
        ]
        summary = sent["summarizeInfo"]
        assert (
            summary["totalAmountWithoutTax"],
            summary["totalTaxAmount"],
            summary["totalAmountWithTax"],
        ) == (686200, 0, 686200)
    else:
        assert (sent["InvSeries"][:1], sent["InvoiceName"]) == ("2", "Hóa đơn bán hàng")
        assert [
            (ln["VATRateName"], ln["VATAmountOC"], ln["AmountWithoutVATOC"])
            for ln in sent["OriginalInvoiceDetail"]
        ] == [("KCT", 0, int(line[4])) for line in SALES_LINES]
        assert sent["TaxRateInfo"] == [
            {"VATRateName": "KCT", "AmountWithoutVATOC": 686200, "VATAmountOC": 0}
        ]
        assert (
            sent["TotalAmountWithoutVATOC"],
            sent["TotalVATAmountOC"],
            sent["TotalAmountOC"],
            sent["IsTaxReduction43"],
        ) == (686200, 0, 686200, False)


@pytest.mark.django_db
def test_the_preview_of_a_sales_invoice_shows_no_vat(hand_order, sinvoice_account) -> None:
    account = ProviderAccount.objects.get(pk=sinvoice_account.pk)
    account.template, account.default_kind = "2/001", "2"
    pdf = preview_pdf(preview_request(order=hand_order.order, account=account))
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "HÓA ĐƠN BÁN HÀNG" in text
    for vat_word in ("GTGT", "GIÁ TRỊ GIA TĂNG", "Thuế suất", "Tiền thuế", "chưa thuế", "KCT"):
        assert vat_word not in text
    assert "Cộng tiền bán hàng hóa, dịch vụ" in text
    totals = [" ".join(ln.split()) for ln in text.splitlines() if "Cộng tiền" in ln or "Tổng" in ln]
    assert totals == [
        "Cộng tiền bán hàng hóa, dịch vụ 686.200 ₫",
        "Tổng tiền thanh toán 686.200 ₫",
    ]
    assert EInvoice.objects.count() == 0  # a preview stores nothing


def test_the_adapters_refuse_a_sales_request_with_vat(
    sinvoice_request, misa_request, misa_adapter, misa_control
) -> None:
    """What the old computation made (VAT lines) under template 2 is never sent."""
    with_vat = sinvoice_request(kind=InvoiceKind.SALES, template="2/001")
    assert with_vat.total_vat != 0
    with pytest.raises(PayloadError) as raised:
        invoice_body(with_vat)
    assert raised.value.code == "vat_on_sales_invoice"
    misa_vat = misa_request(str(uuid.uuid4()), kind=InvoiceKind.SALES)
    assert misa_vat.total_vat != 0
    with pytest.raises(PermanentError) as refused:
        misa_adapter.issue(request=misa_vat)
    assert (refused.value.code, misa_adapter.calls) == ("vat_on_sales_invoice", 0)
    assert misa_control.get("state")["invoices"] == []


def test_the_sinvoice_sandbox_refuses_a_sales_invoice_with_vat(
    sinvoice_sandbox, sinvoice_request, sinvoice_series
) -> None:
    body = invoice_body(sinvoice_request())  # a VAT invoice's lines, breakdown and totals
    body["generalInvoiceInfo"].update(
        invoiceType="2", templateCode="2/001", invoiceSeries=sinvoice_series[:3] + "TBB"
    )
    token = requests.post(
        sinvoice_sandbox.auth_url, json={"username": USERNAME, "password": PASSWORD}, timeout=5
    ).json()
    answer = requests.post(
        f"{sinvoice_sandbox.api_base}/InvoiceAPI/InvoiceWS/createInvoice/{TAX_CODE}",
        data=dumps(body),
        headers={"Content-Type": "application/json"},
        cookies={"access_token": token["access_token"]},
        timeout=5,
    )
    document = answer.json()
    assert (answer.status_code, document["errorCode"], document["result"]) == (
        200,
        "SALES_INVOICE_WITH_TAX",
        None,
    )
    assert document["description"].startswith("Hóa đơn bán hàng (mẫu số 2) không có thuế GTGT")
    assert sinvoice_sandbox.invoice_count() == 0


def test_the_misa_sandbox_refuses_a_sales_invoice_with_vat(
    misa_sandbox, misa_control, misa_request
) -> None:
    template = misa_sandbox.templates[1]
    vat_request = misa_request(str(uuid.uuid4()))  # a VAT invoice's lines and totals
    body = proto.invoice_data(vat_request, today=datetime.now(tz=UTC))
    body.update(
        InvSeries=template.symbol,
        InvoiceTemplateID=template.template_id,
        InvoiceName="Hóa đơn bán hàng",
    )
    code, message = publish_error(misa_sandbox, body)
    assert code == "SalesInvoiceWithVAT"
    assert message.startswith("Hóa đơn bán hàng (mẫu số 2) không có thuế GTGT")
    assert misa_control.get("state")["invoices"] == []
    # the same invoice as a VAT invoice is taken: only the kind decided
    vat_body = proto.invoice_data(vat_request, today=datetime.now(tz=UTC))
    answer = post(misa_sandbox, PUBLISH, [wrapped(vat_body)]).json()
    assert [item["ErrorCode"] for item in json.loads(answer["Data"])] == [None]
    assert len(misa_control.get("state")["invoices"]) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("provider", [Provider.SINVOICE.value, Provider.MISA.value])
def test_a_return_on_a_sales_invoice_is_adjusted_without_vat(
    hand_order, provider, request, run_jobs
) -> None:
    """One shirt back: 165,000 charged, 148,500 paid for it (test_issuing.py), no VAT."""
    account = _sales_account(provider, request)
    original = invoice_issue(invoice_id=invoice_draft(order=hand_order.order, account=account).pk)
    assert original.state == InvoiceState.ISSUED
    line = hand_order.order.lines.get(variant=hand_order.shirt)
    with run_jobs():
        order_return = return_create(
            order_id=hand_order.order.pk,
            lines=[ReturnLineInput(line.pk, 1, "good")],
            user_id=None,
        )
    proposal = EInvoice.objects.get(order_return=order_return)
    assert (proposal.kind, proposal.total_without_vat, proposal.total_vat, proposal.total) == (
        "2",
        D(148500),
        0,
        D(148500),
    )
    assert list(
        proposal.lines.values_list("quantity", "unit_price", "discount", "amount", "vat_rate")
    ) == [(D(1), D(165000), D(16500), D(148500), "kct")]
    # an increase computed with VAT is no correction of a sales invoice: nothing is drafted
    with_vat = increase_lines(
        name="Phí gói quà",
        quantity=D(1),
        unit_price=D(11000),
        vat_rate=VatRate.TEN,
        currency="VND",
    )
    with pytest.raises(InvoiceStateError):
        correction_draft(
            original=original,
            kind="increase",
            reason="Thêm phí gói quà",
            agreement_name="Biên bản điều chỉnh số 02/2026",
            agreement_date=date(2026, 12, 7),
            computed=with_vat,
        )
    assert EInvoice.objects.count() == 2
    adjustment_confirm(
        invoice_id=proposal.pk,
        reason="Khách trả lại 1 áo thun",
        agreement_name="Biên bản điều chỉnh số 01/2026",
        agreement_date=date(2026, 12, 7),
    )
    issued = invoice_issue(invoice_id=proposal.pk)
    original.refresh_from_db()
    assert (issued.state, original.state) == (InvoiceState.ISSUED, InvoiceState.ADJUSTED)
    sent = _received(provider, request)[-1]
    if provider == Provider.SINVOICE:
        assert [(i["taxPercentage"], i["taxAmount"]) for i in sent["itemInfo"]] == [(-2, 0)]
        assert sent["summarizeInfo"]["totalTaxAmount"] == 0
    else:
        assert [
            (ln["VATRateName"], ln["VATAmountOC"], ln["AmountWithoutVATOC"])
            for ln in sent["OriginalInvoiceDetail"]
        ] == [("KCT", 0, -148500)]
        assert (sent["TotalVATAmountOC"], sent["TotalAmountOC"]) == (0, -148500)
