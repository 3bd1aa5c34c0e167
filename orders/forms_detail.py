"""Forms of the order detail page (actions, payments, notes, shortage drafts) and of the
return / exchange page. Money is typed the way staff type it (MoneyField: "150.000" for VND,
"199.50" for THB), in the order's currency."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.forms import BoundedDateField, LocalDateInput, MoneyField
from inventory.models import Supplier, Variant, Warehouse
from inventory.selectors.purchasing import supplier_choices, warehouse_choices
from orders.models import OrderLine, PaymentKind, PaymentMethod
from orders.services.orders.core import MAX_QUANTITY
from orders.services.orders.lines import LineInput

MAX_EXCHANGE_LINES = 50


def local_today() -> date:
    return timezone.localdate()


def moment_of(day: date | None, *, now: datetime | None = None) -> datetime | None:
    """A date picked in a form as an aware moment: now when it is today (shop time), noon
    shop time otherwise (the hour is not asked, noon keeps the day whatever the zone)."""
    if day is None:
        return None
    now = now or timezone.now()
    if day == timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def _date_field(label: Any, **kwargs: Any) -> forms.DateField:
    field = BoundedDateField(label=label, widget=LocalDateInput(), **kwargs)
    field.validators.append(_not_in_future)
    return field


def _not_in_future(value: date) -> None:
    if value > local_today():
        raise forms.ValidationError(_("The date cannot be in the future."), code="future")


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Say why the order is cancelled.")},
    )


class CompleteForm(forms.Form):
    """Complete a shipped order: the amount received (default: the balance due)."""

    amount = MoneyField(label=_("Amount received"))
    paid_at = _date_field(_("Date"), required=False)
    reference = forms.CharField(label=_("Reference"), max_length=120, required=False)

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].currency = currency  # type: ignore[attr-defined]

    def clean_amount(self) -> Decimal | None:
        amount: Decimal | None = self.cleaned_data.get("amount")
        if amount is not None and amount < 0:
            raise forms.ValidationError(_("An amount received cannot be negative."))
        return amount


class PaymentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PaymentKind.choices)
    amount = MoneyField(label=_("Amount"), required=True)
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    paid_at = _date_field(_("Date"))
    reference = forms.CharField(label=_("Reference"), max_length=120, required=False)

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].currency = currency  # type: ignore[attr-defined]

    def clean_amount(self) -> Decimal:
        amount: Decimal = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_("The amount must be above zero."))
        return amount


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the note first.")},
    )


class ShortagePurchaseForm(forms.Form):
    """Draft purchase orders for a confirm that failed; a supplier is asked only for SKUs
    without a preferred supplier."""

    supplier = forms.ModelChoiceField(
        label=_("Supplier for SKUs without a preferred supplier"),
        queryset=Supplier.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = supplier_choices()  # type: ignore[attr-defined]


# --- Returns ----------------------------------------------------------------------------------


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    refund_amount = MoneyField(label=_("Refund amount"))
    refund_method = forms.ChoiceField(
        label=_("Refund method"),
        choices=[("", "—"), *[(v, label) for v, label in PaymentMethod.choices if v != "cod"]],
        required=False,
    )
    refunded_at = _date_field(_("Refund date"), required=False)
    refund_reference = forms.CharField(label=_("Reference"), max_length=120, required=False)

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["refund_amount"].currency = currency  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        amount = data.get("refund_amount")
        if amount is not None and amount < 0:
            self.add_error("refund_amount", _("A refund cannot be negative."))
        elif amount and not data.get("refund_method"):
            self.add_error("refund_method", _("Choose how the money is paid back."))
        return data


def _units_field(label: Any) -> forms.IntegerField:
    """A count of returned units (optional: empty counts as none)."""
    return forms.IntegerField(
        label=label,
        min_value=0,
        initial=0,
        required=False,
        widget=forms.NumberInput(attrs={"class": "qty", "inputmode": "numeric"}),
    )


class ReturnLineForm(forms.Form):
    """One order line of the return page: how many came back in good condition (back to
    stock) and how many damaged (counted in and written off), and the warehouse they go to.
    Both quantities together are at most the units shipped and not yet returned."""

    good = _units_field(_("Good"))
    damaged = _units_field(_("Damaged"))
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        line: OrderLine,
        warehouses: QuerySet[Warehouse],
        default_warehouse_id: int | None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("prefix", f"line-{line.pk}")
        kwargs.setdefault("initial", {"warehouse": default_warehouse_id})
        super().__init__(*args, **kwargs)
        self.line = line
        for name in ("good", "damaged"):
            field = self.fields[name]
            field.validators.append(MaxValueValidator(line.quantity_returnable))
            field.widget.attrs["max"] = line.quantity_returnable
        self.fields["warehouse"].queryset = warehouses  # type: ignore[attr-defined]

    def clean_good(self) -> int:
        return self.cleaned_data.get("good") or 0

    def clean_damaged(self) -> int:
        return self.cleaned_data.get("damaged") or 0

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        good, damaged = data.get("good"), data.get("damaged")
        returnable = self.line.quantity_returnable
        if good is not None and damaged is not None and good + damaged > returnable:
            self.add_error(
                "damaged", _("Good and damaged together: at most %(n)d.") % {"n": returnable}
            )
        return data

    @property
    def returning(self) -> int:
        """Units coming back on this line (valid form), good and damaged together."""
        if not self.is_valid():
            return 0
        return int(self.cleaned_data["good"]) + int(self.cleaned_data["damaged"])


class ExchangeLineForm(forms.Form):
    """A replacement product picked with the variant search of the phone order page (the
    picker fills the hidden variant id) and its quantity."""

    variant = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Variant.objects.select_related("product"),
        required=False,
        widget=forms.HiddenInput(attrs={"data-picker-value": ""}),
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)],
        widget=forms.NumberInput(attrs={"class": "qty", "inputmode": "numeric", "min": 1}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("variant") and not data.get("quantity") and "quantity" not in self.errors:
            self.add_error("quantity", _("Enter the quantity."))
        if data.get("quantity") and not data.get("variant") and "variant" not in self.errors:
            self.add_error("variant", _("Choose the product."))
        return data

    @property
    def picked_label(self) -> str:
        """The picked product's SKU, shown again in the search box when the page comes back."""
        variant = self.cleaned_data.get("variant") if hasattr(self, "cleaned_data") else None
        return variant.sku if isinstance(variant, Variant) else ""


ExchangeLineFormSet = forms.formset_factory(
    ExchangeLineForm, extra=2, max_num=MAX_EXCHANGE_LINES, validate_max=True
)


def exchange_lines_from(formset: Any) -> list[LineInput]:
    """The exchange rows as order lines. Call after formset.is_valid()."""
    return [
        LineInput(
            variant_id=form.cleaned_data["variant"].pk, quantity=form.cleaned_data["quantity"]
        )
        for form in formset.forms
        if form.is_valid()
        and form.cleaned_data.get("variant")
        and form.cleaned_data.get("quantity")
    ]


def return_warehouses(*, include_id: int | None) -> QuerySet[Warehouse]:
    return warehouse_choices(include_id=include_id)
