"""Catalogue pages: product list and editor, images, categories, brands."""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath
from typing import Any

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.auth import require_perm
from common.htmx import is_htmx, render_partial_or_page
from common.pagination import page_number
from inventory.errors import InventoryError
from inventory.forms_catalogue import BrandForm, CategoryForm, ImageUploadForm, ProductFilterForm
from inventory.forms_product import figures_for
from inventory.models import Brand, Category, Product, ProductImage
from inventory.permissions import VIEW_COSTS, can_see_costs
from inventory.product_editor import ProductEditor
from inventory.selectors import catalogue as selectors
from inventory.selectors.product_editor import product_editor_data
from inventory.services import catalogue as services

PRODUCT_FORM = "inventory/product_form.html"
INLINE_MEDIA = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".mp4", ".webm", ".mov", ".m4v"}


# --- Products ---------------------------------------------------------------------------------


@require_GET
@require_perm("inventory.view_product")
def product_list(request: HttpRequest) -> HttpResponse:
    form = ProductFilterForm(request.GET or None)
    page = selectors.product_page(page=page_number(request.GET.get("page")), **form.filters())
    context = {"form": form, "page": page}
    return render_partial_or_page(
        request, "inventory/product_list.html", context, partial="product-table"
    )


@require_GET
@require_perm("inventory.view_product")
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        view = selectors.product_view(product_id=pk)
    except Product.DoesNotExist as error:
        raise Http404 from error
    context = {"view": view, "product": view.product, "with_costs": can_see_costs(request.user)}
    return render(request, "inventory/product_detail.html", context)


@require_http_methods(["GET", "POST"])
@require_perm("inventory.add_product", "inventory.add_variant")
def product_create(request: HttpRequest) -> HttpResponse:
    return _product_editor(request, None)


@require_http_methods(["GET", "POST"])
@require_perm("inventory.change_product", "inventory.change_variant")
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        product = selectors.product_for_edit(product_id=pk)
    except Product.DoesNotExist as error:
        raise Http404 from error
    return _product_editor(request, product)


def _product_editor(request: HttpRequest, product: Product | None) -> HttpResponse:
    can_stock = product is None and request.user.has_perm("inventory.add_stockmovement")
    with_costs = can_see_costs(request.user)
    source = product_editor_data(product=product, can_stock=can_stock)
    if request.method != "POST":
        editor = ProductEditor(product=product, source=source, with_costs=with_costs)
        return _render_editor(request, editor)
    editor = ProductEditor(
        product=product,
        source=source,
        with_costs=with_costs,
        data=request.POST,
        files=request.FILES,
    )
    action = request.POST.get("action", "save")
    if action in ("matrix", "fill"):
        editor.regenerate(fill=action == "fill")
        if is_htmx(request):
            return render(request, f"{PRODUCT_FORM}#variants-card", _editor_context(editor))
        return _render_editor(request, editor)
    if editor.is_valid():
        try:
            if product is None:
                saved = services.product_create(**editor.create_kwargs(), user_id=request.user.pk)
            else:
                saved = services.product_update(
                    product=product, **editor.update_kwargs(), user_id=request.user.pk
                )
        except services.VariantError as error:
            editor.add_error(error)
        except InventoryError as error:
            editor.form.add_error(None, str(error))
        else:
            messages.success(request, _("Product %(name)s saved.") % {"name": saved.name})
            if request.POST.get("then") == "new":
                return redirect("inventory:product_create")
            return redirect("inventory:product_detail", pk=saved.pk)
    return _render_editor(request, editor, status=422 if is_htmx(request) else 200)


def _editor_context(editor: ProductEditor) -> dict[str, Any]:
    product = editor.product
    return {
        "editor": editor,
        "form": editor.form,
        "product": product,
        "images": list(product.images.all()) if product else [],
    }


def _render_editor(request: HttpRequest, editor: ProductEditor, status: int = 200) -> HttpResponse:
    return render(request, PRODUCT_FORM, _editor_context(editor), status=status)


@require_GET
@require_perm("inventory.view_variant", VIEW_COSTS)
def variant_figures(request: HttpRequest) -> HttpResponse:
    """Profit and margin of one editor row while it is typed (the server does the sums)."""
    prefix = request.GET.get("prefix", "")
    figures = figures_for(
        request.GET.get(f"{prefix}-cost_price", ""),
        request.GET.get(f"{prefix}-vat_rate", ""),
        request.GET.get(f"{prefix}-sale_price", ""),
        category=request.GET.get(f"{prefix}-vat_category", ""),
    )
    return render(request, f"{PRODUCT_FORM}#variant-figures", {"figures": figures})


@require_GET
@require_perm("inventory.view_product")
def product_media(request: HttpRequest, path: str) -> FileResponse:
    """Product images, thumbnails and videos, for signed-in staff."""
    if not path.startswith("products/") or ".." in path.split("/"):
        raise Http404
    try:
        handle = default_storage.open(path, "rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    extension = PurePosixPath(path).suffix.lower()
    if extension in INLINE_MEDIA:
        response = FileResponse(handle, content_type=mimetypes.guess_type(path)[0])
    else:  # anything else is only ever downloaded, never rendered by the browser
        response = FileResponse(handle, as_attachment=True, content_type="application/octet-stream")
    response["Cache-Control"] = "private, max-age=86400"
    return response


# --- Images -----------------------------------------------------------------------------------


def _images_response(request: HttpRequest, product: Product) -> HttpResponse:
    if is_htmx(request):
        return render(
            request,
            f"{PRODUCT_FORM}#image-list",
            {"product": product, "images": selectors.product_images(product_id=product.pk)},
        )
    return redirect(reverse("inventory:product_edit", args=[product.pk]) + "#images")


@require_POST
@require_perm("inventory.add_productimage")
def product_image_upload(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=pk)
    form = ImageUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.product_images_add(product=product, uploads=form.cleaned_data["images"])
        except InventoryError as error:
            messages.error(request, str(error))
        else:
            count = len(form.cleaned_data["images"])
            messages.success(request, _("%(count)d image(s) added.") % {"count": count})
    else:
        for message in form.errors.get("images", []):
            messages.error(request, str(message))
    return _images_response(request, product)


@require_POST
@require_perm("inventory.change_productimage")
def product_image_move(request: HttpRequest, pk: int, image_id: int) -> HttpResponse:
    image = get_object_or_404(
        ProductImage.objects.select_related("product"), pk=image_id, product_id=pk
    )
    offset = -1 if request.POST.get("direction") == "up" else 1
    services.product_image_move(image=image, offset=offset)
    return _images_response(request, image.product)


@require_POST
@require_perm("inventory.delete_productimage")
def product_image_delete(request: HttpRequest, pk: int, image_id: int) -> HttpResponse:
    image = get_object_or_404(
        ProductImage.objects.select_related("product"), pk=image_id, product_id=pk
    )
    services.product_image_delete(image=image)
    messages.success(request, _("Image deleted."))
    return _images_response(request, image.product)


# --- Categories -------------------------------------------------------------------------------


@require_GET
@require_perm("inventory.view_category")
def category_list(request: HttpRequest) -> HttpResponse:
    form = CategoryForm(parents=selectors.category_move_choices(category=None))
    return render(
        request,
        "inventory/category_list.html",
        {"categories": selectors.category_tree(), "form": form},
    )


@require_POST
@require_perm("inventory.add_category")
def category_create(request: HttpRequest) -> HttpResponse:
    form = CategoryForm(request.POST, parents=selectors.category_move_choices(category=None))
    if form.is_valid():
        try:
            saved = services.category_save(
                name=form.cleaned_data["name"], parent=form.cleaned_data["parent"]
            )
        except InventoryError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, _("Category %(name)s added.") % {"name": saved.full_name})
            return redirect("inventory:category_list")
    return render(
        request,
        "inventory/category_list.html",
        {"categories": selectors.category_tree(), "form": form},
        status=422 if is_htmx(request) else 200,
    )


@require_http_methods(["GET", "POST"])
@require_perm("inventory.change_category")
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(Category.objects.select_related("parent"), pk=pk)
    parents = selectors.category_move_choices(category=category)
    if request.method == "POST":
        form = CategoryForm(request.POST, parents=parents)
        if form.is_valid():
            try:
                saved = services.category_save(
                    name=form.cleaned_data["name"],
                    parent=form.cleaned_data["parent"],
                    category=category,
                )
            except InventoryError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Category %(name)s saved.") % {"name": saved.full_name})
                return redirect("inventory:category_list")
    else:
        form = CategoryForm(
            initial={"name": category.name, "parent": category.parent_id}, parents=parents
        )
    return render(request, "inventory/category_form.html", {"form": form, "category": category})


# --- Brands -----------------------------------------------------------------------------------


@require_GET
@require_perm("inventory.view_brand")
def brand_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "inventory/brand_list.html",
        {"brands": selectors.brand_list(), "form": BrandForm()},
    )


@require_POST
@require_perm("inventory.add_brand")
def brand_create(request: HttpRequest) -> HttpResponse:
    form = BrandForm(request.POST)
    if form.is_valid():
        try:
            saved = services.brand_save(name=form.cleaned_data["name"])
        except InventoryError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, _("Brand %(name)s added.") % {"name": saved.name})
            return redirect("inventory:brand_list")
    return render(
        request, "inventory/brand_list.html", {"brands": selectors.brand_list(), "form": form}
    )


@require_http_methods(["GET", "POST"])
@require_perm("inventory.change_brand")
def brand_edit(request: HttpRequest, pk: int) -> HttpResponse:
    brand = get_object_or_404(Brand, pk=pk)
    form = BrandForm(request.POST or None, initial={"name": brand.name})
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.brand_save(name=form.cleaned_data["name"], brand=brand)
        except InventoryError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, _("Brand %(name)s saved.") % {"name": saved.name})
            return redirect("inventory:brand_list")
    return render(request, "inventory/brand_form.html", {"form": form, "brand": brand})
