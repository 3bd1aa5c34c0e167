"""The shipments list (with its "needs action" tab) and labels: one parcel's, or one PDF of
the parcels ticked in the list."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.auth import require_perm
from common.forms import id_or_none, parse_query
from common.htmx import render_partial_or_page
from common.pagination import paginate
from common.pdf import pdf_file_response
from shipping import selectors
from shipping.errors import ShippingError
from shipping.forms import ShipmentFilterForm
from shipping.models import Shipment
from shipping.services.actions import DECIDABLE, SETTLEABLE
from shipping.services.shipments import shipment_labels

VIEW = "shipping.view_shipment"
PER_PAGE = 50
MAX_LABELS = 200


@require_GET
@require_perm(VIEW)
def shipment_list(request: HttpRequest) -> HttpResponse:
    parsed = parse_query(ShipmentFilterForm, request.GET)
    values = parsed.values
    page = paginate(
        selectors.shipment_list(
            needs_action=bool(values.get("needs_action")),
            state=values.get("state") or "",
            query=values.get("q") or "",
        ),
        page=values.get("page") or 1,
        per_page=PER_PAGE,
    )
    return render_partial_or_page(
        request,
        "shipping/shipment_list.html",
        {
            "filters": parsed.form,
            "page": page,
            "needs_action": bool(values.get("needs_action")),
            "action_count": selectors.needs_action_count(),
            "can_act": request.user.has_perm("shipping.add_shipment"),
            "decidable": DECIDABLE,
            "settleable": SETTLEABLE,
            "here": request.get_full_path(),
        },
        partial="shipment-table",
        target="shipment-table",
    )


def _pdf(shipment_ids: list[int], filename: str) -> HttpResponse:
    document = shipment_labels(shipment_ids=shipment_ids)
    return pdf_file_response(document.content, filename=filename)


@require_GET
@require_perm(VIEW)
def label(request: HttpRequest, pk: int) -> HttpResponse:
    shipment = Shipment.objects.filter(pk=pk).only("id", "tracking_number", "order_id").first()
    if shipment is None:
        raise Http404
    try:
        return _pdf([shipment.pk], f"label-{shipment.tracking_number or shipment.pk}.pdf")
    except ShippingError as error:
        messages.error(request, str(error))
        return redirect("orders:order_detail", shipment.order_id)


@require_POST
@require_perm(VIEW)
def labels(request: HttpRequest) -> HttpResponse:
    ids = sorted({i for v in request.POST.getlist("ids") if (i := id_or_none(v)) is not None})
    if not ids or len(ids) > MAX_LABELS:
        messages.error(
            request,
            _("Tick from 1 to %(max)s parcels to print their labels.") % {"max": MAX_LABELS},
        )
        return redirect("shipping:shipment_list")
    try:
        return _pdf(ids, "labels.pdf")
    except ShippingError as error:
        messages.error(request, str(error))
        return redirect("shipping:shipment_list")
