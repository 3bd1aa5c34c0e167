"""The manual order page's helper endpoints (HTMX): customers by phone, products by SKU or
name, a new line row, and the totals as typed so far. They serve the create and the edit page
(the edited order, ?order=, gives the currency and the stock it already holds)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from common.auth import require_perm
from common.forms import id_or_none
from orders.forms_order import (
    ADDRESS_NEW,
    LinesError,
    parse_lines,
    row_for_variant,
    typed_order_amounts,
)
from orders.models import Customer
from orders.selectors import order_form as selectors
from orders.views.order_form_preview import line_preview, reserving

TEMPLATE = "orders/order_form.html"


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


def _currency(edited: selectors.EditedOrder | None) -> str:
    return edited.order.currency if edited else str(settings.SHOP_CURRENCY)


def _candidate_choices(customers: list[Customer]) -> None:
    for customer in customers:
        default = getattr(customer, "default_address", None)
        customer.address_choice = str(default.pk) if default is not None else ADDRESS_NEW  # type: ignore[attr-defined]


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
    variant = selectors.pickable_variant(variant_id=id_or_none(request.GET.get("variant")))
    if variant is None:
        return HttpResponse(status=204)
    row = row_for_variant(
        key=request.GET.get("key", ""),
        variant_id=variant.pk,
        sale_price=variant.sale_price,
        currency=currency,
    )
    preview = line_preview(
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
    amounts, errors = typed_order_amounts(request.POST, currency=currency)
    try:
        rows = parse_lines(request.POST, currency=currency, keep_line_ids=edited is not None)
    except LinesError as error:
        errors.append(str(error))
        rows = []
    preview = line_preview(
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
            "reserving": reserving(edited),
            "oob": True,
        },
    )
