"""Catalogue export (CSV / Excel) and import: upload, dry run, apply. The export and the apply
run as background jobs (inventory.services.imports.background)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.auth import require_perm
from common.jobs import job_page_redirect
from inventory.errors import InventoryError
from inventory.forms_catalogue import ImportUploadForm
from inventory.permissions import can_see_costs
from inventory.selectors import catalogue as selectors
from inventory.services.catalogue import vat_rates
from inventory.services.imports import background, parse
from inventory.services.imports import plan as planning

SESSION_KEY = "catalogue_imports"
MAX_ERRORS_SHOWN = 300
IMPORT_PERMS = ("inventory.add_product", "inventory.change_product", "inventory.add_stockmovement")


@require_POST
@require_perm("inventory.view_product")
def product_export(request: HttpRequest) -> HttpResponseBase:
    """Start the export in the background; its page shows the progress, then the file."""
    file_format = request.POST.get("format", "csv")
    if file_format not in ("csv", "xlsx"):
        raise Http404
    job = background.catalogue_export_start(
        owner_id=request.user.pk, file_format=file_format, with_costs=can_see_costs(request.user)
    )
    return job_page_redirect(job)


@require_http_methods(["GET", "POST"])
@require_perm(*IMPORT_PERMS)
def product_import(request: HttpRequest) -> HttpResponse:
    bound = request.method == "POST"
    form = ImportUploadForm(request.POST if bound else None, request.FILES if bound else None)
    if bound and form.is_valid():
        try:
            stored = parse.import_file_store(upload=form.cleaned_data["file"])
        except InventoryError as error:
            form.add_error("file", str(error))
        else:
            imports = request.session.get(SESSION_KEY, {})
            imports[stored.token] = {"name": stored.name, "filename": stored.filename}
            request.session[SESSION_KEY] = imports
            return redirect("inventory:product_import_review", token=stored.token)
    return render(
        request,
        "inventory/import_upload.html",
        {
            "form": form,
            "columns": _column_help(with_costs=can_see_costs(request.user)),
            "warehouses": selectors.export_warehouses(),
        },
    )


def _stored(request: HttpRequest, token: str) -> dict[str, str]:
    stored = request.session.get(SESSION_KEY, {}).get(token)
    if not stored:
        raise Http404
    return dict(stored)


def _forget(request: HttpRequest, token: str, *, keep_file: bool = False) -> None:
    imports = request.session.get(SESSION_KEY, {})
    stored = imports.pop(token, None)
    request.session[SESSION_KEY] = imports
    if stored and not keep_file:
        parse.import_file_discard(name=stored["name"])


@require_http_methods(["GET", "POST"])
@require_perm(*IMPORT_PERMS)
def product_import_review(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the dry run (nothing changes). POST: start the apply (everything in one
    transaction) as a background job and show its page."""
    stored = _stored(request, token)
    with_costs = can_see_costs(request.user)
    context: dict[str, Any] = {"token": token, "filename": stored["filename"]}
    try:
        header, rows = parse.read_table(name=stored["name"])
    except FileNotFoundError as error:
        _forget(request, token)
        raise Http404 from error
    except InventoryError as error:
        _forget(request, token)
        messages.error(request, str(error))
        return redirect("inventory:product_import")
    plan = planning.catalogue_import_plan(header=header, rows=rows, with_costs=with_costs)
    context["plan"] = plan
    if request.method == "POST":
        if not plan.ok:
            context["failed"] = _("The file has errors; nothing was changed.")
        else:
            # The apply (which checks everything again) runs in the background; the file
            # stays until it succeeds.
            job = background.catalogue_import_start(
                owner_id=request.user.pk,
                stored=parse.StoredImport(
                    token=token, name=stored["name"], filename=stored["filename"]
                ),
                with_costs=with_costs,
            )
            _forget(request, token, keep_file=True)
            return job_page_redirect(job)
    context["errors"] = plan.errors[:MAX_ERRORS_SHOWN]
    context["hidden_errors"] = max(0, len(plan.errors) - MAX_ERRORS_SHOWN)
    return render(request, "inventory/import_review.html", context)


@require_POST
@require_perm(*IMPORT_PERMS)
def product_import_discard(request: HttpRequest, token: str) -> HttpResponse:
    _stored(request, token)
    _forget(request, token)
    messages.success(request, _("The uploaded file was discarded."))
    return redirect("inventory:product_import")


def _column_help(*, with_costs: bool) -> list[tuple[str, str]]:
    rates = ", ".join(format(rate.normalize(), "f") for rate in vat_rates())
    columns = [
        ("product_id", _("Our product number; empty for a new product.")),
        ("product_name", _("Required. Rows of a new product share its name.")),
        ("category", _("Path such as “Fashion / Shirts”; missing categories are created.")),
        ("brand", _("Missing brands are created.")),
        ("description", _("Text.")),
        ("specifications", _("One “Name: Value” per line.")),
        ("product_active", _("1 or 0.")),
        (
            "option1_name … option3_value",
            _("Option names (same on every row of a product) and the values of this variant."),
        ),
        ("sku", _("Required; matches existing variants (upper or lower case alike).")),
        ("barcode", _("Unique when set.")),
        ("cost_price", _("Before VAT, e.g. 150000 or 150.000.")),
        (
            "vat_category",
            _(
                "How VAT applies: rate (a VAT rate), kct (not subject to VAT) or kkknt "
                "(VAT not declared). Blank: unchanged; a new variant: rate."
            ),
        ),
        ("vat_rate", _("Percent: %(rates)s. 0 or blank for kct and kkknt.") % {"rates": rates}),
        ("sale_price", _("Including VAT.")),
        ("weight_grams, length_cm, width_cm, height_cm", _("Shipping defaults, whole numbers.")),
        ("low_stock_threshold", _("Whole number.")),
        ("preferred_supplier", _("Supplier name; must exist.")),
        ("variant_active", _("1 or 0.")),
        (
            "stock:CODE",
            _(
                "On hand wanted in that warehouse; the difference is recorded as an "
                "adjustment. Empty: unchanged."
            ),
        ),
    ]
    return [c for c in columns if with_costs or c[0] not in selectors.COST_COLUMNS]
