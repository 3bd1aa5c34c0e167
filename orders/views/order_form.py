"""The fast manual order page (phone, Facebook, chat orders) and the same page editing an order.

One screen, keyboard first: phone search -> customer, product search -> lines, Ctrl+Enter saves.
The browser never computes money: every change posts the form to `order_form_totals`, which
answers with the totals (orders.services.amounts.order_amounts) and each line's total and stock
as out-of-band swaps.

A new customer typed inline is created on save, in the same transaction as the order: if the
order is refused (no stock rule, a bad price, a wrong address...), no customer is left behind,
and a caller who hangs up before the order is taken leaves no half-typed customer either.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from common.auth import require_perm
from common.forms import id_or_none, parse_query
from orders import transitions as t
from orders.errors import OrderError, OrderStockShort
from orders.forms_invoice import InvoiceRequestForm, request_initial
from orders.forms_order import (
    ADDRESS_KEEP,
    ADDRESS_NEW,
    MODE_EXISTING,
    MODE_NEW,
    LineRow,
    NewCustomerPrefill,
    OrderForm,
    edit_initial,
    money_or_zero_lenient,
    rows_for_lines,
)
from orders.models import Channel, Customer, Order, PaymentMethod
from orders.selectors import order_form as selectors
from orders.services.invoice_requests import InvoiceDetailsInvalid
from orders.services.manual import order_save_manual
from orders.services.orders.core import state_error
from orders.services.orders.transitions import order_confirm
from orders.views.order_form_preview import line_preview, reserving

TEMPLATE = "orders/order_form.html"
SESSION_WAREHOUSE = "orders.order_form.warehouse"


@require_http_methods(["GET", "POST"])
@require_perm("orders.add_order")
def order_create(request: HttpRequest) -> HttpResponse:
    """A manual order: customer by phone (or new), address, lines, Ctrl+Enter to save."""
    currency = str(settings.SHOP_CURRENCY)
    if request.method == "POST":
        return _submit(request, edited=None, currency=currency)
    form = _form(request, edited=None, currency=currency, initial=_create_initial(request))
    invoice = InvoiceRequestForm(initial=request_initial(None))
    return _page(request, form=form, invoice=invoice, rows=[], edited=None, currency=currency)


@require_http_methods(["GET", "POST"])
@require_perm("orders.change_order")
def order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The same page for a new or processing order; saving calls order_update."""
    edited = selectors.order_for_form(order_id=pk)
    if edited is None:
        raise Http404
    order = edited.order
    if not order.is_editable:
        messages.error(
            request, str(state_error(number=order.number, status=order.status, action="edit"))
        )
        return redirect(reverse("orders:order_detail", args=[order.pk]))
    if request.method == "POST":
        return _submit(request, edited=edited, currency=order.currency)
    form = _form(request, edited=edited, currency=order.currency, initial=edit_initial(order))
    invoice = InvoiceRequestForm(
        initial=request_initial(selectors.invoice_request_for_form(order_id=order.pk))
    )
    rows = rows_for_lines(edited.lines.values(), currency=order.currency)
    return _page(
        request, form=form, invoice=invoice, rows=rows, edited=edited, currency=order.currency
    )


def _submit(
    request: HttpRequest, *, edited: selectors.EditedOrder | None, currency: str
) -> HttpResponse:
    """Save the posted page: on to the order, or the page again with what was refused."""
    form = _form(request, edited=edited, currency=currency, data=request.POST)
    invoice = InvoiceRequestForm(request.POST)
    rows = form.posted_lines(request.POST, editing=edited is not None)
    order = _save(request, form=form, invoice=invoice, rows=rows, edited=edited)
    if order is not None:
        return redirect(reverse("orders:order_detail", args=[order.pk]))
    return _page(request, form=form, invoice=invoice, rows=rows, edited=edited, currency=currency)


def _create_initial(request: HttpRequest) -> dict[str, Any]:
    """A new order: by phone, COD, from the warehouse last used; ?customer= picks a known
    customer, ?new_name=... types a new one in."""
    initial: dict[str, Any] = {
        "channel": Channel.PHONE,
        "payment_method": PaymentMethod.COD,
        "warehouse": selectors.form_default_warehouse_id(
            last_used_id=id_or_none(request.session.get(SESSION_WAREHOUSE))
        ),
        "customer_mode": MODE_EXISTING,
        "customer": id_or_none(request.GET.get("customer")),
        "save_address": True,
    }
    prefill = parse_query(NewCustomerPrefill, request.GET).values
    if initial["customer"] is None and prefill["new_name"].strip():
        # A new customer typed in already: created on save, with the order, or never.
        initial.update(customer_mode=MODE_NEW, **prefill)
    return initial


def _address_choice(customer: Customer, choice: str, *, editing: bool) -> str:
    """The delivery address radio to check for `customer`: the posted choice while it is
    valid, else the order's own address (edit), the default one, or a new one."""
    ids = {str(a.pk) for a in getattr(customer, "address_list", [])}
    if choice in ids or choice == ADDRESS_NEW or (choice == ADDRESS_KEEP and editing):
        return choice
    if editing:
        return ADDRESS_KEEP
    default = getattr(customer, "default_address", None)
    return str(default.pk) if default is not None else ADDRESS_NEW


def _form(
    request: HttpRequest,
    *,
    edited: selectors.EditedOrder | None,
    currency: str,
    data: Any = None,
    initial: dict[str, Any] | None = None,
) -> OrderForm:
    order = edited.order if edited else None
    return OrderForm(
        data,
        initial=initial,
        currency=currency,
        warehouses=selectors.form_warehouses(include_id=order.warehouse_id if order else None),
        channel=order.channel if order else "",
        payment_method=order.payment_method if order else "",
    )


@dataclass(frozen=True)
class _Shown:
    """What the page shows besides the form's own fields: as posted, or as the order stands."""

    warehouse_id: int | None
    mode: str
    customer_id: int | None
    address_choice: str
    discount_total: Decimal
    shipping_fee: Decimal


def _shown(request: HttpRequest, form: OrderForm, order: Order | None, currency: str) -> _Shown:
    if form.is_bound:
        data = form.data
        mode = data.get("customer_mode") or MODE_EXISTING
        return _Shown(
            warehouse_id=id_or_none(data.get("warehouse")),
            mode=mode,
            customer_id=id_or_none(data.get("customer")) if mode == MODE_EXISTING else None,
            address_choice=data.get("address") or "",
            discount_total=money_or_zero_lenient(data.get("discount_total"), currency=currency),
            shipping_fee=money_or_zero_lenient(data.get("shipping_fee"), currency=currency),
        )
    return _Shown(
        warehouse_id=form.initial.get("warehouse"),
        mode=form.initial.get("customer_mode") or MODE_EXISTING,
        # ?customer=<id>: a new order for a known customer (from the customer page or a
        # contact request turned into a sale).
        customer_id=order.customer_id if order else id_or_none(request.GET.get("customer")),
        address_choice=ADDRESS_KEEP if order else "",
        discount_total=order.discount_total if order else Decimal(0),
        shipping_fee=order.shipping_fee if order else Decimal(0),
    )


def _page(
    request: HttpRequest,
    *,
    form: OrderForm,
    invoice: InvoiceRequestForm,
    rows: list[LineRow],
    edited: selectors.EditedOrder | None,
    currency: str,
) -> HttpResponse:
    order = edited.order if edited else None
    shown = _shown(request, form, order, currency)
    customer = selectors.customer_for_form(customer_id=shown.customer_id)
    if customer is not None:
        customer.address_choice = _address_choice(  # type: ignore[attr-defined]
            customer, shown.address_choice, editing=order is not None
        )
    preview = line_preview(
        rows,
        warehouse_id=shown.warehouse_id,
        edited=edited,
        discount_total=shown.discount_total,
        shipping_fee=shown.shipping_fee,
        currency=currency,
    )
    user = request.user
    context = {
        "form": form,
        "invoice_form": invoice,
        "order": order,
        "customer": customer,
        "mode": MODE_NEW if shown.mode == MODE_NEW else MODE_EXISTING,
        "lines": preview.lines,
        "preview": preview,
        "currency": currency,
        "warehouse_code": selectors.warehouse_code(warehouse_id=shown.warehouse_id),
        "show_errors": form.is_bound,
        "errors": (
            [preview.error]
            if preview.error and preview.error not in form.non_field_errors()
            else []
        ),
        "reserving": reserving(edited),
        "can_add_customer": user.has_perm("orders.add_customer"),
        "can_save_address": user.has_perm("orders.change_customer"),
        "can_confirm": user.has_perm("orders.confirm_order")
        and (order is None or order.status == t.NEW),
    }
    return render(request, TEMPLATE, context)


def _save(
    request: HttpRequest,
    *,
    form: OrderForm,
    invoice: InvoiceRequestForm,
    rows: list[LineRow],
    edited: selectors.EditedOrder | None,
) -> Order | None:
    """Create or update the order (and the new customer, the new address) in one transaction;
    on any error nothing is saved, the error goes on the form and None is returned."""
    valid = form.is_valid()
    if not invoice.is_valid():
        form.add_error(None, _("Correct the e-invoice details."))
    if any(row.errors for row in rows):
        form.add_error(None, _("Correct the lines marked in red."))
        return None
    if not valid or form.errors:
        return None
    if not rows:
        form.add_error(None, _("Add at least one line."))
        return None
    data = form.cleaned_data
    user = request.user
    try:
        order = order_save_manual(
            data=replace(
                form.manual_order(rows, editing=edited is not None), invoice=invoice.details()
            ),
            user_id=user.pk,
            order_id=edited.order.pk if edited else None,
            may_add_customer=user.has_perm("orders.add_customer"),
            may_save_address=user.has_perm("orders.change_customer"),
        )
    except InvoiceDetailsInvalid as error:
        invoice.add_service_errors(error)
        form.add_error(None, _("Correct the e-invoice details."))
        return None
    except OrderError as error:
        form.add_error(None, str(error))
        return None
    request.session[SESSION_WAREHOUSE] = data["warehouse"].pk
    if edited is None:
        messages.success(request, _("Order %(number)s created.") % {"number": order.number})
    else:
        messages.success(request, _("Order %(number)s saved.") % {"number": order.number})
    if request.POST.get("action") == "confirm" and order.status == t.NEW:
        _confirm(request, order)
    return order


def _confirm(request: HttpRequest, order: Order) -> None:
    if not request.user.has_perm("orders.confirm_order"):
        messages.error(request, _("You may not confirm orders; the order stays new."))
        return
    try:
        order_confirm(order_id=order.pk, user_id=request.user.pk)
    except OrderStockShort as short:
        messages.warning(
            request,
            _("Order %(number)s stays new until the stock arrives: %(reason)s")
            % {"number": order.number, "reason": str(short)},
        )
    except OrderError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Order %(number)s confirmed: the stock is reserved.") % {"number": order.number},
        )
