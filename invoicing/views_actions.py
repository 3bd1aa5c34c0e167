"""The invoice panel's actions after issuing: confirm or dismiss the adjustment a return
proposed, cancel (where the rules allow it), send to the buyer again or give a chat link; and
the public page of that link (the PDF, no login, signed and expiring)."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.auth import require_perm
from common.pdf import pdf_file_response
from invoicing.forms import AgreementMixin, CancelForm, ProposalForm, SendForm
from invoicing.models import EInvoice, InvoiceState, SendChannel
from invoicing.services.cancel import invoice_cancel
from invoicing.services.corrections import adjustment_confirm, adjustment_dismiss
from invoicing.services.delivery import invoice_for_token, invoice_send, link_token
from invoicing.services.issuing import InvoiceStateError
from invoicing.tasks import enqueue_issue
from invoicing.views import ISSUE, _order, _panel
from orders.models import Order


class AgreedService(Protocol):
    def __call__(
        self,
        *,
        invoice_id: int,
        reason: str,
        agreement_name: str,
        agreement_date: date | None,
        user: Any = None,
    ) -> EInvoice: ...


def _order_invoice(pk: int, invoice_pk: int) -> tuple[Order, EInvoice]:
    order = _order(pk)
    return order, get_object_or_404(EInvoice, pk=invoice_pk, order=order)


def _agreed(
    request: HttpRequest,
    order: Order,
    invoice: EInvoice,
    *,
    form_class: type[AgreementMixin],
    prefix: str,
    missing: str,
    service: AgreedService,
) -> HttpResponse | None:
    """Run `service` with the reason and the buyer's agreement from the invoice's form: the
    panel with what went wrong, or None when it was done."""
    form = form_class(request.POST, prefix=f"{prefix}{invoice.pk}")
    if not form.is_valid():
        return _panel(request, order, status=422, error=missing)
    data = form.cleaned_data
    try:
        service(
            invoice_id=invoice.pk,
            reason=data["reason"],
            agreement_name=data["agreement_name"],
            agreement_date=data["agreement_date"],
            user=request.user,
        )
    except InvoiceStateError as error:
        return _panel(request, order, status=422, error=str(error))
    return None


@require_POST
@require_perm(ISSUE)
def proposal_confirm(request: HttpRequest, pk: int, invoice_pk: int) -> HttpResponse:
    order, invoice = _order_invoice(pk, invoice_pk)
    refused = _agreed(
        request,
        order,
        invoice,
        form_class=ProposalForm,
        prefix="p",
        missing=_("Give the reason for the correction."),
        service=adjustment_confirm,
    )
    if refused is not None:
        return refused
    enqueue_issue(invoice.pk)
    return _panel(request, order)


@require_POST
@require_perm(ISSUE)
def proposal_dismiss(request: HttpRequest, pk: int, invoice_pk: int) -> HttpResponse:
    order, invoice = _order_invoice(pk, invoice_pk)
    adjustment_dismiss(invoice_id=invoice.pk)
    return _panel(request, order)


@require_POST
@require_perm(ISSUE)
def cancel(request: HttpRequest, pk: int, invoice_pk: int) -> HttpResponse:
    order, invoice = _order_invoice(pk, invoice_pk)
    refused = _agreed(
        request,
        order,
        invoice,
        form_class=CancelForm,
        prefix="c",
        missing=_("Give the reason for the cancellation."),
        service=invoice_cancel,
    )
    return refused if refused is not None else _panel(request, order)


@require_POST
@require_perm(ISSUE)
def send(request: HttpRequest, pk: int, invoice_pk: int) -> HttpResponse:
    """Send again (our e-mail or the provider's), or give the chat link (shown in the panel)."""
    order, invoice = _order_invoice(pk, invoice_pk)
    form = SendForm(request.POST)
    if not form.is_valid():
        return _panel(request, order, status=422, error=_("Give a valid e-mail address."))
    channel = form.cleaned_data["channel"]
    try:
        sending = invoice_send(
            invoice_id=invoice.pk, channel=channel, to=form.cleaned_data["to"], user=request.user
        )
    except InvoiceStateError as error:
        return _panel(request, order, status=422, error=str(error))
    extra: dict[str, Any] = {}
    if channel == SendChannel.LINK:
        url = reverse("invoicing:public_pdf", args=[link_token(invoice)])
        extra = {"link_for": invoice.pk, "link_url": request.build_absolute_uri(url)}
    elif sending.outcome != "ok":
        extra = {"error": _("The invoice could not be sent: %(error)s") % {"error": sending.error}}
    return _panel(request, order, **extra)


@login_not_required
@require_GET
def public_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The buyer's link: the invoice's PDF while the link is valid, no login."""
    invoice = invoice_for_token(token)
    if invoice is None or invoice.state == InvoiceState.CANCELLED:
        response = HttpResponse(
            _("This invoice link is not valid or has expired. Ask the shop for a new one."),
            status=410,
            content_type="text/plain; charset=utf-8",
        )
        response["X-Robots-Tag"] = "noindex"
        return response
    with invoice.pdf.open("rb") as handle:
        content = handle.read()
    response = pdf_file_response(content, filename=f"{invoice.series}-{invoice.number}.pdf")
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store"
    return response
