from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.auth import require_perm
from common.users import ambiguous_user_ids
from inventory.forms import WarehouseForm
from inventory.models import Warehouse
from inventory.selectors import warehouses as selectors
from inventory.services import warehouses as services


@require_perm("inventory.view_warehouse")
def warehouse_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "inventory/warehouse_list.html",
        {"warehouses": selectors.warehouse_list(), "ambiguous_user_ids": ambiguous_user_ids()},
    )


@require_http_methods(["GET", "POST"])
@require_perm("inventory.add_warehouse")
def warehouse_create(request: HttpRequest) -> HttpResponse:
    return _warehouse_form(request, None)


@require_http_methods(["GET", "POST"])
@require_perm("inventory.change_warehouse")
def warehouse_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _warehouse_form(request, get_object_or_404(Warehouse, pk=pk))


def _warehouse_form(request: HttpRequest, warehouse: Warehouse | None) -> HttpResponse:
    form = WarehouseForm(request.POST or None, instance=warehouse)
    if request.method == "POST" and form.is_valid():
        saved = services.warehouse_save(warehouse=warehouse, data=form.cleaned_data)
        messages.success(request, _("Warehouse %(code)s saved.") % {"code": saved.code})
        return redirect("inventory:warehouse_list")
    return render(
        request,
        "inventory/warehouse_form.html",
        {"form": form, "warehouse": warehouse},
    )
