"""Forms of the shipping pages: a carrier account (secrets write-only), the parcel form of the
order's Shipping panel, an address fix and the shipments list filter."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import MoneyField, PageField, search_field
from inventory.models import Warehouse
from shipping.models import Carrier, CarrierAccount, ShipmentPayer, ShipmentState, Viewing
from shipping.services.accounts import AccountInput
from shipping.services.parcels import ParcelSpec

SECRET_WIDGET = {"autocomplete": "new-password"}


class AccountForm(forms.Form):
    carrier = forms.ChoiceField(label=_("Carrier"), choices=Carrier.choices)
    name = forms.CharField(
        label=_("Name"), max_length=120, widget=forms.TextInput(attrs={"autofocus": True})
    )
    warehouse = forms.ModelChoiceField(
        label=_("Pickup warehouse"), queryset=Warehouse.objects.none()
    )
    token = forms.CharField(
        label=_("API token"),
        required=False,
        widget=forms.PasswordInput(attrs=SECRET_WIDGET, render_value=False),
        help_text=_("GHN: the token from the merchant portal. Stored encrypted, never shown."),
    )
    shop_id = forms.CharField(label=_("GHN shop id"), max_length=32, required=False)
    username = forms.CharField(label=_("Viettel Post username"), max_length=120, required=False)
    password = forms.CharField(
        label=_("Viettel Post password"),
        required=False,
        widget=forms.PasswordInput(attrs=SECRET_WIDGET, render_value=False),
        help_text=_("Stored encrypted, never shown. Blank: keep the current one."),
    )
    group_address_id = forms.CharField(
        label=_("Viettel Post warehouse id (GROUPADDRESS_ID)"), max_length=32, required=False
    )
    customer_id = forms.CharField(
        label=_("Viettel Post customer id (CUS_ID)"), max_length=32, required=False
    )
    sender_name = forms.CharField(label=_("Sender name"), max_length=200, required=False)
    sender_phone = forms.CharField(label=_("Sender phone"), max_length=20, required=False)
    sender_street = forms.CharField(
        label=_("Sender street address"), max_length=255, required=False
    )
    sender_province = forms.CharField(label=_("Sender province"), max_length=100)
    sender_district = forms.CharField(label=_("Sender district"), max_length=100, required=False)
    sender_ward = forms.CharField(label=_("Sender ward"), max_length=100)
    default_weight_g = forms.IntegerField(
        label=_("Default weight (g)"), min_value=1, max_value=100_000, initial=500
    )
    default_length_cm = forms.IntegerField(
        label=_("Default length (cm)"), min_value=1, max_value=200, initial=20
    )
    default_width_cm = forms.IntegerField(
        label=_("Default width (cm)"), min_value=1, max_value=200, initial=15
    )
    default_height_cm = forms.IntegerField(
        label=_("Default height (cm)"), min_value=1, max_value=200, initial=10
    )
    base_url = forms.URLField(
        label=_("API base URL"),
        max_length=200,
        required=False,
        assume_scheme="https",
        help_text=_("Blank: the carrier's live address."),
    )
    print_base_url = forms.URLField(
        label=_("Label print URL"),
        max_length=200,
        required=False,
        assume_scheme="https",
        help_text=_("Blank: the carrier's live address."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, account: CarrierAccount | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account
        self.fields["warehouse"].queryset = Warehouse.objects.filter(is_active=True).order_by(  # type: ignore[attr-defined]
            "code", "id"
        )
        if account is not None:
            self.fields["carrier"].disabled = True
            self.fields["token"].help_text = _(
                "Stored encrypted, never shown. Blank: keep the current one."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        carrier = data.get("carrier")
        if self.account is None and carrier == Carrier.GHN and not data.get("token"):
            self.add_error("token", _("GHN needs the API token."))
        if carrier == Carrier.GHN and not data.get("shop_id"):
            self.add_error("shop_id", _("GHN needs the shop id."))
        if carrier == Carrier.VIETTEL_POST:
            if not data.get("username"):
                self.add_error("username", _("Viettel Post needs the username."))
            if self.account is None and not data.get("password"):
                self.add_error("password", _("Viettel Post needs the password."))
        return data

    def account_input(self) -> AccountInput:
        data = self.cleaned_data
        carrier = self.account.carrier if self.account is not None else data["carrier"]
        return AccountInput(
            carrier=carrier,
            name=data["name"].strip(),
            warehouse_id=data["warehouse"].pk,
            base_url=data["base_url"] or "",
            print_base_url=data["print_base_url"] or "",
            token=data["token"].strip(),
            password=data["password"],
            shop_id=data["shop_id"].strip(),
            username=data["username"].strip(),
            group_address_id=data["group_address_id"].strip(),
            customer_id=data["customer_id"].strip(),
            sender_name=data["sender_name"].strip(),
            sender_phone=data["sender_phone"].strip(),
            sender_street=data["sender_street"].strip(),
            sender_province=data["sender_province"].strip(),
            sender_district=data["sender_district"].strip(),
            sender_ward=data["sender_ward"].strip(),
            default_weight_g=data["default_weight_g"],
            default_length_cm=data["default_length_cm"],
            default_width_cm=data["default_width_cm"],
            default_height_cm=data["default_height_cm"],
            active=data["active"],
        )

    @staticmethod
    def initial_for(account: CarrierAccount) -> dict[str, Any]:
        names = [
            "carrier", "name", "base_url", "print_base_url", "shop_id", "username",
            "group_address_id", "customer_id", "sender_name", "sender_phone", "sender_street",
            "sender_province", "sender_district", "sender_ward", "default_weight_g",
            "default_length_cm", "default_width_cm", "default_height_cm", "active",
        ]  # fmt: skip
        return {"warehouse": account.warehouse_id, **{n: getattr(account, n) for n in names}}


class AccountChoiceField(forms.ModelChoiceField):
    """A carrier account with the warehouse it picks up from (the parcel leaves from there)."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.warehouse.code} {obj.warehouse.name}"


class ParcelForm(forms.Form):
    """The Shipping panel's form. `service` is chosen among the quoted services; the account
    also chooses the pickup warehouse (one account per warehouse)."""

    account = AccountChoiceField(label=_("Carrier account"), queryset=CarrierAccount.objects.none())
    service = forms.CharField(label=_("Service"), max_length=200, required=False)
    weight_g = forms.IntegerField(label=_("Weight (g)"), min_value=1, max_value=100_000)
    length_cm = forms.IntegerField(label=_("Length (cm)"), min_value=1, max_value=200)
    width_cm = forms.IntegerField(label=_("Width (cm)"), min_value=1, max_value=200)
    height_cm = forms.IntegerField(label=_("Height (cm)"), min_value=1, max_value=200)
    cod_amount = MoneyField(label=_("COD amount"), currency="VND")
    insurance_value = MoneyField(label=_("Declared value"), currency="VND")
    payer = forms.ChoiceField(label=_("Who pays shipping"), choices=ShipmentPayer.choices)
    viewing = forms.ChoiceField(label=_("Viewing on delivery"), choices=Viewing.choices)
    note = forms.CharField(
        label=_("Note for the courier"),
        max_length=500,
        required=False,
        widget=forms.TextInput(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = (  # type: ignore[attr-defined]
            CarrierAccount.objects.filter(active=True)
            .select_related("warehouse")
            .order_by("carrier", "name", "id")
        )

    def clean_cod_amount(self) -> Decimal:
        value = self.cleaned_data.get("cod_amount")
        return Decimal(0) if value is None else value

    def clean_insurance_value(self) -> Decimal:
        value = self.cleaned_data.get("insurance_value")
        return Decimal(0) if value is None else value

    def spec(self, *, service_code: str | None = None) -> ParcelSpec:
        data = self.cleaned_data
        return ParcelSpec(
            service_code=service_code if service_code is not None else data.get("service", ""),
            weight_g=data["weight_g"],
            length_cm=data["length_cm"],
            width_cm=data["width_cm"],
            height_cm=data["height_cm"],
            cod_amount=data["cod_amount"],
            insurance_value=data["insurance_value"],
            payer=data["payer"],
            viewing=data["viewing"],
            note=data.get("note", ""),
        )


class ShipmentFilterForm(forms.Form):
    q = search_field(
        _("Tracking number, our reference or order number"),
        label=_("Search parcels"),
        max_length=60,
    )
    needs_action = forms.BooleanField(required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("Every state")), *ShipmentState.choices], required=False
    )
    page = PageField()
