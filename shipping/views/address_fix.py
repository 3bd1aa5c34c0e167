"""The address fix of the Shipping panel: when the carrier cannot resolve the order's address,
staff choose its province, district and ward from the carrier's own lists (each choice reloads
the next list with htmx); the choice is remembered for that address (AddressCodeFix) and used
before any name matching from then on."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from common.auth import require_perm
from common.forms import id_or_none
from common.htmx import vary_on_htmx
from orders.models import AddressScheme, Order
from shipping import selectors
from shipping.adapters.base import CarrierError
from shipping.errors import ShippingError, carrier_error_text
from shipping.models import CarrierAccount
from shipping.services.addresses import PlaceCodes, address_fix_save, place_options
from shipping.services.carriers import adapter_for
from shipping.views.panel import ACT, panel_response

TEMPLATE = "shipping/partials/address_fix.html"


def _code(request: HttpRequest, name: str) -> str:
    source = request.POST if request.method == "POST" else request.GET
    return source.get(name, "").strip()[:32]


@require_http_methods(["GET", "POST"])
@require_perm(ACT)
def address_fix(request: HttpRequest, order_id: int) -> HttpResponse:
    try:
        order = selectors.order_for_panel(order_id=order_id)
    except Order.DoesNotExist:
        raise Http404 from None
    source = request.POST if request.method == "POST" else request.GET
    account_id = id_or_none(source.get("account"))
    account = CarrierAccount.objects.filter(pk=account_id or 0, active=True).first()
    if account is None:
        raise Http404
    district_name = "" if order.ship_scheme == AddressScheme.VN_2LEVEL else order.ship_district
    province, district, ward = _code(request, "province"), _code(request, "district"), ""
    error = ""
    if request.method == "POST":
        ward = _code(request, "ward")
        try:
            address_fix_save(
                carrier=account.carrier,
                province=order.ship_province,
                district=district_name,
                ward=order.ship_ward,
                codes=PlaceCodes(province, district, ward),
                user_id=request.user.pk,
            )
        except ShippingError as failure:
            error = str(failure)
        else:
            return panel_response(request, order)
    try:
        options = place_options(
            carrier=account.carrier,
            adapter=adapter_for(account),
            province_code=province,
            district_code=district,
        )
    except CarrierError as failure:
        options, error = None, carrier_error_text(failure)
    context = {
        "order": order,
        "account": account,
        "options": options,
        "province": province,
        "district": district,
        "ward": ward,
        "error": error,
        "address": ", ".join(p for p in (order.ship_ward, district_name, order.ship_province) if p),
    }
    response = render(request, TEMPLATE, context, status=422 if error else 200)
    if request.method == "POST":  # refused: the form stays where it is, the panel too
        response["HX-Retarget"] = f"#address-fix-{order.pk}"
        response["HX-Reswap"] = "innerHTML"
    return vary_on_htmx(response)
