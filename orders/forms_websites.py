"""Forms of the website settings pages (websites that send orders through the API)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import IdField
from inventory.models import Warehouse
from orders.models import ApiRequestOutcome


def _warehouse_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Warehouse"),
        queryset=Warehouse.objects.filter(is_active=True).order_by("code", "id"),
        required=False,
        empty_label=_("— none: staff choose it when confirming —"),
        help_text=_("Its orders ship from here unless a request names another warehouse."),
    )


class WebsiteForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_(
            "Stored on its orders as the channel account, e.g. MAIN-SITE. Capital letters, "
            "digits, - and _. It cannot be changed later."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"] = _warehouse_field()


class WebsiteSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"] = _warehouse_field()


class RequestFilterForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", _("All outcomes")), *ApiRequestOutcome.choices],
    )
    # The request shown open (a link from the list of rejected requests).
    open = IdField(label=_("request"), widget=forms.HiddenInput)


class ReapplyForm(forms.Form):
    payload = forms.CharField(
        label=_("Repaired JSON"),
        strip=False,
        max_length=256 * 1024,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "class": "mono"}),
    )
