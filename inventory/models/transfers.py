"""Transfers of stock between two warehouses."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inventory.models.catalogue import Variant
from inventory.models.warehouses import Warehouse


class Transfer(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=32, unique=True)
    source = models.ForeignKey(
        Warehouse, verbose_name=_("from"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    destination = models.ForeignKey(
        Warehouse, verbose_name=_("to"), on_delete=models.PROTECT, related_name="transfers_in"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=models.F("destination")), name="inventory_transfer_two_places"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "sent", "received", "cancelled"]),
                name="inventory_transfer_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class TransferLine(models.Model):
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        Variant, verbose_name=_("variant"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("transfer line")
        verbose_name_plural = _("transfer lines")
        constraints = [
            models.UniqueConstraint(
                fields=["transfer", "variant"], name="inventory_transfer_line_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.variant_id} x {self.quantity}"
