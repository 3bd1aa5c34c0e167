"""MISA meInvoice v3 "itg" wire format (carriers_einvoice.md section D): paths, the JSON writer
with exact Decimal numbers, the two-layer envelope, the OriginalInvoiceData payload built from an
InvoiceRequest, and the result items read back. Pure functions, no HTTP (misa.py does that).

Keys are read case-insensitively ("Success"/"success", "Data"/"data"), numbers may come as
strings, `ErrorCode` may be null, "", a string or a number: every reader here allows for that.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from invoicing.adapters.base import (
    AdjustmentKind,
    InvoiceKind,
    InvoiceLine,
    InvoiceRequest,
    IssuedInvoice,
    LineKind,
    TemplateInfo,
    VatRate,
)

ICT = timezone(timedelta(hours=7))  # MISA's dates are Vietnamese calendar dates (GMT+7)
DATE_FORMAT = "%Y-%m-%d"

# Paths below the v3 base (…/api/v3). CODE_PREFIX goes before those marked [/code] in D.3.
CODE_PREFIX = "/code"
AUTH_TOKEN = "/auth/token"
PUBLISH_HSM = "/itg/invoicepublishing/publishhsm"  # [/code]
PREVIEW = "/itg/invoicepublishing/invoicelinkview"  # ?type=1
DOWNLOAD = "/itg/invoicepublished/downloadinvoice"  # [/code] ?downloadDataType=PDF|XML
STATUS = "/itg/invoicepublished/invoicestatus"  # [/code] by TransactionID
STATUS_BY_REFID = "/invoicepublished/invoice-status/refid"
CANCEL = "/itg/invoicepublished/cancel"  # [/code]
EMAILS = "/itg/emails"
TEMPLATES = "/itg/InvoicePublishing/templates"  # ?invyear=

ITEM_GOODS, ITEM_PROMOTION, ITEM_DISCOUNT, ITEM_NOTE = 1, 2, 3, 4
REFERENCE_REPLACEMENT, REFERENCE_ADJUSTMENT = 1, 2
ORG_INVOICE_ND123 = 1
INVOICE_NAMES = {InvoiceKind.VAT: "Hóa đơn giá trị gia tăng", InvoiceKind.SALES: "Hóa đơn bán hàng"}
VAT_NAMES = {
    VatRate.ZERO: "0%",
    VatRate.FIVE: "5%",
    VatRate.EIGHT: "8%",
    VatRate.TEN: "10%",
    VatRate.NOT_SUBJECT: "KCT",
    VatRate.NOT_DECLARED: "KKKNT",
}
SALES_VAT_NAME = "KCT"  # a sales invoice's lines (misa.py's docstring: the doc is silent)
TOKEN_CODES = frozenset(
    {
        "tokenexpiredcode",
        "invalidtokencode",
        "tokenexpired",
        "invalidtoken",
        "unauthorize",
        "unauthorized",
    }
)
RETRY_CODES = frozenset({"invoicenumbernotcontinuous", "invoicenumbernotcotinuous"})  # sic
MISSING_CODES = ("invoicenotfound", "invoicenotexist", "notfoundinvoice", "invalidtransactionid")


# -- reading ------------------------------------------------------------------------------------
def vat_rate_name(rate: VatRate, other_percent: Decimal) -> str:
    """MISA's VATRateName: "10%", "KCT"... and "KHAC:AB.CD%" for another percentage (D.5)."""
    if rate is VatRate.OTHER:
        return f"KHAC:{other_percent.quantize(Decimal('0.01'))}%"
    return VAT_NAMES[rate]


def ci(mapping: Mapping[str, Any], *names: str, default: Any = None) -> Any:
    """The value under the first of `names` present, any key casing."""
    lowered = {str(k).lower(): v for k, v in mapping.items()}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return default


def text(value: Any) -> str:
    """A field as text: None -> "", numbers as written."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "yes"}
    return bool(value)


def error_code(value: Any) -> str:
    """ErrorCode as text ("" for null, "", 0 read as no error)."""
    code = text(value)
    return "" if code in {"", "0", "null", "None"} else code


def decimal(value: Any) -> Decimal:
    try:
        return Decimal(text(value) or "0")
    except InvalidOperation:
        return Decimal(0)


def inner(data: Any) -> Any:
    """The envelope's `Data`: a JSON string decoded again (a plain string that is not JSON,
    such as a URL or a token, stays a string)."""
    if isinstance(data, str):
        stripped = data.strip()
        if stripped[:1] in {"[", "{", '"'}:
            try:
                return json.loads(stripped)
            except ValueError:
                return data
    return data


def items(data: Any) -> list[Mapping[str, Any]]:
    decoded = inner(data)
    if isinstance(decoded, Mapping):
        return [decoded]
    if isinstance(decoded, list):
        return [item for item in decoded if isinstance(item, Mapping)]
    return []


def messages(document: Mapping[str, Any]) -> str:
    """The provider's words for an error: Errors[], DescriptionErrorCode, ErrorData, Message."""
    parts: list[str] = []
    errors = ci(document, "Errors")
    if isinstance(errors, list):
        parts.extend(text(e) for e in errors if text(e))
    elif text(errors):
        parts.append(text(errors))
    for name in ("DescriptionErrorCode", "ErrorData", "Message", "ErrorMessage"):
        value = ci(document, name)
        if isinstance(value, (dict, list)):
            value = json.dumps(value, ensure_ascii=False)
        if text(value) and text(value) not in parts:
            parts.append(text(value))
    return "; ".join(parts)


def parse_datetime(value: Any) -> datetime | None:
    """InvDate as MISA writes it ("2025-06-02", "2025-06-02T10:15:00", with or without an
    offset); a naive time is Vietnamese time."""
    raw = text(value)
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        try:
            day, month, year = raw[:10].split("/")
            parsed = datetime(int(year), int(month), int(day), tzinfo=ICT)
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ICT)


def split_series(symbol: str) -> tuple[str, str]:
    """("1", "C25TAA") from the full symbol "1C25TAA"; ("", "C25TAA") from a bare series."""
    symbol = symbol.strip().upper()
    if len(symbol) == 7 and symbol[0].isdigit():
        return symbol[0], symbol[1:]
    return "", symbol


def issued(item: Mapping[str, Any], *, template: str = "") -> IssuedInvoice:
    """An IssuedInvoice from a publish result or a status item."""
    digit, series = split_series(text(ci(item, "InvSeries", "InvoiceSeries")))
    status_parts = [
        f"{name}={text(ci(item, name))}"
        for name in ("PublishStatus", "EInvoiceStatus", "SendTaxStatus")
        if text(ci(item, name))
    ]
    return IssuedInvoice(
        key=text(ci(item, "RefID")),
        number=text(ci(item, "InvNo", "InvoiceNumber")),
        series=series,
        template=template or text(ci(item, "InvoiceTemplateID", "IPTemplateID")) or digit,
        issued_at=parse_datetime(ci(item, "InvDate", "PublishedTime")),
        lookup_code=text(ci(item, "TransactionID")),
        tax_authority_code=text(ci(item, "InvCode", "InvoiceCode", "TaxAuthorityCode")),
        status=" ".join(status_parts),
        raw=dict(item),
    )


def series_of_year(series: str, day: date) -> str:
    """The series with the year digits of the invoice date (E.3: characters 2-3 are the year
    of issue), so "C25TAA" registered last year is sent as "C26TAA" in 2026."""
    bare = split_series(series)[1]
    if len(bare) == 6 and bare[1:3].isdigit():
        return f"{bare[0]}{day.year % 100:02d}{bare[3:]}"
    return bare


def template_info(item: Mapping[str, Any]) -> TemplateInfo:
    digit, series = split_series(text(ci(item, "InvSeries")))
    kind_text = digit or text(ci(item, "InvoiceType"))[:1]
    kind = InvoiceKind(kind_text) if kind_text in {k.value for k in InvoiceKind} else None
    return TemplateInfo(
        template=text(ci(item, "IPTemplateID", "InvoiceTemplateID")),
        series=series,
        kind=kind,
        name=text(ci(item, "TemplateName", "InvoiceName", "Name")),
        raw=dict(item),
    )


# -- writing ------------------------------------------------------------------------------------
def dumps(value: Any) -> str:
    """JSON with Decimal written as an exact number (no float on the way)."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return str(int(value))
        return format(value.normalize(), "f")
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{json.dumps(str(k))}:{dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def ict_date(moment: datetime) -> str:
    return moment.astimezone(ICT).strftime(DATE_FORMAT)


def places(value: Decimal) -> int:
    """Decimal places `value` is written with (dumps drops trailing zeros)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _digits(request: InvoiceRequest) -> dict[str, str]:
    """OptionUserDefined: the decimal places of what is sent (a VAT-exclusive unit price may
    carry up to 4, a quantity in kg some too), never fewer than the currency's."""
    amount = 0 if request.currency == "VND" else 2
    priced = [ln for ln in request.lines if ln.kind is not LineKind.NOTE]
    price = max([amount, *(places(ln.unit_price) for ln in priced)])
    quantity = max([0, *(places(ln.quantity) for ln in priced)])
    return {
        "MainCurrency": "VND",
        "AmountDecimalDigits": "0",
        "AmountOCDecimalDigits": str(amount),
        "UnitPriceOCDecimalDigits": str(price),
        "UnitPriceDecimalDigits": str(price),
        "QuantityDecimalDigits": str(max(quantity, 2)),
        "CoefficientDecimalDigits": "2",
        "ExchangRateDecimalDigits": "2",
        "ClockDecimalDigits": "4",
    }


def _pair(name: str, value: Decimal) -> dict[str, Decimal]:
    """`<name>OC` and `<name>` (converted VND; the rate is 1 for VND invoices)."""
    return {f"{name}OC": value, name: value}


def _line(line: InvoiceLine, sign: int, *, sales: bool = False) -> dict[str, Any]:
    item_type = {
        LineKind.GOODS: ITEM_GOODS,
        LineKind.FEE: ITEM_GOODS,
        LineKind.DISCOUNT: ITEM_DISCOUNT,
        LineKind.NOTE: ITEM_NOTE,
    }[line.kind]
    body: dict[str, Any] = {
        "ItemType": item_type,
        "LineNumber": line.number,
        "SortOrder": line.number,
        "ItemCode": line.code,
        "ItemName": line.name,
        "UnitName": line.unit,
    }
    if line.kind is LineKind.NOTE:
        return body
    gross = line.amount + line.discount  # Amount = UnitPrice x Quantity
    rate = (
        (line.discount * 100 / gross).quantize(Decimal("0.01"))
        if gross and line.discount
        else Decimal(0)
    )
    body.update(
        {
            "Quantity": line.quantity,
            "UnitPrice": sign * line.unit_price,
            "DiscountRate": rate,
            **_pair("DiscountAmount", sign * line.discount),
            **_pair("Amount", sign * gross),
            **_pair("AmountWithoutVAT", sign * line.amount),
            "VATRateName": (
                SALES_VAT_NAME if sales else vat_rate_name(line.vat_rate, line.other_percent)
            ),
            **_pair("VATAmount", sign * line.vat_amount),
            "AmountAfterTax": sign * (line.amount + line.vat_amount),
        }
    )
    return body


def _totals(request: InvoiceRequest, sign: int) -> dict[str, Any]:
    priced = [ln for ln in request.lines if ln.kind in {LineKind.GOODS, LineKind.FEE}]
    discounts = sum((ln.discount for ln in priced), Decimal(0)) + sum(
        (ln.amount for ln in request.lines if ln.kind is LineKind.DISCOUNT), Decimal(0)
    )
    return {
        **_pair("TotalSaleAmount", sign * (request.total_without_vat + discounts)),
        **_pair("TotalDiscountAmount", sign * discounts),
        **_pair("TotalAmountWithoutVAT", sign * request.total_without_vat),
        **_pair("TotalVATAmount", sign * request.total_vat),
        **_pair("TotalAmount", sign * request.total),
        "DiscountRate": Decimal(0),
        "TotalAmountInWords": request.total_in_words,
        "TotalAmountInWordsVN": request.total_in_words,
    }


def _correction(request: InvoiceRequest) -> dict[str, Any]:
    fix = request.correction
    if fix is None:
        return {}
    template = fix.original_template.strip()
    digit, series = split_series(fix.original_series)
    if not (len(template) == 1 and template.isdigit()):
        template = digit or request.kind.value
    replacing = fix.kind is AdjustmentKind.REPLACEMENT
    note = {
        AdjustmentKind.REPLACEMENT: "Thay thế",
        AdjustmentKind.INCREASE: "Điều chỉnh tăng",
        AdjustmentKind.DECREASE: "Điều chỉnh giảm",
        AdjustmentKind.INFORMATION: "Điều chỉnh thông tin",
    }[fix.kind]
    note += f" cho hóa đơn số {fix.original_number}, ký hiệu {template}{series}"
    note += f", ngày {fix.original_issued_at.astimezone(ICT).strftime('%d/%m/%Y')}"
    if fix.agreement_name:
        note += f", theo {fix.agreement_name}"
        if fix.agreement_date:
            note += f" ngày {fix.agreement_date.strftime('%d/%m/%Y')}"
    return {
        "ReferenceType": REFERENCE_REPLACEMENT if replacing else REFERENCE_ADJUSTMENT,
        "OrgInvoiceType": ORG_INVOICE_ND123,
        "OrgInvTemplateNo": template,
        "OrgInvSeries": series,
        "OrgInvNo": fix.original_number,
        "OrgInvDate": ict_date(fix.original_issued_at),
        "InvoiceNote": f"{note}. Lý do: {fix.reason}",
    }


def _rate_info(request: InvoiceRequest, sign: int) -> list[dict[str, Any]]:
    """TaxRateInfo, one element per distinct rate (D.5); a sales invoice's one element is its
    lines' "KCT" with the total and no VAT."""
    if request.kind is not InvoiceKind.SALES:
        return [
            {
                "VATRateName": vat_rate_name(part.rate, part.other_percent),
                "AmountWithoutVATOC": sign * part.taxable,
                "VATAmountOC": sign * part.vat,
            }
            for part in request.breakdown
        ]
    if all(line.kind is LineKind.NOTE for line in request.lines):
        return []
    return [
        {
            "VATRateName": SALES_VAT_NAME,
            "AmountWithoutVATOC": sign * request.total_without_vat,
            "VATAmountOC": sign * request.total_vat,
        }
    ]


def invoice_data(request: InvoiceRequest, *, today: datetime) -> dict[str, Any]:
    """One OriginalInvoiceData (D.5) for `request`; `today` is used when issued_at is None."""
    fix = request.correction
    sign = -1 if fix is not None and fix.kind is AdjustmentKind.DECREASE else 1
    sales = request.kind is InvoiceKind.SALES
    seller, buyer = request.seller, request.buyer
    issued_on = (request.issued_at or today).astimezone(ICT).date()
    body: dict[str, Any] = {
        "RefID": request.key,
        "InvSeries": f"{request.kind.value}{series_of_year(request.series, issued_on)}",
        "InvoiceName": INVOICE_NAMES[request.kind],
        "InvDate": issued_on.strftime(DATE_FORMAT),
        "CurrencyCode": request.currency,
        "ExchangeRate": Decimal(1),
        "PaymentMethodName": request.payment_method,
        "InvoiceTemplateID": request.template,
        "IsInvoiceSummary": False,
        "IsSendEmail": False,
        "ReceiverName": buyer.name,
        "ReceiverEmail": buyer.email,
        "InvoiceNote": request.note,
        "SellerLegalName": seller.legal_name,
        "SellerTaxCode": seller.tax_code,
        "SellerAddress": seller.address,
        "SellerPhoneNumber": seller.phone,
        "SellerEmail": seller.email,
        "SellerBankAccount": seller.bank_account,
        "SellerBankName": seller.bank_name,
        "BuyerLegalName": buyer.legal_name if buyer.tax_code else "",
        "BuyerTaxCode": buyer.tax_code if buyer.takes_invoice else "",
        "BuyerAddress": buyer.address,
        "BuyerCode": buyer.code,
        "BuyerPhoneNumber": buyer.phone,
        "BuyerEmail": buyer.email,
        "BuyerFullName": buyer.name,
        **_totals(request, sign),
        "IsTaxReduction43": not sales and any(ln.vat_rate is VatRate.EIGHT for ln in request.lines),
        "IsInvoiceCalculatingMachine": False,
        "OriginalInvoiceDetail": [_line(line, sign, sales=sales) for line in request.lines],
        "TaxRateInfo": _rate_info(request, sign),
        "OptionUserDefined": _digits(request),
    }
    correction = _correction(request)
    if correction:
        note = correction.pop("InvoiceNote")
        body.update(correction)
        body["InvoiceNote"] = f"{note} {request.note}".strip()
    return body


def publish_item(data: Mapping[str, Any]) -> dict[str, Any]:
    """One element of the publishhsm array: the vendor's wrapper {RefID, OriginalInvoiceData}
    that every public client sends, with the same fields also flat beside it, as D.3 reads
    ("an array of OriginalInvoiceData"): a server reading either shape finds the invoice."""
    return {
        "RefID": data["RefID"],
        "IsSendEmail": False,
        "OriginalInvoiceData": dict(data),
        **{name: value for name, value in data.items() if name not in {"RefID", "IsSendEmail"}},
    }


def ids_body(values: Iterable[str]) -> list[str]:
    return [v for v in values if v]


def cancel_body(*, invoice: IssuedInvoice, reason: str, issued_on: date) -> dict[str, Any]:
    return {
        "TransactionID": invoice.lookup_code,
        "InvNo": invoice.number,
        "RefDate": issued_on.strftime(DATE_FORMAT),
        "CancelReason": reason,
    }
