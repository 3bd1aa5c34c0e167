"""The adapter of a provider account, and the invoice request of a stored invoice."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from inventory.selectors.shop import shop_details
from invoicing.adapters.base import (
    AdjustmentKind,
    Buyer,
    Correction,
    InvoiceKind,
    InvoiceLine,
    InvoiceRequest,
    LineKind,
    ProviderAdapter,
    ProviderConfig,
    Seller,
    VatRate,
)
from invoicing.adapters.misa import MisaAdapter
from invoicing.adapters.sinvoice import SInvoiceAdapter
from invoicing.models import EInvoice, EInvoiceLine, Provider, ProviderAccount
from invoicing.services.compute import totals_of
from orders.models import OrderInvoiceRequest

ADAPTERS: dict[str, type[ProviderAdapter]] = {
    Provider.SINVOICE: SInvoiceAdapter,
    Provider.MISA: MisaAdapter,
}
DEFAULT_TIMEOUT = (5.0, 60.0)


def adapter_for(account: ProviderAccount) -> ProviderAdapter:
    """The account's adapter; settings.EINVOICE_TIMEOUT (connect, read seconds) bounds calls."""
    config = ProviderConfig(
        base_url=account.base_url,
        auth_url=account.auth_url,
        username=account.username,
        password=account.password,
        seller_tax_code=account.seller_tax_code,
        app_id=account.app_id,
        with_tax_authority_code=account.series.startswith("C"),
        timeout=tuple(getattr(settings, "EINVOICE_TIMEOUT", DEFAULT_TIMEOUT)),
    )
    return ADAPTERS[account.provider](config)


def seller_of(account: ProviderAccount) -> Seller:
    shop = shop_details()
    return Seller(
        legal_name=shop.name,
        tax_code=account.seller_tax_code,
        address=shop.address,
        phone=shop.phone,
        email=shop.email,
    )


def seller_missing() -> list[str]:
    """What the shop's details lack for an invoice's seller (Decree 123/2020 art. 10: the
    seller's name and address; the tax code is the account's): translated names, [] when
    nothing is missing. A provider refuses such an invoice (MISA: SellerLegalName)."""
    shop = shop_details()
    missing = []
    if not shop.name.strip():
        missing.append(_("the shop's legal name"))
    if not shop.address.strip():
        missing.append(_("the shop's address"))
    return missing


def buyer_of(invoice: EInvoice) -> Buyer:
    """The invoice's buyer; a buyer who asked for the invoice with the order takes it (even
    without a tax code), with the citizen ID number given then."""
    asked = (
        OrderInvoiceRequest.objects.filter(order_id=invoice.order_id, wants_invoice=True).first()
        if invoice.order_id
        else None
    )
    return Buyer(
        name=invoice.buyer_name,
        legal_name=invoice.buyer_company,
        tax_code=invoice.buyer_tax_code,
        address=invoice.buyer_address,
        email=invoice.buyer_email,
        code=f"C-{invoice.order.customer_id}" if invoice.order_id else "",
        takes_invoice=bool(invoice.buyer_tax_code or invoice.buyer_company or asked),
        id_number=asked.id_number if asked else "",
    )


def adapter_lines(rows: list[EInvoiceLine]) -> tuple[InvoiceLine, ...]:
    return tuple(
        InvoiceLine(
            number=row.number,
            kind=LineKind(row.kind),
            name=row.name,
            code=row.code,
            unit=row.unit,
            quantity=row.quantity.normalize() if row.quantity else row.quantity,
            unit_price=row.unit_price.normalize() if row.unit_price else row.unit_price,
            discount=row.discount,
            amount=row.amount,
            vat_rate=VatRate(row.vat_rate),
            vat_amount=row.vat_amount,
            other_percent=row.other_percent.normalize() if row.other_percent else Decimal(0),
        )
        for row in rows
    )


def _correction(invoice: EInvoice) -> Correction | None:
    original = invoice.original
    if original is None:
        return None
    assert original.issued_at is not None
    return Correction(
        kind=AdjustmentKind(invoice.correction_kind),
        original_number=original.number,
        original_template=original.template,
        original_series=original.series,
        original_issued_at=original.issued_at,
        reason=invoice.correction_reason,
        agreement_name=invoice.agreement_name,
        agreement_date=invoice.agreement_date,
        original_transaction_id=original.lookup_code,
    )


def request_of(
    invoice: EInvoice,
    *,
    issued_at: datetime | None = None,
    lines: tuple[InvoiceLine, ...] | None = None,
) -> InvoiceRequest:
    """The request of a stored invoice (its lines from the database), or of an unsaved one
    with `lines` (the preview)."""
    lines = adapter_lines(list(invoice.lines.all())) if lines is None else lines
    kind = InvoiceKind(invoice.kind)
    computed = totals_of(lines, invoice.currency, kind=kind)
    paid = invoice.order.payment_status == "paid"
    return InvoiceRequest(
        key=str(invoice.key),
        kind=kind,
        template=invoice.template,
        series=invoice.series,
        issued_at=issued_at,
        currency=invoice.currency,
        seller=seller_of(invoice.account),
        buyer=buyer_of(invoice),
        lines=lines,
        breakdown=computed.breakdown,
        total_without_vat=computed.total_without_vat,
        total_vat=computed.total_vat,
        total=computed.total,
        total_in_words=computed.total_in_words,
        discount_total=computed.discount_total,
        payment_method=invoice.payment_method,
        paid=paid,
        note=f"Đơn hàng {invoice.order.number}",
        correction=_correction(invoice),
    )
