"""Forms of a parcel's follow-up pages: the new address after a failed delivery, the changes to
a parcel, and the count of a returned parcel (good / damaged per order line)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.forms import MoneyField
from orders.models import OrderLine
from shipping.models import Shipment
from shipping.services.actions import NewAddress, ParcelChanges
from shipping.services.returned import ReceivedLine

# Our address fields -> the form's (the service names our field, the form shows its own).
ADDRESS_FIELDS = {
    "name": "name",
    "phone": "phone",
    "address": "street",
    "province": "province",
    "district": "district",
    "ward": "ward",
}


class ChangeAddressForm(forms.Form):
    name = forms.CharField(label=_("Recipient"), max_length=200)
    phone = forms.CharField(
        label=_("Recipient phone"),
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    street = forms.CharField(label=_("Street address"), max_length=255)
    ward = forms.CharField(label=_("Ward / subdistrict"), max_length=100)
    district = forms.CharField(
        label=_("District"),
        max_length=100,
        required=False,
        help_text=_("Blank for the 2025 two-level address (province and ward only)."),
    )
    province = forms.CharField(label=_("Province"), max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autofocus"] = True
        for field in self.fields.values():
            field.widget.attrs.setdefault("autocomplete", "off")

    def address(self) -> NewAddress:
        data = self.cleaned_data
        return NewAddress(
            name=data["name"].strip(),
            phone=data["phone"].strip(),
            street=data["street"].strip(),
            province=data["province"].strip(),
            district=data["district"].strip(),
            ward=data["ward"].strip(),
        )


class ParcelUpdateForm(forms.Form):
    cod_amount = MoneyField(label=_("COD amount"), currency="VND")
    weight_g = forms.IntegerField(label=_("Weight (g)"), min_value=1, max_value=100_000)
    length_cm = forms.IntegerField(label=_("Length (cm)"), min_value=1, max_value=200)
    width_cm = forms.IntegerField(label=_("Width (cm)"), min_value=1, max_value=200)
    height_cm = forms.IntegerField(label=_("Height (cm)"), min_value=1, max_value=200)
    note = forms.CharField(label=_("Note for the courier"), max_length=500, required=False)
    receiver_phone = forms.CharField(
        label=_("Recipient phone"),
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    @staticmethod
    def initial_for(shipment: Shipment) -> dict[str, Any]:
        receiver = shipment.request_data.get("receiver") or {}
        names = ("cod_amount", "weight_g", "length_cm", "width_cm", "height_cm", "note")
        return {
            **{n: getattr(shipment, n) for n in names},
            "receiver_phone": receiver.get("phone", ""),
        }

    def changes(self) -> ParcelChanges:
        data = self.cleaned_data
        return ParcelChanges(
            cod_amount=data["cod_amount"],
            weight_g=data["weight_g"],
            length_cm=data["length_cm"],
            width_cm=data["width_cm"],
            height_cm=data["height_cm"],
            note=data.get("note", ""),
            receiver_phone=data["receiver_phone"],
        )


class ReceiveReturnedForm(forms.Form):
    """Per order line of the parcel: how many came back good, how many damaged (defaults: all
    good). Fields good_<line id> and damaged_<line id>."""

    def __init__(self, *args: Any, lines: Sequence[OrderLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            for kind, label, initial in (
                ("good", pgettext_lazy("returned goods", "Good"), line.quantity_returnable),
                ("damaged", pgettext_lazy("returned goods", "Damaged"), 0),
            ):
                self.fields[f"{kind}_{line.pk}"] = forms.IntegerField(
                    label=label,
                    min_value=0,
                    max_value=line.quantity_returnable,
                    initial=initial,
                    widget=forms.NumberInput(attrs={"class": "num", "inputmode": "numeric"}),
                )

    def rows(self) -> list[tuple[OrderLine, forms.BoundField, forms.BoundField]]:
        return [(line, self[f"good_{line.pk}"], self[f"damaged_{line.pk}"]) for line in self.lines]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        total = 0
        for line in self.lines:
            good = data.get(f"good_{line.pk}")
            damaged = data.get(f"damaged_{line.pk}")
            if good is None or damaged is None:
                continue
            if good + damaged > line.quantity_returnable:
                self.add_error(
                    f"damaged_{line.pk}",
                    _("Only %(n)s of %(sku)s were in the parcel.")
                    % {"n": line.quantity_returnable, "sku": line.sku},
                )
            total += good + damaged
        if not self.errors and not total:
            raise forms.ValidationError(_("Count at least one item that came back."))
        return data

    def received(self) -> list[ReceivedLine]:
        data = self.cleaned_data
        return [
            ReceivedLine(line.pk, data[f"good_{line.pk}"], data[f"damaged_{line.pk}"])
            for line in self.lines
        ]
