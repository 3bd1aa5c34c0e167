"""Issuing by itself when an order completes, by the rule of a provider account (never, when the
customer asked for an invoice, orders from an amount, every order).

`invoice_auto_issue` runs in a job started by the order-completed signal (apps.py). It drafts
the invoice exactly as the panel's "Issue" does and queues the same issue job; the one invoice
per order constraint (invoicing_einvoice_one_per_order) makes a second run, a signal delivered
twice or a staff member issuing at the same moment a no-op.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from invoicing.models import AutoIssue, EInvoice, ProviderAccount
from invoicing.services.compute import UnsupportedVatRate
from invoicing.services.issuing import invoice_draft
from orders.models import Order, OrderInvoiceRequest

logger = logging.getLogger(__name__)

MARKETPLACE_CHANNELS = frozenset({Order.Channel.SHOPEE, Order.Channel.LAZADA, Order.Channel.TIKTOK})


def customer_asked_for_invoice(order: Order) -> bool:
    """Whether the buyer asked for an invoice on this order: the request taken with the order
    (phone order, order edit, website API; the customer's saved wish when nothing was said)."""
    return OrderInvoiceRequest.objects.filter(order_id=order.pk, wants_invoice=True).exists()


def rule_applies(account: ProviderAccount, order: Order) -> bool:
    rule = account.auto_issue
    if rule == AutoIssue.ALWAYS:
        return True
    if rule == AutoIssue.ASKED:
        return customer_asked_for_invoice(order)
    if rule == AutoIssue.ABOVE:
        return order.total >= account.auto_issue_from
    return False


def auto_rules_exist() -> bool:
    """Any active account issues by itself (the signal queues nothing otherwise)."""
    return ProviderAccount.objects.filter(active=True).exclude(auto_issue=AutoIssue.NEVER).exists()


def account_for(order: Order) -> ProviderAccount | None:
    """The first active account (by name, then id) whose rule takes this order."""
    accounts = ProviderAccount.objects.filter(active=True).exclude(auto_issue=AutoIssue.NEVER)
    for account in accounts.order_by("name", "pk"):
        if rule_applies(account, order):
            return account
    return None


def invoice_auto_issue(*, order_id: int) -> EInvoice | None:
    """Draft the completed order's invoice when an account's rule takes it; the caller queues
    the issue job (tasks.auto_issue). None when no rule applies, the order has an invoice
    already, or it cannot have one (cancelled, not in VND, a VAT rate no invoice carries: the
    panel's Issue shows why)."""
    order = Order.objects.select_related("customer").get(pk=order_id)
    if order.status != Order.Status.COMPLETED or order.currency != "VND":
        return None
    if EInvoice.objects.filter(order=order, correction_kind="").exists():
        return None
    account = account_for(order)
    if account is None:
        return None
    try:
        with transaction.atomic():
            return invoice_draft(order=order, account=account, auto_issued=True)
    except IntegrityError:  # issued a moment ago (staff, or this job run twice)
        return None
    except UnsupportedVatRate as error:
        logger.warning("order %s: no automatic e-invoice, VAT rate %s", order.number, error)
        return None
