"""Stock counts (stocktakes) of one warehouse and their counted lines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inventory.models.catalogue import Category, Variant
from inventory.models.fields import money_field
from inventory.models.warehouses import Warehouse


class StockCount(models.Model):
    """A periodic stocktake of one warehouse (optionally some categories)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Counting")
        POSTED = "posted", _("Posted")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("number"), max_length=32, unique=True)
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="counts"
    )
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default="open")
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")
        permissions = [("post_stockcount", _("Can post stock counts"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "posted", "cancelled"]),
                name="inventory_count_status_valid",
            )
        ]

    def __str__(self) -> str:
        return self.number


class StockCountLine(models.Model):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    # on_hand when the count started; the variance is counted - expected, posted as a delta so
    # that sales between counting and posting are not undone.
    expected = models.IntegerField(_("expected"))
    counted = models.IntegerField(_("counted"), null=True, blank=True)
    unit_cost = money_field(_("unit cost"))

    class Meta:
        verbose_name = _("stock count line")
        verbose_name_plural = _("stock count lines")
        constraints = [
            models.UniqueConstraint(
                fields=["count", "variant"], name="inventory_count_line_unique"
            ),
            models.CheckConstraint(
                condition=Q(counted__isnull=True) | Q(counted__gte=0),
                name="inventory_count_line_counted_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.expected} -> {self.counted}"

    @property
    def variance(self) -> int | None:
        return None if self.counted is None else self.counted - self.expected
