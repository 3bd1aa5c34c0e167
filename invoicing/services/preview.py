"""Our own preview of an invoice before it is issued: a WeasyPrint PDF, in Vietnamese (the
invoice is a Vietnamese legal document whatever the user's language)."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from common.pdf import render_pdf
from invoicing.adapters.base import InvoiceRequest, VatRate

RATE_LABELS = {
    VatRate.ZERO: "0%",
    VatRate.FIVE: "5%",
    VatRate.EIGHT: "8%",
    VatRate.TEN: "10%",
    VatRate.NOT_SUBJECT: "KCT",
    VatRate.NOT_DECLARED: "KKKNT",
}
CORRECTION_LABELS = {
    "replacement": "Hóa đơn thay thế",
    "increase": "Hóa đơn điều chỉnh tăng",
    "decrease": "Hóa đơn điều chỉnh giảm",
}


def preview_context(request: InvoiceRequest) -> dict[str, Any]:
    fix = request.correction
    return {
        "kind": request.kind.value,
        "series": request.series,
        "template": request.template,
        "seller": request.seller,
        "buyer": request.buyer,
        "payment_method": request.payment_method,
        "currency": request.currency,
        "lines": [
            {**line.__dict__, "rate_label": RATE_LABELS[line.vat_rate]} for line in request.lines
        ],
        "breakdown": [
            {"label": RATE_LABELS[p.rate], "taxable": p.taxable, "vat": p.vat}
            for p in request.breakdown
        ],
        "total_without_vat": request.total_without_vat,
        "total_vat": request.total_vat,
        "total": request.total,
        "total_in_words": request.total_in_words,
        "correction": (
            f"{CORRECTION_LABELS[fix.kind.value]} cho hóa đơn số {fix.original_number}"
            if fix is not None and fix.kind.value in CORRECTION_LABELS
            else ""
        ),
    }


def preview_pdf(request: InvoiceRequest) -> bytes:
    with translation.override("vi"):
        return render_pdf(
            template_name="invoicing/pdf/preview.html",
            stylesheets=("css/pdf/einvoice.css",),
            context=preview_context(request),
        )
