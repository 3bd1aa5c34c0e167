"""What the shop's documents share: the shop's own details printed on them, and their numbers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ShopProfile(models.Model):
    """The shop's own details printed on its documents (purchase orders, delivery notes,
    invoices): one row (id 1), edited on the shop settings page. Until it is filled in, the
    name falls back to settings.SHOP_NAME (inventory.selectors.shop.shop_details).

    It lives here, in the lowest app with models, so that every app that prints (inventory,
    orders, invoicing...) can read it; common holds no models."""

    name = models.CharField(_("shop name"), max_length=200, blank=True)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    tax_code = models.CharField(_("tax code"), max_length=20, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)

    class Meta:
        verbose_name = _("shop details")
        verbose_name_plural = _("shop details")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="inventory_shop_profile_one")]

    def __str__(self) -> str:
        return self.name


class DocumentSequence(models.Model):
    """Gap-free numbering per document prefix (PO, GR, TR, SC...), taken under a row lock."""

    prefix = models.CharField(max_length=8, primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("document sequence")
        verbose_name_plural = _("document sequences")

    def __str__(self) -> str:
        return f"{self.prefix}{self.last_value}"
