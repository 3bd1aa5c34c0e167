from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.auth import require_perm
from common.forms import parse_query, pk_or_none
from common.htmx import render_partial_or_page
from common.pagination import paginate, render_list_page, request_page
from inventory.errors import InventoryError
from inventory.forms_stock import (
    LedgerFilterForm,
    StockAdjustForm,
    StockFilterForm,
    ThresholdForm,
)
from inventory.models import Variant
from inventory.selectors import stock as selectors
from inventory.services.stock import Source, stock_adjust
from inventory.services.warehouses import stock_level_set_threshold


@require_perm("inventory.view_stocklevel")
def stock_overview(request: HttpRequest) -> HttpResponse:
    parsed = parse_query(StockFilterForm, request.GET)
    filters = parsed.values
    levels = selectors.stock_levels(
        q=filters["q"],
        warehouse_id=pk_or_none(filters["warehouse"]),
        category_id=pk_or_none(filters["category"]),
        brand_id=pk_or_none(filters["brand"]),
        state=filters["state"],
    )
    context = {"form": parsed.form}
    return render_list_page(
        request, levels, "inventory/stock_overview.html", context, partial="stock-table"
    )


@require_perm("inventory.view_stockmovement")
def variant_ledger(request: HttpRequest, variant_id: int) -> HttpResponse:
    variant = get_object_or_404(Variant.objects.select_related("product"), pk=variant_id)
    parsed = parse_query(LedgerFilterForm, request.GET)
    warehouse_id = pk_or_none(parsed.values["warehouse"])
    movements = selectors.variant_movements(variant_id=variant.pk, warehouse_id=warehouse_id)
    page = request_page(request, movements)
    context = {
        "variant": variant,
        "levels": selectors.variant_stock(variant_id=variant.pk),
        "page": page,
        "warehouse_id": warehouse_id,
        "form": parsed.form,
        "adjust_form": StockAdjustForm(),
    }
    return render_partial_or_page(
        request,
        "inventory/variant_ledger.html",
        context,
        partial="ledger-table",
        target="ledger-table",
    )


@require_POST
@require_perm("inventory.add_stockmovement")
def variant_adjust(request: HttpRequest, variant_id: int) -> HttpResponse:
    variant = get_object_or_404(Variant.objects.select_related("product"), pk=variant_id)
    form = StockAdjustForm(request.POST)
    if form.is_valid():
        try:
            stock_adjust(
                variant_id=variant.pk,
                warehouse_id=form.cleaned_data["warehouse"].pk,
                delta=form.cleaned_data["delta"],
                reason=form.cleaned_data["reason"],
                user_id=request.user.pk,
                source=Source("manual", str(request.user.pk), _("Manual adjustment")),
            )
        except InventoryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Stock of %(sku)s corrected by %(delta)+d.")
                % {"sku": variant.sku, "delta": form.cleaned_data["delta"]},
            )
            return redirect(reverse("inventory:variant_ledger", args=[variant.pk]))
    context = {
        "variant": variant,
        "levels": selectors.variant_stock(variant_id=variant.pk),
        "page": paginate(selectors.variant_movements(variant_id=variant.pk), page=1),
        "warehouse_id": None,
        "adjust_form": form,
    }
    return render(request, "inventory/variant_ledger.html", context)


@require_POST
@require_perm("inventory.change_stocklevel")
def variant_threshold(request: HttpRequest, variant_id: int) -> HttpResponse:
    """Set the low-stock threshold of this variant in one warehouse (blank: the variant's)."""
    variant = get_object_or_404(Variant, pk=variant_id)
    form = ThresholdForm(request.POST)
    if form.is_valid():
        warehouse = form.cleaned_data["warehouse"]
        stock_level_set_threshold(
            variant_id=variant.pk,
            warehouse_id=warehouse.pk,
            threshold=form.cleaned_data["threshold"],
        )
        messages.success(
            request,
            _("Low-stock threshold of %(sku)s in %(warehouse)s saved.")
            % {"sku": variant.sku, "warehouse": warehouse.code},
        )
    else:
        messages.error(request, _("Enter a whole number of units, or leave it empty."))
    return redirect(reverse("inventory:variant_ledger", args=[variant.pk]))
