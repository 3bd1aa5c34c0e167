"""Suppliers: the list and the form."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from common.auth import require_perm
from common.forms import valid_values
from common.pagination import render_list_page
from inventory.errors import InventoryError
from inventory.forms_purchasing import SupplierFilterForm, SupplierForm
from inventory.models import Supplier
from inventory.selectors import purchasing as selectors
from inventory.services.suppliers import supplier_save


@require_GET
@require_perm("inventory.view_supplier")
def supplier_list(request: HttpRequest) -> HttpResponse:
    form = SupplierFilterForm(request.GET or None)
    filters = valid_values(form)
    suppliers = selectors.supplier_list(q=filters.get("q", ""), active=filters.get("active", ""))
    return render_list_page(
        request, suppliers, "inventory/supplier_list.html", {"form": form}, partial="supplier-table"
    )


@require_http_methods(["GET", "POST"])
@require_perm("inventory.add_supplier")
def supplier_create(request: HttpRequest) -> HttpResponse:
    return _supplier_form(request, None)


@require_http_methods(["GET", "POST"])
@require_perm("inventory.change_supplier")
def supplier_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _supplier_form(request, get_object_or_404(Supplier, pk=pk))


def _supplier_form(request: HttpRequest, supplier: Supplier | None) -> HttpResponse:
    form = SupplierForm(request.POST or None, instance=supplier)
    if request.method == "POST" and form.is_valid():
        try:
            saved = supplier_save(supplier=supplier, data=form.cleaned_data)
        except InventoryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Supplier %(name)s saved.") % {"name": saved.name})
            return redirect("inventory:supplier_list")
    return render(request, "inventory/supplier_form.html", {"form": form, "supplier": supplier})
