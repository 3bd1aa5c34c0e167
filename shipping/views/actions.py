"""A parcel's follow-up: the staff's decision on a failed delivery (redeliver, return, change
the address), changes while the carrier allows them, and a returned parcel received back.

Redeliver and return are buttons (in the order's Shipping panel, answered with the panel for
htmx; in the "needs action" list, a plain POST back to the list). The address, the changes and
the returned goods are small pages of their own, reached from both places."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.auth import require_perm
from common.htmx import is_htmx, vary_on_htmx
from shipping import selectors
from shipping.errors import ShippingAddressError, ShippingError
from shipping.forms_actions import (
    ADDRESS_FIELDS,
    ChangeAddressForm,
    ParcelUpdateForm,
    ReceiveReturnedForm,
)
from shipping.models import Shipment, ShipmentState
from shipping.services.actions import (
    DECIDABLE,
    UPDATABLE,
    not_on_hold_text,
    shipment_change_address,
    shipment_mark_handled,
    shipment_redeliver,
    shipment_return,
    shipment_update,
)
from shipping.services.returned import parcel_lines, shipment_receive_returned
from shipping.views.panel import ACT, panel_response

RECEIVE = ("shipping.add_shipment", "orders.add_return")


def _shipment_or_404(pk: int) -> Shipment:
    try:
        return selectors.shipment_get(shipment_id=pk)
    except Shipment.DoesNotExist:
        raise Http404 from None


def _back(request: HttpRequest, shipment: Shipment) -> str:
    """Where a plain POST returns: the `next` page when it is ours, else the order."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("orders:order_detail", args=[shipment.order_id])


def _answer(
    request: HttpRequest, shipment: Shipment, *, done: str = "", error: str = ""
) -> HttpResponse:
    if is_htmx(request):
        order = selectors.order_for_panel(order_id=shipment.order_id)
        response = panel_response(request, order, error=error)
        if error:
            response.status_code = 422
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(_back(request, shipment))


@require_POST
@require_perm(ACT)
def redeliver(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = _shipment_or_404(pk)
    try:
        shipment = shipment_redeliver(shipment_id=shipment.pk, user_id=request.user.pk)
    except ShippingError as error:
        return _answer(request, shipment, error=str(error))
    done = _("Parcel %(parcel)s will be delivered again.") % {"parcel": shipment}
    return _answer(request, shipment, done=done)


@require_POST
@require_perm(ACT)
def send_back(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = _shipment_or_404(pk)
    try:
        shipment = shipment_return(shipment_id=shipment.pk, user_id=request.user.pk)
    except ShippingError as error:
        return _answer(request, shipment, error=str(error))
    done = _("Parcel %(parcel)s will be returned to the shop.") % {"parcel": shipment}
    return _answer(request, shipment, done=done)


@require_POST
@require_perm(ACT)
def handled(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = _shipment_or_404(pk)
    try:
        shipment = shipment_mark_handled(shipment_id=shipment.pk, user_id=request.user.pk)
    except ShippingError as error:
        return _answer(request, shipment, error=str(error))
    done = _("Parcel %(parcel)s marked as settled.") % {"parcel": shipment}
    return _answer(request, shipment, done=done)


def _page(
    request: HttpRequest, template: str, shipment: Shipment, form: Any, *, status: int = 200
) -> HttpResponse:
    context = {
        "shipment": shipment,
        "form": form,
        "back": _back(request, shipment),
        "receiver": shipment.request_data.get("receiver") or {},
    }
    return vary_on_htmx(render(request, template, context, status=status))


@require_http_methods(["GET", "POST"])
@require_perm(ACT)
def change_address(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = _shipment_or_404(pk)
    template = "shipping/shipment_address.html"
    if shipment.state not in DECIDABLE or not shipment.needs_action:
        if shipment.state == ShipmentState.DELIVERY_FAILED and shipment.needs_action:
            messages.error(request, not_on_hold_text(shipment))
        else:
            messages.error(request, _("This parcel has no failed delivery to decide on."))
        return redirect(_back(request, shipment))
    order = shipment.order
    initial = {
        "name": order.ship_name,
        "phone": order.ship_phone,
        "street": order.ship_street,
        "ward": order.ship_ward,
        "district": order.ship_district,
        "province": order.ship_province,
    }
    form = ChangeAddressForm(request.POST or None, initial=initial)
    if request.method != "POST" or not form.is_valid():
        return _page(request, template, shipment, form, status=422 if form.is_bound else 200)
    try:
        shipment_change_address(
            shipment_id=shipment.pk, address=form.address(), user_id=request.user.pk
        )
    except ShippingAddressError as error:
        form.add_error(ADDRESS_FIELDS.get(error.field), str(error))
        return _page(request, template, shipment, form, status=422)
    except ShippingError as error:
        form.add_error(None, str(error))
        return _page(request, template, shipment, form, status=422)
    messages.success(
        request,
        _("Parcel %(parcel)s will be delivered again, to the new address.") % {"parcel": shipment},
    )
    return redirect(_back(request, shipment))


@require_http_methods(["GET", "POST"])
@require_perm(ACT)
def update(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = _shipment_or_404(pk)
    template = "shipping/shipment_update.html"
    if shipment.state not in UPDATABLE or not shipment.tracking_number:
        messages.error(request, _("This parcel can no longer be changed."))
        return redirect(_back(request, shipment))
    form = ParcelUpdateForm(request.POST or None, initial=ParcelUpdateForm.initial_for(shipment))
    if request.method != "POST" or not form.is_valid():
        return _page(request, template, shipment, form, status=422 if form.is_bound else 200)
    try:
        shipment_update(shipment_id=shipment.pk, changes=form.changes(), user_id=request.user.pk)
    except ShippingError as error:
        form.add_error(None, str(error))
        return _page(request, template, shipment, form, status=422)
    messages.success(request, _("Parcel %(parcel)s changed.") % {"parcel": shipment})
    return redirect(_back(request, shipment))


@require_http_methods(["GET", "POST"])
@require_perm(*RECEIVE)
def receive(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = _shipment_or_404(pk)
    template = "shipping/shipment_receive.html"
    if shipment.state != ShipmentState.RETURNED or shipment.order_return_id is not None:
        messages.error(request, _("This parcel is not waiting to be received back."))
        return redirect(_back(request, shipment))
    form = ReceiveReturnedForm(request.POST or None, lines=parcel_lines(shipment=shipment))
    if request.method != "POST" or not form.is_valid():
        return _page(request, template, shipment, form, status=422 if form.is_bound else 200)
    try:
        order_return = shipment_receive_returned(
            shipment_id=shipment.pk, lines=form.received(), user_id=request.user.pk
        )
    except ShippingError as error:
        form.add_error(None, str(error))
        return _page(request, template, shipment, form, status=422)
    messages.success(
        request,
        _("Parcel %(parcel)s received back as return %(number)s.")
        % {"parcel": shipment, "number": order_return.number},
    )
    return redirect(_back(request, shipment))
