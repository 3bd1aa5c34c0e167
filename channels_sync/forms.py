"""Forms of the Marketplaces pages: an app (its secret is write-only), a shop's settings, the
"run now" choice, the quarantine filter and the bulk linking of listings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from channels_sync.models import ChannelApp, Platform
from common.forms import IdField, PageField
from inventory.models import Warehouse

RUN_KINDS = {
    "orders": _("Pull orders"),
    "listings": _("Pull listings"),
    "stock": _("Push stock"),
}


def _warehouses() -> Any:
    return Warehouse.objects.filter(is_active=True).order_by("code", "id")


class AppForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    name = forms.CharField(
        label=_("Name"), max_length=120, widget=forms.TextInput(attrs={"autofocus": True})
    )
    app_key = forms.CharField(
        label=_("Partner id / app key"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}),
    )
    app_secret = forms.CharField(
        label=_("Partner key / app secret"),
        required=False,
        strip=True,
        # Write-only: never rendered back into the page.
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )
    api_base_url = forms.URLField(
        label=_("API base URL"),
        max_length=200,
        required=False,
        assume_scheme="https",
        help_text=_("Blank: the platform's live address."),
    )

    def __init__(self, *args: Any, app: ChannelApp | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.app = app
        secret = self.fields["app_secret"]
        if app is None:
            secret.required = True
        else:
            secret.help_text = _("Stored encrypted and never shown. Blank: keep the current one.")

    def clean_app_key(self) -> str:
        value: str = self.cleaned_data["app_key"].strip()
        return value


class ShopSettingsForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        label=_("Order warehouse"),
        queryset=Warehouse.objects.none(),
        required=False,
        empty_label=_("— none: orders wait in quarantine —"),
        help_text=_("The shop's orders reserve and ship their stock from here."),
    )
    push_enabled = forms.BooleanField(label=_("Push our stock to the shop"), required=False)
    push_warehouses = forms.ModelMultipleChoiceField(
        label=_("Warehouses that count"),
        queryset=Warehouse.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every warehouse counts."),
    )
    push_percent = forms.IntegerField(
        label=_("Percent of available"), min_value=0, max_value=100, initial=100
    )
    push_offset = forms.IntegerField(
        label=_("Offset"),
        min_value=-100000,
        max_value=100000,
        initial=0,
        help_text=_("Added after the percentage, e.g. -2 keeps two units back."),
    )
    push_floor = forms.IntegerField(
        label=_("Push 0 below"),
        min_value=0,
        max_value=100000,
        initial=0,
        help_text=_("When fewer than this are left, the shop shows sold out."),
    )
    api_base_url = forms.URLField(label=_("API base URL"), max_length=200, assume_scheme="https")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["warehouse"]
        field.queryset = _warehouses()
        many: Any = self.fields["push_warehouses"]
        many.queryset = _warehouses()


class RunForm(forms.Form):
    kind = forms.ChoiceField(choices=list(RUN_KINDS.items()))


class ScopeForm(forms.Form):
    """?shop=<id> on the quarantine and oversold lists (absent: every shop)."""

    shop = IdField(required=False)
    page = PageField()


class ListingFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100)
    page = PageField()


class ListingLinkForm(forms.Form):
    """One `variant_<listing id>` field per listing shown (blank: leave unlinked), and
    `selected` for "create products from the selected"."""

    action = forms.ChoiceField(choices=[("link", "link"), ("create", "create")])

    def __init__(self, *args: Any, listing_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.listing_ids = listing_ids
        for pk in listing_ids:
            self.fields[f"variant_{pk}"] = IdField(required=False)
        self.fields["selected"] = forms.TypedMultipleChoiceField(
            choices=[(pk, pk) for pk in listing_ids], coerce=int, required=False
        )

    def links(self) -> dict[int, int]:
        found = {}
        for pk in self.listing_ids:
            variant_id = self.cleaned_data.get(f"variant_{pk}")
            if variant_id:
                found[pk] = variant_id
        return found
