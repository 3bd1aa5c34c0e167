"""Forms of the e-invoice pages: provider accounts, corrections, the invoice list's filters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.forms import LocalDateInput
from invoicing.models import (
    AutoIssue,
    CorrectionKind,
    InvoiceState,
    Provider,
    ProviderAccount,
    SendChannel,
    SendVia,
    VatRate,
)


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
        label=_("Password"),
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
            "auto_issue",
            "auto_issue_from",
            "send_via",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stored_password = self.instance.password if self.instance.pk else ""
        if not self.instance.pk:
            self.fields["password"].required = True
            self.fields["password"].help_text = ""
        for name in ("auto_issue", "auto_issue_from", "send_via"):  # blank: the default
            self.fields[name].required = False

    def clean_auto_issue(self) -> str:
        return self.cleaned_data.get("auto_issue") or AutoIssue.NEVER

    def clean_auto_issue_from(self) -> Decimal:
        value = self.cleaned_data.get("auto_issue_from")
        return Decimal(0) if value is None else value

    def clean_send_via(self) -> str:
        return self.cleaned_data.get("send_via") or SendVia.EMAIL

    def clean_password(self) -> str:
        return self.cleaned_data["password"] or self._stored_password

    def clean_series(self) -> str:
        return (self.cleaned_data.get("series") or "").strip().upper()

    def clean_seller_tax_code(self) -> str:
        return (self.cleaned_data.get("seller_tax_code") or "").strip()


class AgreementMixin(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    agreement_name = forms.CharField(
        label=_("Agreement with the buyer"),
        max_length=200,
        required=False,
        help_text=_(
            "A company: its written agreement. A person: the notice sent to them (or where it "
            "was published)."
        ),
    )
    agreement_date = forms.DateField(
        label=_("Agreement date"), required=False, widget=LocalDateInput()
    )


class CorrectionForm(AgreementMixin):
    kind = forms.ChoiceField(
        label=_("Correction"),
        choices=[
            (CorrectionKind.DECREASE.value, CorrectionKind.DECREASE.label),
            (CorrectionKind.INCREASE.value, CorrectionKind.INCREASE.label),
            (CorrectionKind.REPLACEMENT.value, CorrectionKind.REPLACEMENT.label),
        ],
    )
    order_return = forms.TypedChoiceField(
        label=_("Return"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("A decrease adjustment takes the returned units of this return."),
    )
    line_name = forms.CharField(
        label=pgettext_lazy("einvoice increase", "What is added"), max_length=500, required=False
    )
    line_quantity = forms.DecimalField(
        label=_("Quantity"),
        required=False,
        min_value=Decimal("0.0001"),
        max_digits=14,
        decimal_places=4,
        initial=1,
    )
    line_price = forms.DecimalField(
        label=pgettext_lazy("einvoice increase", "Unit price (VAT included)"),
        required=False,
        min_value=Decimal(1),
        max_digits=14,
        decimal_places=0,
    )
    line_rate = forms.ChoiceField(
        label=_("VAT rate"), required=False, choices=VatRate.choices, initial=VatRate.TEN
    )
    line_other_percent = forms.DecimalField(
        label=_("other rate (%)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("99.99"),
        max_digits=4,
        decimal_places=2,
        help_text=pgettext_lazy("einvoice increase", "For the other rate (KHAC) only."),
    )
    field_order = [
        "kind",
        "order_return",
        "line_name",
        "line_quantity",
        "line_price",
        "line_rate",
        "line_other_percent",
        "reason",
        "agreement_name",
        "agreement_date",
    ]

    def __init__(self, *args: Any, returns: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["order_return"].choices = [("", "—"), *returns]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == CorrectionKind.DECREASE and not data.get("order_return"):
            self.add_error("order_return", _("Choose the return this decrease is for."))
        if data.get("kind") == CorrectionKind.INCREASE:
            for name in ("line_name", "line_quantity", "line_price", "line_rate"):
                if data.get(name) in (None, ""):
                    self.add_error(name, _("An increase adjustment needs this."))
            if data.get("line_rate") == VatRate.OTHER and not data.get("line_other_percent"):
                self.add_error("line_other_percent", _("An increase adjustment needs this."))
        return data


class ProposalForm(AgreementMixin):
    """Confirming the decrease adjustment a return proposed."""


class CancelForm(AgreementMixin):
    pass


class SendForm(forms.Form):
    channel = forms.ChoiceField(choices=SendChannel.choices)
    to = forms.EmailField(required=False)


class InvoiceFilterForm(forms.Form):
    """The invoice list's filter bar: unlabelled like every list's (each control names itself)."""

    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any status")), *InvoiceState.choices],
        widget=forms.Select(attrs={"aria-label": _("State")}),
    )
    provider = forms.ChoiceField(
        label=_("Provider"),
        required=False,
        choices=[("", _("All providers")), *Provider.choices],
        widget=forms.Select(attrs={"aria-label": _("Provider")}),
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=LocalDateInput(attrs={"aria-label": _("From (date)")}),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=LocalDateInput(attrs={"aria-label": _("To (date)")}),
    )
