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
