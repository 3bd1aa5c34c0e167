"""Cancelling an issued invoice, only where the rules still allow it.

Since Decree 70/2025 (in force 1 June 2025; carriers_einvoice.md E.5), an error in an invoice
the buyer has received is corrected by an adjustment or a replacement, never by cancelling it;
a coded invoice that has not reached the buyer yet may still be cancelled (the seller tells the
tax authority on form 04/SS-HĐĐT) and issued again. So here an invoice can be cancelled only
while: it is an original (not itself a correction), it has a number, nothing adjusted or
replaced it, and it was never sent to the buyer (no e-mail, provider e-mail or chat link
recorded). The reason and the agreement with (or notice to) the buyer are required: S-Invoice's
cancelTransactionInvoice requires additionalReferenceDesc and additionalReferenceDate (C.11).
The provider may still refuse (S-Invoice removed cancellation for many accounts from 1 June
2025): its words are shown and nothing changes here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from common.external import ExternalError, TransientError
from invoicing.models import EInvoice, InvoiceState
from invoicing.services.issuing import InvoiceStateError, _call, _issued
from invoicing.services.providers import adapter_for

CANCELLABLE = (InvoiceState.ISSUED, InvoiceState.WAITING_FOR_CODE)


def cancel_refusal(invoice: EInvoice) -> str:
    """Why the rules do not let this invoice be cancelled ("" when they do)."""
    if invoice.correction_kind or invoice.state not in CANCELLABLE or not invoice.number:
        return _("Only an issued original invoice can be cancelled.")
    if invoice.corrections.exclude(state=InvoiceState.PROPOSED).exists():
        return _("An invoice already adjusted or replaced cannot be cancelled.")
    if invoice.sendings.exists():
        return _(
            "The invoice has reached the buyer: since Decree 70/2025 it is corrected by an "
            "adjustment or a replacement, not cancelled."
        )
    return ""


def invoice_cancel(
    *,
    invoice_id: int,
    reason: str,
    agreement_name: str,
    agreement_date: date | None,
    user: Any = None,
) -> EInvoice:
    """Cancel at the provider, then mark it cancelled (the order may then have a new invoice).
    InvoiceStateError (translated) when the rules or the provider refuse; nothing changes."""
    invoice = EInvoice.objects.select_related("account").get(pk=invoice_id)
    refusal = cancel_refusal(invoice)
    if refusal:
        raise InvoiceStateError(refusal)
    if not reason.strip():
        raise InvoiceStateError(_("Give the reason for the cancellation."))
    if not (agreement_name.strip() and agreement_date):
        raise InvoiceStateError(
            _("Give the agreement with the buyer, or the notice to the buyer, and its date.")
        )
    assert agreement_date is not None
    adapter = adapter_for(invoice.account)
    sent = {"reason": reason, "agreement": agreement_name, "date": agreement_date}
    try:  # the Attempt row is kept whatever the answer (no transaction around the call)
        _call(
            invoice,
            "cancel",
            sent,
            lambda: adapter.cancel(
                invoice=_issued(invoice),
                reason=reason.strip(),
                agreement_name=agreement_name.strip(),
                agreement_date=agreement_date,
            ),
        )
    except TransientError as error:
        raise InvoiceStateError(
            _("The provider could not be reached (%(code)s): nothing was cancelled.")
            % {"code": error.code}
        ) from None
    except ExternalError as error:
        raise InvoiceStateError(
            _("The provider refused the cancellation (%(code)s): %(message)s")
            % {"code": error.code, "message": error.message}
        ) from None
    EInvoice.objects.filter(pk=invoice.pk, state__in=CANCELLABLE).update(
        state=InvoiceState.CANCELLED,
        correction_reason=reason.strip(),
        agreement_name=agreement_name.strip(),
        agreement_date=agreement_date,
        updated_at=timezone.now(),
    )
    invoice.refresh_from_db()
    return invoice
