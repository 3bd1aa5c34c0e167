"""Purchasing: purchase orders, their lines and history, and the goods receipts
that bring their units into stock."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inventory.models.catalogue import Variant
from inventory.models.fields import money_field
from inventory.models.suppliers import Supplier
from inventory.models.warehouses import Warehouse


class PurchaseOrder(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Confirmed")
        PARTIAL = "partial", _("Partially received")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")
        CLOSED = "closed", _("Closed short")

    number = models.CharField(_("number"), max_length=32, unique=True)
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="orders"
    )
    warehouse = models.ForeignKey(
        Warehouse,
        verbose_name=_("deliver to"),
        on_delete=models.PROTECT,
        related_name="purchase_orders",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    currency = models.CharField(_("currency"), max_length=3)
    expected_on = models.DateField(_("expected on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # What the draft was made for, as a plain reference an app above inventory understands
    # ("order:<pk>" for a sales order's shortage); empty for drafts staff made by hand.
    source = models.CharField(max_length=40, blank=True, default="", editable=False)
    subtotal = money_field(_("subtotal"))
    vat_total = money_field(_("VAT"))
    total = money_field(_("total"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["draft", "confirmed", "partial", "received", "cancelled", "closed"]
                ),
                name="inventory_po_status_valid",
            )
        ]
        indexes = [
            models.Index(fields=["status", "id"]),
            models.Index(fields=["supplier", "id"]),
            models.Index(
                fields=["source", "id"],
                condition=~Q(source=""),
                name="inventory_po_source_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        Variant, verbose_name=_("variant"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    quantity_received = models.PositiveIntegerField(_("received"), default=0)
    unit_cost = money_field(_("unit cost"))
    vat_rate = models.DecimalField(
        _("VAT rate (%)"), max_digits=5, decimal_places=2, default=Decimal("10")
    )

    class Meta:
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_received__lte=models.F("quantity")),
                name="inventory_po_line_not_over_received",
            ),
            models.UniqueConstraint(fields=["order", "variant"], name="inventory_po_line_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id} x {self.quantity}"

    @property
    def quantity_open(self) -> int:
        return self.quantity - self.quantity_received


class PurchaseOrderEvent(models.Model):
    """The history of a purchase order: one row per action that is not a document of its own
    (goods receipts are). Today: closed short, with the staff's reason and the open units."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("Closed short")

    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("purchase order event")
        verbose_name_plural = _("purchase order events")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["closed"]), name="inventory_po_event_kind_valid"
            )
        ]
        indexes = [models.Index(fields=["order", "id"], name="inventory_po_event_order_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


class GoodsReceipt(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True)
    purchase_order = models.ForeignKey(
        PurchaseOrder,
        verbose_name=_("purchase order"),
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="receipts"
    )
    received_at = models.DateTimeField(_("received at"))
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    # The receipt form's one-time token: the same form sent again (double click, resend) finds
    # this receipt instead of receiving the goods twice. Empty for receipts posted without one.
    idempotency_token = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("goods receipt")
        verbose_name_plural = _("goods receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_token"],
                condition=~Q(idempotency_token=""),
                name="inventory_receipt_token_unique",
            )
        ]

    def __str__(self) -> str:
        return self.number


class GoodsReceiptLine(models.Model):
    receipt = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipt_lines"
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_cost = money_field(_("unit cost"))

    class Meta:
        verbose_name = _("goods receipt line")
        verbose_name_plural = _("goods receipt lines")

    def __str__(self) -> str:
        return f"{self.order_line_id} x {self.quantity}"
