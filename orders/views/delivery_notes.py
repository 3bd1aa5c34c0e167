"""Delivery notes (order slips) as PDF: one page per order, from the order page (one order) or
the order list's bulk bar (the selected orders in one file; see orders.views.bulk)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from common.auth import require_perm
from common.pdf import pdf_file_response
from orders.documents import delivery_notes_pdf
from orders.models import Order


@require_GET
@require_perm("orders.export_order")
def order_delivery_note(request: HttpRequest, pk: int) -> HttpResponse:
    number = Order.objects.filter(pk=pk).values_list("number", flat=True).first()
    if number is None:
        raise Http404
    pdf = delivery_notes_pdf(order_ids=[pk], language=get_language())
    return pdf_file_response(pdf, filename=f"{number}.pdf")
