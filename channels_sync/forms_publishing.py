"""The publish form: what the platform needs for one category and our catalogue lacks
(attributes with the platform's values, brand, package, images, the variation plan)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from channels_sync.adapters.publishing import (
    AttributeChoice,
    AttributeInput,
    CategoryAttribute,
    OptionAxis,
    PlanMode,
    VariationPlan,
)
from channels_sync.publish_errors import publish_error_text
from channels_sync.services.publishing import PublicationInput
from channels_sync.services.publishing_catalog import CategoryInfo
from channels_sync.services.publishing_plan import axes_and_variants, product_plan
from inventory.models import Product

REQUIRED = pgettext_lazy("publish", "The platform requires this attribute for the category.")


def plan_choices(axes: list[OptionAxis]) -> list[tuple[str, str]]:
    choices = [("auto", str(pgettext_lazy("publish", "Automatic (the first way that fits)")))]
    if not axes:
        return choices
    choices.append(("as_is", str(pgettext_lazy("publish", "Each option as a variation"))))
    for first in range(len(axes)):
        for second in range(first + 1, len(axes)):
            label = pgettext("publish", "Combine %(a)s and %(b)s into one variation") % {
                "a": axes[first].name,
                "b": axes[second].name,
            }
            choices.append((f"merge:{first}:{second}", label))
    for index, axis in enumerate(axes):
        label = pgettext("publish", "One listing per %(option)s") % {"option": axis.name}
        choices.append((f"split:{index}", label))
    return choices


def plan_from_choice(value: str) -> dict[str, Any]:
    parts = value.split(":")
    if parts[0] == PlanMode.MERGE and len(parts) == 3:
        return {"mode": "merge", "merged": [int(parts[1]), int(parts[2])]}
    if parts[0] == PlanMode.SPLIT and len(parts) == 2:
        return {"mode": "split", "split_on": int(parts[1])}
    if parts[0] == PlanMode.AS_IS:
        return {"mode": "as_is"}
    return {}


def _spec_value(product: Product, name: str) -> str:
    for spec in product.specifications or []:
        if str(spec.get("name", "")).strip().casefold() == name.strip().casefold():
            return str(spec.get("value", "")).strip()
    return ""


def attribute_field(attr: CategoryAttribute, initial: str) -> forms.Field:
    common: dict[str, Any] = {
        "label": attr.name,
        "required": attr.mandatory,
        "error_messages": {"required": REQUIRED},
    }
    values = [(v.value_id, v.name) for v in attr.values]
    if attr.input == AttributeInput.MULTI_SELECT:
        return forms.MultipleChoiceField(choices=values, widget=forms.SelectMultiple, **common)
    if attr.input == AttributeInput.SELECT:
        match = next((v for v, n in values if n.casefold() == initial.casefold()), "")
        return forms.ChoiceField(choices=[("", "—"), *values], initial=match, **common)
    return forms.CharField(max_length=200, initial=initial, **common)


class PublishForm(forms.Form):
    check_title = True  # bulk publish leaves it to the platform, product by product
    brand = forms.ChoiceField(label=_("Brand"), required=False)
    weight_grams = forms.IntegerField(label=_("weight (g)"), min_value=1, max_value=300_000)
    length_cm = forms.IntegerField(label=_("length (cm)"), min_value=0, required=False)
    width_cm = forms.IntegerField(label=_("width (cm)"), min_value=0, required=False)
    height_cm = forms.IntegerField(label=_("height (cm)"), min_value=0, required=False)
    images = forms.MultipleChoiceField(
        label=pgettext_lazy("publish", "Images"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": pgettext_lazy("publish", "Choose at least one image.")},
    )
    plan = forms.ChoiceField(label=pgettext_lazy("publish", "Variations"), initial="auto")
    live = forms.BooleanField(
        label=pgettext_lazy("publish", "Put on sale at once (else hidden)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, info: CategoryInfo, product: Product, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.info, self.product = info, product
        self.axes, _variants = axes_and_variants(product)
        brands = [(b.brand_id, b.name) for b in info.brands.brands]
        empty = "—" if info.brands.mandatory else pgettext("publish", "No brand")
        field = self.fields["brand"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", empty), *brands]
        field.required = info.brands.mandatory
        ours = product.brand.name.casefold() if product.brand else ""
        field.initial = next((b for b, n in brands if n.casefold() == ours), "")
        for attr in info.attributes:
            self.fields[f"attr_{attr.attribute_id}"] = attribute_field(
                attr, _spec_value(product, attr.name)
            )
            if attr.units:
                self.fields[f"unit_{attr.attribute_id}"] = forms.ChoiceField(
                    label=pgettext("publish", "Unit of %(name)s") % {"name": attr.name},
                    choices=[(u, u) for u in attr.units],
                    required=False,
                )
        images = sorted(product.images.all(), key=lambda i: (i.position, i.pk))
        self.image_rows = images
        images_field = self.fields["images"]
        assert isinstance(images_field, forms.MultipleChoiceField)
        images_field.choices = [(str(i.pk), i.alt_text or str(n + 1)) for n, i in enumerate(images)]
        images_field.initial = [str(i.pk) for i in images[: info.limits.max_images]]
        plan_field = self.fields["plan"]
        assert isinstance(plan_field, forms.ChoiceField)
        plan_field.choices = plan_choices(self.axes)

    def attribute_rows(self) -> list[tuple[CategoryAttribute, Any, Any]]:
        """(attribute, its bound field, its unit's bound field or None), mandatory first."""
        return [
            (
                a,
                self[f"attr_{a.attribute_id}"],
                self[f"unit_{a.attribute_id}"] if a.units else None,
            )
            for a in self.info.attributes
        ]

    def plan_preview(self, value: str | None = None) -> VariationPlan:
        value = value or self["plan"].value() or "auto"
        return product_plan(self.product, self.info.limits, plan_from_choice(str(value)))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if len(data.get("images") or []) > self.info.limits.max_images:
            self.add_error(
                "images",
                pgettext("publish", "The platform takes at most %(count)s images.")
                % {"count": self.info.limits.max_images},
            )
        for attr in self.info.attributes:
            if (
                attr.units
                and data.get(f"attr_{attr.attribute_id}")
                and not data.get(f"unit_{attr.attribute_id}")
            ):
                self.add_error(f"unit_{attr.attribute_id}", REQUIRED)
        low, high = self.info.limits.name_length
        if self.check_title and not low <= len(self.product.name) <= high:
            self.add_error(
                None,
                pgettext(
                    "publish",
                    "The platform takes product names of %(low)s to %(high)s characters; "
                    "this one has %(count)s: change it on the product page.",
                )
                % {"low": low, "high": high, "count": len(self.product.name)},
            )
        if "plan" in data:
            plan = product_plan(self.product, self.info.limits, plan_from_choice(data["plan"]))
            if not plan.fits:
                self.add_error("plan", publish_error_text(plan.problems[0]))
        return data

    def _choice(self, attr: CategoryAttribute) -> AttributeChoice | None:
        value = self.cleaned_data.get(f"attr_{attr.attribute_id}")
        unit = self.cleaned_data.get(f"unit_{attr.attribute_id}") or ""
        if not value:
            return None
        if isinstance(value, list):
            return AttributeChoice(attr.attribute_id, tuple(value))
        if attr.input == AttributeInput.SELECT:
            return AttributeChoice(attr.attribute_id, (str(value),))
        known = next((v for v in attr.values if v.name.casefold() == value.casefold()), None)
        if known is not None:
            return AttributeChoice(attr.attribute_id, (known.value_id,))
        return AttributeChoice(attr.attribute_id, (), str(value).strip(), unit)

    def publication_input(self) -> PublicationInput:
        data = self.cleaned_data
        brand_id = data.get("brand") or ""
        brand_name = dict(self.fields["brand"].choices).get(brand_id, "") if brand_id else ""  # type: ignore[attr-defined]
        choices = [c for a in self.info.attributes if (c := self._choice(a)) is not None]
        return PublicationInput(
            category_id=self.info.category.category_id,
            category_path=self.info.category.path,
            brand_id=brand_id,
            brand_name=str(brand_name),
            attributes=tuple(choices),
            weight_grams=data["weight_grams"],
            length_cm=data.get("length_cm") or 0,
            width_cm=data.get("width_cm") or 0,
            height_cm=data.get("height_cm") or 0,
            image_ids=tuple(int(i) for i in data["images"]),
            plan=plan_from_choice(data["plan"]),
            live=bool(data.get("live")),
        )
