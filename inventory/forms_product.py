"""The product editor's forms: product fields, specifications, options, variant rows, the
"fill all rows" form and the live profit figures."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import FileExtensionValidator
from django.forms import formset_factory
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.forms import MoneyField, PercentField, QuantityField
from common.money import ParseError, parse_money, parse_percent, quantize
from inventory.forms_catalogue import MAX_VIDEO_BYTES, VIDEO_EXTENSIONS, MultipleImageField
from inventory.models import Brand, Category, Product, Variant, VatCategory, Warehouse
from inventory.services.catalogue import (
    MAX_OPTIONS,
    MAX_VARIANTS,
    PlanRow,
    default_vat_rate,
    vat_error,
)

# --- Product editor ---------------------------------------------------------------------------


class ProductForm(forms.ModelForm):
    images = MultipleImageField(
        label=_("Add images"),
        help_text=_("JPEG, PNG or WebP, up to 10 MB each; the first image is the cover."),
    )
    video_clear = forms.BooleanField(required=False, label=_("Remove the video file"))
    video_url = forms.URLField(
        required=False,
        label=_("Video link"),
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text=_("YouTube, TikTok or any link; or upload a file."),
    )

    class Meta:
        model = Product
        fields = ["name", "category", "brand", "description", "is_active", "video", "video_url"]
        widgets = {
            "name": forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
            "description": forms.Textarea(attrs={"rows": 5}),
            "video": forms.FileInput,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.order_by(  # type: ignore[attr-defined]
            "full_name", "pk"
        )
        self.fields["category"].empty_label = _("No category")  # type: ignore[attr-defined]
        self.fields["brand"].queryset = Brand.objects.order_by("name", "pk")  # type: ignore[attr-defined]
        self.fields["brand"].empty_label = _("No brand")  # type: ignore[attr-defined]
        video = self.fields["video"]
        video.validators.append(FileExtensionValidator(VIDEO_EXTENSIONS))
        video.widget.attrs["accept"] = ",".join(f".{ext}" for ext in VIDEO_EXTENSIONS)
        video.help_text = _("MP4, WebM or MOV, up to %(mb)d MB.") % {
            "mb": MAX_VIDEO_BYTES // (1024 * 1024)
        }

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_video(self) -> Any:
        video = self.cleaned_data.get("video")
        if isinstance(video, UploadedFile) and video.size and video.size > MAX_VIDEO_BYTES:
            raise ValidationError(
                _("The video is larger than %(mb)d MB.") % {"mb": MAX_VIDEO_BYTES // (1024 * 1024)}
            )
        return video


class SpecificationForm(forms.Form):
    name = forms.CharField(
        required=False, max_length=120, widget=forms.TextInput(attrs={"placeholder": _("Name")})
    )
    value = forms.CharField(
        required=False, max_length=500, widget=forms.TextInput(attrs={"placeholder": _("Value")})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name, value = data.get("name", "").strip(), data.get("value", "").strip()
        if ":" in name:
            self.add_error("name", _("A name cannot contain a colon."))
        if value and not name:
            self.add_error("name", _("Give the value a name."))
        return data


SpecificationFormSet = formset_factory(SpecificationForm, extra=2, max_num=60, absolute_max=60)


class OptionForm(forms.Form):
    name = forms.CharField(
        required=False,
        max_length=60,
        label=_("Option"),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Colour"), "data-matrix-input": ""}),
    )
    values = forms.CharField(
        required=False,
        max_length=2000,
        label=_("Values"),
        widget=forms.TextInput(
            attrs={"placeholder": _("Red, Blue, Black (comma separated)"), "data-matrix-input": ""}
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name = data.get("name", "").strip()
        values = [v.strip() for v in data.get("values", "").split(",") if v.strip()]
        if values and not name:
            self.add_error("name", _("Name this option."))
        if name and not values:
            self.add_error("values", _("List the values, separated by commas."))
        folded = [v.casefold() for v in values]
        twice = sorted({v for v in values if folded.count(v.casefold()) > 1}, key=str.casefold)
        if twice:
            self.add_error("values", _("%(value)s is listed twice.") % {"value": ", ".join(twice)})
        if any(len(v) > 60 for v in values):
            self.add_error("values", _("A value has at most 60 characters."))
        data["name"], data["value_list"] = name, values
        return data


class _OptionFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        options = [f.cleaned_data for f in self.forms if f.cleaned_data.get("name")]
        names = [o["name"].casefold() for o in options]
        if len(set(names)) != len(names):
            raise ValidationError(_("Two options have the same name."))
        size = 1
        for option in options:
            size *= len(option["value_list"])
        if size > MAX_VARIANTS:
            raise ValidationError(
                _("These options make %(count)d combinations; a product has at most %(max)d.")
                % {"count": size, "max": MAX_VARIANTS}
            )


OptionFormSet = formset_factory(
    OptionForm, formset=_OptionFormSet, extra=0, max_num=MAX_OPTIONS, absolute_max=MAX_OPTIONS
)

ROW_FIELDS = [
    "sku",
    "barcode",
    "cost_price",
    "vat_category",
    "vat_rate",
    "sale_price",
    "weight_grams",
    "length_cm",
    "width_cm",
    "height_cm",
    "low_stock_threshold",
    "preferred_supplier",
]
# What a new row copies from its neighbour, and what "apply to all rows" may set.
SHARED_FIELDS = ROW_FIELDS[2:]


class VariantValuesForm(forms.Form):
    """The values a variant row has and "apply to all rows" sets: prices, VAT, sizes, the
    low-stock threshold and the preferred supplier. Without `with_costs` there is no cost field
    (the stored cost is kept: VariantInput.cost_price None)."""

    cost_price = MoneyField(label=_("Cost"))
    vat_category = forms.TypedChoiceField(
        required=False,
        choices=[("", "—"), *VatCategory.choices],
        empty_value=None,
        label=pgettext_lazy("VAT category", "VAT"),
    )
    vat_rate = PercentField(label=_("VAT %"))
    sale_price = MoneyField(label=_("Sale price"))
    weight_grams = QuantityField(label=_("Weight (g)"))
    length_cm = QuantityField(label=_("Length (cm)"))
    width_cm = QuantityField(label=_("Width (cm)"))
    height_cm = QuantityField(label=_("Height (cm)"))
    low_stock_threshold = QuantityField(label=_("Low at"))
    preferred_supplier = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label=_("Supplier")
    )

    def __init__(
        self, *args: Any, suppliers: list[tuple[Any, str]], with_costs: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preferred_supplier"].choices = suppliers  # type: ignore[attr-defined]
        if not with_costs:
            del self.fields["cost_price"]

    def clean(self) -> dict[str, Any]:
        """Goods not subject to VAT (KCT) or not declared (KKKNT) have rate 0 whatever was
        typed; a VAT-rate variant's rate must be one the shop's country has."""
        data = super().clean() or {}
        category, rate = data.get("vat_category"), data.get("vat_rate")
        if category not in (None, VatCategory.RATE):
            data["vat_rate"] = Decimal(0)
        elif rate is not None:
            message = vat_error(category=VatCategory.RATE, rate=rate)
            if message is not None:
                self.add_error("vat_rate", message)
        return data


class VariantRowForm(VariantValuesForm):
    """One row of the variant table: a variant (or a new one) and its stock per warehouse."""

    variant_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    o1 = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)
    o2 = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)
    o3 = forms.CharField(required=False, widget=forms.HiddenInput, strip=False)
    sku = forms.CharField(
        required=False,
        max_length=64,
        label=_("SKU"),
        widget=forms.TextInput(attrs={"class": "mono"}),
    )
    barcode = forms.CharField(
        required=False,
        max_length=64,
        label=_("Barcode"),
        widget=forms.TextInput(attrs={"class": "mono"}),
    )
    is_active = forms.BooleanField(required=False, label=_("Active"))
    delete = forms.BooleanField(required=False, label=_("Delete"))

    field_order = ["variant_id", "o1", "o2", "o3", *ROW_FIELDS, "is_active", "delete"]

    def __init__(
        self,
        *args: Any,
        suppliers: list[tuple[Any, str]],
        warehouses: list[Warehouse],
        with_costs: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, suppliers=suppliers, with_costs=with_costs, **kwargs)
        # A row always has a category (no blank choice); only "apply to all rows" may leave it.
        self.fields["vat_category"].choices = VatCategory.choices  # type: ignore[attr-defined]
        self.warehouses = warehouses
        self.with_costs = with_costs
        for warehouse in warehouses:
            self.fields[f"stock_{warehouse.pk}"] = QuantityField(label=warehouse.code)
        # Profit and margin are worked out live only for those who may see them.
        live = ("cost_price", "vat_category", "vat_rate", "sale_price") if with_costs else ()
        figures_url = reverse("inventory:variant_figures")
        price_inputs = ",".join(f"[name='{self.prefix}-{name}']" for name in live)
        for name in live:
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": figures_url,
                    "hx-trigger": "input changed delay:300ms",
                    "hx-include": price_inputs,
                    "hx-vals": f'{{"prefix": "{self.prefix}"}}',
                    "hx-target": f"#{self.prefix}-figures",
                    "hx-swap": "innerHTML",
                    "hx-sync": "closest tr:replace",
                }
            )
        # Set by the editor: how this row came about and what it shows.
        self.plan: PlanRow | None = None
        self.variant: Variant | None = None
        self.has_history = False
        self.available: int | None = None

    @property
    def stock_fields(self) -> list[forms.BoundField]:
        return [self[f"stock_{w.pk}"] for w in self.warehouses]

    @property
    def figures(self) -> Figures | None:
        if not self.with_costs:
            return None
        return figures_for(
            self["cost_price"].value(),
            self["vat_rate"].value(),
            self["sale_price"].value(),
            category=self["vat_category"].value(),
        )

    @property
    def kind(self) -> str:
        return self.plan.kind if self.plan else "new"

    @property
    def options(self) -> tuple[str, ...]:
        return self.plan.options if self.plan else ()

    @property
    def creates(self) -> bool:
        return self.variant is None

    def raw(self) -> dict[str, Any]:
        """The row as typed (bound) or as set up (unbound), for rebuilding the table."""
        names = [*ROW_FIELDS, "is_active", "delete", *(f"stock_{w.pk}" for w in self.warehouses)]
        return {name: self[name].value() for name in names if name in self.fields}


VariantFormSet = formset_factory(
    VariantRowForm,
    extra=0,
    max_num=MAX_VARIANTS * 2,
    absolute_max=MAX_VARIANTS * 2,
)


class FillForm(VariantValuesForm):
    """ "Apply to all rows": values copied into every variant row."""


@dataclass(frozen=True)
class Figures:
    profit: Decimal
    margin: Decimal | None


def figures_for(cost: Any, vat: Any, sale: Any, *, category: Any = None) -> Figures | None:
    """Profit and margin of a row as typed, computed by Variant itself (the same on save).
    A variant not subject to VAT or not declared has rate 0 whatever the rate field says."""
    without_rate = category not in (None, "", VatCategory.RATE)
    try:
        variant = Variant(
            cost_price=_as(cost, parse_money),
            vat_rate=Decimal(0) if without_rate else _as(vat, parse_percent, default_vat_rate()),
            sale_price=_as(sale, parse_money),
        )
    except ParseError:
        return None
    margin = variant.margin_percent
    return Figures(
        profit=quantize(variant.profit, settings.SHOP_CURRENCY),
        margin=None if margin is None else margin.quantize(Decimal("0.1")),
    )


def _as(value: Any, parse: Any, default: Decimal = Decimal("0")) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if value in (None, ""):
        return default
    result: Decimal = parse(value)
    return result
