"""Money and goods after the sale: payments, COD collections and refunds, returns."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.db import choices_check
from orders.models.fields import MONEY, money_field
from orders.models.orders import Order, OrderLine, PaymentMethod


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    COD_COLLECTED = "cod_collected", _("COD collected")
    REFUND = "refund", _("Refund")


class ReturnStatus(models.TextChoices):
    RECEIVED = "received", _("Goods received")
    REFUNDED = "refunded", _("Refunded")


class ReturnCondition(models.TextChoices):
    GOOD = "good", _("Good: back to stock")
    DAMAGED = "damaged", _("Damaged: written off")


class Payment(models.Model):
    """The transaction history of an order: money in (payment, COD collected) and out (refund)."""

    Kind = PaymentKind

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY)  # type: ignore[arg-type]
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    paid_at = models.DateTimeField(_("date"))
    order_return = models.ForeignKey(
        "Return",
        verbose_name=_("return"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refunds",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="orders_payment_amount_gt_0"),
            choices_check("kind", PaymentKind, "orders_payment_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class Return(models.Model):
    """Goods that came back from a shipped or completed order, with the refund and exchange.

    Created in one step when the goods are received (status received), or refunded when a
    refund was recorded with it.
    """

    Status = ReturnStatus

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="returns"
    )
    number = models.CharField(_("number"), max_length=32, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    reason = models.TextField(_("reason"), blank=True)
    refund_amount = money_field(_("refund"))
    refund_method = models.CharField(
        _("refund method"), max_length=16, choices=PaymentMethod.choices, blank=True
    )
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)
    exchange_order = models.ForeignKey(
        Order,
        verbose_name=_("exchange order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exchange_for",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        constraints = [
            choices_check("status", ReturnStatus, "orders_return_status_valid"),
            models.CheckConstraint(
                condition=Q(refund_amount__gte=0), name="orders_return_refund_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ReturnLine(models.Model):
    Condition = ReturnCondition

    order_return = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    condition = models.CharField(_("condition"), max_length=8, choices=Condition.choices)
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        verbose_name=_("warehouse"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="orders_return_line_qty_gte_1"
            ),
            choices_check("condition", ReturnCondition, "orders_return_line_condition_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.order_line_id} x {self.quantity}"
