"""Forms of the supplier, purchase order, goods receipt and reorder pages.

Money inputs accept at most the currency's decimals (VND: none), so "85.000" typed the
Vietnamese way is refused with an explanation instead of being read as 85.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms.formsets import INITIAL_FORM_COUNT, ManagementForm
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from common.forms import BoundedDateField, LocalDateInput, MoneyField, search_field
from common.money import money_input
from inventory.forms_filters import supplier_filter, warehouse_filter
from inventory.models import PurchaseOrder, Supplier, Variant, Warehouse
from inventory.selectors import purchasing as selectors
from inventory.services.suppliers import SUPPLIER_FIELDS, InvalidTaxCode, tax_code_parse

MAX_QUANTITY = 1_000_000


def plain_decimal(value: Decimal) -> str:
    """10.00 -> "10", 8.50 -> "8.5": how a rate or an amount is shown in an input."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def money_field(currency: str, **kwargs: Any) -> MoneyField:
    """A required amount typed the way staff type it, the same field as in the catalogue."""
    kwargs.setdefault("required", True)
    return MoneyField(currency=currency, **kwargs)


# --- Suppliers --------------------------------------------------------------------------------


class SupplierForm(forms.ModelForm):
    class Meta:
        model = Supplier
        fields = list(SUPPLIER_FIELDS)  # what supplier_save writes
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel"}),
        }
        help_texts = {
            "tax_code": _(
                "Vietnam: 10 digits, or 10 digits-3 digits for a branch. Thailand: 13 digits."
            ),
        }

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Supplier.objects.filter(name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another supplier already has this name."))
        return name

    def clean_tax_code(self) -> str:
        raw = self.cleaned_data["tax_code"].strip()
        if not raw:
            return ""
        try:
            return tax_code_parse(raw).value
        except InvalidTaxCode as error:
            raise forms.ValidationError(str(error)) from error


ACTIVE_CHOICES = [("", _("Active and inactive")), ("1", _("Active")), ("0", _("Inactive"))]


class SupplierFilterForm(forms.Form):
    q = search_field(_("Name, contact, phone, email or tax code"))
    active = forms.ChoiceField(choices=ACTIVE_CHOICES, required=False)


# --- Purchase orders --------------------------------------------------------------------------


class PurchaseOrderFilterForm(forms.Form):
    q = search_field(_("Order number"))
    status = forms.ChoiceField(
        choices=[("", _("Any status")), *PurchaseOrder.Status.choices], required=False
    )
    supplier = supplier_filter()


class PurchaseOrderForm(forms.Form):
    supplier = forms.ModelChoiceField(Supplier.objects.none(), label=_("Supplier"))
    warehouse = forms.ModelChoiceField(Warehouse.objects.none(), label=_("Deliver to"))
    expected_on = BoundedDateField(
        label=_("Expected on"),
        required=False,
        widget=LocalDateInput(),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, order: PurchaseOrder | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = selectors.supplier_choices(  # type: ignore[attr-defined]
            include_id=order.supplier_id if order else None
        )
        self.fields["warehouse"].queryset = selectors.warehouse_choices(  # type: ignore[attr-defined]
            include_id=order.warehouse_id if order else None
        )


class PurchaseLineForm(forms.Form):
    variant = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_QUANTITY,
        widget=forms.NumberInput(
            attrs={"min": "1", "step": "1", "inputmode": "numeric", "class": "qty"}
        ),
    )
    vat_rate = forms.DecimalField(
        label=_("VAT %"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        widget=forms.NumberInput(attrs={"min": "0", "max": "100", "step": "0.01", "class": "rate"}),
    )

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit_cost"] = money_field(currency, label=_("Unit cost"))
        self.order_fields(["variant", "quantity", "unit_cost", "vat_rate"])


class BasePurchaseLineFormSet(forms.BaseFormSet):
    """Lines of an order. Rows may be removed in the browser: missing indexes are skipped,
    because every row counts as an "extra" form (INITIAL_FORMS is always 0)."""

    @cached_property
    def management_form(self) -> ManagementForm:
        form: ManagementForm = forms.BaseFormSet.management_form.func(self)  # type: ignore[attr-defined]
        if not self.is_bound:
            form.initial[INITIAL_FORM_COUNT] = 0
        return form

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        ids = [f.cleaned_data["variant"] for f in self.forms if f.cleaned_data]
        if not ids:
            raise forms.ValidationError(_("Add at least one line."))
        known = set(Variant.objects.filter(pk__in=ids).values_list("pk", flat=True))
        if set(ids) - known:
            raise forms.ValidationError(_("A line refers to a product that no longer exists."))
        if len(set(ids)) != len(ids):
            raise forms.ValidationError(
                _("A product is on two lines: put the whole quantity on one line.")
            )

    def line_data(self) -> list[dict[str, Any]]:
        return [f.cleaned_data for f in self.forms if f.cleaned_data]

    def rows(self) -> list[tuple[forms.Form, Variant | None]]:
        """(form, variant) per row, the variants loaded in one query, for rendering."""
        ids: list[int] = []
        for form in self.forms:
            raw = form["variant"].value()
            try:
                ids.append(int(raw))
            except (TypeError, ValueError):
                ids.append(0)
        variants = Variant.objects.select_related("product").in_bulk([i for i in ids if i])
        return [(form, variants.get(i)) for form, i in zip(self.forms, ids, strict=True)]


PurchaseLineFormSet = forms.formset_factory(
    PurchaseLineForm,
    formset=BasePurchaseLineFormSet,
    extra=0,
    max_num=500,
    validate_max=True,
    absolute_max=500,
)


def line_initial(
    *, variant_id: int, quantity: int, unit_cost: Decimal, vat_rate: Decimal, currency: str
) -> dict[str, Any]:
    return {
        "variant": variant_id,
        "quantity": quantity,
        "unit_cost": money_input(unit_cost, currency),
        "vat_rate": plain_decimal(vat_rate),
    }


# --- Goods receipts ---------------------------------------------------------------------------


class ReceiptForm(forms.Form):
    warehouse = forms.ModelChoiceField(Warehouse.objects.none(), label=_("Receive into"))
    # One per form shown: a second submission of the same form (double click, resend) finds
    # the receipt the first one posted (GoodsReceipt.idempotency_token, unique) instead of
    # receiving the goods twice.
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("Delivery note number, damage...")}
        ),
    )

    def __init__(self, *args: Any, order: PurchaseOrder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = selectors.warehouse_choices()  # type: ignore[attr-defined]
        self.fields["warehouse"].initial = order.warehouse_id
        self.fields["token"].initial = uuid.uuid4().hex


class ReceiptLineForm(forms.Form):
    order_line = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    quantity = forms.IntegerField(
        label=_("Receive"),
        min_value=0,
        max_value=MAX_QUANTITY,
        widget=forms.NumberInput(attrs={"min": "0", "step": "1", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, currency: str, with_costs: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Without the cost permission goods are received at the order line's unit cost.
        if with_costs:
            self.fields["unit_cost"] = money_field(currency, label=_("Unit cost"))


ReceiptLineFormSet = forms.formset_factory(
    ReceiptLineForm, extra=0, max_num=500, validate_max=True, absolute_max=500
)


class ReceiptFilterForm(forms.Form):
    q = search_field(_("Receipt or order number"))
    warehouse = warehouse_filter()
    supplier = supplier_filter()


# --- Reorder ----------------------------------------------------------------------------------


class ReorderDraftForm(forms.Form):
    warehouse = forms.ModelChoiceField(Warehouse.objects.none(), label=_("Deliver to"))
    supplier = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = selectors.warehouse_choices()  # type: ignore[attr-defined]


class AssignSupplierForm(forms.Form):
    variant = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    supplier = forms.ModelChoiceField(
        Supplier.objects.filter(is_active=True).order_by("name", "pk"),
        label=_("Supplier"),
        empty_label=_("Choose a supplier…"),
    )


class PurchaseOrderCloseForm(forms.Form):
    """Close a partly received purchase order short: why the rest will not come."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
