from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class Warehouse(models.Model):
    class Kind(models.TextChoices):
        MAIN = "main", _("Main warehouse")
        BRANCH = "branch", _("Branch")
        SUB = "sub", _("Sub-warehouse")

    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(
        _("code"),
        max_length=20,
        help_text=_("Short code used on documents, e.g. HCM01. Letters, digits, - and _."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MAIN)
    address = models.TextField(_("address"), blank=True)
    person_in_charge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person in charge"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="warehouses_in_charge",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        constraints = [
            models.UniqueConstraint(Upper("code"), name="inventory_warehouse_code_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["main", "branch", "sub"]),
                name="inventory_warehouse_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"
