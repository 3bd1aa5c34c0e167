"""The product page's editor: it turns option changes into variant rows with
`services.catalogue.variant_plan` and hands the result to `product_create` / `product_update`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from inventory.forms_product import (
    ROW_FIELDS,
    SHARED_FIELDS,
    FillForm,
    OptionFormSet,
    ProductForm,
    SpecificationFormSet,
    VariantFormSet,
    VariantRowForm,
)
from inventory.models import Product, VatCategory
from inventory.selectors.product_editor import EditorData
from inventory.services.catalogue import (
    MAX_OPTIONS,
    PlanRow,
    VariantError,
    VariantInput,
    VariantUpdate,
    default_vat_rate,
    sku_suggest,
    variant_plan,
)


class ProductEditor:
    """The product page's forms: product fields, specifications, options and variant rows.

    `regenerate()` rebuilds the variant rows after the options changed (keeping what was typed);
    `is_valid()` checks everything and, if the options no longer match the rows shown, rebuilds
    them and asks to check again; `create_kwargs()` / `update_kwargs()` feed the services.
    Without `with_costs` the rows have no cost field and no profit: saving keeps each stored
    cost (a new variant starts at 0). What it reads comes from `product_editor_data`.
    """

    def __init__(
        self,
        *,
        product: Product | None,
        source: EditorData,
        with_costs: bool = True,
        data: Any = None,
        files: Any = None,
    ) -> None:
        self.product = product
        self.with_costs = with_costs
        self.bound = data is not None
        self.notice = ""
        self.warehouses = source.warehouses
        self.existing = source.existing
        self.old_options = source.old_options
        self.suppliers = source.suppliers
        self.history = source.history
        self.available = source.available
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
            return {"vat_category": VatCategory.RATE, "vat_rate": default_vat_rate()}
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
            "vat_category": pick("vat_category", VatCategory.RATE),
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
