"""Warehouses: the places stock is kept (main, branch and sub-warehouses)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
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
    # Only a sub-warehouse has one: the main or branch warehouse it belongs to.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent warehouse"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subs",
    )
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
            # A parent only for a sub-warehouse, and never itself. (That a sub has one, and that
            # it is a main or branch warehouse, is checked by clean(): sub-warehouses saved
            # before the field existed have none yet.)
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True)
                | (models.Q(kind="sub") & ~models.Q(parent=models.F("pk"))),
                name="inventory_warehouse_parent_only_sub",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.kind != self.Kind.SUB:
            if self.parent_id is not None:
                raise ValidationError(
                    {"parent": _("Only a sub-warehouse belongs to a parent warehouse.")}
                )
            return
        if self.pk is not None and Warehouse.objects.filter(parent_id=self.pk).exists():
            raise ValidationError(
                {"kind": _("Sub-warehouses belong to this warehouse: it cannot become one.")}
            )
        if self.parent_id is None:
            raise ValidationError(
                {"parent": _("Choose the main or branch warehouse this sub-warehouse belongs to.")}
            )
        if self.pk is not None and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A warehouse cannot be its own parent.")})
        parent_kind = (
            Warehouse.objects.filter(pk=self.parent_id).values_list("kind", flat=True).first()
        )
        if parent_kind not in (self.Kind.MAIN, self.Kind.BRANCH):
            raise ValidationError({"parent": _("The parent must be a main or branch warehouse.")})
