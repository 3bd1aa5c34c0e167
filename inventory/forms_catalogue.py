"""Forms of the catalogue pages: product list filters, categories, brands, images, imports.
The product editor is in forms_product (its forms) and product_editor (the page's editor)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from common.forms import search_field, valid_values
from inventory.forms_filters import brand_filter, category_filter
from inventory.models import Category

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGES_PER_UPLOAD = 20
MAX_VIDEO_BYTES = 200 * 1024 * 1024
VIDEO_EXTENSIONS = ["mp4", "webm", "mov", "m4v"]


# --- Fields -----------------------------------------------------------------------------------


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
    category = category_filter()
    brand = brand_filter()
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
