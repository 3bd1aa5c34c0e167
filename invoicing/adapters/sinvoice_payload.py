"""The createInvoice body (`CreateInvoiceWSDTO`, carriers_einvoice.md C.5 and C.10) built from
our InvoiceRequest, and the JSON text that carries Decimal amounts as exact JSON numbers.

Every amount is the request's (the invoicing app computes them exactly); this module only puts
them in S-Invoice's shapes:
- a goods or fee line: selection 1, `itemTotalAmountWithoutTax` = quantity x unitPrice (before
  the line's own discount, C.5), `itemDiscount` the line's discount, `itemTotalAmountAfterDiscount`
  the taxable amount, `taxAmount` on it, `itemTotalAmountWithTax` their sum;
- a discount line: selection 3, `isIncreaseItem` false, amounts positive (Odoo's shape);
- a note line: only `selection` 2 and `itemName`;
- VAT: `taxPercentage` 0/5/8/10, -2 not subject (KCT), -1 not declared (KKKNT);
- adjustment (`adjustmentType` "5"): `adjustmentInvoiceType` "1" money or "2" information, lines
  with `isIncreaseItem` true or false; a decrease sends `unitPrice` negative while the amounts
  stay positive, `adjustmentTaxAmount`, and `taxableAmountPos`/`taxAmountPos` false (C.10);
- replacement (`adjustmentType` "3"): full new values and the original's fields;
- a correction's `invoiceNote` starts with the line naming the original (correction_note), its
  agreement name and date are required (PayloadError before any call when missing);
- `buyerNotGetInvoice` 0 only with a tax code (C.5: name, address and tax code required then),
  a person's 12-digit citizen ID standing in for it (TT 86/2024);
- dates as epoch milliseconds; phone numbers digits only, "+" -> "00";
- a sales invoice (`invoiceType` "2", template 2/xxx, E.2): every line `taxPercentage` -2 and
  `taxAmount` 0 (S-Invoice's rule for sales invoices; E.6: -2 is "no tax"), whatever rate the
  line names; `summarizeInfo` with `totalTaxAmount` 0 and `totalAmountWithoutTax` =
  `totalAmountWithTax` = the total. C.5 says nothing else of template 2 (`adjustAmount20`, the
  20 % reduction, is not used: we never claim it); `taxBreakdowns` keeps C.5's letter, "one
  entry per taxPercentage": the one entry -2 with the taxable total and `taxAmount` 0, which
  carries no VAT. A sales request that carries VAT (a line's, or the total's) is refused
  before any call (PayloadError "vat_on_sales_invoice"): its total would not hold.
"""

from __future__ import annotations

import json
import re
import secrets
from decimal import Decimal
from typing import Any

from invoicing.adapters.base import (
    AdjustmentKind,
    Correction,
    InvoiceKind,
    InvoiceLine,
    InvoiceRequest,
    LineKind,
    PayloadError,
    VatRate,
)

from .sinvoice_protocol import ICT, day_ms, ms

TAX_PERCENTAGE = {
    VatRate.ZERO: 0,
    VatRate.FIVE: 5,
    VatRate.EIGHT: 8,
    VatRate.TEN: 10,
    VatRate.NOT_SUBJECT: -2,
    VatRate.NOT_DECLARED: -1,
}
ADJUSTMENT_TYPE = {
    None: "1",
    AdjustmentKind.REPLACEMENT: "3",
    AdjustmentKind.INCREASE: "5",
    AdjustmentKind.DECREASE: "5",
    AdjustmentKind.INFORMATION: "5",
}
SELECTION = {LineKind.GOODS: 1, LineKind.FEE: 1, LineKind.NOTE: 2, LineKind.DISCOUNT: 3}
PAYMENT_NAMES = {"TM": "TM", "CK": "CK", "TM/CK": "TM/CK"}
NOTE_MAX, ITEM_NAME_MAX, REFERENCE_MAX = 255, 500, 225
SALES_TAX_PERCENTAGE = -2  # a sales invoice's lines: no VAT (taxAmount 0)


def tax_percentage(rate: VatRate) -> int:
    """S-Invoice's code of a rate; it documents no "other" rate (E.6: MISA's KHAC only)."""
    try:
        return TAX_PERCENTAGE[rate]
    except KeyError:
        raise PayloadError(
            "unsupported_rate",
            "S-Invoice defines no other VAT rate (KHAC): use 0, 5, 8, 10 %, KCT or KKKNT",
            field="taxPercentage",
        ) from None


def phone(value: str) -> str:
    """Digits only, a leading "+" as "00" (C.3)."""
    value = value.strip()
    prefix = "00" if value.startswith("+") else ""
    return prefix + re.sub(r"\D", "", value)


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in ("", None)}


CORRECTION_WORDS = {
    AdjustmentKind.REPLACEMENT: "Thay thế",
    AdjustmentKind.INCREASE: "Điều chỉnh tăng",
    AdjustmentKind.DECREASE: "Điều chỉnh giảm",
    AdjustmentKind.INFORMATION: "Điều chỉnh thông tin",
}


def correction_note(correction: Correction) -> str:
    """The line a correction must show (Decree 123 art. 19): "Điều chỉnh giảm cho hóa đơn mẫu
    số 1 ký hiệu C26TAA số 12 ngày 07/12/2026" (S-Invoice adds it on the web, not via the API)."""
    series, number = correction.original_series, correction.original_number
    if series and number.startswith(series) and number[len(series) :].isdigit():
        number = number[len(series) :]
    else:
        series = series or number[:6]
        number = number[len(series) :] if number.startswith(series) else number
    day = correction.original_issued_at.astimezone(ICT).strftime("%d/%m/%Y")
    return (
        f"{CORRECTION_WORDS[correction.kind]} cho hóa đơn mẫu số "
        f"{correction.original_template[:1]} ký hiệu {series} số {number} ngày {day}"
    )


def _check_sendable(request: InvoiceRequest) -> None:
    if request.currency.upper() != "VND":
        raise PayloadError(
            "unsupported_currency",
            "S-Invoice needs the exchange rate of a currency other than VND, which we do not have",
            field="exchangeRate",
        )
    if request.kind is InvoiceKind.SALES and (
        request.total_vat or any(line.vat_amount for line in request.lines)
    ):
        raise PayloadError(
            "vat_on_sales_invoice",
            "A sales invoice (template 2) carries no VAT: its lines and total must have none",
            field="taxAmount",
        )
    correction = request.correction
    if correction is not None and not (
        correction.agreement_name.strip() and correction.agreement_date
    ):
        raise PayloadError(
            "missing_field",
            "S-Invoice requires the agreement (or notice) and its date for a correction",
            field="additionalReferenceDesc",
        )


def general_info(request: InvoiceRequest) -> dict[str, Any]:
    _check_sendable(request)
    correction = request.correction
    info: dict[str, Any] = {
        "invoiceType": request.kind.value,
        "templateCode": request.template,
        "invoiceSeries": request.series,
        "currencyCode": request.currency.upper(),
        "adjustmentType": ADJUSTMENT_TYPE[correction.kind if correction else None],
        "paymentStatus": request.paid,
        "cusGetInvoiceRight": True,
        "validation": 1,
        "transactionUuid": request.key,
    }
    if request.issued_at is not None:
        info["invoiceIssuedDate"] = ms(request.issued_at)
    notes = [correction_note(correction)] if correction is not None else []
    notes += [request.note] if request.note else []
    if notes:
        info["invoiceNote"] = ". ".join(notes)[:NOTE_MAX]
    if correction is not None:
        if correction.kind != AdjustmentKind.REPLACEMENT:
            information = correction.kind == AdjustmentKind.INFORMATION
            info["adjustmentInvoiceType"] = "2" if information else "1"
        info.update(
            _present(
                {
                    "adjustedNote": correction.reason[:NOTE_MAX],
                    "originalInvoiceId": correction.original_number,
                    "originalInvoiceIssueDate": ms(correction.original_issued_at),
                    "originalTemplateCode": correction.original_template,
                    "additionalReferenceDesc": correction.agreement_name[:REFERENCE_MAX],
                    "additionalReferenceDate": (
                        day_ms(correction.agreement_date) if correction.agreement_date else None
                    ),
                }
            )
        )
    return info


def buyer_info(request: InvoiceRequest) -> dict[str, Any]:
    """buyerNotGetInvoice 0 needs name, address and tax code (C.5). A person's 12-digit
    citizen ID is their tax code since 1 July 2025 (TT 86/2024, E.7), so it stands in for a
    missing one; a buyer still without a tax code is sent as 1, with the details we have
    (the invoice still shows them)."""
    buyer = request.buyer
    tax_code = buyer.tax_code.strip()
    if not tax_code and re.fullmatch(r"[0-9]{12}", buyer.id_number.strip()):
        tax_code = buyer.id_number.strip()
    takes = buyer.takes_invoice and bool(tax_code)
    return {
        **_present(
            {
                "buyerName": buyer.name,
                "buyerLegalName": buyer.legal_name,
                "buyerTaxCode": tax_code,
                "buyerAddressLine": buyer.address,
                "buyerPhoneNumber": phone(buyer.phone),
                "buyerEmail": buyer.email,
                "buyerCode": buyer.code,
            }
        ),
        "buyerNotGetInvoice": 0 if takes else 1,
        # C.5 buyerInfo: buyerIdType 1 = citizen ID card, with its number.
        **({"buyerIdType": "1", "buyerIdNo": buyer.id_number} if buyer.id_number else {}),
    }


def seller_info(request: InvoiceRequest) -> dict[str, Any]:
    seller = request.seller
    return _present(
        {
            "sellerLegalName": seller.legal_name,
            "sellerTaxCode": seller.tax_code,
            "sellerAddressLine": seller.address,
            "sellerPhoneNumber": phone(seller.phone),
            "sellerEmail": seller.email,
            "sellerBankAccount": seller.bank_account,
            "sellerBankName": seller.bank_name,
        }
    )


def _direction(request: InvoiceRequest) -> bool | None:
    """isIncreaseItem of the lines: True/False on a money adjustment, None otherwise."""
    kind = request.correction.kind if request.correction else None
    if kind == AdjustmentKind.INCREASE:
        return True
    return False if kind == AdjustmentKind.DECREASE else None


def item(line: InvoiceLine, increase: bool | None, *, sales: bool = False) -> dict[str, Any]:
    if line.kind == LineKind.NOTE:
        return {"lineNumber": line.number, "selection": 2, "itemName": line.name[:ITEM_NAME_MAX]}
    rate = SALES_TAX_PERCENTAGE if sales else tax_percentage(line.vat_rate)
    with_tax = line.amount + line.vat_amount
    values: dict[str, Any] = {
        "lineNumber": line.number,
        "selection": SELECTION[line.kind],
        "itemCode": line.code,
        "itemName": line.name[:ITEM_NAME_MAX],
        "unitName": line.unit,
        "taxPercentage": rate,
        "taxAmount": line.vat_amount,
        "itemTotalAmountAfterDiscount": line.amount,
        "itemTotalAmountWithTax": with_tax,
    }
    if line.kind == LineKind.DISCOUNT:
        values.update(itemTotalAmountWithoutTax=line.amount, isIncreaseItem=False)
        if line.quantity:
            values.update(quantity=line.quantity, unitPrice=line.unit_price)
    else:
        values.update(
            quantity=line.quantity,
            unitPrice=-line.unit_price if increase is False else line.unit_price,
            itemTotalAmountWithoutTax=line.amount + line.discount,
            itemDiscount=line.discount,
        )
        if increase is not None:
            values.update(isIncreaseItem=increase, adjustmentTaxAmount=line.vat_amount)
    return {k: v for k, v in values.items() if v != ""}


def breakdowns(request: InvoiceRequest) -> list[dict[str, Any]]:
    positive = _direction(request) is not False
    if request.kind is InvoiceKind.SALES:  # one entry for the lines' -2, no tax in it
        if all(line.kind == LineKind.NOTE for line in request.lines):
            return []
        entry = {
            "taxPercentage": SALES_TAX_PERCENTAGE,
            "taxableAmount": request.total_without_vat,
            "taxAmount": request.total_vat,
            "taxableAmountPos": positive,
            "taxAmountPos": positive,
        }
        return [entry]
    return [
        {
            "taxPercentage": tax_percentage(b.rate),
            "taxableAmount": b.taxable,
            "taxAmount": b.vat,
            "taxableAmountPos": positive,
            "taxAmountPos": positive,
        }
        for b in request.breakdown
    ]


def summary(request: InvoiceRequest) -> dict[str, Any]:
    summed = sum(
        (ln.amount for ln in request.lines if ln.kind in (LineKind.GOODS, LineKind.FEE)),
        Decimal(0),
    )
    values: dict[str, Any] = {
        "sumOfTotalLineAmountWithoutTax": summed,
        "totalAmountWithoutTax": request.total_without_vat,
        "totalTaxAmount": request.total_vat,
        "totalAmountWithTax": request.total,
        "totalAmountAfterDiscount": request.total_without_vat,
        "totalAmountWithTaxInWords": request.total_in_words,
        "discountAmount": request.discount_total,
    }
    increase = _direction(request)
    if increase is not None:  # the signs exist for adjustments only
        values.update(
            isTotalAmountPos=increase,
            isTotalTaxAmountPos=increase,
            isTotalAmtWithoutTaxPos=increase,
            isDiscountAmtPos=increase,
        )
    return values


def invoice_body(request: InvoiceRequest) -> dict[str, Any]:
    increase = _direction(request)
    return {
        "generalInvoiceInfo": general_info(request),
        "buyerInfo": buyer_info(request),
        "sellerInfo": seller_info(request),
        "payments": [{"paymentMethodName": PAYMENT_NAMES.get(request.payment_method, "TM/CK")}],
        "itemInfo": [
            item(line, increase, sales=request.kind is InvoiceKind.SALES) for line in request.lines
        ],
        "taxBreakdowns": breakdowns(request),
        "summarizeInfo": summary(request),
    }


def dumps(payload: Any) -> bytes:
    """JSON with every Decimal written as an exact JSON number (no float on the way)."""
    mark = secrets.token_hex(8)
    found = re.compile(f'"{mark}(-?[0-9.E+-]+)"')

    def convert(value: Any) -> Any:
        if isinstance(value, Decimal):
            plain = format(value.normalize(), "f") if value == value.to_integral() else str(value)
            return f"{mark}{plain}"
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [convert(v) for v in value]
        return value

    encoded = json.dumps(convert(payload), ensure_ascii=False)
    return found.sub(r"\1", encoded).encode()
