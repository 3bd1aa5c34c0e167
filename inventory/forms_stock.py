from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import search_field
from inventory.forms_filters import brand_filter, category_filter, warehouse_filter
from inventory.models import Warehouse

STATE_CHOICES = [
    ("", _("Any stock state")),
    ("in", _("In stock")),
    ("low", _("Low stock")),
    ("out", _("Out of stock")),
]


class StockFilterForm(forms.Form):
    q = search_field(_("SKU, barcode or product name"))
    warehouse = warehouse_filter()
    category = category_filter()
    brand = brand_filter()
    state = forms.ChoiceField(choices=STATE_CHOICES, required=False)


class LedgerFilterForm(forms.Form):
    """The variant ledger's query string: `?warehouse=<id>` narrows it to one warehouse."""

    warehouse = forms.ModelChoiceField(
        Warehouse.objects.all(), label=_("Warehouse"), required=False, widget=forms.HiddenInput
    )


class StockAdjustForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        Warehouse.objects.filter(is_active=True).order_by("code", "pk"), label=_("Warehouse")
    )
    delta = forms.IntegerField(
        label=_("Change"),
        help_text=_("Positive to add units, negative to remove them."),
        widget=forms.NumberInput(attrs={"step": 1}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def clean_delta(self) -> int:
        delta = self.cleaned_data["delta"]
        if delta == 0:
            raise forms.ValidationError(_("Enter a change other than zero."))
        return delta

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the stock is corrected."))
        return reason


class ThresholdForm(forms.Form):
    warehouse = forms.ModelChoiceField(Warehouse.objects.all(), widget=forms.HiddenInput)
    threshold = forms.IntegerField(label=_("Low at"), required=False, min_value=0)
