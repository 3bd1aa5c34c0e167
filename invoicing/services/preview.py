"""Our own preview of an invoice before it is issued: a WeasyPrint PDF, in Vietnamese (the
invoice is a Vietnamese legal document whatever the user's language). A sales invoice
(template 2) is titled "HÓA ĐƠN BÁN HÀNG" and shows no VAT: no rate column, no breakdown, no
VAT total (E.2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from django.utils import translation

from common.pdf import render_pdf
from invoicing.adapters.base import InvoiceKind, InvoiceLine, InvoiceRequest, LineKind, VatRate

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


def rate_label(rate: VatRate, other_percent: Decimal) -> str:
    if rate is VatRate.OTHER:
        return f"KHAC {_number(other_percent)}%"
    return RATE_LABELS[rate]


def _number(value: Decimal) -> str:
    """1.234.567,5 as Vietnamese documents write it (up to 4 decimals, none when whole)."""
    return format_decimal(value, format="#,##0.####", locale="vi_VN")


def _line(line: InvoiceLine) -> dict[str, Any]:
    note = line.kind == LineKind.NOTE
    return {
        "number": line.number,
        "name": line.name,
        "unit": line.unit,
        "note": note,
        "minus": line.kind == LineKind.DISCOUNT,
        "quantity": _number(line.quantity) if line.quantity and not note else "",
        "unit_price": _number(line.unit_price) if line.quantity and not note else "",
        "discount": line.discount,
        "amount": line.amount,
        "rate_label": "" if note else rate_label(line.vat_rate, line.other_percent),
    }


def preview_context(request: InvoiceRequest) -> dict[str, Any]:
    fix = request.correction
    return {
        "kind": request.kind.value,
        "sales": request.kind is InvoiceKind.SALES,
        "series": request.series,
        "template": request.template,
        "seller": request.seller,
        "buyer": request.buyer,
        "payment_method": request.payment_method,
        "currency": request.currency,
        "lines": [_line(line) for line in request.lines],
        "breakdown": [
            {"label": rate_label(p.rate, p.other_percent), "taxable": p.taxable, "vat": p.vat}
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
