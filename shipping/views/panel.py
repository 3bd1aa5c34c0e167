"""The Shipping panel of the order page (loaded by htmx through orders.panels): the order's
parcels (tracking number, state, events, label, cancel) and, for a processing order without a
live parcel, the form: carrier account, service with its live fee ("Get prices"), COD,
weight and sizes (volumetric weight shown), who pays, viewing rule, note.

Every POST answers the panel itself for htmx (422 when refused) and redirects to the order
page otherwise."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.auth import require_perm
from common.htmx import is_htmx, vary_on_htmx
from common.money import ParseError, money_input, parse_money
from orders import transitions as t
from orders.models import Order
from shipping import selectors
from shipping.adapters.base import ServiceOption
from shipping.errors import ShippingAddressError, ShippingError, field_label
from shipping.forms import ParcelForm
from shipping.models import CarrierAccount, Shipment, ShipmentPayer
from shipping.services.actions import DECIDABLE, SETTLEABLE, UPDATABLE
from shipping.services.parcels import cod_default, parcel_defaults, volumetric_weight_g
from shipping.services.shipments import (
    ServiceChoice,
    shipment_cancel,
    shipment_create,
    shipment_quote,
    shipment_submit,
)

TEMPLATE = "shipping/partials/panel.html"
VIEW = "shipping.view_shipment"
ACT = "shipping.add_shipment"


def _order_or_404(order_id: int) -> Order:
    try:
        return selectors.order_for_panel(order_id=order_id)
    except Order.DoesNotExist:
        raise Http404 from None


def _shipment_or_404(pk: int) -> Shipment:
    try:
        return selectors.shipment_get(shipment_id=pk)
    except Shipment.DoesNotExist:
        raise Http404 from None


def _initial(order: Order, account: CarrierAccount) -> dict[str, Any]:
    d = parcel_defaults(order=order, account=account)
    return {
        "account": account.pk,
        "weight_g": d.weight_g,
        "length_cm": d.length_cm,
        "width_cm": d.width_cm,
        "height_cm": d.height_cm,
        "cod_amount": d.cod_amount,
        "insurance_value": d.insurance_value,
        "payer": d.payer,
        "viewing": d.viewing,
    }


def _service_value(option: ServiceOption) -> str:
    return f"{option.code}|{option.level}|{option.name}"


def _service_choice(value: str) -> ServiceChoice | None:
    code, _sep, rest = value.partition("|")
    level, _sep, name = rest.partition("|")
    return ServiceChoice(code=code, level=level, name=name) if code else None


def _context(
    request: HttpRequest,
    order: Order,
    *,
    form: ParcelForm | None = None,
    options: list[ServiceOption] | None = None,
    error: str = "",
    address_field: str = "",
    fix_account_id: int | None = None,
) -> dict[str, Any]:
    shipping = selectors.order_shipping(order_id=order.pk)
    accounts = selectors.active_accounts()
    can_create = (
        request.user.has_perm(ACT)
        and order.status == t.PROCESSING
        and shipping.open is None
        and bool(accounts)
    )
    if form is None and can_create:
        form = ParcelForm(initial=_initial(order, accounts[0]))
    volumetric = None
    if form is not None and form.is_bound and form.is_valid():
        account = form.cleaned_data["account"]
        volumetric = volumetric_weight_g(
            carrier=account.carrier,
            length_cm=form.cleaned_data["length_cm"],
            width_cm=form.cleaned_data["width_cm"],
            height_cm=form.cleaned_data["height_cm"],
        )
    elif form is not None and accounts:
        initial = form.initial
        volumetric = volumetric_weight_g(
            carrier=accounts[0].carrier,
            length_cm=int(initial.get("length_cm") or 0),
            width_cm=int(initial.get("width_cm") or 0),
            height_cm=int(initial.get("height_cm") or 0),
        )
    chosen = form.data.get("service", "") if form is not None and form.is_bound else ""
    return {
        "order": order,
        "shipping": shipping,
        "has_accounts": bool(accounts),
        "can_create": can_create,
        "can_act": request.user.has_perm(ACT),
        "form": form,
        "options": [(_service_value(o), o) for o in options or []],
        "chosen": chosen,
        "cod_auto": form.data.get("cod_auto", "") if form is not None and form.is_bound else "",
        "volumetric": volumetric,
        "error": error,
        "address_field": address_field,
        "address_field_label": field_label(address_field) if address_field else "",
        "panel_id": f"shipping-panel-{order.pk}",
        "fix_account_id": fix_account_id,
        "decidable": DECIDABLE,
        "settleable": SETTLEABLE,
        "updatable": UPDATABLE,
    }


def panel_response(request: HttpRequest, order: Order, **context: Any) -> HttpResponse:
    """The panel as it is now (after an address fix, a decision on a failed delivery)."""
    return _render(request, order, **context)


def _render(
    request: HttpRequest, order: Order, *, status: int = 200, **context: Any
) -> HttpResponse:
    response = render(request, TEMPLATE, _context(request, order, **context), status=status)
    return vary_on_htmx(response)


def _done(request: HttpRequest, order: Order, message: str) -> HttpResponse:
    if not is_htmx(request):
        messages.success(request, message)
        return redirect(reverse("orders:order_detail", args=[order.pk]))
    return _render(request, order)


def _refused(
    request: HttpRequest, order: Order, error: ShippingError, **context: Any
) -> HttpResponse:
    field = error.field if isinstance(error, ShippingAddressError) else ""
    form = context.get("form")
    if (
        isinstance(error, ShippingAddressError)
        and error.side == "receiver"
        and error.field in ("province", "district", "ward")
        and form is not None
        and form.is_valid()
    ):
        context["fix_account_id"] = form.cleaned_data["account"].pk
    if not is_htmx(request):
        messages.error(request, str(error))
        return redirect(reverse("orders:order_detail", args=[order.pk]))
    return _render(request, order, status=422, error=str(error), address_field=field, **context)


@require_GET
@require_perm(VIEW)
def panel(request: HttpRequest, order_id: int) -> HttpResponse:
    return _render(request, _order_or_404(order_id))


def _auto_cod(form: ParcelForm) -> Decimal | None:
    """The COD the panel last filled in itself (the hidden `cod_auto`), None if unreadable."""
    try:
        return parse_money(form.data.get("cod_auto", ""), currency="VND")
    except ParseError:
        return None


def _quote(order: Order, form: ParcelForm) -> list[ServiceOption]:
    """The route's services with their live fees. While staff have not typed a COD of their
    own (it is the order's balance, or what the panel last filled in), the COD follows who
    pays: the balance, plus the CHOSEN service's fee when the buyer pays (a change of service
    or of payer quotes again, so the amount always matches the service that will be sent)."""
    account = form.cleaned_data["account"]
    options = shipment_quote(
        order_id=order.pk, account_id=account.pk, spec=form.spec(service_code="")
    )
    payer = form.cleaned_data["payer"]
    balance = cod_default(order=order, payer=ShipmentPayer.SHOP, fee=None)
    typed = form.cleaned_data["cod_amount"]
    if typed not in (balance, _auto_cod(form)):
        return options
    choice = _service_choice(form.data.get("service", ""))
    picked = next((o for o in options if choice and o.code == choice.code), None)
    picked = picked or (options[0] if options else None)
    fee = picked.fee if picked is not None and picked.fee is not None else Decimal(0)
    amount = cod_default(order=order, payer=payer, fee=fee)
    data = dict(form.data.items())
    data["cod_amount"] = money_input(amount, "VND")
    data["cod_auto"] = money_input(amount, "VND")
    form.data = data
    return options


@require_POST
@require_perm(ACT)
def quote(request: HttpRequest, order_id: int) -> HttpResponse:
    """ "Get prices": the services on the route with their live fees."""
    order = _order_or_404(order_id)
    form = ParcelForm(request.POST)
    if not form.is_valid():
        return _render(request, order, status=422, form=form)
    try:
        options = _quote(order, form)
    except ShippingError as error:
        return _refused(request, order, error, form=form)
    form = ParcelForm(form.data)
    return _render(request, order, form=form, options=options)


@require_POST
@require_perm(ACT)
def create(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order_or_404(order_id)
    form = ParcelForm(request.POST)
    if not form.is_valid():
        return _render(request, order, status=422, form=form)
    choice = _service_choice(form.cleaned_data.get("service", ""))
    if choice is None:
        try:
            options = _quote(order, form)
        except ShippingError as error:
            return _refused(request, order, error, form=form)
        return _render(
            request,
            order,
            status=422,
            form=ParcelForm(form.data),
            options=options,
            error=_("Choose a service."),
        )
    try:
        shipment = shipment_create(
            order_id=order.pk,
            account_id=form.cleaned_data["account"].pk,
            spec=form.spec(service_code=choice.code),
            service=choice,
            user_id=request.user.pk,
        )
    except ShippingError as error:
        return _refused(request, order, error, form=form)
    return _done(request, order, _("Parcel %(parcel)s created.") % {"parcel": shipment})


@require_POST
@require_perm(ACT)
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Send again" for a parcel whose request timed out (the same reference goes out)."""
    shipment = _shipment_or_404(pk)
    order = _order_or_404(shipment.order_id)
    try:
        shipment = shipment_submit(shipment_id=shipment.pk, user_id=request.user.pk)
    except ShippingError as error:
        return _refused(request, order, error)
    return _done(request, order, _("Parcel %(parcel)s created.") % {"parcel": shipment})


@require_POST
@require_perm(ACT)
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = _shipment_or_404(pk)
    order = _order_or_404(shipment.order_id)
    try:
        shipment = shipment_cancel(shipment_id=shipment.pk, user_id=request.user.pk)
    except ShippingError as error:
        return _refused(request, order, error)
    return _done(request, order, _("Parcel %(parcel)s cancelled.") % {"parcel": shipment})
