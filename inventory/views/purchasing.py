"""Purchase orders: the list, an order and its PDF, the form with its live totals, and the
status actions. Suppliers, goods receipts and reorder suggestions have their own modules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from common.auth import require_perm
from common.forms import id_or_none, pk_or_none, valid_values
from common.htmx import is_htmx
from common.pagination import render_list_page
from common.pdf import pdf_file_response
from inventory import documents
from inventory.errors import InventoryError
from inventory.forms_purchasing import (
    PurchaseLineFormSet,
    PurchaseOrderCloseForm,
    PurchaseOrderFilterForm,
    PurchaseOrderForm,
    line_initial,
)
from inventory.models import PurchaseOrder, Variant
from inventory.permissions import VIEW_COSTS, can_see_costs
from inventory.selectors import purchasing as selectors
from inventory.services import purchasing as services

LINES_PREFIX = "lines"


def _to_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    url = reverse("inventory:purchase_order_detail", args=[order_id])
    return HttpResponseClientRedirect(url) if is_htmx(request) else redirect(url)


# --- Purchase orders --------------------------------------------------------------------------


@require_GET
@require_perm("inventory.view_purchaseorder")
def purchase_order_list(request: HttpRequest) -> HttpResponse:
    form = PurchaseOrderFilterForm(request.GET or None)
    filters = valid_values(form)
    orders = selectors.purchase_order_list(
        q=filters.get("q", ""),
        status=filters.get("status", ""),
        supplier_id=pk_or_none(filters.get("supplier")),
    )
    context = {"form": form, "with_costs": can_see_costs(request.user)}
    return render_list_page(
        request, orders, "inventory/purchase_order_list.html", context, partial="po-table"
    )


@require_GET
@require_perm("inventory.view_purchaseorder")
def purchase_order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = order_or_404(pk)
    with_costs = can_see_costs(request.user)
    return render(
        request,
        "inventory/purchase_order_detail.html",
        {
            "order": order,
            "rows": selectors.purchase_order_rows(order, with_costs=with_costs),
            "receipts": list(order.receipts.all()),
            "events": list(order.events.all()),
            "with_costs": with_costs,
            "actions": services.purchase_order_actions(order.status),
            "close_form": PurchaseOrderCloseForm(),
        },
    )


def order_or_404(pk: int) -> PurchaseOrder:
    try:
        return selectors.purchase_order_detail(order_id=pk)
    except PurchaseOrder.DoesNotExist:
        raise Http404 from None


@require_http_methods(["GET", "POST"])
@require_perm("inventory.add_purchaseorder", VIEW_COSTS)
def purchase_order_create(request: HttpRequest) -> HttpResponse:
    currency = settings.SHOP_CURRENCY
    if request.method == "POST":
        form = PurchaseOrderForm(request.POST)
        formset = PurchaseLineFormSet(
            request.POST, prefix=LINES_PREFIX, form_kwargs={"currency": currency}
        )
        if form.is_valid() and formset.is_valid():
            try:
                order = services.purchase_order_create(
                    data=_order_input(form, formset), user_id=request.user.pk
                )
            except InventoryError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Draft purchase order %(number)s created.") % {"number": order.number},
                )
                return redirect("inventory:purchase_order_detail", order.pk)
    else:
        initial: dict[str, Any] = {"warehouse": selectors.default_warehouse()}
        if id_or_none(request.GET.get("supplier")):
            initial["supplier"] = id_or_none(request.GET.get("supplier"))
        form = PurchaseOrderForm(initial=initial)
        formset = PurchaseLineFormSet(prefix=LINES_PREFIX, form_kwargs={"currency": currency})
    return _order_form_page(request, form, formset, order=None, currency=currency)


@require_http_methods(["GET", "POST"])
@require_perm("inventory.change_purchaseorder", VIEW_COSTS)
def purchase_order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    order = order_or_404(pk)
    if "edit" not in services.purchase_order_actions(order.status):
        messages.error(
            request,
            _("%(number)s is %(status)s: only a draft order can be changed.")
            % {"number": order.number, "status": order.get_status_display()},
        )
        return redirect("inventory:purchase_order_detail", order.pk)
    currency = order.currency
    if request.method == "POST":
        form = PurchaseOrderForm(request.POST, order=order)
        formset = PurchaseLineFormSet(
            request.POST, prefix=LINES_PREFIX, form_kwargs={"currency": currency}
        )
        if form.is_valid() and formset.is_valid():
            try:
                services.purchase_order_update(
                    order_id=order.pk, data=_order_input(form, formset), user_id=request.user.pk
                )
            except InventoryError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("%(number)s saved.") % {"number": order.number})
                return redirect("inventory:purchase_order_detail", order.pk)
    else:
        form = PurchaseOrderForm(
            order=order,
            initial={
                "supplier": order.supplier_id,
                "warehouse": order.warehouse_id,
                "expected_on": order.expected_on,
                "notes": order.notes,
            },
        )
        formset = PurchaseLineFormSet(
            prefix=LINES_PREFIX,
            form_kwargs={"currency": currency},
            initial=[
                line_initial(
                    variant_id=line.variant_id,
                    quantity=line.quantity,
                    unit_cost=line.unit_cost,
                    vat_rate=line.vat_rate,
                    currency=currency,
                )
                for line in order.lines.all()
            ],
        )
    return _order_form_page(request, form, formset, order=order, currency=currency)


def _order_input(form: PurchaseOrderForm, formset: Any) -> services.PurchaseOrderInput:
    data = form.cleaned_data
    return services.PurchaseOrderInput(
        supplier_id=data["supplier"].pk,
        warehouse_id=data["warehouse"].pk,
        expected_on=data.get("expected_on"),
        notes=data.get("notes", ""),
        lines=[
            services.PurchaseLineInput(
                variant_id=line["variant"],
                quantity=line["quantity"],
                unit_cost=line["unit_cost"],
                vat_rate=line["vat_rate"],
            )
            for line in formset.line_data()
        ],
    )


def _lines_context(formset: Any, currency: str) -> dict[str, Any]:
    totals, amounts = _preview(formset, currency)
    rows = [
        (index, line_form, variant, amounts.get(index))
        for index, (line_form, variant) in enumerate(formset.rows())
    ]
    return {
        "formset": formset,
        "rows": rows,
        "currency": currency,
        "totals": totals,
        "show_errors": formset.is_bound,
        "focus_picker": not rows,
    }


def _order_form_page(
    request: HttpRequest,
    form: PurchaseOrderForm,
    formset: Any,
    *,
    order: PurchaseOrder | None,
    currency: str,
) -> HttpResponse:
    context = {"form": form, "order": order, **_lines_context(formset, currency)}
    return render(request, "inventory/purchase_order_form.html", context)


def _preview(
    formset: Any, currency: str
) -> tuple[services.PurchaseTotals, dict[int, services.LineAmounts]]:
    """Totals of the rows valid so far (bound formset) or of the initial rows, and the
    amounts per row index."""
    lines: dict[int, tuple[int, Decimal, Decimal]] = {}
    for index, line_form in enumerate(formset.forms):
        if formset.is_bound:
            data = line_form.cleaned_data if line_form.is_valid() else None
        else:
            data = line_form.initial
        if not data:
            continue
        try:
            # Initial values are shown as staff type them ("20.000"): read them with the field.
            unit_cost = line_form.fields["unit_cost"].to_python(data["unit_cost"])
            lines[index] = (
                int(data["quantity"]),
                Decimal(str(unit_cost)),
                Decimal(str(data["vat_rate"])),
            )
        except (KeyError, TypeError, ValueError, ArithmeticError, ValidationError):
            continue
    totals = services.purchase_totals(lines=list(lines.values()), currency=currency)
    return totals, dict(zip(lines, totals.lines, strict=True))


def _currency_for(request: HttpRequest) -> str:
    """The shop currency, or that of the order being edited (?order=<pk>)."""
    if request.GET.get("order"):
        return get_object_or_404(PurchaseOrder, pk=id_or_none(request.GET["order"])).currency
    return str(settings.SHOP_CURRENCY)


@require_POST
@require_perm("inventory.view_purchaseorder", VIEW_COSTS)
def purchase_order_preview(request: HttpRequest) -> HttpResponse:
    """Totals and line amounts of the order form as typed so far (HTMX, on every change)."""
    currency = _currency_for(request)
    formset = PurchaseLineFormSet(
        request.POST, prefix=LINES_PREFIX, form_kwargs={"currency": currency}
    )
    totals, amounts = _preview(formset, currency)
    present = [i for i, f in enumerate(formset.forms) if f.add_prefix("variant") in request.POST]
    return render(
        request,
        "inventory/purchase_order_form.html#po-totals",
        {
            "totals": totals,
            "currency": currency,
            "line_amounts": [(i, amounts.get(i)) for i in present],
        },
    )


LINE_FIELDS = ("variant", "quantity", "unit_cost", "vat_rate")


@require_POST
@require_perm("inventory.view_purchaseorder", "inventory.view_variant", VIEW_COSTS)
def purchase_order_line(request: HttpRequest) -> HttpResponse:
    """The lines section again with the variant picked in the order form added (HTMX).

    Rows keep what was typed (errors are shown on save, not here) and are renumbered.
    """
    currency = _currency_for(request)
    posted = PurchaseLineFormSet(
        request.POST, prefix=LINES_PREFIX, form_kwargs={"currency": currency}
    )
    rows: list[dict[str, Any]] = []
    for line_form in posted.forms:
        raw = {name: request.POST.get(line_form.add_prefix(name), "") for name in LINE_FIELDS}
        if raw["variant"]:
            rows.append(raw)
    variant = (
        Variant.objects.select_related("product")
        .filter(pk=id_or_none(request.POST.get("add_variant")) or 0)
        .first()
    )
    if variant is not None and str(variant.pk) in {r["variant"] for r in rows}:
        messages.warning(
            request,
            _("%(sku)s is already on the order: change the quantity on its line.")
            % {"sku": variant.sku},
        )
    elif variant is not None:
        rows.append(
            line_initial(
                variant_id=variant.pk,
                quantity=1,
                unit_cost=variant.cost_price,
                vat_rate=variant.vat_rate,
                currency=currency,
            )
        )
    formset = PurchaseLineFormSet(
        prefix=LINES_PREFIX, form_kwargs={"currency": currency}, initial=rows
    )
    context = _lines_context(formset, currency)
    context["focus_picker"] = True
    return render(request, "inventory/purchase_order_form.html#po-lines", context)


@require_POST
@require_perm("inventory.change_purchaseorder")
def purchase_order_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        order = services.purchase_order_confirm(order_id=pk, user_id=request.user.pk)
    except InventoryError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(number)s confirmed.") % {"number": order.number})
    return _to_detail(request, pk)


@require_POST
@require_perm("inventory.change_purchaseorder")
def purchase_order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        order = services.purchase_order_cancel(order_id=pk, user_id=request.user.pk)
    except InventoryError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(number)s cancelled.") % {"number": order.number})
    return _to_detail(request, pk)


@require_POST
@require_perm("inventory.change_purchaseorder")
def purchase_order_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a partly received order short, with the reason typed in the detail page."""
    form = PurchaseOrderCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the order is closed short."))
        return _to_detail(request, pk)
    try:
        order = services.purchase_order_close(
            order_id=pk, reason=form.cleaned_data["reason"], user_id=request.user.pk
        )
    except InventoryError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(number)s closed short.") % {"number": order.number})
    return _to_detail(request, pk)


@require_GET
@require_perm("inventory.view_purchaseorder")
def purchase_order_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        pdf = documents.purchase_order_pdf(
            order_id=pk, with_costs=can_see_costs(request.user), language=get_language()
        )
    except PurchaseOrder.DoesNotExist:
        raise Http404 from None
    number = PurchaseOrder.objects.filter(pk=pk).values_list("number", flat=True).get()
    return pdf_file_response(pdf, filename=f"{number}.pdf")
