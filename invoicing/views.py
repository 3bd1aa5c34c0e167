"""E-invoice pages: provider accounts, the invoice list (filters, CSV) and the invoice panel on
the order page (preview, issue, state, files, retry, corrections). Issuing runs in a Celery job
(invoicing.tasks); the panel polls while an invoice is being issued."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.auth import require_perm
from common.external import ExternalError
from common.money import format_money
from common.pagination import render_list_page
from common.pdf import pdf_file_response
from common.spreadsheets import CSV_TYPE, DATETIME, MONEY, Column, Table, csv_stream
from invoicing.adapters.base import VatRate
from invoicing.forms import (
    CancelForm,
    CorrectionForm,
    InvoiceFilterForm,
    ProposalForm,
    ProviderAccountForm,
)
from invoicing.models import (
    CorrectionKind,
    EInvoice,
    InvoiceState,
    ProviderAccount,
    SendChannel,
)
from invoicing.services.accounts import AccountCheckError, provider_account_check
from invoicing.services.cancel import cancel_refusal
from invoicing.services.compute import UnsupportedVatRate
from invoicing.services.corrections import (
    correction_draft,
    correction_retry,
    decrease_for_return,
    increase_lines,
)
from invoicing.services.delivery import link_days, visible_email
from invoicing.services.issuing import (
    InvoiceStateError,
    failure_text,
    invoice_draft,
    invoice_retry,
    needs_follow_up,
    preview_request,
)
from invoicing.services.preview import preview_pdf
from invoicing.services.providers import seller_missing
from invoicing.tasks import enqueue_issue
from orders.models import Order

PANEL = "invoicing/partials/panel.html"
MANAGE = "invoicing.manage_einvoice_accounts"
VIEW = "invoicing.view_einvoice"
ISSUE = "invoicing.issue_einvoice"
RETRYABLE = (InvoiceState.FAILED, InvoiceState.ISSUING)


# --- Accounts ---------------------------------------------------------------------------------


@require_GET
@require_perm(MANAGE)
def account_list(request: HttpRequest) -> HttpResponse:
    accounts = ProviderAccount.objects.order_by("-active", "name")
    return render(request, "invoicing/account_list.html", {"accounts": accounts})


@require_http_methods(["GET", "POST"])
@require_perm(MANAGE)
def account_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    account = get_object_or_404(ProviderAccount, pk=pk) if pk is not None else None
    form = ProviderAccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("E-invoice account %(name)s saved.") % {"name": saved.name})
        return redirect("invoicing:account_list")
    return render(request, "invoicing/account_form.html", {"form": form, "account": account})


@require_POST
@require_perm(MANAGE)
def account_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign in with the account and find its template and series at the provider."""
    account = get_object_or_404(ProviderAccount, pk=pk)
    try:
        info = provider_account_check(account_id=account.pk)
    except AccountCheckError as error:
        messages.error(request, str(error))
    except ExternalError as error:
        messages.error(
            request,
            _("%(name)s: the provider refused or did not answer (%(code)s): %(message)s")
            % {"name": account.name, "code": error.code, "message": error.message},
        )
    else:
        messages.success(
            request,
            _(
                "%(name)s signed in; template %(template)s, series %(series)s is "
                "registered: %(title)s."
            )
            % {
                "name": account.name,
                "template": info.template,
                "series": account.series,
                "title": info.name,
            },
        )
    return redirect("invoicing:account_list")


# --- The invoice list -------------------------------------------------------------------------


def _filtered(form: InvoiceFilterForm) -> QuerySet[EInvoice]:
    invoices = EInvoice.objects.select_related("order", "account").order_by("-created_at", "-id")
    if not form.is_valid():
        return invoices
    data = form.cleaned_data
    if data["state"]:
        invoices = invoices.filter(state=data["state"])
    if data["provider"]:
        invoices = invoices.filter(account__provider=data["provider"])
    if data["date_from"]:
        start = timezone.make_aware(datetime.combine(data["date_from"], time()))
        invoices = invoices.filter(created_at__gte=start)
    if data["date_to"]:
        end = timezone.make_aware(datetime.combine(data["date_to"] + timedelta(days=1), time()))
        invoices = invoices.filter(created_at__lt=end)
    return invoices


def _csv(invoices: QuerySet[EInvoice]) -> StreamingHttpResponse:
    columns = [
        Column(_("Order")),
        Column(_("Provider")),
        Column(_("State")),
        Column(_("Series")),
        Column(_("Number")),
        Column(_("Issued"), DATETIME),
        Column(_("Tax authority code")),
        Column(_("Buyer")),
        Column(_("Buyer tax code")),
        Column(_("Total without VAT"), MONEY, "VND"),
        Column(_("VAT"), MONEY, "VND"),
        Column(_("Total"), MONEY, "VND"),
        Column(_("Correction")),
    ]

    def signed(inv: EInvoice, amount: Decimal) -> Decimal:
        """A decrease adjustment lowers the totals: negative, so a column adds up (E.5)."""
        return -amount if inv.correction_kind == CorrectionKind.DECREASE else amount

    rows = (
        [
            inv.order.number,
            inv.account.get_provider_display(),
            inv.get_state_display(),
            inv.series,
            inv.number,
            inv.issued_at,
            inv.tax_authority_code,
            inv.buyer_company or inv.buyer_name,
            inv.buyer_tax_code,
            signed(inv, inv.total_without_vat),
            signed(inv, inv.total_vat),
            signed(inv, inv.total),
            inv.get_correction_kind_display(),
        ]
        for inv in invoices.iterator(chunk_size=500)
    )
    table = Table(sheet=_("E-invoices"), columns=columns, rows=rows)
    response = StreamingHttpResponse(csv_stream(table), content_type=CSV_TYPE)
    response["Content-Disposition"] = 'attachment; filename="einvoices.csv"'
    return response


@require_GET
@require_perm(VIEW)
def invoice_list(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form = InvoiceFilterForm(request.GET or None)
    invoices = _filtered(form)
    if request.GET.get("export") == "csv":
        return _csv(invoices)
    return render_list_page(
        request, invoices, "invoicing/invoice_list.html", {"form": form}, partial="einvoice-table"
    )


@require_GET
@require_perm(VIEW)
def invoice_file(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    invoice = get_object_or_404(EInvoice, pk=pk)
    stored = getattr(invoice, kind, None) if kind in ("pdf", "xml") else None
    if not stored:
        raise Http404
    with stored.open("rb") as handle:
        content = handle.read()
    if kind == "pdf":
        return pdf_file_response(content, filename=f"{invoice.series}-{invoice.number}.pdf")
    response = HttpResponse(content, content_type="application/xml")
    response["Content-Disposition"] = (
        f'attachment; filename="{invoice.series}-{invoice.number}.xml"'
    )
    return response


# --- The panel on the order page ----------------------------------------------------------------


def _order(pk: int) -> Order:
    return get_object_or_404(Order.objects.select_related("customer"), pk=pk)


def _returns(order: Order) -> list[tuple[int, str]]:
    """The order's returns, each with the decrease it proposes (VAT included)."""
    choices = []
    for order_return in order.returns.order_by("-id"):
        total = decrease_for_return(order_return).total
        amount = format_money(-total, order.currency, get_language())
        choices.append((order_return.pk, f"{order_return.number} · {amount}"))
    return choices


def _invoice_row(request: HttpRequest, invoice: EInvoice, can_issue: bool) -> dict[str, Any]:
    """One invoice of the panel: what went wrong, how it reached the buyer, what staff may do."""
    row: dict[str, Any] = {"invoice": invoice, "problem": failure_text(invoice)}
    if invoice.state == InvoiceState.PROPOSED:
        row["lines"] = list(invoice.lines.all())
        row["form"] = ProposalForm(
            initial={"reason": invoice.correction_reason},
            prefix=f"p{invoice.pk}",
            auto_id=f"einv-p{invoice.pk}-%s",
        )
        return row
    if can_issue and invoice.correction_kind and invoice.state == InvoiceState.FAILED:
        row["retry_form"] = ProposalForm(
            initial={
                "reason": invoice.correction_reason,
                "agreement_name": invoice.agreement_name,
                "agreement_date": invoice.agreement_date,
            },
            prefix=f"r{invoice.pk}",
            auto_id=f"einv-r{invoice.pk}-%s",
        )
    row["sendings"] = list(invoice.sendings.order_by("sent_at", "id"))
    sendable = invoice.state in (
        InvoiceState.ISSUED,
        InvoiceState.ADJUSTED,
        InvoiceState.REPLACED,
    )
    row["email"] = visible_email(invoice)
    row["can_send"] = can_issue and sendable and bool(invoice.number)
    row["provider_mail"] = invoice.account.provider == "misa"
    if can_issue and not invoice.correction_kind and not cancel_refusal(invoice):
        row["cancel_form"] = CancelForm(prefix=f"c{invoice.pk}", auto_id=f"einv-c{invoice.pk}-%s")
    return row


def panel_context(request: HttpRequest, order: Order, **extra: Any) -> dict[str, Any]:
    invoices = list(
        EInvoice.objects.filter(order=order).select_related("account", "original").order_by("id")
    )
    accounts = list(ProviderAccount.objects.filter(active=True).order_by("name"))
    chosen = request.GET.get("account") or request.POST.get("account") or ""
    account = next((a for a in accounts if str(a.pk) == chosen), accounts[0] if accounts else None)
    current = next(
        (
            i
            for i in reversed(invoices)
            if not i.correction_kind and i.state != InvoiceState.CANCELLED
        ),
        None,
    )
    busy = any(
        i.state in (InvoiceState.DRAFT, InvoiceState.ISSUING) and not i.error_code for i in invoices
    )
    correctable = current is not None and current.state in (
        InvoiceState.ISSUED,
        InvoiceState.ADJUSTED,
    )
    returns = _returns(order) if correctable else []
    can_issue = request.user.has_perm(ISSUE)
    # A returned order sold nothing in the end: its goods all came back.
    issuable = (
        order.status not in (Order.Status.CANCELLED, Order.Status.RETURNED)
        and order.currency == "VND"
    )
    missing = seller_missing() if issuable and current is None and accounts else []
    return {
        "order": order,
        "invoices": [_invoice_row(request, inv, can_issue) for inv in invoices],
        "accounts": accounts,
        "account": account,
        "current": current,
        "busy": busy,
        "following": not busy and any(needs_follow_up(i) for i in invoices),
        "can_issue": can_issue,
        "seller_missing": missing,
        "may_issue": issuable and current is None and bool(accounts) and not missing,
        "correctable": correctable,
        "retryable": RETRYABLE,
        "link_days": link_days(),
        "channels": SendChannel,
        "correction_form": extra.pop("correction_form", None)
        or CorrectionForm(returns=returns, auto_id="einv-fix-%s"),
        **extra,
    }


def _panel(request: HttpRequest, order: Order, status: int = 200, **extra: Any) -> HttpResponse:
    response = render(request, PANEL, panel_context(request, order, **extra))
    response.status_code = status
    return response


@require_GET
@require_perm(VIEW)
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    return _panel(request, _order(pk))


@require_GET
@require_perm(VIEW)
def panel_preview(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(pk)
    account_id = request.GET.get("account") or ""
    account = get_object_or_404(
        ProviderAccount, pk=int(account_id) if account_id.isdigit() else 0, active=True
    )
    try:
        request_data = preview_request(order=order, account=account)
    except UnsupportedVatRate as error:
        return _panel(request, order, status=422, error=_rate_error(error))
    pdf = preview_pdf(request_data)
    return pdf_file_response(pdf, filename=f"{order.number}-preview.pdf")


def _rate_error(error: UnsupportedVatRate) -> str:
    return _("A line's VAT rate (%(rate)s %%) cannot be on an e-invoice: use 0, 5, 8 or 10 %%.") % {
        "rate": error
    }


@require_POST
@require_perm(ISSUE)
def panel_issue(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(pk)
    context = panel_context(request, order)
    account_id = request.POST.get("account") or ""
    account = next((a for a in context["accounts"] if str(a.pk) == account_id), None)
    if not context["may_issue"] or account is None:
        return _panel(
            request, order, status=422, error=_("This order's invoice cannot be issued now.")
        )
    try:
        invoice = invoice_draft(order=order, account=account, user=request.user)
    except UnsupportedVatRate as error:
        return _panel(request, order, status=422, error=_rate_error(error))
    except IntegrityError:  # issued a moment ago (another click, another user)
        return _panel(request, order)
    enqueue_issue(invoice.pk)
    return _panel(request, order)


@require_POST
@require_perm(ISSUE)
def panel_retry(request: HttpRequest, pk: int, invoice_pk: int) -> HttpResponse:
    order = _order(pk)
    invoice = get_object_or_404(EInvoice, pk=invoice_pk, order=order)
    if invoice.correction_kind and invoice.state == InvoiceState.FAILED:
        form = ProposalForm(request.POST, prefix=f"r{invoice.pk}")
        if not form.is_valid():
            return _panel(
                request, order, status=422, error=_("Give the reason for the correction.")
            )
        try:
            correction_retry(invoice_id=invoice.pk, **form.cleaned_data)
        except InvoiceStateError as error:
            return _panel(request, order, status=422, error=str(error))
        enqueue_issue(invoice.pk)
        return _panel(request, order)
    try:
        retried = invoice_retry(invoice_id=invoice.pk)
    except UnsupportedVatRate as error:
        return _panel(request, order, status=422, error=_rate_error(error))
    if retried:
        enqueue_issue(invoice.pk)
    return _panel(request, order)


@require_POST
@require_perm(ISSUE)
def panel_correct(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(pk)
    form = CorrectionForm(request.POST, returns=_returns(order), auto_id="einv-fix-%s")
    current = panel_context(request, order)["current"]
    if current is None or not form.is_valid():
        return _panel(request, order, status=422, correction_form=form, open_form=True)
    data = form.cleaned_data
    computed = order_return = None
    if data["kind"] == CorrectionKind.DECREASE:
        order_return = get_object_or_404(order.returns, pk=data["order_return"])
        computed = decrease_for_return(order_return, current.kind)
    elif data["kind"] == CorrectionKind.INCREASE:
        computed = increase_lines(
            name=data["line_name"],
            quantity=data["line_quantity"],
            unit_price=data["line_price"],
            vat_rate=VatRate(data["line_rate"]),
            currency=order.currency,
            other_percent=data["line_other_percent"] or Decimal(0),
            kind=current.kind,
        )
    try:
        invoice = correction_draft(
            original=current,
            kind=data["kind"],
            reason=data["reason"],
            agreement_name=data["agreement_name"],
            agreement_date=data["agreement_date"],
            computed=computed,
            order_return=order_return,
            user=request.user,
        )
    except InvoiceStateError as error:
        return _panel(
            request, order, status=422, correction_form=form, open_form=True, error=str(error)
        )
    enqueue_issue(invoice.pk)
    return _panel(request, order)
