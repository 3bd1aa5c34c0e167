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

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from common.auth import require_perm
from common.forms import id_or_none, parse_query
from common.money import ParseError, parse_money
from inventory.models import Variant
from orders import transitions as t
from orders.errors import OrderError, OrderStockShort
from orders.forms_order import (
    ADDRESS_KEEP,
    ADDRESS_NEW,
    MODE_EXISTING,
    MODE_NEW,
    LineRow,
    LinesError,
    NewCustomerPrefill,
    OrderForm,
    parse_lines,
    row_for_line,
    row_for_variant,
)
from orders.models import Channel, Customer, Order, PaymentMethod
from orders.selectors import order_form as selectors
from orders.services.amounts import LinePrice, OrderAmounts, order_amounts
from orders.services.manual import ManualOrder, NewCustomer, order_save_manual
from orders.services.orders.core import state_error
from orders.services.orders.lines import variant_display_name
from orders.services.orders.transitions import order_confirm

TEMPLATE = "orders/order_form.html"
SESSION_WAREHOUSE = "orders.order_form.warehouse"


def _check_form_access(request: HttpRequest, *, also: str | None = None) -> None:
    """The helper endpoints serve the create and the edit page: either permission will do
    (`also`: one more that will, for an endpoint another page shares)."""
    user = request.user
    allowed = ("orders.add_order", "orders.change_order", *((also,) if also else ()))
    if not any(user.has_perm(perm) for perm in allowed):
        raise PermissionDenied


def _edited(request: HttpRequest) -> selectors.EditedOrder | None:
    """The order named by ?order= / the posted `order` field (helper endpoints of the edit
    page): it gives the currency and the reservation the order already holds."""
    order_id = id_or_none(request.GET.get("order") or request.POST.get("order"))
    if order_id is None:
        return None
    edited = selectors.order_for_form(order_id=order_id)
    if edited is None:
        raise Http404
    return edited


def _reserving(edited: selectors.EditedOrder | None) -> bool:
    """The edited order holds its stock reserved (processing): a shortage blocks the save."""
    return edited is not None and edited.order.status in t.RESERVED_STATUSES


def _currency(edited: selectors.EditedOrder | None) -> str:
    return edited.order.currency if edited else str(settings.SHOP_CURRENCY)


# --- Lines, amounts and stock as shown ---------------------------------------------------------


@dataclass
class LineView:
    """A row of the lines table: what was typed, the product, its stock and its amount."""

    row: LineRow
    sku: str
    name: str
    known: bool
    vat_rate: Decimal | None
    default_price: Decimal | None
    available_here: int | None
    available_total: int | None
    line_total: Decimal | None = None

    @property
    def key(self) -> str:
        return self.row.key

    @property
    def short(self) -> bool:
        quantity = self.row.quantity
        return (
            quantity is not None
            and self.available_here is not None
            and (quantity > self.available_here)
        )


@dataclass
class Preview:
    amounts: OrderAmounts | None
    error: str
    lines: list[LineView]

    @property
    def short_lines(self) -> list[LineView]:
        return [line for line in self.lines if line.short]


def _line_views(
    rows: list[LineRow], *, infos: dict[int, Variant], edited: selectors.EditedOrder | None
) -> list[LineView]:
    views = []
    for row in rows:
        variant = infos.get(row.variant_id or 0)
        existing = edited.lines.get(row.line_id or 0) if edited else None
        if existing is not None:
            sku, name = existing.sku, existing.name
            vat_rate, default_price = existing.vat_rate, existing.unit_price
        elif variant is not None:
            sku = variant.sku
            name = variant_display_name(variant.product.name, variant.option_values)
            vat_rate, default_price = variant.vat_rate, variant.sale_price
        else:
            sku, name, vat_rate, default_price = "", "", None, None
        views.append(
            LineView(
                row=row,
                sku=sku,
                name=name,
                known=existing is not None or variant is not None,
                vat_rate=vat_rate,
                default_price=default_price,
                available_here=getattr(variant, "available_here", None),
                available_total=getattr(variant, "available_total", None),
            )
        )
    return views


def _preview(
    rows: list[LineRow],
    *,
    warehouse_id: int | None,
    edited: selectors.EditedOrder | None,
    discount_total: Decimal,
    shipping_fee: Decimal,
    currency: str,
) -> Preview:
    """Amounts of the rows readable so far, computed by order_amounts (the services' own
    arithmetic), each line's stock in the chosen warehouse, and the error the amounts raise."""
    infos = selectors.variant_infos(
        ids=[r.variant_id for r in rows if r.variant_id],
        warehouse_id=warehouse_id,
        held=edited.held_in(warehouse_id) if edited else None,
    )
    lines = _line_views(rows, infos=infos, edited=edited)
    priced = [
        line
        for line in lines
        if line.known
        and line.row.is_valid
        and line.vat_rate is not None
        and (line.row.unit_price is not None or line.default_price is not None)
    ]
    amounts: OrderAmounts | None = None
    error = ""
    try:
        amounts = order_amounts(
            lines=[
                LinePrice(
                    quantity=line.row.quantity or 0,
                    unit_price=(
                        line.row.unit_price
                        if line.row.unit_price is not None
                        else line.default_price or Decimal(0)
                    ),
                    discount=line.row.discount,
                    vat_rate=line.vat_rate or Decimal(0),
                )
                for line in priced
            ],
            discount_total=discount_total,
            shipping_fee=shipping_fee,
            currency=currency,
        )
    except OrderError as refused:
        error = str(refused)
    else:
        for line, figures in zip(priced, amounts.lines, strict=True):
            line.line_total = figures.line_total
    return Preview(amounts=amounts, error=error, lines=lines)


# --- Page -------------------------------------------------------------------------------------


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


def _candidate_choices(customers: list[Customer]) -> None:
    for customer in customers:
        default = getattr(customer, "default_address", None)
        customer.address_choice = str(default.pk) if default is not None else ADDRESS_NEW  # type: ignore[attr-defined]


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


def _page(
    request: HttpRequest,
    *,
    form: OrderForm,
    rows: list[LineRow],
    edited: selectors.EditedOrder | None,
    currency: str,
) -> HttpResponse:
    order = edited.order if edited else None
    if form.is_bound:
        warehouse_id = id_or_none(form.data.get("warehouse"))
        mode = form.data.get("customer_mode") or MODE_EXISTING
        customer_id = id_or_none(form.data.get("customer")) if mode == MODE_EXISTING else None
        choice = form.data.get("address") or ""
        discount = _money_or_zero(form.data.get("discount_total"), currency)
        shipping = _money_or_zero(form.data.get("shipping_fee"), currency)
    else:
        warehouse_id = form.initial.get("warehouse")
        mode = form.initial.get("customer_mode") or MODE_EXISTING
        # ?customer=<id>: a new order for a known customer (from the customer page or a
        # contact request turned into a sale).
        customer_id = order.customer_id if order else id_or_none(request.GET.get("customer"))
        choice = ADDRESS_KEEP if order else ""
        discount = order.discount_total if order else Decimal(0)
        shipping = order.shipping_fee if order else Decimal(0)
    customer = selectors.customer_for_form(customer_id=customer_id)
    if customer is not None:
        customer.address_choice = _address_choice(customer, choice, editing=order is not None)  # type: ignore[attr-defined]
    preview = _preview(
        rows,
        warehouse_id=warehouse_id,
        edited=edited,
        discount_total=discount,
        shipping_fee=shipping,
        currency=currency,
    )
    user = request.user
    context = {
        "form": form,
        "order": order,
        "customer": customer,
        "mode": MODE_NEW if mode == MODE_NEW else MODE_EXISTING,
        "lines": preview.lines,
        "preview": preview,
        "currency": currency,
        "warehouse_code": selectors.warehouse_code(warehouse_id=warehouse_id),
        "show_errors": form.is_bound,
        "errors": (
            [preview.error]
            if preview.error and preview.error not in form.non_field_errors()
            else []
        ),
        "reserving": _reserving(edited),
        "can_add_customer": user.has_perm("orders.add_customer"),
        "can_save_address": user.has_perm("orders.change_customer"),
        "can_confirm": user.has_perm("orders.confirm_order")
        and (order is None or order.status == t.NEW),
    }
    return render(request, TEMPLATE, context)


def _money_or_zero(text: str | None, currency: str) -> Decimal:
    try:
        return parse_money(text, currency=currency) if (text or "").strip() else Decimal(0)
    except ParseError:
        return Decimal(0)


@require_http_methods(["GET", "POST"])
@require_perm("orders.add_order")
def order_create(request: HttpRequest) -> HttpResponse:
    """A manual order: customer by phone (or new), address, lines, Ctrl+Enter to save."""
    currency = str(settings.SHOP_CURRENCY)
    if request.method == "POST":
        form = _form(request, edited=None, currency=currency, data=request.POST)
        rows = _posted_rows(request, form, currency=currency, editing=False)
        order = _save(request, form=form, rows=rows, edited=None, currency=currency)
        if order is not None:
            return redirect(reverse("orders:order_detail", args=[order.pk]))
    else:
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
        form = _form(request, edited=None, currency=currency, initial=initial)
        rows = []
    return _page(request, form=form, rows=rows, edited=None, currency=currency)


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
    currency = order.currency
    if request.method == "POST":
        form = _form(request, edited=edited, currency=currency, data=request.POST)
        rows = _posted_rows(request, form, currency=currency, editing=True)
        saved = _save(request, form=form, rows=rows, edited=edited, currency=currency)
        if saved is not None:
            return redirect(reverse("orders:order_detail", args=[order.pk]))
    else:
        form = _form(
            request,
            edited=edited,
            currency=currency,
            initial={
                "channel": order.channel,
                "payment_method": order.payment_method,
                "warehouse": order.warehouse_id,
                "customer": order.customer_id,
                "customer_mode": MODE_EXISTING,
                "address": ADDRESS_KEEP,
                "notes": order.notes,
                "discount_total": order.discount_total,
                "shipping_fee": order.shipping_fee,
                "save_address": True,
            },
        )
        rows = [
            row_for_line(
                line_id=line.pk,
                variant_id=line.variant_id,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                currency=currency,
            )
            for line in edited.lines.values()
        ]
    return _page(request, form=form, rows=rows, edited=edited, currency=currency)


def _posted_rows(
    request: HttpRequest, form: OrderForm, *, currency: str, editing: bool
) -> list[LineRow]:
    try:
        return parse_lines(request.POST, currency=currency, keep_line_ids=editing)
    except LinesError as error:
        form.add_error(None, str(error))
        return []


def _save(
    request: HttpRequest,
    *,
    form: OrderForm,
    rows: list[LineRow],
    edited: selectors.EditedOrder | None,
    currency: str,
) -> Order | None:
    """Create or update the order (and the new customer, the new address) in one transaction;
    on any error nothing is saved, the error goes on the form and None is returned."""
    valid = form.is_valid()
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
            data=_manual_order(form, rows, edited=edited, currency=currency),
            user_id=user.pk,
            order_id=edited.order.pk if edited else None,
            may_add_customer=user.has_perm("orders.add_customer"),
            may_save_address=user.has_perm("orders.change_customer"),
        )
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


def _manual_order(
    form: OrderForm,
    rows: list[LineRow],
    *,
    edited: selectors.EditedOrder | None,
    currency: str,
) -> ManualOrder:
    """What the page's service takes, from the valid form and lines."""
    data = form.cleaned_data
    common: dict[str, Any] = {
        "lines": [row.as_input() for row in rows],
        "channel": data["channel"],
        "payment_method": data["payment_method"],
        "warehouse_id": data["warehouse"].pk,
        "discount_total": data["discount_total"],
        "shipping_fee": data["shipping_fee"],
        "notes": data["notes"],
        "save_address": bool(data.get("save_address")),
        "currency": currency,
    }
    if form.is_new_customer:
        return ManualOrder(
            **common,
            new_customer=NewCustomer(
                name=data["new_name"], phone=data["new_phone"], email=data["new_email"]
            ),
            new_address=form.typed_address(),
        )
    choice = data.get("address") or ""
    return ManualOrder(
        **common,
        customer_id=data["customer"],
        keep_address=choice == ADDRESS_KEEP and edited is not None,
        wants_new_address=choice == ADDRESS_NEW,
        new_address=form.typed_address() if choice == ADDRESS_NEW else None,
        address_id=id_or_none(choice),
    )


# --- Helper endpoints (HTMX) ------------------------------------------------------------------


@vary_on_headers("HX-Request")
@require_GET
@require_perm("orders.view_customer")
def order_form_customers(request: HttpRequest) -> HttpResponse:
    """Customers matching the typed phone fragment (or name), each with its pick panel."""
    _check_form_access(request)
    edited = _edited(request)
    phone = request.GET.get("phone", "")[:60]
    customers = selectors.customer_candidates(q=phone)
    _candidate_choices(customers)
    return render(
        request,
        f"{TEMPLATE}#customer-results",
        {
            "customers": customers,
            "phone": phone.strip(),
            "order": edited.order if edited else None,
            "can_add_customer": request.user.has_perm("orders.add_customer"),
            "can_save_address": request.user.has_perm("orders.change_customer"),
            "searched": len(phone.strip()) >= selectors.MIN_SEARCH_LENGTH,
        },
    )


@vary_on_headers("HX-Request")
@require_GET
@require_perm("orders.view_order")
def order_form_variants(request: HttpRequest) -> HttpResponse:
    """Products matching the typed SKU, barcode or name, with their price and the units
    available in the chosen warehouse and in all. The return page's exchange rows use it
    too (their staff may record returns without taking orders)."""
    _check_form_access(request, also="orders.add_return")
    edited = _edited(request)
    warehouse_id = id_or_none(request.GET.get("warehouse"))
    q = request.GET.get("q", "")[:100]
    variants = selectors.variant_search(
        q=q,
        warehouse_id=warehouse_id,
        held=edited.held_in(warehouse_id) if edited else None,
    )
    return render(
        request,
        f"{TEMPLATE}#variant-results",
        {
            "variants": variants,
            "q": q.strip(),
            "currency": _currency(edited),
            "warehouse_code": selectors.warehouse_code(warehouse_id=warehouse_id),
        },
    )


@require_GET
@require_perm("orders.view_order")
def order_form_line(request: HttpRequest) -> HttpResponse:
    """One new row of the lines table for a picked product (quantity 1 at its sale price)."""
    _check_form_access(request)
    edited = _edited(request)
    currency = _currency(edited)
    warehouse_id = id_or_none(request.GET.get("warehouse"))
    variant = (
        Variant.objects.filter(
            pk=id_or_none(request.GET.get("variant")) or 0, is_active=True, product__is_active=True
        )
        .only("pk", "sale_price")
        .first()
    )
    if variant is None:
        return HttpResponse(status=204)
    row = row_for_variant(
        key=request.GET.get("key", ""),
        variant_id=variant.pk,
        sale_price=variant.sale_price,
        currency=currency,
    )
    preview = _preview(
        [row],
        warehouse_id=warehouse_id,
        edited=edited,
        discount_total=Decimal(0),
        shipping_fee=Decimal(0),
        currency=currency,
    )
    return render(
        request,
        f"{TEMPLATE}#line-row",
        {
            "line": preview.lines[0],
            "currency": currency,
            "warehouse_code": selectors.warehouse_code(warehouse_id=warehouse_id),
        },
    )


@require_POST
@require_perm("orders.view_order")
def order_form_totals(request: HttpRequest) -> HttpResponse:
    """The totals of the form as typed so far, plus each line's total and stock (out of band).
    Computed by order_amounts; nothing is saved."""
    _check_form_access(request)
    edited = _edited(request)
    currency = _currency(edited)
    warehouse_id = id_or_none(request.POST.get("warehouse"))
    errors: list[str] = []
    amounts: dict[str, Decimal] = {}
    for name, label in (
        ("discount_total", _("Order discount")),
        ("shipping_fee", _("Shipping fee")),
    ):
        try:
            amounts[name] = _money_or_zero_strict(request.POST.get(name), currency)
        except ParseError as error:
            errors.append(_("%(field)s: %(error)s") % {"field": label, "error": str(error)})
            amounts[name] = Decimal(0)
    try:
        rows = parse_lines(request.POST, currency=currency, keep_line_ids=edited is not None)
    except LinesError as error:
        errors.append(str(error))
        rows = []
    preview = _preview(
        rows,
        warehouse_id=warehouse_id,
        edited=edited,
        discount_total=amounts["discount_total"],
        shipping_fee=amounts["shipping_fee"],
        currency=currency,
    )
    if preview.error:
        errors.append(preview.error)
    return render(
        request,
        f"{TEMPLATE}#totals",
        {
            "preview": preview,
            "lines": preview.lines,
            "errors": errors,
            "currency": currency,
            "warehouse_code": selectors.warehouse_code(warehouse_id=warehouse_id),
            "reserving": _reserving(edited),
            "oob": True,
        },
    )


def _money_or_zero_strict(text: str | None, currency: str) -> Decimal:
    return parse_money(text, currency=currency) if (text or "").strip() else Decimal(0)
