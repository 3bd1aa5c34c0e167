"""COD money and customer notices of the shipping app (imported by shipping.models).

CodStatement   one carrier COD statement as uploaded: its rows as read, then confirmed once
CodReceipt     the COD of one parcel received (at most one per parcel: the unique shipment
               makes "record it once" a constraint), with the order's Payment it recorded
ShipmentNotice one progress message to the customer (unique per parcel and event: never
               told twice)
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MONEY = {"max_digits": 14, "decimal_places": 2}


class CodStatement(models.Model):
    account = models.ForeignKey(
        "shipping.CarrierAccount",
        verbose_name=_("carrier account"),
        on_delete=models.PROTECT,
        related_name="cod_statements",
    )
    filename = models.CharField(_("file"), max_length=200)
    digest = models.CharField(max_length=64, editable=False)
    # [{"line", "tracking", "amount", "fee", "transferred_on", "error"}] as read from the file.
    rows = models.JSONField(default=list, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded = models.PositiveIntegerField(_("payments recorded"), default=0)

    class Meta:
        verbose_name = _("COD statement")
        verbose_name_plural = _("COD statements")
        indexes = [models.Index(fields=["created_at"], name="shipping_cod_statement_idx")]

    def __str__(self) -> str:
        return self.filename


class CodReceipt(models.Model):
    shipment = models.OneToOneField(
        "shipping.Shipment",
        verbose_name=_("shipment"),
        on_delete=models.PROTECT,
        related_name="cod_receipt",
    )
    amount = models.DecimalField(_("COD amount"), **MONEY)  # type: ignore[arg-type]
    fee = models.DecimalField(_("carrier fee"), null=True, blank=True, **MONEY)  # type: ignore[arg-type]
    received_on = models.DateField(_("transfer date"))
    statement = models.ForeignKey(
        CodStatement,
        verbose_name=_("COD statement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="receipts",
    )
    payment = models.ForeignKey(
        "orders.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("COD receipt")
        verbose_name_plural = _("COD receipts")

    def __str__(self) -> str:
        return f"{self.shipment_id}: {self.amount}"


class ShipmentNotice(models.Model):
    shipment = models.ForeignKey(
        "shipping.Shipment", on_delete=models.CASCADE, related_name="notices", db_index=False
    )
    event = models.CharField(_("event"), max_length=16)
    channel = models.CharField(_("channel"), max_length=16)
    recipient = models.CharField(_("recipient"), max_length=254, blank=True)
    sent_at = models.DateTimeField(pgettext_lazy("time sent", "sent"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("customer notice")
        verbose_name_plural = _("customer notices")
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "event"], name="shipping_notice_once_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.event}"
