"""Money on an order: payments, COD collected and refunds, and the payment status they set."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.money import format_money, quantize
from orders import transitions as t
from orders.errors import OrderError
from orders.models import EventKind, Order, Payment, PaymentKind, PaymentMethod, collected_amount
from orders.services.customers import customer_totals_refresh
from orders.services.orders.core import (
    event_add,
    money_data,
    order_locked,
    payment_status_for,
    state_error,
)


def _display(value: Decimal, currency: str) -> str:
    """Money in a message, formatted for the active language."""
    return format_money(value, currency, get_language() or "en")


def payment_add(
    order: Order,
    *,
    kind: str,
    amount: Decimal,
    method: str,
    paid_at: datetime,
    reference: str,
    user_id: int | None,
    now: datetime,
    order_return_id: int | None = None,
) -> Payment:
    """Add a Payment row and update the order's paid / refunded amounts and payment status
    (in memory: the caller saves the order). The order row must be locked by the caller."""
    if method not in PaymentMethod.values:
        raise OrderError(_("Choose the payment method."))
    if amount <= 0:
        raise OrderError(_("The amount must be above zero."))
    if kind == PaymentKind.REFUND:
        _check_refundable(order, amount)
        order.refunded_amount += amount
    else:
        order.paid_amount += amount
    order.payment_status = payment_status_for(
        total=order.total,
        paid=order.paid_amount,
        refunded=order.refunded_amount,
        payment_method=order.payment_method,
    )
    payment = Payment.objects.create(
        order=order,
        kind=kind,
        amount=amount,
        method=method,
        reference=reference.strip()[:120],
        paid_at=paid_at,
        order_return_id=order_return_id,
        created_by_id=user_id,
        created_at=now,
    )
    event_add(
        order,
        EventKind.PAYMENT,
        user_id=user_id,
        now=now,
        data={
            "kind": kind,
            "amount": money_data(amount, order.currency),
            "method": method,
            "reference": payment.reference,
        },
    )
    return payment


def _check_refundable(order: Order, amount: Decimal) -> None:
    """A refund never exceeds what was received minus what was already refunded."""
    refundable = (
        collected_amount(
            payment_method=order.payment_method, total=order.total, paid=order.paid_amount
        )
        - order.refunded_amount
    )
    if amount > refundable:
        raise OrderError(
            _("Cannot refund %(amount)s on %(number)s: only %(refundable)s was received.")
            % {
                "amount": _display(amount, order.currency),
                "number": order.number,
                "refundable": _display(refundable, order.currency),
            }
        )


def order_payment_record(
    *,
    order_id: int,
    kind: str,
    amount: Decimal,
    method: str,
    user_id: int | None,
    paid_at: datetime | None = None,
    reference: str = "",
    now: datetime | None = None,
) -> Payment:
    """Record money received (payment, COD collected) or paid back (refund) on an order.

    Payments are refused on cancelled and returned orders; a refund can never exceed what was
    received minus what was already refunded. Keeps the payment status and, for shipped
    orders, the customer's lifetime revenue.
    """
    now = now or timezone.now()
    if kind not in PaymentKind.values:
        raise OrderError(_("Choose what kind of payment this is."))
    with transaction.atomic():
        order = order_locked(order_id)
        if kind != PaymentKind.REFUND and order.status in (t.CANCELLED, t.RETURNED):
            raise state_error(number=order.number, status=order.status, action="pay")
        payment = payment_add(
            order,
            kind=kind,
            amount=quantize(amount, order.currency),
            method=method,
            paid_at=paid_at or now,
            reference=reference,
            user_id=user_id,
            now=now,
        )
        order.updated_at = now
        order.save(update_fields=["paid_amount", "refunded_amount", "payment_status", "updated_at"])
        if order.shipped_at is not None:
            customer_totals_refresh(customer_id=order.customer_id)
    return payment
