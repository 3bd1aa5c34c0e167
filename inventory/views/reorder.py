"""Reorder suggestions: the page, drafting purchase orders from it, assigning suppliers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.auth import require_perm
from common.htmx import is_htmx, render_partial_or_page
from inventory.errors import InventoryError
from inventory.forms_purchasing import AssignSupplierForm, ReorderDraftForm
from inventory.models import PurchaseOrder
from inventory.permissions import can_see_costs
from inventory.selectors import purchasing as selectors
from inventory.services import purchasing as services


def _reorder_context(
    request: HttpRequest, draft_form: ReorderDraftForm | None = None, **extra: Any
) -> dict[str, Any]:
    if draft_form is None:
        draft_form = ReorderDraftForm(initial={"warehouse": selectors.default_warehouse()})
    can_assign = request.user.has_perm("inventory.change_variant")
    return {
        "with_costs": can_see_costs(request.user),
        "plan": selectors.reorder_suggestions(),
        "draft_form": draft_form,
        "can_assign": can_assign,
        "suppliers": list(selectors.supplier_choices()) if can_assign else [],
        "currency": settings.SHOP_CURRENCY,
        **extra,
    }


def _reorder_page(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    return render_partial_or_page(
        request, "inventory/reorder_suggestions.html", context, partial="reorder-plan"
    )


@require_GET
@require_perm("inventory.view_purchaseorder")
def reorder_suggestions(request: HttpRequest) -> HttpResponse:
    return _reorder_page(request, _reorder_context(request))


@require_POST
@require_perm("inventory.add_purchaseorder")
def reorder_create_drafts(request: HttpRequest) -> HttpResponse:
    form = ReorderDraftForm(request.POST)
    created: list[PurchaseOrder] = []
    if form.is_valid():
        supplier = form.cleaned_data.get("supplier")
        try:
            created = services.reorder_create_drafts(
                warehouse_id=form.cleaned_data["warehouse"].pk,
                user_id=request.user.pk,
                supplier_ids=[supplier] if supplier else None,
            )
        except InventoryError as error:
            messages.error(request, str(error))
        else:
            if created:
                messages.success(
                    request,
                    _("Draft purchase orders created: %(numbers)s.")
                    % {"numbers": ", ".join(o.number for o in created)},
                )
            else:
                messages.warning(
                    request,
                    _("Nothing to draft: the suggestions are covered by draft orders already."),
                )
    else:
        messages.error(request, _("Choose the warehouse the goods go to."))
    if not is_htmx(request):
        return redirect("inventory:reorder_suggestions")
    context = _reorder_context(request, None if form.is_valid() else form, created=created)
    return _reorder_page(request, context)


@require_POST
@require_perm("inventory.view_purchaseorder", "inventory.change_variant")
def reorder_assign_supplier(request: HttpRequest) -> HttpResponse:
    form = AssignSupplierForm(request.POST)
    if form.is_valid():
        try:
            services.variant_set_preferred_supplier(
                variant_ids=[form.cleaned_data["variant"]],
                supplier_id=form.cleaned_data["supplier"].pk,
            )
        except InventoryError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Preferred supplier set to %(name)s.")
                % {"name": form.cleaned_data["supplier"].name},
            )
    else:
        messages.error(request, _("Choose a supplier."))
    if not is_htmx(request):
        return redirect("inventory:reorder_suggestions")
    return _reorder_page(request, _reorder_context(request))
