"""Every VAT rate of the rules (E.6: 0, 5, 8, 10 %, not subject KCT, not declared KKKNT) end to
end on both providers over real HTTP: an increase adjustment of 1 x 110,000 VAT included is
computed, stored, sent in the provider's codes (S-Invoice taxPercentage 0/5/8/10/-2/-1, MISA
VATRateName "0%".."10%"/"KCT"/"KKKNT") and issued. Worked by hand: the VAT contained is
110,000 x r / (100 + r), rounded to the dong."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from invoicing.adapters.base import VatRate
from invoicing.models import InvoiceState
from invoicing.services.corrections import correction_draft, increase_lines
from invoicing.services.issuing import invoice_draft, invoice_issue

D = Decimal
pytestmark = pytest.mark.django_db(transaction=True)
CASES = [
    # rate, without VAT, VAT, S-Invoice taxPercentage, MISA VATRateName
    (VatRate.ZERO, D(110000), D(0), 0, "0%"),
    (VatRate.FIVE, D(104762), D(5238), 5, "5%"),
    (VatRate.EIGHT, D(101852), D(8148), 8, "8%"),
    (VatRate.TEN, D(100000), D(10000), 10, "10%"),
    (VatRate.NOT_SUBJECT, D(110000), D(0), -2, "KCT"),
    (VatRate.NOT_DECLARED, D(110000), D(0), -1, "KKKNT"),
]


@pytest.mark.parametrize(("rate", "untaxed", "vat", "sinvoice_code", "misa_name"), CASES)
def test_every_rate_is_issued(provider, hand_order, rate, untaxed, vat, sinvoice_code, misa_name):
    original = invoice_issue(
        invoice_id=invoice_draft(order=hand_order.order, account=provider.account).pk
    )
    assert original.state == InvoiceState.ISSUED
    computed = increase_lines(
        name="Phụ kiện bổ sung",
        quantity=D(1),
        unit_price=D(110000),
        vat_rate=rate,
        currency="VND",
    )
    adjustment = correction_draft(
        original=original,
        kind="increase",
        reason="Bổ sung hàng giao thiếu trên hóa đơn",
        agreement_name="Biên bản điều chỉnh số 03/2026",
        agreement_date=date(2026, 12, 7),
        computed=computed,
    )
    assert list(adjustment.lines.values_list("vat_rate", "amount", "vat_amount")) == [
        (rate.value, untaxed, vat)
    ]
    issued = invoice_issue(invoice_id=adjustment.pk)
    issued.refresh_from_db()
    assert (issued.state, issued.total_without_vat, issued.total_vat, issued.total) == (
        InvoiceState.ISSUED,
        untaxed,
        vat,
        D(110000),
    )
    expected = sinvoice_code if provider.name == "sinvoice" else misa_name
    assert provider.rates_sent() == [expected]
    assert (provider.count(), provider.sent_total()) == (2, D(110000))


def test_misa_takes_another_rate_khac(misa_account, misa_control, hand_order) -> None:
    """KHAC 3.5 %: 103,500 VAT included contains 103,500 x 3.5 / 103.5 = 3,500 VAT."""
    original = invoice_issue(
        invoice_id=invoice_draft(order=hand_order.order, account=misa_account).pk
    )
    computed = increase_lines(
        name="Dịch vụ tính thuế suất khác",
        quantity=D(1),
        unit_price=D(103500),
        vat_rate=VatRate.OTHER,
        other_percent=D("3.5"),
        currency="VND",
    )
    adjustment = correction_draft(
        original=original,
        kind="increase",
        reason="Bổ sung dịch vụ",
        agreement_name="Biên bản điều chỉnh số 04/2026",
        agreement_date=date(2026, 12, 7),
        computed=computed,
    )
    assert list(
        adjustment.lines.values_list("vat_rate", "other_percent", "amount", "vat_amount")
    ) == [("khac", D("3.50"), D(100000), D(3500))]
    issued = invoice_issue(invoice_id=adjustment.pk)
    assert issued.state == InvoiceState.ISSUED
    body = misa_control.get("state")["invoices"][-1]["Payload"]
    assert [line["VATRateName"] for line in body["OriginalInvoiceDetail"]] == ["KHAC:3.50%"]
    assert [
        (part["VATRateName"], part["AmountWithoutVATOC"], part["VATAmountOC"])
        for part in body["TaxRateInfo"]
    ] == [("KHAC:3.50%", 100000, 3500)]


def test_sinvoice_has_no_other_rate(sinvoice_account, sinvoice_sandbox, hand_order) -> None:
    from invoicing.models import EInvoice
    from invoicing.services.issuing import InvoiceStateError

    original = invoice_issue(
        invoice_id=invoice_draft(order=hand_order.order, account=sinvoice_account).pk
    )
    computed = increase_lines(
        name="Dịch vụ",
        quantity=D(1),
        unit_price=D(103500),
        vat_rate=VatRate.OTHER,
        other_percent=D("3.5"),
        currency="VND",
    )
    with pytest.raises(InvoiceStateError) as refused:
        correction_draft(
            original=original,
            kind="increase",
            reason="Bổ sung dịch vụ",
            agreement_name="Biên bản điều chỉnh số 04/2026",
            agreement_date=date(2026, 12, 7),
            computed=computed,
        )
    assert str(refused.value) == (
        "S-Invoice has no other VAT rate (KHAC): use 0, 5, 8, 10 %, KCT or KKKNT."
    )
    assert (EInvoice.objects.count(), sinvoice_sandbox.invoice_count()) == (1, 1)


def test_the_panel_asks_for_the_other_rates_percentage(
    misa_account, hand_order, client, login_as
) -> None:
    from django.urls import reverse

    from invoicing.models import EInvoice

    order = hand_order.order
    invoice_issue(invoice_id=invoice_draft(order=order, account=misa_account).pk)
    login_as("accountant")
    answer = client.post(
        reverse("invoicing:panel_correct", args=[order.pk]),
        {
            "kind": "increase",
            "line_name": "Dịch vụ",
            "line_quantity": "1",
            "line_price": "103500",
            "line_rate": "khac",
            "reason": "Bổ sung dịch vụ",
            "agreement_name": "Biên bản 05/2026",
            "agreement_date": "2026-12-07",
        },
    )
    assert answer.status_code == 422
    assert answer.context["correction_form"].errors == {
        "line_other_percent": ["An increase adjustment needs this."]
    }
    assert EInvoice.objects.count() == 1
