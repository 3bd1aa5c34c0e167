"""The filter fields the inventory list pages share: one record to filter by, or all of them."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.models import Brand, Category, Supplier, Warehouse


def warehouse_filter() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        Warehouse.objects.order_by("code", "pk"), required=False, empty_label=_("All warehouses")
    )


def category_filter() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        Category.objects.order_by("full_name", "pk"),
        required=False,
        empty_label=_("All categories"),
    )


def brand_filter() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        Brand.objects.order_by("name", "pk"), required=False, empty_label=_("All brands")
    )


def supplier_filter() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        Supplier.objects.order_by("name", "pk"), required=False, empty_label=_("All suppliers")
    )
