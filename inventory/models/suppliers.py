"""Suppliers: the companies the shop buys its stock from."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class Supplier(models.Model):
    name = models.CharField(_("name"), max_length=200)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    tax_code = models.CharField(_("tax code"), max_length=20, blank=True)
    address = models.TextField(_("address"), blank=True)
    payment_terms = models.CharField(
        _("payment terms"), max_length=120, blank=True, help_text=_("e.g. 30 days after receipt")
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        constraints = [
            models.UniqueConstraint(Upper("name"), name="inventory_supplier_name_unique")
        ]

    def __str__(self) -> str:
        return self.name
