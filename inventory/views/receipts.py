"""Goods receipts: receiving a purchase order's goods, the list and a receipt."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from common.auth import require_perm
from common.forms import id_or_none, pk_or_none, valid_values
from common.money import money_input
from common.pagination import render_list_page
from inventory.errors import InventoryError
from inventory.forms_purchasing import ReceiptFilterForm, ReceiptForm, ReceiptLineFormSet
from inventory.models import GoodsReceipt, PurchaseOrder, PurchaseOrderLine
from inventory.permissions import can_see_costs
from inventory.selectors import purchasing as selectors
from inventory.services import purchasing as services
from inventory.views.purchasing import LINES_PREFIX, order_or_404


@require_http_methods(["GET", "POST"])
@require_perm("inventory.add_goodsreceipt")
def goods_receipt_create(request: HttpRequest, pk: int) -> HttpResponse:
    order = order_or_404(pk)
    # A POST goes to the service even on a received order: the same form sent again is answered
    # with its receipt, and a new one is refused there with the same sentence.
    if request.method == "GET" and "receive" not in services.purchase_order_actions(order.status):
        messages.error(
            request,
            _("%(number)s is %(status)s: goods can only be received on a confirmed order.")
            % {"number": order.number, "status": order.get_status_display()},
        )
        return redirect("inventory:purchase_order_detail", order.pk)
    open_lines = selectors.purchase_order_open_lines(order_id=order.pk)
    with_costs = can_see_costs(request.user)
    line_kwargs = {"currency": order.currency, "with_costs": with_costs}
    if request.method == "POST":
        form = ReceiptForm(request.POST, order=order)
        formset = ReceiptLineFormSet(request.POST, prefix=LINES_PREFIX, form_kwargs=line_kwargs)
        if form.is_valid() and formset.is_valid():
            now = timezone.now()
            try:
                receipt = services.goods_receipt_post(
                    order_id=order.pk,
                    warehouse_id=form.cleaned_data["warehouse"].pk,
                    lines=_receipt_lines(formset),
                    notes=form.cleaned_data["notes"],
                    user_id=request.user.pk,
                    token=form.cleaned_data["token"],
                    now=now,
                )
            except InventoryError as error:
                form.add_error(None, str(error))
            else:
                _say_posted(
                    request, receipt, now=now, warehouse=form.cleaned_data["warehouse"].code
                )
                return redirect("inventory:goods_receipt_detail", receipt.pk)
    else:
        form = ReceiptForm(order=order)
        formset = ReceiptLineFormSet(
            initial=_receipt_initial(order, open_lines),
            prefix=LINES_PREFIX,
            form_kwargs=line_kwargs,
        )
    by_id = {line.pk: line for line in open_lines}
    rows = [(f, by_id.get(id_or_none(f["order_line"].value()) or 0)) for f in formset.forms]
    return render(
        request,
        "inventory/receipt_form.html",
        {"order": order, "form": form, "formset": formset, "rows": rows, "with_costs": with_costs},
    )


def _receipt_initial(
    order: PurchaseOrder, open_lines: list[PurchaseOrderLine]
) -> list[dict[str, object]]:
    """The form starts with every open unit of every line, at the order's unit cost."""
    return [
        {
            "order_line": line.pk,
            "quantity": line.quantity_open,
            "unit_cost": money_input(line.unit_cost, order.currency),
        }
        for line in open_lines
    ]


def _receipt_lines(formset: Any) -> list[services.ReceiptLineInput]:
    return [
        services.ReceiptLineInput(
            order_line_id=f.cleaned_data["order_line"],
            quantity=f.cleaned_data["quantity"],
            unit_cost=f.cleaned_data.get("unit_cost"),  # None: the order's
        )
        for f in formset.forms
        if f.cleaned_data
    ]


def _say_posted(
    request: HttpRequest, receipt: GoodsReceipt, *, now: datetime, warehouse: str
) -> None:
    if receipt.received_at != now:  # the form's token found an earlier receipt
        messages.info(
            request,
            _(
                "Goods receipt %(number)s was already posted from this form; "
                "nothing was received again."
            )
            % {"number": receipt.number},
        )
    else:
        messages.success(
            request,
            _("Goods receipt %(number)s posted: stock of %(warehouse)s raised.")
            % {"number": receipt.number, "warehouse": warehouse},
        )


@require_GET
@require_perm("inventory.view_goodsreceipt")
def goods_receipt_list(request: HttpRequest) -> HttpResponse:
    form = ReceiptFilterForm(request.GET or None)
    filters = valid_values(form)
    receipts = selectors.receipt_list(
        with_costs=can_see_costs(request.user),
        q=filters.get("q", ""),
        warehouse_id=pk_or_none(filters.get("warehouse")),
        supplier_id=pk_or_none(filters.get("supplier")),
    )
    context = {"form": form, "with_costs": can_see_costs(request.user)}
    return render_list_page(
        request, receipts, "inventory/receipt_list.html", context, partial="receipt-table"
    )


@require_GET
@require_perm("inventory.view_goodsreceipt")
def goods_receipt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        receipt = selectors.receipt_detail(receipt_id=pk)
    except GoodsReceipt.DoesNotExist:
        raise Http404 from None
    context = {"receipt": receipt, "with_costs": can_see_costs(request.user)}
    return render(request, "inventory/receipt_detail.html", context)
