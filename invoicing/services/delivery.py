"""Sending an issued invoice to the buyer, and the signed public link to its PDF.

- E-mail: our own message (Django's e-mail, in Vietnamese whatever the staff's language) with
  the provider's PDF attached.
- The provider's own e-mail call (MISA `/itg/emails`; S-Invoice documents none).
- A link for the chat where the marketplace hides the buyer's e-mail: a signed, expiring token
  (django.core.signing, settings.EINVOICE_LINK_DAYS, default 30) that a view without login
  turns into the PDF.

Every send, and every link given, is a Sending row (how, to whom, when, by whom, outcome).
`invoice_deliver` is the automatic send after issuing; it sends once (a successful e-mail or
provider send already recorded makes it a no-op) and only a complete invoice (issued, with the
tax authority's code where the series has one, and the PDF for our own e-mail).
"""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.external import ExternalError
from common.money import format_money
from inventory.selectors.shop import shop_details
from invoicing.models import EInvoice, InvoiceState, Provider, SendChannel, Sending, SendVia
from invoicing.services.issuing import InvoiceStateError, _call, _issued
from invoicing.services.providers import adapter_for

LINK_SALT = "invoicing.buyer-pdf-link"
LINK_DAYS = 30
SENDABLE = (InvoiceState.ISSUED, InvoiceState.ADJUSTED, InvoiceState.REPLACED)


def link_days() -> int:
    return int(getattr(settings, "EINVOICE_LINK_DAYS", LINK_DAYS))


def visible_email(invoice: EInvoice) -> str:
    """The buyer's e-mail when we have a real one ("" when the marketplace hides or masks it)."""
    email = (invoice.buyer_email or "").strip()
    return "" if not email or "*" in email else email


def link_token(invoice: EInvoice) -> str:
    return signing.dumps({"k": str(invoice.key)}, salt=LINK_SALT, compress=True)


def invoice_for_token(token: str) -> EInvoice | None:
    """The invoice of a link still valid (signature and age), None otherwise."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=link_days() * 86400)
    except signing.BadSignature:  # SignatureExpired included
        return None
    key = data.get("k") if isinstance(data, dict) else None
    return EInvoice.objects.filter(key=key).exclude(pdf="").first() if key else None


def _email_message(invoice: EInvoice, to: str) -> EmailMessage:
    shop = shop_details().name
    with translation.override("vi"):
        subject = pgettext("einvoice e-mail", "E-invoice %(number)s from %(shop)s") % {
            "number": invoice.number,
            "shop": shop,
        }
        issued = timezone.localtime(invoice.issued_at) if invoice.issued_at else None
        paragraphs = [
            pgettext("einvoice e-mail", "Dear %(buyer)s,")
            % {"buyer": invoice.buyer_company or invoice.buyer_name},
            pgettext(
                "einvoice e-mail",
                "%(shop)s sends you the e-invoice no. %(number)s (symbol %(symbol)s) of "
                "%(date)s for order %(order)s, total %(total)s. The invoice is attached as a PDF.",
            )
            % {
                "shop": shop,
                "number": invoice.number,
                "symbol": f"{invoice.kind}{invoice.series}",
                "date": issued.strftime("%d/%m/%Y") if issued else "",
                "order": invoice.order.number,
                "total": format_money(invoice.total, invoice.currency, "vi"),
            },
        ]
        if invoice.lookup_code:
            paragraphs.append(
                pgettext(
                    "einvoice e-mail",
                    "You can also look it up on the provider's portal with the code %(code)s.",
                )
                % {"code": invoice.lookup_code}
            )
        paragraphs.append(pgettext("einvoice e-mail", "Thank you for your purchase."))
        paragraphs.append(shop)
    message = EmailMessage(subject=subject, body="\n\n".join(paragraphs), to=[to])
    with invoice.pdf.open("rb") as handle:
        message.attach(f"{invoice.series}-{invoice.number}.pdf", handle.read(), "application/pdf")
    return message


def _check_sendable(invoice: EInvoice) -> None:
    if invoice.state not in SENDABLE or not invoice.number:
        raise InvoiceStateError(_("Only an issued invoice can be sent to the buyer."))


def _send_email(invoice: EInvoice, to: str) -> tuple[str, str]:
    if not invoice.pdf:
        raise InvoiceStateError(_("The provider's PDF of this invoice is not there yet."))
    try:
        _email_message(invoice, to).send()
    except (smtplib.SMTPException, OSError) as error:
        return "error", f"{type(error).__name__}: {error}"[:2000]
    return "ok", ""


def _send_by_provider(invoice: EInvoice, to: str) -> tuple[str, str]:
    adapter = adapter_for(invoice.account)
    name = invoice.buyer_company or invoice.buyer_name
    try:
        _call(
            invoice,
            "send_email",
            {"to": to},
            lambda: adapter.send_email(invoice=_issued(invoice), to=to, name=name),
        )
    except ExternalError as error:
        return "error", f"{error.code}: {error.message}"[:2000]
    return "ok", ""


def invoice_send(*, invoice_id: int, channel: str, to: str = "", user: Any = None) -> Sending:
    """Send the invoice to the buyer now (staff's "Send again", or the automatic send) by
    e-mail (ours or the provider's) to `to` (default: the buyer's), or record the chat link
    given. A failed send is recorded with the error and returned (outcome "error")."""
    invoice = EInvoice.objects.select_related("account", "order").get(pk=invoice_id)
    _check_sendable(invoice)
    if channel == SendChannel.LINK:
        outcome, error, recipient = "ok", "", ""
    else:
        recipient = (to or visible_email(invoice)).strip()
        if not recipient:
            raise InvoiceStateError(_("The buyer's e-mail is not known: give the link instead."))
        if channel == SendChannel.PROVIDER:
            if invoice.account.provider != Provider.MISA:
                raise InvoiceStateError(_("This provider has no e-mail call."))
            outcome, error = _send_by_provider(invoice, recipient)
        elif channel == SendChannel.EMAIL:
            outcome, error = _send_email(invoice, recipient)
        else:
            raise InvoiceStateError(_("Choose how to send the invoice."))
    return Sending.objects.create(
        invoice=invoice,
        channel=channel,
        recipient=recipient,
        outcome=outcome,
        error=error,
        sent_by=user if getattr(user, "pk", None) else None,
    )


def due_for_delivery(invoice: EInvoice) -> bool:
    """The automatic send applies: the account sends, the buyer's e-mail is known, the invoice
    is complete (PDF there for our own e-mail) and was not sent yet."""
    via = invoice.account.send_via
    if via == SendVia.OFF or invoice.state not in SENDABLE or not visible_email(invoice):
        return False
    if via == SendVia.EMAIL and not invoice.pdf:
        return False
    sent = invoice.sendings.filter(outcome="ok").exclude(channel=SendChannel.LINK)
    return not sent.exists()


def invoice_deliver(*, invoice_id: int) -> Sending | None:
    """The automatic send after issuing, once (the invoice's row is locked while sending)."""
    with transaction.atomic():
        invoice = (
            EInvoice.objects.select_for_update(of=("self",))
            .select_related("account", "order")
            .get(pk=invoice_id)
        )
        if not due_for_delivery(invoice):
            return None
        channel = (
            SendChannel.PROVIDER
            if invoice.account.send_via == SendVia.PROVIDER
            else SendChannel.EMAIL
        )
        return invoice_send(invoice_id=invoice_id, channel=channel)
