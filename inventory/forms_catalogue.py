"""Forms of the catalogue pages: product list filters, the product editor, categories, brands,
imports. The editor turns option changes into variant rows with `services.catalogue.variant_plan`
and hands the result to `product_create` / `product_update`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import FileExtensionValidator
from django.db.models import Q
from django.forms import formset_factory
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.forms import search_field, valid_values
from common.money import PRECISION, ParseError, parse_money, parse_percent, parse_quantity, quantize
from inventory.models import Brand, Category, Product, Supplier, Variant, Warehouse
from inventory.selectors.catalogue import variant_available, variant_ids_with_history
from inventory.services.catalogue import (
    MAX_OPTIONS,
    MAX_VARIANTS,
    PlanRow,
    VariantError,
    VariantInput,
    VariantUpdate,
    default_vat_rate,
    sku_suggest,
    variant_plan,
)

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGES_PER_UPLOAD = 20
MAX_VIDEO_BYTES = 200 * 1024 * 1024
VIDEO_EXTENSIONS = ["mp4", "webm", "mov", "m4v"]


# --- Fields -----------------------------------------------------------------------------------


def money_input(value: Decimal, currency: str | None = None) -> str:
    """An amount as staff type it: 150.000 (VND), 1,500.00 (THB)."""
    currency = currency or settings.SHOP_CURRENCY
    places = PRECISION[currency]
    pattern = "#,##0" + ("." + "0" * places if places else "")
    locale = "vi_VN" if currency == "VND" else "en_US"
    return format_decimal(quantize(value, currency), format=pattern, locale=locale)


def percent_input(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != value.to_integral() else str(int(value))


class _ParsedField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("autocomplete", "off")
        self.widget.attrs.setdefault("class", "num")

    def parse(self, text: str) -> Any:
        raise NotImplementedError

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return None
        try:
            return self.parse(text)
        except ParseError as error:
            raise ValidationError(str(error), code="invalid") from error


class MoneyField(_ParsedField):
    """An amount as staff type it: "150000", "150.000" (VND thousands), "199.50" (THB); never
    a float. In the shop currency unless another is given (a purchase order's own)."""

    def __init__(self, *, currency: str | None = None, **kwargs: Any) -> None:
        self.currency = currency
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def parse(self, text: str) -> Decimal:
        return parse_money(text, currency=self.currency)

    def prepare_value(self, value: Any) -> Any:
        return money_input(value, self.currency) if isinstance(value, Decimal) else value


class PercentField(_ParsedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def parse(self, text: str) -> Decimal:
        return parse_percent(text)

    def prepare_value(self, value: Any) -> Any:
        return percent_input(value) if isinstance(value, Decimal) else value


class QuantityField(_ParsedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")

    def parse(self, text: str) -> int:
        return parse_quantity(text)


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.ImageField):
    """Several images from one <input multiple>; each is checked by Pillow."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/*"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_IMAGES_PER_UPLOAD:
            raise ValidationError(
                _("Upload at most %(max)d images at a time.") % {"max": MAX_IMAGES_PER_UPLOAD}
            )
        cleaned = []
        for upload in files:
            image = super().clean(upload, initial)
            if image.size > MAX_IMAGE_BYTES:
                raise ValidationError(
                    _("%(name)s is larger than %(mb)d MB.")
                    % {"name": image.name, "mb": MAX_IMAGE_BYTES // (1024 * 1024)}
                )
            cleaned.append(image)
        return cleaned


# --- Product list -----------------------------------------------------------------------------

STATE_CHOICES = [
    ("", _("Any stock state")),
    ("in", _("In stock")),
    ("low", _("Low stock")),
    ("out", _("Out of stock")),
]
ACTIVE_CHOICES = [("", _("Active and inactive")), ("1", _("Active")), ("0", _("Inactive"))]


class ProductFilterForm(forms.Form):
    q = search_field(_("Name, SKU or barcode"))
    category = forms.ModelChoiceField(
        Category.objects.order_by("full_name", "pk"),
        required=False,
        empty_label=_("All categories"),
    )
    brand = forms.ModelChoiceField(
        Brand.objects.order_by("name", "pk"), required=False, empty_label=_("All brands")
    )
    state = forms.ChoiceField(choices=STATE_CHOICES, required=False)
    active = forms.ChoiceField(choices=ACTIVE_CHOICES, required=False)

    def filters(self) -> dict[str, Any]:
        data = valid_values(self)
        active = data.get("active", "")
        return {
            "q": data.get("q", ""),
            "category_id": data["category"].pk if data.get("category") else None,
            "brand_id": data["brand"].pk if data.get("brand") else None,
            "state": data.get("state", ""),
            "active": None if active == "" else active == "1",
        }


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


class VariantRowForm(forms.Form):
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
    cost_price = MoneyField(label=_("Cost"))
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
    is_active = forms.BooleanField(required=False, label=_("Active"))
    delete = forms.BooleanField(required=False, label=_("Delete"))

    def __init__(
        self,
        *args: Any,
        suppliers: list[tuple[Any, str]],
        warehouses: list[Warehouse],
        with_costs: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preferred_supplier"].choices = suppliers  # type: ignore[attr-defined]
        self.warehouses = warehouses
        self.with_costs = with_costs
        for warehouse in warehouses:
            self.fields[f"stock_{warehouse.pk}"] = QuantityField(label=warehouse.code)
        if not with_costs:  # no cost field: the stored cost is kept (VariantInput.cost_price None)
            del self.fields["cost_price"]
        # Profit and margin are worked out live only for those who may see them.
        live = ("cost_price", "vat_rate", "sale_price") if with_costs else ()
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
            self["cost_price"].value(), self["vat_rate"].value(), self["sale_price"].value()
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


class FillForm(forms.Form):
    """ "Apply to all rows": values copied into every variant row."""

    cost_price = MoneyField(label=_("Cost"))
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


@dataclass(frozen=True)
class Figures:
    profit: Decimal
    margin: Decimal | None


def figures_for(cost: Any, vat: Any, sale: Any) -> Figures | None:
    """Profit and margin of a row as typed, computed by Variant itself (the same on save)."""
    try:
        variant = Variant(
            cost_price=_as(cost, parse_money),
            vat_rate=_as(vat, parse_percent, default_vat_rate()),
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


class ProductEditor:
    """The product page's forms: product fields, specifications, options and variant rows.

    `regenerate()` rebuilds the variant rows after the options changed (keeping what was typed);
    `is_valid()` checks everything and, if the options no longer match the rows shown, rebuilds
    them and asks to check again; `create_kwargs()` / `update_kwargs()` feed the services.
    Without `with_costs` the rows have no cost field and no profit: saving keeps each stored
    cost (a new variant starts at 0).
    """

    def __init__(
        self,
        *,
        product: Product | None,
        can_stock: bool,
        with_costs: bool = True,
        data: Any = None,
        files: Any = None,
    ) -> None:
        self.product = product
        self.with_costs = with_costs
        self.bound = data is not None
        self.notice = ""
        self.warehouses = (
            list(Warehouse.objects.filter(is_active=True).order_by("code", "pk"))
            if can_stock
            else []
        )
        self.existing: dict[int, Variant] = (
            {v.pk: v for v in product.variants.all()} if product else {}
        )
        self.old_options = (
            [(o.name, list(o.values)) for o in product.options.all()] if product else []
        )
        used = {v.preferred_supplier_id for v in self.existing.values() if v.preferred_supplier_id}
        self.suppliers: list[tuple[Any, str]] = [
            ("", "—"),
            *Supplier.objects.filter(Q(is_active=True) | Q(pk__in=used))
            .order_by("name", "pk")
            .values_list("pk", "name"),
        ]
        self.history = variant_ids_with_history(variant_ids=list(self.existing))
        self.available = variant_available(variant_ids=list(self.existing))
        self.form = ProductForm(data, files, instance=product)
        self.specs = SpecificationFormSet(
            data,
            prefix="spec",
            initial=[dict(s) for s in (product.specifications if product else [])],
        )
        self.options = OptionFormSet(
            data,
            prefix="opt",
            initial=[
                {"name": name, "values": ", ".join(values)} for name, values in self.old_options
            ]
            + [{} for _i in range(MAX_OPTIONS - len(self.old_options))],
        )
        self.sku_prefix = (data.get("sku_prefix", "") if data is not None else "").strip()
        self.fill = FillForm(data, prefix="fill", suppliers=self.suppliers, with_costs=with_costs)
        if self.bound:
            self.variants = self._formset(data=data)
            self._attach(self._plan_or_none(), bound=True)
        else:
            self._build(self._plan(self._unchanged_options()), submitted={})

    # -- the plan --------------------------------------------------------------------------
    def _unchanged_options(self) -> list[tuple[str, list[str], int | None]]:
        return [(name, values, i) for i, (name, values) in enumerate(self.old_options, start=1)]

    def _submitted_options(self) -> list[tuple[str, list[str], int | None]] | None:
        if not self.options.is_valid():
            return None
        return [
            (f.cleaned_data["name"], f.cleaned_data["value_list"], i)
            for i, f in enumerate(self.options.forms, start=1)
            if f.cleaned_data.get("name")
        ]

    def _plan(self, options: list[tuple[str, list[str], int | None]]) -> list[PlanRow]:
        sources = [
            (name, values, source if source and source <= len(self.old_options) else None)
            for name, values, source in options
        ]
        existing = [(v.pk, (v.option1, v.option2, v.option3)) for v in self.existing.values()]
        return variant_plan(old_options=self.old_options, new_options=sources, existing=existing)

    def _plan_or_none(self) -> list[PlanRow] | None:
        options = self._submitted_options()
        return None if options is None else self._plan(options)

    @staticmethod
    def _key(variant_id: int | None, options: tuple[str, ...]) -> tuple[Any, ...]:
        return ("id", variant_id, options) if variant_id else ("new", options)

    def _row_key(self, form: VariantRowForm) -> tuple[Any, ...]:
        values = tuple(form[f"o{i}"].value() or "" for i in range(1, MAX_OPTIONS + 1))
        trimmed = list(values)
        while trimmed and not trimmed[-1]:
            trimmed.pop()
        variant_id = form["variant_id"].value()
        try:
            pk = int(variant_id) if variant_id not in (None, "") else None
        except (TypeError, ValueError):
            pk = None
        return self._key(pk, tuple(trimmed))

    # -- building the rows -----------------------------------------------------------------
    def _formset(self, *, data: Any = None, initial: list[dict[str, Any]] | None = None) -> Any:
        return VariantFormSet(
            data,
            prefix="v",
            initial=initial,
            form_kwargs={
                "suppliers": self.suppliers,
                "warehouses": self.warehouses,
                "with_costs": self.with_costs,
            },
        )

    def _defaults(
        self, row: PlanRow, known: list[tuple[PlanRow, dict[str, Any]]]
    ) -> dict[str, Any]:
        """A new row starts as a copy of a sibling (same first value) or of the first row."""
        source = next(
            (
                data
                for plan, data in known
                if row.options[:1] and plan.options[:1] == row.options[:1]
            ),
            known[0][1] if known else None,
        )
        if source is None:
            return {"vat_rate": default_vat_rate()}
        return {name: source.get(name) for name in SHARED_FIELDS}

    def _build(
        self,
        plan: list[PlanRow],
        *,
        submitted: dict[tuple[Any, ...], dict[str, Any]],
        fill: dict[str, Any] | None = None,
    ) -> None:
        rows: list[tuple[PlanRow, dict[str, Any]]] = []
        by_variant = {key[1]: data for key, data in submitted.items() if key[0] == "id"}
        for row in plan:
            key = self._key(row.variant_id, row.options)
            data: dict[str, Any]
            if row.variant_id is not None:
                variant = self.existing[row.variant_id]
                data = by_variant.get(row.variant_id) or {
                    **{name: getattr(variant, name) for name in ROW_FIELDS[:-1]},
                    "preferred_supplier": variant.preferred_supplier_id,
                    "is_active": variant.is_active,
                }
                data = dict(data)
                if row.kind == "orphan":
                    data["is_active"] = False
            elif key in submitted:
                data = dict(submitted[key])
            else:
                data = {
                    **self._defaults(row, rows),
                    "is_active": row.kind == "new",
                    "sku": sku_suggest(prefix=self.sku_prefix, options=row.options)
                    if self.sku_prefix
                    else "",
                }
            if (
                row.variant_id is None
                and self.sku_prefix
                and not data.get("sku")
                and row.kind == "new"
            ):
                data["sku"] = sku_suggest(prefix=self.sku_prefix, options=row.options)
            if fill and row.kind != "orphan":
                data.update(fill)
            padded = tuple(row.options) + ("",) * (MAX_OPTIONS - len(row.options))
            data.update(variant_id=row.variant_id, o1=padded[0], o2=padded[1], o3=padded[2])
            rows.append((row, data))
        self.variants = self._formset(initial=[data for _row, data in rows])
        self._attach(plan, bound=False)

    def _attach(self, plan: list[PlanRow] | None, *, bound: bool) -> None:
        by_key = {self._key(row.variant_id, row.options): row for row in plan or []}
        for form in self.variants.forms:
            key = self._row_key(form)
            form.plan = by_key.get(key)
            if form.plan is None:  # a bound row the options no longer produce
                form.plan = PlanRow(key[-1], key[1] if key[0] == "id" else None, "new")
            variant_id = form.plan.variant_id
            form.variant = self.existing.get(variant_id) if variant_id else None
            form.has_history = variant_id in self.history
            form.available = self.available.get(variant_id, 0) if variant_id else None
            if form.variant is not None:
                for warehouse in self.warehouses:
                    form.fields.pop(f"stock_{warehouse.pk}", None)
                form.warehouses = []
            if form.variant is None or form.has_history:
                form.fields["delete"].disabled = True

    def regenerate(self, *, fill: bool = False) -> None:
        """Rebuild the rows from the submitted options, keeping what was typed in each row."""
        plan = self._plan_or_none()
        if plan is None:
            return  # the option errors are shown; the rows stay as they were
        values: dict[str, Any] | None = None
        if fill and self.fill.is_valid():
            values = {
                name: value
                for name, value in self.fill.cleaned_data.items()
                if value not in (None, "")
            }
        self._build(plan, submitted=self._submitted_rows(), fill=values)

    def _submitted_rows(self) -> dict[tuple[Any, ...], dict[str, Any]]:
        if not self.variants.is_bound or not self.variants.management_form.is_valid():
            return {}
        return {self._row_key(form): form.raw() for form in self.variants.forms}

    # -- validation and service input ------------------------------------------------------
    def is_valid(self) -> bool:
        valid = all([self.form.is_valid(), self.specs.is_valid(), self.options.is_valid()])
        plan = self._plan_or_none()
        if plan is None:
            return False
        shown = set(self._submitted_rows())
        wanted = {self._key(row.variant_id, row.options) for row in plan}
        if shown != wanted:
            self._build(plan, submitted=self._submitted_rows())
            self.notice = str(
                _("The variant rows were updated from the options. Check them and save again.")
            )
            return False
        if not self.variants.is_valid():
            return False
        self._attach(plan, bound=True)
        rows_ok = True
        for form in self.variants.forms:
            if form.variant is None and not form.cleaned_data.get("is_active"):
                continue  # a combination left unticked: not created
            if form.cleaned_data.get("delete"):
                continue
            if not form.cleaned_data.get("sku"):
                form.add_error("sku", _("Enter the SKU."))
                rows_ok = False
        if not any(
            form.variant is not None or form.cleaned_data.get("is_active")
            for form in self.variants.forms
        ):
            self.variants.forms[0].add_error("is_active", _("Tick at least one variant to create."))
            rows_ok = False
        return valid and rows_ok

    def _row_input(self, form: VariantRowForm) -> dict[str, Any]:
        data = form.cleaned_data
        variant = form.variant

        def pick(name: str, default: Any) -> Any:
            value = data.get(name)
            return default if value is None else value

        return {
            "sku": data.get("sku") or (variant.sku if variant else ""),
            "options": form.options,
            "barcode": data.get("barcode", ""),
            # None without the cost field: the service keeps the stored cost.
            "cost_price": pick("cost_price", Decimal("0")) if form.with_costs else None,
            "sale_price": pick("sale_price", Decimal("0")),
            "vat_rate": pick("vat_rate", default_vat_rate()),
            "weight_grams": pick("weight_grams", 0),
            "length_cm": pick("length_cm", 0),
            "width_cm": pick("width_cm", 0),
            "height_cm": pick("height_cm", 0),
            "low_stock_threshold": pick("low_stock_threshold", 0),
            "preferred_supplier_id": data.get("preferred_supplier"),
            "is_active": bool(data.get("is_active")),
            "initial_stock": {
                w.pk: data.get(f"stock_{w.pk}") or 0
                for w in form.warehouses
                if data.get(f"stock_{w.pk}")
            },
        }

    def _saved_forms(self) -> list[VariantRowForm]:
        return [
            form
            for form in self.variants.forms
            if form.variant is not None or form.cleaned_data.get("is_active")
        ]

    def _common_kwargs(self) -> dict[str, Any]:
        data = self.form.cleaned_data
        video = data.get("video")
        return {
            "name": data["name"],
            "options": [
                (f.cleaned_data["name"], f.cleaned_data["value_list"])
                for f in self.options.forms
                if f.cleaned_data.get("name")
            ],
            "category": data.get("category"),
            "brand_id": data["brand"].pk if data.get("brand") else None,
            "description": data.get("description", ""),
            "specifications": [
                {"name": f.cleaned_data["name"], "value": f.cleaned_data.get("value", "")}
                for f in self.specs.forms
                if f.cleaned_data.get("name")
            ],
            "video_url": data.get("video_url", ""),
            "video": video if isinstance(video, UploadedFile) else None,
            "is_active": bool(data.get("is_active")),
            "images": data.get("images") or [],
        }

    def create_kwargs(self) -> dict[str, Any]:
        return {
            **self._common_kwargs(),
            "variants": [VariantInput(**self._row_input(f)) for f in self._saved_forms()],
        }

    def update_kwargs(self) -> dict[str, Any]:
        kwargs = self._common_kwargs()
        kwargs["video_clear"] = bool(self.form.cleaned_data.get("video_clear"))
        kwargs["variants"] = [
            VariantUpdate(
                **self._row_input(f),
                variant_id=f.variant.pk if f.variant else None,
                delete=bool(f.cleaned_data.get("delete")),
            )
            for f in self._saved_forms()
        ]
        return kwargs

    def add_error(self, error: VariantError) -> None:
        """Show a service error on the row and field it is about."""
        forms_ = self._saved_forms()
        if error.index is not None and error.index < len(forms_):
            form = forms_[error.index]
            field = error.field if error.field in form.fields else None
            form.add_error(field, str(error))
        else:
            self.form.add_error(None, str(error))

    @property
    def any_deletable(self) -> bool:
        return any(f.variant is not None and not f.has_history for f in self.variants.forms)

    @property
    def show_missing(self) -> bool:
        return any(f.kind == "missing" for f in self.variants.forms)


# --- Categories, brands, images, imports ------------------------------------------------------


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    parent = forms.ModelChoiceField(
        Category.objects.none(), required=False, label=_("Parent"), empty_label=_("(top level)")
    )

    def __init__(self, *args: Any, parents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if "/" in name:
            raise ValidationError(_("A category name cannot contain “/”."))
        return name


class BrandForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()


class ImageUploadForm(forms.Form):
    images = MultipleImageField(label=_("Add images"))

    def clean_images(self) -> list[UploadedFile]:
        images: list[UploadedFile] = self.cleaned_data["images"]
        if not images:
            raise ValidationError(_("Choose one or more images."))
        return images


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        validators=[FileExtensionValidator(["csv", "xlsx"])],
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        help_text=_("CSV (UTF-8) or Excel .xlsx, in the export's format."),
    )
