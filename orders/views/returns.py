"""The return / exchange page of a shipped or completed order (orders.services.returns).

One form: per shipped line the units that came back in good condition and damaged, and the
warehouse they go to; the reason; an optional refund, suggested from the returned units' net
prices (orders.selectors.order_detail.refund_suggestion; the page asks return_refund_suggestion
again as quantities change, and static/js/order_detail.js fills the amount unless staff typed
one); optional replacement products picked with the phone order page's variant search
(orders:order_form_variants) that become a linked exchange order. All or nothing: a refused
return changes nothing and the form comes back with the error.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from common.auth import require_perm
from common.money import money_input
from inventory.models import Warehouse
from orders import transitions as t
from orders.errors import OrderError
from orders.forms_detail import (
    ExchangeLineFormSet,
    ReturnForm,
    ReturnLineForm,
    exchange_lines_from,
    local_today,
    moment_of,
    return_warehouses,
)
from orders.models import Order, PaymentMethod, ReturnCondition
from orders.selectors.order_detail import RefundSuggestion, refund_suggestion, return_form_lines
from orders.services.orders.core import state_error
from orders.services.returns import RefundInput, ReturnLineInput, return_create

EXCHANGE_PREFIX = "exchange"


@require_http_methods(["GET", "POST"])
@require_perm("orders.add_return")
def return_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        order, lines = return_form_lines(order_id=pk)
    except Order.DoesNotExist:
        raise Http404 from None
    if not t.can(order.status, t.RETURN):
        messages.error(
            request, str(state_error(number=order.number, status=order.status, action=t.RETURN))
        )
        return redirect("orders:order_detail", pk)

    data = request.POST if request.method == "POST" else None
    warehouses = return_warehouses(include_id=order.warehouse_id)
    form = ReturnForm(
        data,
        currency=order.currency,
        initial={
            "refunded_at": local_today(),
            # money goes back the way it came, except cash collected by the carrier
            "refund_method": ""
            if order.payment_method == PaymentMethod.COD
            else order.payment_method,
        },
    )
    line_forms = [
        ReturnLineForm(
            data, line=line, warehouses=warehouses, default_warehouse_id=order.warehouse_id
        )
        for line in lines
        if line.quantity_returnable > 0
    ]
    exchange = ExchangeLineFormSet(data, prefix=EXCHANGE_PREFIX)

    if data is not None:
        valid = form.is_valid()
        valid = all([f.is_valid() for f in line_forms]) and valid
        valid = exchange.is_valid() and valid
        if valid:
            result = _create(request, order, form, line_forms, exchange_lines_from(exchange))
            if result is not None:
                return result
    suggestion = refund_suggestion(
        order=order, lines=lines, returning={f.line.pk: f.returning for f in line_forms}
    )
    return render(
        request,
        "orders/return_form.html",
        _context(order, form, line_forms, exchange, suggestion),
        status=200,
    )


@require_GET
@require_perm("orders.add_return")
def return_refund_suggestion(request: HttpRequest, pk: int) -> HttpResponse:
    """The suggested refund for the quantities typed on the return page (?line-<id>-good=..&
    line-<id>-damaged=..): the page's refund-suggestion partial. A quantity the form refuses
    counts as 0 here; the page shows the error when it is posted."""
    try:
        order, lines = return_form_lines(order_id=pk)
    except Order.DoesNotExist:
        raise Http404 from None
    line_forms = [
        ReturnLineForm(
            request.GET, line=line, warehouses=Warehouse.objects.none(), default_warehouse_id=None
        )
        for line in lines
        if line.quantity_returnable > 0
    ]
    suggestion = refund_suggestion(
        order=order, lines=lines, returning={f.line.pk: f.returning for f in line_forms}
    )
    return render(
        request,
        "orders/return_form.html#refund-suggestion",
        {
            "order": order,
            "suggestion": suggestion,
            "suggested_input": money_input(suggestion.suggested, order.currency),
        },
    )


def _create(
    request: HttpRequest,
    order: Order,
    form: ReturnForm,
    line_forms: list[ReturnLineForm],
    exchange_lines: list[Any],
) -> HttpResponse | None:
    data = form.cleaned_data
    refund = None
    if data.get("refund_amount"):
        refund = RefundInput(
            amount=data["refund_amount"],
            method=data["refund_method"],
            refunded_at=moment_of(data.get("refunded_at")),
            reference=data.get("refund_reference", ""),
        )
    try:
        order_return = return_create(
            order_id=order.pk,
            lines=[
                ReturnLineInput(
                    order_line_id=f.line.pk,
                    quantity=f.cleaned_data[condition],
                    condition=condition,
                    warehouse_id=f.cleaned_data["warehouse"].pk
                    if f.cleaned_data.get("warehouse")
                    else None,
                )
                for f in line_forms
                for condition in (ReturnCondition.GOOD, ReturnCondition.DAMAGED)
                if f.cleaned_data[condition]
            ],
            user_id=request.user.pk,
            reason=data.get("reason", ""),
            refund=refund,
            exchange_lines=exchange_lines or None,
        )
    except OrderError as error:
        form.add_error(None, str(error))
        return None
    if order_return.exchange_order is not None:
        messages.success(
            request,
            _("Return %(number)s recorded; exchange order %(exchange)s created.")
            % {"number": order_return.number, "exchange": order_return.exchange_order.number},
        )
    else:
        messages.success(
            request, _("Return %(number)s recorded.") % {"number": order_return.number}
        )
    return redirect("orders:order_detail", order.pk)


def _context(
    order: Order,
    form: ReturnForm,
    line_forms: list[ReturnLineForm],
    exchange: Any,
    suggestion: RefundSuggestion,
) -> dict[str, Any]:
    return {
        "order": order,
        "form": form,
        "line_forms": line_forms,
        "exchange": exchange,
        "suggestion": suggestion,
        "suggested_input": money_input(suggestion.suggested, order.currency),
        "refundable": order.paid_amount - order.refunded_amount,
    }
