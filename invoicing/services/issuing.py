"""Drafting an invoice from an order, issuing it once, and following it until the tax
authority's code and the files are there.

Issuing is safe to repeat. The draft's row and its key (a UUID) are committed first. A call
claims the invoice with a conditional UPDATE (draft, failed, or issuing after an unanswered
call), then, when an earlier call may have reached the provider, asks `find(key)` and adopts
what the provider holds; only when nothing is there does it call `issue`. A timeout or another
transient error (5xx, rate limit, network) leaves the invoice "issuing" with the error's code
("timeout"...): the outcome is unknown, a retry finds out; a refusal makes it "failed" with the
provider's code and message. Every call is an Attempt row.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import timedelta
from typing import Any, TypeVar

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.external import ExternalError, TransientError
from invoicing.adapters.base import InvoiceKind, InvoiceRequest, IssuedInvoice, ProviderAdapter
from invoicing.models import Attempt, EInvoice, EInvoiceLine, InvoiceState, ProviderAccount
from invoicing.services.compute import ComputedInvoice, compute_invoice
from invoicing.services.providers import adapter_for, request_of
from invoicing.services.sources import buyer_of_order, sold_lines
from orders.models import Order, PaymentMethod

T = TypeVar("T")
STALE_ISSUING = timedelta(minutes=5)  # an "issuing" claim older than this was abandoned
PAYMENT_TEXT: dict[str, str] = {
    PaymentMethod.CASH: "TM",
    PaymentMethod.COD: "TM",
    PaymentMethod.BANK_TRANSFER: "CK",
    PaymentMethod.CARD: "CK",
}
S = InvoiceState


class InvoiceStateError(Exception):
    """The invoice is not in a state that allows this."""


def compute_for_order(order: Order, kind: str = InvoiceKind.VAT) -> ComputedInvoice:
    """The order's invoice of `kind` ("1" VAT invoice, "2" sales invoice: no VAT)."""
    return compute_invoice(
        sold=sold_lines(order),
        shipping_fee=order.shipping_fee,
        currency=order.currency,
        kind=InvoiceKind(kind),
    )


def save_lines(invoice: EInvoice, computed: ComputedInvoice) -> None:
    EInvoiceLine.objects.bulk_create(
        EInvoiceLine(
            invoice=invoice,
            number=line.number,
            kind=line.kind.value,
            name=line.name[:500],
            code=line.code,
            unit=line.unit,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount=line.discount,
            amount=line.amount,
            vat_rate=line.vat_rate.value,
            vat_amount=line.vat_amount,
            other_percent=line.other_percent,
        )
        for line in computed.lines
    )
    invoice.total_without_vat = computed.total_without_vat
    invoice.total_vat = computed.total_vat
    invoice.total = computed.total
    invoice.total_in_words = computed.total_in_words
    invoice.save(update_fields=["total_without_vat", "total_vat", "total", "total_in_words"])


def new_invoice(
    *, order: Order, account: ProviderAccount, user: Any = None, **fields: Any
) -> EInvoice:
    """An unsaved invoice for `order` with the buyer as the order has it (buyer_of_order)."""
    buyer = buyer_of_order(order)
    return EInvoice(
        order=order,
        account=account,
        kind=fields.pop("kind", account.default_kind),
        series=account.series,
        template=account.template,
        buyer_name=buyer.name,
        buyer_company=buyer.company,
        buyer_tax_code=buyer.tax_code,
        buyer_address=buyer.address,
        buyer_email=buyer.email,
        payment_method=PAYMENT_TEXT.get(order.payment_method, "TM/CK"),
        currency=order.currency,
        created_by=user if getattr(user, "pk", None) else None,
        **fields,
    )


@transaction.atomic
def invoice_draft(
    *, order: Order, account: ProviderAccount, user: Any = None, auto_issued: bool = False
) -> EInvoice:
    """The order's draft invoice with its lines and key, committed before any provider call."""
    invoice = new_invoice(order=order, account=account, user=user, auto_issued=auto_issued)
    invoice.save()
    save_lines(invoice, compute_for_order(order, invoice.kind))
    return invoice


def preview_request(*, order: Order, account: ProviderAccount) -> InvoiceRequest:
    """What issuing the order's invoice now would send (nothing is stored)."""
    invoice = new_invoice(order=order, account=account)
    return request_of(invoice, lines=compute_for_order(order, invoice.kind).lines)


def _claim(invoice_id: int) -> bool:
    now = timezone.now()
    claimable = (
        Q(state__in=[S.DRAFT, S.FAILED])
        | (Q(state=S.ISSUING) & ~Q(error_code=""))
        | Q(state=S.ISSUING, updated_at__lt=now - STALE_ISSUING)
    )
    return bool(
        EInvoice.objects.filter(claimable, pk=invoice_id).update(
            state=S.ISSUING, updated_at=now, error_code="", error_message=""
        )
    )


def _call(invoice: EInvoice, action: str, sent: Any, call: Callable[[], T]) -> T:
    """Run one provider call and record it (committed even when the call fails)."""
    started = time.monotonic()
    attempt = Attempt(invoice=invoice, action=action, request=sent or {})
    try:
        result = call()
    except ExternalError as error:
        attempt.outcome = "timeout" if error.code == "timeout" else "error"
        attempt.error = f"{error.code}: {error.message}"[:2000]
        raise
    else:
        attempt.outcome = "ok"
        raw = getattr(result, "raw", None)
        attempt.response = dict(raw) if raw else {"found": result is not None}
        return result
    finally:
        attempt.duration_ms = int((time.monotonic() - started) * 1000)
        attempt.save()


def _adopt(invoice: EInvoice, issued: IssuedInvoice) -> None:
    invoice.number = issued.number or invoice.number
    invoice.series = issued.series or invoice.series
    invoice.issued_at = issued.issued_at or invoice.issued_at or timezone.now()
    invoice.lookup_code = issued.lookup_code or invoice.lookup_code
    invoice.tax_authority_code = issued.tax_authority_code or invoice.tax_authority_code
    needs_code = invoice.series.startswith("C") and not invoice.tax_authority_code
    complete = bool(invoice.number) and not needs_code
    invoice.state = S.ISSUED if complete else S.WAITING_FOR_CODE
    invoice.error_code = invoice.error_message = ""
    invoice.updated_at = timezone.now()
    invoice.save()


def _fail(invoice: EInvoice, error: ExternalError) -> None:
    unknown = isinstance(error, TransientError)
    invoice.state = S.ISSUING if unknown else S.FAILED
    invoice.error_code = (error.code or "unavailable")[:100]
    invoice.error_message = error.message or error.code
    invoice.updated_at = timezone.now()
    invoice.save(update_fields=["state", "error_code", "error_message", "updated_at"])


def invoice_issue(*, invoice_id: int, adapter: ProviderAdapter | None = None) -> EInvoice:
    """Issue the invoice once (see the module's docstring); returns it as it is now."""
    if not _claim(invoice_id):
        return EInvoice.objects.get(pk=invoice_id)
    invoice = EInvoice.objects.select_related("account", "order", "original").get(pk=invoice_id)
    adapter = adapter or adapter_for(invoice.account)
    key = str(invoice.key)
    try:
        found = None
        if invoice.attempts.filter(action="issue").exists():
            found = _call(invoice, "find", {"key": key}, lambda: adapter.find(key=key))
        if found is None:
            request = request_of(invoice)
            found = _call(invoice, "issue", asdict(request), lambda: adapter.issue(request=request))
    except ExternalError as error:
        _fail(invoice, error)
        return invoice
    _adopt(invoice, found)
    if invoice.original_id and invoice.correction_kind:
        replaced = invoice.correction_kind == "replacement"
        EInvoice.objects.filter(pk=invoice.original_id).update(
            state=S.REPLACED if replaced else S.ADJUSTED, updated_at=timezone.now()
        )
    invoice_files_fetch(invoice=invoice, adapter=adapter)
    return invoice


def _redraft(invoice: EInvoice) -> None:
    """A refused original drafted again from its order and account as they are now: the buyer
    (details fixed on the order since), the lines and totals, the template and series."""
    fresh = new_invoice(order=invoice.order, account=invoice.account)
    for name in (
        "kind",
        "series",
        "template",
        "buyer_name",
        "buyer_company",
        "buyer_tax_code",
        "buyer_address",
        "buyer_email",
        "payment_method",
    ):
        setattr(invoice, name, getattr(fresh, name))
    computed = compute_for_order(invoice.order, invoice.kind)
    invoice.lines.all().delete()
    save_lines(invoice, computed)


def invoice_retry(*, invoice_id: int) -> bool:
    """Staff's Retry. A refused invoice (failed: the provider holds nothing under its key) that
    is an original is drafted again from the order and the account as they are now, so a fix
    made after the refusal (the shop's details, the buyer's tax code, the account's template
    or series, a VAT rate) is what is sent; it keeps its key. An invoice whose outcome is
    unknown (issuing after a transient error) keeps everything: the issue job asks the provider
    for its key first. Either becomes a draft the caller queues (tasks.enqueue_issue), so the
    panel shows it under way; False (nothing changed) in any other state. UnsupportedVatRate
    when the order now has a rate no invoice carries."""
    with transaction.atomic():
        invoice = (
            EInvoice.objects.select_for_update(of=("self",))
            .select_related("account", "order")
            .get(pk=invoice_id)
        )
        if invoice.state == S.FAILED:
            if not invoice.correction_kind:
                _redraft(invoice)
        elif not (invoice.state == S.ISSUING and invoice.error_code):
            return False
        invoice.state = S.DRAFT
        invoice.error_code = invoice.error_message = ""
        invoice.updated_at = timezone.now()
        invoice.save()
    return True


def invoice_refresh(*, invoice_id: int, adapter: ProviderAdapter | None = None) -> EInvoice:
    """Ask the provider for the number and the tax authority's code of an issued invoice
    still waiting for them, then fetch the files still missing. Idempotent."""
    invoice = EInvoice.objects.select_related("account").get(pk=invoice_id)
    if invoice.state != S.WAITING_FOR_CODE and (invoice.pdf and invoice.xml):
        return invoice
    if invoice.state not in (S.WAITING_FOR_CODE, S.ISSUED, S.ADJUSTED, S.REPLACED):
        return invoice
    adapter = adapter or adapter_for(invoice.account)
    key = str(invoice.key)
    if invoice.state == S.WAITING_FOR_CODE:
        try:
            found = _call(invoice, "find", {"key": key}, lambda: adapter.find(key=key))
        except ExternalError:
            return invoice
        if found is not None:
            _adopt(invoice, found)
    invoice_files_fetch(invoice=invoice, adapter=adapter)
    return invoice


def _issued(invoice: EInvoice) -> IssuedInvoice:
    return IssuedInvoice(
        key=str(invoice.key),
        number=invoice.number,
        series=invoice.series,
        template=invoice.template,
        issued_at=invoice.issued_at,
        lookup_code=invoice.lookup_code,
        tax_authority_code=invoice.tax_authority_code,
    )


def invoice_files_fetch(*, invoice: EInvoice, adapter: ProviderAdapter) -> None:
    """Store the provider's PDF and XML when it has them (a missing one is asked again by
    the follow-up task)."""
    if not invoice.number:
        return
    for kind in ("pdf", "xml"):
        if getattr(invoice, kind):
            continue
        try:
            got = _call(
                invoice,
                f"file_{kind}",
                {"kind": kind},
                lambda k=kind: adapter.file(invoice=_issued(invoice), kind=k),  # type: ignore[misc]
            )
        except ExternalError:
            continue
        if got is not None:
            getattr(invoice, kind).save(got.file_name, ContentFile(got.content), save=False)
            EInvoice.objects.filter(pk=invoice.pk).update(**{kind: getattr(invoice, kind).name})


def needs_follow_up(invoice: EInvoice) -> bool:
    """Still waiting for a number, a code or a file from the provider."""
    if invoice.state == S.WAITING_FOR_CODE:
        return True
    return invoice.state == S.ISSUED and not (invoice.pdf and invoice.xml)


def failure_text(invoice: EInvoice) -> str:
    """What went wrong, in the user's language around the provider's own words."""
    if invoice.error_code == "timeout":
        return _(
            "The provider did not answer in time. Retrying first asks the provider whether "
            "the invoice was issued, so it is never issued twice."
        )
    if invoice.state == S.ISSUING and invoice.error_code:
        return _(
            "The provider could not be reached (%(code)s): %(message)s. Retrying first asks "
            "the provider whether the invoice was issued, so it is never issued twice."
        ) % {"code": invoice.error_code, "message": invoice.error_message}
    if invoice.state == S.FAILED:
        return _("The provider refused the invoice (%(code)s): %(message)s") % {
            "code": invoice.error_code,
            "message": invoice.error_message,
        }
    return ""
