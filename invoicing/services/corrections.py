"""Corrections under Decree 70/2025: an adjustment (increase or decrease) or a replacement
invoice linked to the original, with the reason and the buyer's agreement (name and date).

A decrease adjustment proposed from a return carries the returned units at what they were sold
for (net of every discount, VAT included, see sources.returned_lines). A replacement carries the
full values of the order as it is now. Each is a draft issued like any invoice
(issuing.invoice_issue); once issued, the original becomes adjusted or replaced.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from invoicing.models import CorrectionKind, EInvoice, InvoiceState
from invoicing.services.compute import ComputedInvoice, compute_invoice
from invoicing.services.issuing import (
    InvoiceStateError,
    compute_for_order,
    new_invoice,
    save_lines,
)
from invoicing.services.sources import returned_lines
from orders.models import Return

CORRECTABLE = (InvoiceState.ISSUED, InvoiceState.ADJUSTED)


def decrease_for_return(order_return: Return) -> ComputedInvoice:
    """The lines of the decrease adjustment a return proposes."""
    return compute_invoice(
        sold=returned_lines(order_return),
        shipping_fee=Decimal(0),
        currency=order_return.order.currency,
    )


@transaction.atomic
def correction_draft(
    *,
    original: EInvoice,
    kind: str,
    reason: str,
    agreement_name: str,
    agreement_date: date | None,
    computed: ComputedInvoice | None = None,
    user: Any = None,
) -> EInvoice:
    """A draft adjustment or replacement of `original` (issued, or adjusted before).
    `computed`: the lines; default: for a replacement the order as it is now."""
    original = EInvoice.objects.select_for_update().get(pk=original.pk)
    if original.state not in CORRECTABLE:
        raise InvoiceStateError(_("Only an issued invoice can be adjusted or replaced."))
    if kind not in (CorrectionKind.INCREASE, CorrectionKind.DECREASE, CorrectionKind.REPLACEMENT):
        raise InvoiceStateError(_("Choose an adjustment or a replacement."))
    if not reason.strip():
        raise InvoiceStateError(_("Give the reason for the correction."))
    if original.buyer_tax_code and not (agreement_name.strip() and agreement_date):
        raise InvoiceStateError(
            _("A business buyer's written agreement (its name and date) is required.")
        )
    if computed is None:
        if kind != CorrectionKind.REPLACEMENT:
            raise InvoiceStateError(_("An adjustment needs its lines."))
        computed = compute_for_order(original.order)
    invoice = new_invoice(
        order=original.order,
        account=original.account,
        user=user,
        kind=original.kind,
        original=original,
        correction_kind=kind,
        correction_reason=reason.strip(),
        agreement_name=agreement_name.strip(),
        agreement_date=agreement_date,
    )
    invoice.save()
    save_lines(invoice, computed)
    return invoice
