"""Catalogue export (CSV / Excel) and import: upload, dry run, apply."""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.auth import require_perm
from common.spreadsheets import CSV_TYPE, XLSX_TYPE
from inventory.errors import InventoryError
from inventory.forms_catalogue import ImportUploadForm
from inventory.permissions import can_see_costs
from inventory.selectors import catalogue as selectors
from inventory.services.imports import apply, export, parse
from inventory.services.imports import plan as planning

SESSION_KEY = "catalogue_imports"
MAX_ERRORS_SHOWN = 300
IMPORT_PERMS = ("inventory.add_product", "inventory.change_product", "inventory.add_stockmovement")


@require_GET
@require_perm("inventory.view_product")
def product_export(request: HttpRequest) -> HttpResponseBase:
    kind = request.GET.get("format", "csv")
    if kind not in ("csv", "xlsx"):
        raise Http404
    warehouses = selectors.export_warehouses()
    with_costs = can_see_costs(request.user)
    header = selectors.catalogue_export_header(warehouses=warehouses, with_costs=with_costs)
    rows = selectors.catalogue_export_rows(warehouses=warehouses, with_costs=with_costs)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if kind == "csv":
        response = StreamingHttpResponse(
            export.export_csv_lines(header=header, rows=rows),
            content_type=CSV_TYPE,
        )
        response["Content-Disposition"] = f'attachment; filename="catalogue-{stamp}.csv"'
        return response
    target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    export.export_xlsx(header=header, rows=rows, target=target)
    target.seek(0)
    return FileResponse(
        target,
        as_attachment=True,
        filename=f"catalogue-{stamp}.xlsx",
        content_type=XLSX_TYPE,
    )


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


def _forget(request: HttpRequest, token: str) -> None:
    imports = request.session.get(SESSION_KEY, {})
    stored = imports.pop(token, None)
    request.session[SESSION_KEY] = imports
    if stored:
        parse.import_file_discard(name=stored["name"])


@require_http_methods(["GET", "POST"])
@require_perm(*IMPORT_PERMS)
def product_import_review(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the dry run (nothing changes). POST: apply everything in one transaction."""
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
    if request.method == "POST":
        try:
            summary = apply.catalogue_import_apply(
                header=header,
                rows=rows,
                filename=stored["filename"],
                user_id=request.user.pk,
                reference=token[:16],
                with_costs=with_costs,
            )
        except apply.ImportInvalid as invalid:
            context.update(plan=invalid.plan, failed=str(invalid))
        except InventoryError as error:
            context.update(
                plan=planning.catalogue_import_plan(
                    header=header, rows=rows, with_costs=with_costs
                ),
                failed=str(error),
            )
        else:
            _forget(request, token)
            messages.success(
                request,
                _(
                    "Import %(file)s applied: %(pc)d products created, %(pu)d updated; "
                    "%(vc)d variants created, %(vu)d updated; %(sc)d stock adjustments."
                )
                % {
                    "file": stored["filename"],
                    "pc": summary.products_created,
                    "pu": summary.products_updated,
                    "vc": summary.variants_created,
                    "vu": summary.variants_updated,
                    "sc": summary.stock_changes,
                },
            )
            return redirect("inventory:product_list")
    else:
        context["plan"] = planning.catalogue_import_plan(
            header=header, rows=rows, with_costs=with_costs
        )
    plan = context["plan"]
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
        ("vat_rate", _("Percent, e.g. 10.")),
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
