"""Helpers for the catalogue tests: real images made with Pillow, and the product editor's POST
data read back from a rendered page (what a browser would send)."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from inventory.models import Product, Warehouse
from inventory.services.catalogue import VariantInput, product_create


def image_upload(
    name: str = "photo.png", size: tuple[int, int] = (1200, 800), color: str = "#c62828"
) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def shirt(
    *,
    warehouse: Warehouse | None = None,
    colours: tuple[str, ...] = ("Đỏ", "Xanh"),
    sizes: tuple[str, ...] = ("S", "M"),
    stock: int = 0,
    prefix: str = "AO",
    name: str = "Áo thun cổ tròn",
) -> Product:
    """A product with a colour x size matrix; `stock` units of each variant in `warehouse`."""
    codes = {"Đỏ": "DO", "Xanh": "XANH", "Đen": "DEN", "Trắng": "TRANG"}
    variants = [
        VariantInput(
            sku=f"{prefix}-{codes.get(c, c.upper())}-{s}",
            options=(c, s),
            cost_price=Decimal("80000"),
            sale_price=Decimal("165000"),
            initial_stock={warehouse.pk: stock} if warehouse and stock else {},
        )
        for c in colours
        for s in sizes
    ]
    return product_create(
        name=name,
        options=[("Màu", list(colours)), ("Size", list(sizes))],
        variants=variants,
    )


def _field_value(bound: forms.BoundField) -> Any:
    value = bound.value()
    if value is None:
        return ""
    if isinstance(value, Decimal | int):
        return bound.field.prepare_value(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def _add_form(data: dict[str, Any], form: forms.BaseForm) -> None:
    for bound in form:
        if bound.field.disabled:
            continue
        widget = bound.field.widget
        if isinstance(widget, forms.CheckboxInput):
            if bound.value():
                data[bound.html_name] = "on"
            continue
        if isinstance(widget, forms.FileInput):
            continue
        data[bound.html_name] = _field_value(bound)


def editor_data(editor: Any) -> dict[str, Any]:
    """Everything the product form would post, as the page shows it."""
    data: dict[str, Any] = {"sku_prefix": editor.sku_prefix}
    _add_form(data, editor.form)
    _add_form(data, editor.fill)
    for formset in (editor.specs, editor.options, editor.variants):
        for bound in formset.management_form:
            data[bound.html_name] = bound.value()
        for form in formset.forms:
            _add_form(data, form)
    return data


def rows(editor: Any) -> list[tuple[tuple[str, ...], str, str]]:
    """(option values, kind, sku) of each variant row shown."""
    return [(f.options, f.kind, f["sku"].value() or "") for f in editor.variants.forms]


def row_index(editor: Any, options: tuple[str, ...]) -> int:
    return next(i for i, f in enumerate(editor.variants.forms) if f.options == options)
