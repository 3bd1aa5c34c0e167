"""Delivery notes (order slips) as PDF: one page per order, from the order page (one order) or
the order list's bulk bar (the selected orders in one file; see orders.views.bulk)."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from common.auth import require_perm
from common.pdf import pdf_response
from inventory.selectors.shop import shop_details
from orders.models import Order
from orders.selectors.delivery_notes import delivery_notes

TEMPLATE = "orders/pdf/delivery_note.html"


def delivery_notes_pdf(
    request: HttpRequest, *, order_ids: Sequence[int], filename: str
) -> HttpResponse:
    return pdf_response(
        request,
        template_name=TEMPLATE,
        context={
            "notes": delivery_notes(order_ids=order_ids),
            "shop": shop_details(),
            "shop_name_default": _("My shop"),
            "printed_at": timezone.localtime(),
        },
        filename=filename,
    )


@require_GET
@require_perm("orders.export_order")
def order_delivery_note(request: HttpRequest, pk: int) -> HttpResponse:
    number = Order.objects.filter(pk=pk).values_list("number", flat=True).first()
    if number is None:
        raise Http404
    return delivery_notes_pdf(request, order_ids=[pk], filename=f"{number}.pdf")
