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

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.money import quantize
from invoicing.adapters.base import InvoiceKind, VatRate
from invoicing.models import CorrectionKind, EInvoice, InvoiceState, Provider
from invoicing.services.compute import ComputedInvoice, SoldLine, compute_invoice
from invoicing.services.issuing import (
    InvoiceStateError,
    compute_for_order,
    new_invoice,
    save_lines,
)
from invoicing.services.sources import returned_lines
from orders.models import Return

CORRECTABLE = (InvoiceState.ISSUED, InvoiceState.ADJUSTED)


def decrease_for_return(order_return: Return, kind: str = InvoiceKind.VAT) -> ComputedInvoice:
    """The lines of the decrease adjustment a return proposes (on an invoice of `kind`)."""
    return compute_invoice(
        sold=returned_lines(order_return),
        shipping_fee=Decimal(0),
        currency=order_return.order.currency,
        kind=InvoiceKind(kind),
    )


def check_correction(
    original: EInvoice, reason: str, agreement_name: str, agreement_date: date | None
) -> None:
    """What Decree 70/2025 asks before correcting (E.5): an issued original, the reason, and a
    business buyer's written agreement, or for a person the notice sent to them (or published
    on the shop's website): its name and date either way, which the providers carry as the
    agreement (S-Invoice additionalReferenceDesc/Date; its sandbox refuses a correction
    without them)."""
    if original.state not in CORRECTABLE:
        raise InvoiceStateError(_("Only an issued invoice can be adjusted or replaced."))
    if not reason.strip():
        raise InvoiceStateError(_("Give the reason for the correction."))
    if agreement_name.strip() and agreement_date:
        return
    if original.buyer_tax_code:
        raise InvoiceStateError(
            _("A business buyer's written agreement (its name and date) is required.")
        )
    raise InvoiceStateError(
        _(
            "Give the notice to the buyer (what was sent to them, or where it was published) "
            "and its date in the agreement fields."
        )
    )


def check_replaceable(original: EInvoice, kind: str) -> None:
    """MISA replaces no invoice that has an adjustment already (D.5): correct it by another
    adjustment. (A cancelled or replaced one is not correctable at all: check_correction.)"""
    adjusted = original.state == InvoiceState.ADJUSTED
    if (
        kind == CorrectionKind.REPLACEMENT
        and adjusted
        and original.account.provider == Provider.MISA
    ):
        raise InvoiceStateError(
            _("An invoice that has an adjustment cannot be replaced: adjust it again.")
        )


def check_rates(original: EInvoice, computed: ComputedInvoice) -> None:
    """The other rate (KHAC) exists at MISA only (E.6)."""
    other = any(line.vat_rate is VatRate.OTHER for line in computed.lines)
    if other and original.account.provider != Provider.MISA:
        raise InvoiceStateError(
            _("S-Invoice has no other VAT rate (KHAC): use 0, 5, 8, 10 %, KCT or KKKNT.")
        )


def check_kind(original: EInvoice, computed: ComputedInvoice) -> None:
    """A correction of a sales invoice carries no VAT either (E.2, E.6)."""
    if original.kind == InvoiceKind.SALES and (
        computed.breakdown or any(line.vat_amount for line in computed.lines)
    ):
        raise InvoiceStateError(_("A sales invoice and its corrections carry no VAT."))


def increase_lines(
    *,
    name: str,
    quantity: Decimal,
    unit_price: Decimal,
    vat_rate: VatRate,
    currency: str,
    other_percent: Decimal = Decimal(0),
    kind: str = InvoiceKind.VAT,
) -> ComputedInvoice:
    """The one line of an increase adjustment: `quantity` x `unit_price` (VAT included, as
    the shop's prices are) at `vat_rate` (`other_percent` for an OTHER rate, KHAC); on a
    sales invoice (`kind` "2") the line as charged, without VAT (the rate does not apply)."""
    gross = quantize(unit_price * quantity, currency)
    sold = SoldLine(
        name=name,
        quantity=quantity,
        gross=gross,
        net=gross,
        vat_rate=vat_rate,
        other_percent=other_percent if vat_rate is VatRate.OTHER else Decimal(0),
    )
    return compute_invoice(
        sold=[sold], shipping_fee=Decimal(0), currency=currency, kind=InvoiceKind(kind)
    )


def adjustment_propose(*, return_id: int) -> EInvoice | None:
    """The decrease adjustment a return proposes on the order's issued invoice: a PROPOSED
    invoice with the returned lines, never issued until staff confirm it (adjustment_confirm).
    None when the order has no issued invoice, the return took nothing back, or it proposed
    already."""
    order_return = Return.objects.select_related("order").get(pk=return_id)
    original = (
        EInvoice.objects.filter(order_id=order_return.order_id, correction_kind="")
        .exclude(state=InvoiceState.CANCELLED)
        .first()
    )
    if original is None or original.state not in CORRECTABLE:
        return None
    if EInvoice.objects.filter(order_return=order_return).exists():
        return None
    computed = decrease_for_return(order_return, original.kind)
    if not computed.lines:
        return None
    try:
        with transaction.atomic():
            invoice = new_invoice(
                order=order_return.order,
                account=original.account,
                kind=original.kind,
                original=original,
                correction_kind=CorrectionKind.DECREASE,
                correction_reason=f"Người mua trả lại hàng (phiếu trả hàng {order_return.number})",
                order_return=order_return,
                state=InvoiceState.PROPOSED,
            )
            invoice.save()
            save_lines(invoice, computed)
    except IntegrityError:  # proposed a moment ago (the job ran twice)
        return None
    return invoice


@transaction.atomic
def adjustment_confirm(
    *,
    invoice_id: int,
    reason: str,
    agreement_name: str,
    agreement_date: date | None,
    user: Any = None,
) -> EInvoice:
    """Staff confirm a proposed adjustment with the reason and the agreement: it becomes a
    draft the caller queues for issuing (tasks.enqueue_issue)."""
    invoice = EInvoice.objects.select_for_update().get(pk=invoice_id)
    if invoice.state != InvoiceState.PROPOSED or invoice.original_id is None:
        raise InvoiceStateError(_("This adjustment was confirmed or dismissed already."))
    _to_draft(invoice, reason, agreement_name, agreement_date)
    invoice.created_by = user if getattr(user, "pk", None) else None
    invoice.save()
    return invoice


@transaction.atomic
def correction_retry(
    *,
    invoice_id: int,
    reason: str,
    agreement_name: str,
    agreement_date: date | None,
) -> EInvoice:
    """Retry a refused correction with its reason and agreement as staff give them now (the
    provider's refusal is often about them): checked like a new one, it becomes a draft the
    caller queues (tasks.enqueue_issue), with its key and lines. InvoiceStateError (nothing
    changes) when it is not a refused correction or the details are incomplete."""
    invoice = EInvoice.objects.select_for_update().get(pk=invoice_id)
    if invoice.state != InvoiceState.FAILED or invoice.original_id is None:
        raise InvoiceStateError(_("Only a refused correction can be retried with new details."))
    _to_draft(invoice, reason, agreement_name, agreement_date)
    invoice.error_code = invoice.error_message = ""
    invoice.save()
    return invoice


def _to_draft(
    invoice: EInvoice, reason: str, agreement_name: str, agreement_date: date | None
) -> None:
    """A correction (locked by the caller) checked against its locked original as a new one
    would be, then made a draft with the reason and agreement given now (not saved)."""
    assert invoice.original_id is not None  # the callers refuse a correction without one
    original = EInvoice.objects.select_for_update().get(pk=invoice.original_id)
    check_correction(original, reason, agreement_name, agreement_date)
    invoice.state = InvoiceState.DRAFT
    invoice.correction_reason = reason.strip()
    invoice.agreement_name = agreement_name.strip()
    invoice.agreement_date = agreement_date
    invoice.updated_at = timezone.now()


def adjustment_dismiss(*, invoice_id: int) -> bool:
    """Drop a proposed adjustment nobody will issue (nothing was sent to the provider)."""
    deleted, _rows = EInvoice.objects.filter(pk=invoice_id, state=InvoiceState.PROPOSED).delete()
    return bool(deleted)


@transaction.atomic
def correction_draft(
    *,
    original: EInvoice,
    kind: str,
    reason: str,
    agreement_name: str,
    agreement_date: date | None,
    computed: ComputedInvoice | None = None,
    order_return: Return | None = None,
    user: Any = None,
) -> EInvoice:
    """A draft adjustment or replacement of `original` (issued, or adjusted before).
    `computed`: the lines; default: for a replacement the order as it is now. A decrease for
    a return (`order_return`) takes the adjustment the return proposed when there is one (the
    return then has one adjustment, never two)."""
    original = EInvoice.objects.select_for_update().get(pk=original.pk)
    if kind not in (CorrectionKind.INCREASE, CorrectionKind.DECREASE, CorrectionKind.REPLACEMENT):
        raise InvoiceStateError(_("Choose an adjustment or a replacement."))
    check_correction(original, reason, agreement_name, agreement_date)
    check_replaceable(original, kind)
    if computed is None:
        if kind != CorrectionKind.REPLACEMENT:
            raise InvoiceStateError(_("An adjustment needs its lines."))
        computed = compute_for_order(original.order, original.kind)
    check_kind(original, computed)
    check_rates(original, computed)
    if order_return is not None:
        proposed = EInvoice.objects.filter(
            order_return=order_return, state=InvoiceState.PROPOSED
        ).first()
        if proposed is not None:
            return adjustment_confirm(
                invoice_id=proposed.pk,
                reason=reason,
                agreement_name=agreement_name,
                agreement_date=agreement_date,
                user=user,
            )
        if EInvoice.objects.filter(order_return=order_return).exists():
            raise InvoiceStateError(_("This return has its adjustment already."))
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
        order_return=order_return,
    )
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError:  # the return's proposal was made a moment ago
        raise InvoiceStateError(_("This return has its adjustment already.")) from None
    save_lines(invoice, computed)
    return invoice
