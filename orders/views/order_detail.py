"""The order detail page and its actions: confirm, ship, complete, cancel, record a payment,
add a note, and draft purchase orders for a confirm that ran short of stock.

Actions are POSTs. Through htmx they answer with the page body (`#order-body`) re-rendered,
the toast coming from the messages middleware; without JavaScript they redirect back to the
page (or render it with the error). A domain error (OrderError, whose text is already a
translated sentence) is shown on the page and nothing changes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.auth import require_perm
from common.htmx import is_htmx, render_partial_or_page
from common.money import money_input
from common.templatetags.ui import money
from inventory.errors import InventoryError
from inventory.models import PurchaseOrder
from orders import transitions as t
from orders.errors import OrderError, OrderStockShort, Shortage
from orders.forms_detail import (
    CancelForm,
    CompleteForm,
    NoteForm,
    PaymentForm,
    ShortagePurchaseForm,
    local_today,
    moment_of,
)
from orders.models import Order, PaymentKind, PaymentMethod
from orders.panels import panels_for
from orders.selectors import order_detail as selectors
from orders.selectors.order_detail import OrderDetail
from orders.services.orders.edit import order_note_add
from orders.services.orders.payments import order_payment_record
from orders.services.orders.transitions import (
    order_cancel,
    order_complete,
    order_confirm,
    order_ship,
)
from orders.services.shortage import draft_po_for_shortage

# Each action of orders.transitions and the permission its button needs.
ACTION_PERMS: dict[str, str] = {
    t.CONFIRM: "orders.confirm_order",
    t.SHIP: "orders.ship_order",
    t.COMPLETE: "orders.complete_order",
    t.CANCEL: "orders.cancel_order",
    t.RETURN: "orders.add_return",
}


def _reverse_or_empty(name: str, pk: int) -> str:
    """The URL of a page another module provides, or "" while it does not exist."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _detail_or_404(pk: int) -> OrderDetail:
    try:
        return selectors.order_detail(order_id=pk)
    except Order.DoesNotExist:
        raise Http404 from None


def _allowed(request: HttpRequest, order: Order) -> list[str]:
    user = request.user
    return [a for a in t.allowed_actions(order.status) if user.has_perm(ACTION_PERMS[a])]


def _complete_initial(order: Order) -> dict[str, Any]:
    owed = order.total - order.paid_amount
    return {
        "amount": money_input(owed, order.currency) if owed > 0 else "",
        "paid_at": local_today(),
    }


def _payment_initial(order: Order) -> dict[str, Any]:
    owed = order.balance_due
    return {
        "kind": PaymentKind.COD_COLLECTED
        if order.payment_method == PaymentMethod.COD
        else PaymentKind.PAYMENT,
        "method": order.payment_method,
        "amount": money_input(owed, order.currency) if owed > 0 else "",
        "paid_at": local_today(),
    }


def _context(request: HttpRequest, detail: OrderDetail, **extra: Any) -> dict[str, Any]:
    order = detail.order
    user = request.user
    context: dict[str, Any] = {
        "detail": detail,
        "order": order,
        "actions": _allowed(request, order),
        "order_edit_url": (
            _reverse_or_empty("orders:order_edit", order.pk)
            if order.is_editable and user.has_perm("orders.change_order")
            else ""
        ),
        "customer_url": (
            _reverse_or_empty("orders:customer_detail", order.customer_id)
            if user.has_perm("orders.view_customer")
            else ""
        ),
        "is_cod": order.payment_method == PaymentMethod.COD,
        "complete_form": CompleteForm(initial=_complete_initial(order), currency=order.currency),
        "cancel_form": CancelForm(),
        "payment_form": PaymentForm(initial=_payment_initial(order), currency=order.currency),
        "note_form": NoteForm(),
        "open_form": "",
        "action_error": "",
    }
    context.update(extra)
    return context


def _render(
    request: HttpRequest, detail: OrderDetail, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = _context(request, detail, **extra)
    if not is_htmx(request):
        context["panels"] = panels_for("order", detail.order.pk, request.user)
    return render_partial_or_page(
        request, "orders/order_detail.html", context, partial="order-body", status=status
    )


def _done(request: HttpRequest, pk: int, message: str) -> HttpResponse:
    """After a successful action: the fresh body (htmx) or a redirect to the page."""
    messages.success(request, message)
    if is_htmx(request):
        return _render(request, _detail_or_404(pk))
    return redirect("orders:order_detail", pk)


def _failed(request: HttpRequest, pk: int, **extra: Any) -> HttpResponse:
    """After a refused action: the page as it is, with the error shown where it belongs."""
    return _render(request, _detail_or_404(pk), status=422 if is_htmx(request) else 200, **extra)


def _order_row(pk: int) -> tuple[str, str]:
    """(number, currency) of order `pk`, or 404."""
    row = Order.objects.filter(pk=pk).values_list("number", "currency").first()
    if row is None:
        raise Http404
    return row


# --- Page -------------------------------------------------------------------------------------


@require_GET
@require_perm("orders.view_order")
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render(request, _detail_or_404(pk))


# --- Status actions ---------------------------------------------------------------------------


def _shortage_context(order: Order, shortages: list[Shortage]) -> dict[str, Any]:
    return {
        "shortages": shortages,
        "shortage_unassigned": selectors.variants_without_supplier(
            variant_ids=[s.variant_id for s in shortages]
        ),
        "shortage_form": ShortagePurchaseForm(),
    }


@require_POST
@require_perm("orders.confirm_order")
def order_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    number, _currency = _order_row(pk)
    try:
        order_confirm(order_id=pk, user_id=request.user.pk)
    except OrderStockShort as short:
        detail = _detail_or_404(pk)
        return _render(
            request,
            detail,
            status=422 if is_htmx(request) else 200,
            **_shortage_context(detail.order, list(short.shortages)),
        )
    except OrderError as error:
        return _failed(request, pk, action_error=str(error))
    return _done(request, pk, _("Order %(number)s confirmed: stock reserved.") % {"number": number})


@require_POST
@require_perm("orders.ship_order")
def order_ship_view(request: HttpRequest, pk: int) -> HttpResponse:
    number, _currency = _order_row(pk)
    try:
        order_ship(order_id=pk, user_id=request.user.pk)
    except OrderError as error:
        return _failed(request, pk, action_error=str(error))
    return _done(request, pk, _("Order %(number)s marked shipped.") % {"number": number})


@require_POST
@require_perm("orders.complete_order")
def order_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    number, currency = _order_row(pk)
    form = CompleteForm(request.POST, currency=currency)
    if form.is_valid():
        try:
            order_complete(
                order_id=pk,
                user_id=request.user.pk,
                amount=form.cleaned_data["amount"],
                paid_at=moment_of(form.cleaned_data["paid_at"]),
                reference=form.cleaned_data["reference"],
            )
        except OrderError as error:  # shown above the page: the form may be gone with the action
            return _failed(request, pk, action_error=str(error))
        return _done(request, pk, _("Order %(number)s completed.") % {"number": number})
    return _failed(request, pk, complete_form=form, open_form="complete")


@require_POST
@require_perm("orders.cancel_order")
def order_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    number, _currency = _order_row(pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            order_cancel(order_id=pk, user_id=request.user.pk, reason=form.cleaned_data["reason"])
        except OrderError as error:  # shown above the page: the form may be gone with the action
            return _failed(request, pk, action_error=str(error))
        return _done(request, pk, _("Order %(number)s cancelled.") % {"number": number})
    return _failed(request, pk, cancel_form=form, open_form="cancel")


# --- Payments and notes -----------------------------------------------------------------------


@require_POST
@require_perm("orders.complete_order")
def order_payment_view(request: HttpRequest, pk: int) -> HttpResponse:
    _number, currency = _order_row(pk)
    form = PaymentForm(request.POST, currency=currency)
    if form.is_valid():
        data = form.cleaned_data
        try:
            payment = order_payment_record(
                order_id=pk,
                kind=data["kind"],
                amount=data["amount"],
                method=data["method"],
                paid_at=moment_of(data["paid_at"]),
                reference=data["reference"],
                user_id=request.user.pk,
            )
        except OrderError as error:
            form.add_error(None, str(error))
        else:
            message = (
                _("Refund of %(amount)s recorded.")
                if payment.kind == PaymentKind.REFUND
                else _("%(amount)s received and recorded.")
            )
            return _done(request, pk, message % {"amount": money(payment.amount, currency)})
    return _failed(request, pk, payment_form=form, open_form="payment")


@require_POST
@require_perm("orders.change_order")
def order_note_view(request: HttpRequest, pk: int) -> HttpResponse:
    _order_row(pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            order_note_add(order_id=pk, text=form.cleaned_data["text"], user_id=request.user.pk)
        except OrderError as error:
            form.add_error(None, str(error))
        else:
            return _done(request, pk, _("Note added."))
    return _failed(request, pk, note_form=form)


# --- Shortage -> draft purchase orders --------------------------------------------------------


@require_POST
@require_perm("orders.view_order", "inventory.add_purchaseorder")
def order_shortage_purchase(request: HttpRequest, pk: int) -> HttpResponse:
    """Draft purchase orders for the units the order is short of (orders.services.shortage)."""
    detail = _detail_or_404(pk)
    order = detail.order
    form = ShortagePurchaseForm(request.POST)
    created: list[PurchaseOrder] = []
    status = 200
    if form.is_valid():
        supplier = form.cleaned_data.get("supplier")
        try:
            created = draft_po_for_shortage(
                order_id=pk,
                user_id=request.user.pk,
                fallback_supplier_id=supplier.pk if supplier else None,
            )
        except (OrderError, InventoryError) as error:
            form.add_error(None, str(error))
            status = 422
        else:
            if created:
                messages.success(
                    request,
                    _("Draft purchase orders created: %(numbers)s.")
                    % {"numbers": ", ".join(po.number for po in created)},
                )
            else:
                messages.info(
                    request,
                    _("Nothing to order: draft purchase orders already cover the shortage."),
                )
    else:
        status = 422
    shortages = selectors.order_shortages(order=order, lines=detail.lines)
    context = _context(
        request,
        detail,
        **_shortage_context(order, shortages),
        shortage_created=created,
    )
    context["shortage_form"] = form if status != 200 else ShortagePurchaseForm()
    if is_htmx(request):
        return render(request, "orders/order_detail.html#order-shortage", context, status=status)
    if status == 200:
        return redirect(_reverse_purchase_orders(request, created) or order_url(pk))
    return render(request, "orders/order_detail.html", context, status=200)


def order_url(pk: int) -> str:
    return reverse("orders:order_detail", args=[pk])


def _reverse_purchase_orders(request: HttpRequest, created: list[PurchaseOrder]) -> str:
    """Without htmx, one draft created: open it (when allowed to see it)."""
    if len(created) == 1 and request.user.has_perm("inventory.view_purchaseorder"):
        return reverse("inventory:purchase_order_detail", args=[created[0].pk])
    return ""
