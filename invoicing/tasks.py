"""Background jobs of e-invoicing: thin wrappers around invoicing.services.issuing.

Both are idempotent: issuing claims the invoice and asks the provider for its key before any
new call (a retry never issues twice); the follow-up only asks and stores what is missing.
`enqueue_issue` starts a job after the commit, never inside it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from invoicing.models import EInvoice, InvoiceState
from invoicing.services.auto import invoice_auto_issue
from invoicing.services.corrections import adjustment_propose
from invoicing.services.delivery import invoice_deliver
from invoicing.services.issuing import (
    STALE_ISSUING,
    invoice_issue,
    invoice_refresh,
    needs_follow_up,
)

FOLLOW_UP_EVERY = 60  # seconds between two questions about the same invoice
FOLLOW_UP_TRIES = 60  # then the periodic sweep takes over


@shared_task(name="invoicing.issue", acks_late=True, ignore_result=True, bind=True, max_retries=5)
def issue(self: Any, *, invoice_id: int) -> str:
    invoice = invoice_issue(invoice_id=invoice_id)
    if invoice.state == InvoiceState.ISSUING and invoice.error_code:
        raise self.retry(countdown=30 * (self.request.retries + 1))
    if needs_follow_up(invoice):
        follow_up.apply_async(kwargs={"invoice_id": invoice_id}, countdown=FOLLOW_UP_EVERY)
    elif invoice.state == InvoiceState.ISSUED:
        send_to_buyer.delay(invoice_id=invoice_id)
    return str(invoice.state)


@shared_task(
    name="invoicing.follow_up",
    acks_late=True,
    ignore_result=True,
    bind=True,
    max_retries=FOLLOW_UP_TRIES,
)
def follow_up(self: Any, *, invoice_id: int) -> str:
    """The tax authority's code, the number and the files, asked until they are there."""
    invoice = invoice_refresh(invoice_id=invoice_id)
    if needs_follow_up(invoice):
        raise self.retry(countdown=FOLLOW_UP_EVERY)
    if invoice.state == InvoiceState.ISSUED:
        send_to_buyer.delay(invoice_id=invoice_id)
    return str(invoice.state)


@shared_task(name="invoicing.send_to_buyer", acks_late=True, ignore_result=True)
def send_to_buyer(*, invoice_id: int) -> str:
    """The automatic send once the invoice is complete (once: see services.delivery)."""
    sending = invoice_deliver(invoice_id=invoice_id)
    return sending.outcome if sending is not None else "not due"


@shared_task(name="invoicing.auto_issue", acks_late=True, ignore_result=True)
def auto_issue(*, order_id: int) -> str:
    """An order completed: draft its invoice when an account's rule takes it, then issue it
    with the issue job (once per order: the one-invoice-per-order constraint)."""
    invoice = invoice_auto_issue(order_id=order_id)
    if invoice is None:
        return "no invoice"
    enqueue_issue(invoice.pk)
    return "queued"


@shared_task(name="invoicing.propose_adjustment", acks_late=True, ignore_result=True)
def propose_adjustment(*, return_id: int) -> str:
    """Goods came back: propose the decrease adjustment on the order's issued invoice."""
    return "proposed" if adjustment_propose(return_id=return_id) is not None else "nothing"


@shared_task(name="invoicing.follow_up_all", acks_late=True, ignore_result=True)
def follow_up_all() -> int:
    """Periodic sweep: invoices still waiting for the provider, issuing calls left without an
    answer (a worker lost mid-call, a transient error), drafts whose job never ran. Only
    corrections and orders' drafts made to be issued exist as drafts (the panel issues at once)."""
    stale = timezone.now() - STALE_ISSUING
    ids = list(
        EInvoice.objects.filter(
            Q(state=InvoiceState.WAITING_FOR_CODE)
            | Q(state__in=[InvoiceState.ISSUING, InvoiceState.DRAFT], updated_at__lt=stale)
            | (Q(state=InvoiceState.ISSUING) & ~Q(error_code=""))
        )
        .filter(created_at__gte=timezone.now() - timedelta(days=30))
        .order_by("pk")
        .values_list("pk", "state")[:500]
    )
    for pk, state in ids:
        if state in (InvoiceState.ISSUING, InvoiceState.DRAFT):
            issue.delay(invoice_id=pk)
        else:
            follow_up.delay(invoice_id=pk)
    return len(ids)


def enqueue_issue(invoice_id: int) -> None:
    transaction.on_commit(lambda: issue.delay(invoice_id=invoice_id))
