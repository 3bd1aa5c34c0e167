"""Forms of the e-invoice pages: provider accounts, corrections, the invoice list's filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import LocalDateInput
from invoicing.models import CorrectionKind, InvoiceState, Provider, ProviderAccount


class ProviderAccountForm(forms.ModelForm):
    """The password is write-only: left blank, the stored one is kept."""

    base_url = forms.URLField(label=_("API base URL"), max_length=300, assume_scheme="https")
    auth_url = forms.URLField(
        label=_("sign-in URL"),
        max_length=300,
        required=False,
        assume_scheme="https",
        help_text=_("Blank: derived from the API URL."),
    )
    password = forms.CharField(
        label=_("password"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave blank to keep the stored password."),
    )

    class Meta:
        model = ProviderAccount
        fields = [
            "provider",
            "name",
            "base_url",
            "auth_url",
            "app_id",
            "username",
            "password",
            "seller_tax_code",
            "template",
            "series",
            "default_kind",
            "active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stored_password = self.instance.password if self.instance.pk else ""
        if not self.instance.pk:
            self.fields["password"].required = True
            self.fields["password"].help_text = ""

    def clean_password(self) -> str:
        return self.cleaned_data["password"] or self._stored_password

    def clean_series(self) -> str:
        return (self.cleaned_data.get("series") or "").strip().upper()

    def clean_seller_tax_code(self) -> str:
        return (self.cleaned_data.get("seller_tax_code") or "").strip()


class CorrectionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Correction"),
        choices=[
            (CorrectionKind.DECREASE.value, CorrectionKind.DECREASE.label),
            (CorrectionKind.REPLACEMENT.value, CorrectionKind.REPLACEMENT.label),
        ],
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    agreement_name = forms.CharField(
        label=_("Agreement with the buyer"), max_length=200, required=False
    )
    agreement_date = forms.DateField(
        label=_("Agreement date"), required=False, widget=LocalDateInput()
    )
    order_return = forms.TypedChoiceField(
        label=_("Return"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("A decrease adjustment takes the returned units of this return."),
    )

    def __init__(self, *args: Any, returns: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["order_return"].choices = [("", "—"), *returns]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == CorrectionKind.DECREASE and not data.get("order_return"):
            self.add_error("order_return", _("Choose the return this decrease is for."))
        return data


class InvoiceFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *InvoiceState.choices]
    )
    provider = forms.ChoiceField(
        label=_("Provider"), required=False, choices=[("", _("All")), *Provider.choices]
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=LocalDateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=LocalDateInput())
