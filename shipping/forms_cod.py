"""Forms of the COD pages: a carrier's COD statement to upload, one parcel's COD received."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import BoundedDateField, MoneyField
from shipping.models import CarrierAccount


class StatementUploadForm(forms.Form):
    account = forms.ModelChoiceField(
        label=_("Carrier account"), queryset=CarrierAccount.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label=_("COD statement (.csv or .xlsx)"),
        help_text=_(
            "The statement as the carrier sends it: a tracking number and a COD amount per row; "
            "fee and transfer date when given. Column names in Vietnamese or English."
        ),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["account"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = CarrierAccount.objects.filter(active=True).order_by("name")


class CodReceiveForm(forms.Form):
    amount = MoneyField(label=_("Amount received"))
    received_on = BoundedDateField(label=_("Transfer date"))
