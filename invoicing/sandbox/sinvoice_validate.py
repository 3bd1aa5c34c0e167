"""S-Invoice sandbox: the checks of a createInvoice / createInvoiceDraftPreview body
(carriers_einvoice.md C.5, C.10, E.2, E.3, E.6, E.7), with the provider's tolerances (5 per
line on quantity x unit price, 20,000 on tax) and its error shapes.

A business refusal is `ApiError` (answered `{errorCode, description, result: null}`), a body
that is not the DTO at all is `BadRequest` (HTTP 400 `{code, message, data}`).

Signs: a line counts negative when `isIncreaseItem` is false (discount lines; every line of a
decrease adjustment), a breakdown when `taxableAmountPos`/`taxAmountPos` is false, a total when
its `is...Pos` flag is false.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from common.taxcodes import vn_check_digit

if TYPE_CHECKING:
    from .sinvoice import Account, Invoice, SInvoiceSandbox

ICT = timezone(timedelta(hours=7))
TEMPLATE = re.compile(r"^[1-6]/\d{3,4}$")
SERIES = re.compile(r"^[CK]\d{2}[TDLMNBGH][A-Z0-9]{2}$")
ORIGINAL_ID = re.compile(r"^[A-Za-z0-9]{7,15}$")
EMAIL = re.compile(r"^[^@\s;]+@[^@\s;]+\.[^@\s;]+$")
TAX_PERCENTAGES = frozenset({-2, -1, 0, 5, 8, 10})
LINE_TOLERANCE, TAX_TOLERANCE = Decimal(5), Decimal(20000)


class ApiError(Exception):
    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


class BadRequest(Exception):
    pass


@dataclass
class Checked:
    template: str
    series: str  # with the issue year's digits
    issued_ms: int
    adjustment: str
    original: Invoice | None
    key: str


def decimal(value: Any, name: str) -> Decimal:
    if isinstance(value, bool):
        raise BadRequest(f"{name}: expected a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise BadRequest(f"{name}: expected a number, got {value!r}") from None
    if not number.is_finite():
        raise BadRequest(f"{name}: expected a number")
    return number


def optional(values: Mapping[str, Any], name: str) -> Decimal | None:
    value = values.get(name)
    return None if value is None or value == "" else decimal(value, name)


def code(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def valid_tax_code(tax_code: str, country: str = "VN") -> bool:
    """10 digits with the check digit, 10 + "-" (or not) + a 3-digit branch, or the 12-digit
    personal number; a foreign buyer's code is the buyer's country's business."""
    if country and country.upper() != "VN":
        return bool(tax_code.strip())
    found = re.fullmatch(r"(\d{10})(?:-?(\d{3}))?", tax_code)
    if found is None:
        return bool(re.fullmatch(r"\d{12}", tax_code))
    if found.group(2) == "000" or found.group(1)[2:9] == "0000000":  # E.7: sequence not all 0
        return False
    return vn_check_digit(found.group(1)[:9]) == int(found.group(1)[9])


def _object(body: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = body.get(name)
    if not isinstance(value, Mapping):
        raise BadRequest(f"{name} is required")
    return value


def check_general(
    sb: SInvoiceSandbox, account: Account, general: Mapping[str, Any], *, preview: bool
) -> Checked:
    key = code(general.get("transactionUuid"))
    if key and not 10 <= len(key) <= 36:
        raise ApiError("INVALID_TRANSACTION_UUID", "transactionUuid phải dài từ 10 đến 36 ký tự")
    template = code(general.get("templateCode"))
    if not TEMPLATE.match(template):
        raise ApiError("ERR", f"Sai mẫu số: '{template}'")
    series = code(general.get("invoiceSeries"))
    if len(series) > 7 or not SERIES.match(series):
        raise ApiError("INVALID_INVOICE_SERIES", f"Ký hiệu hóa đơn không hợp lệ: '{series}'")
    registered = {(t, s[:1] + s[3:]) for t, s, _ in account.templates}
    if template not in {t for t, _ in registered}:
        raise ApiError("TEMPLATE_NOT_FOUND", f"Mẫu số {template} chưa được đăng ký")
    if (template, series[:1] + series[3:]) not in registered:
        message = f"Ký hiệu {series} chưa được đăng ký cho mẫu số {template}"
        raise ApiError("INVALID_INVOICE_SERIES", message)
    kind = code(general.get("invoiceType"))
    if kind and kind != template[:1]:
        raise ApiError("INVALID_INVOICE_TYPE", f"Loại hóa đơn {kind} không khớp mẫu {template}")
    currency = code(general.get("currencyCode")) or "VND"
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ApiError("INVALID_CURRENCY", f"Mã tiền tệ không hợp lệ: '{currency}'")
    if currency != "VND" and optional(general, "exchangeRate") is None:
        raise ApiError("EXCHANGE_RATE_REQUIRED", "Thiếu tỷ giá (exchangeRate)")
    adjustment = code(general.get("adjustmentType")) or "1"
    if adjustment not in ("1", "3", "5"):
        raise ApiError("INVALID_ADJUSTMENT_TYPE", f"Loại hóa đơn {adjustment} không được hỗ trợ")
    issued_ms = _issue_time(sb, general)
    year = datetime.fromtimestamp(issued_ms / 1000, tz=ICT).strftime("%y")
    series = series[:1] + year + series[3:]  # S-Invoice writes the issue year (E.3)
    if not preview:
        last = sb.last_issue.get((account.tax_code, template, series), 0)
        if issued_ms < last:
            message = "Ngày lập hóa đơn không được nhỏ hơn ngày lập hóa đơn trước trong ký hiệu"
            raise ApiError("INVALID_ISSUE_DATE", message)
    original = _original(sb, account, general, adjustment) if adjustment != "1" else None
    return Checked(template, series, issued_ms, adjustment, original, key)


def _issue_time(sb: SInvoiceSandbox, general: Mapping[str, Any]) -> int:
    now_ms = int(sb.now()) * 1000
    given = optional(general, "invoiceIssuedDate")
    if given is None:
        return now_ms
    if given > now_ms + 300_000:
        raise ApiError("INVALID_ISSUE_DATE", "Ngày lập hóa đơn không được lớn hơn ngày hiện tại")
    return int(given)


def _original(
    sb: SInvoiceSandbox, account: Account, general: Mapping[str, Any], adjustment: str
) -> Invoice:
    for name in ("originalInvoiceId", "originalInvoiceIssueDate", "originalTemplateCode"):
        if code(general.get(name)) == "":
            raise ApiError("ORIGINAL_INVOICE_REQUIRED", f"Thiếu thông tin hóa đơn gốc: {name}")
    for name in ("additionalReferenceDesc", "additionalReferenceDate"):
        if code(general.get(name)) == "":
            message = f"Thiếu thông tin văn bản thỏa thuận: {name}"
            raise ApiError("AGREEMENT_REQUIRED", message)
    if adjustment == "5" and code(general.get("adjustmentInvoiceType")) not in ("1", "2"):
        message = "adjustmentInvoiceType phải là 1 (điều chỉnh tiền) hoặc 2 (điều chỉnh thông tin)"
        raise ApiError("INVALID_ADJUSTMENT_INVOICE_TYPE", message)
    number = code(general.get("originalInvoiceId"))
    if not ORIGINAL_ID.match(number):
        raise ApiError("INVALID_ORIGINAL_INVOICE", f"Số hóa đơn gốc không hợp lệ: '{number}'")
    template = code(general.get("originalTemplateCode"))
    original = sb.by_number(account.tax_code, number, template)
    if original is None:
        raise ApiError("ORIGINAL_INVOICE_NOT_FOUND", f"Không tìm thấy hóa đơn gốc {number}")
    given = int(decimal(general.get("originalInvoiceIssueDate"), "originalInvoiceIssueDate"))
    if _day(given) != _day(original.issued_ms):
        raise ApiError("INVALID_ORIGINAL_ISSUE_DATE", "Ngày lập hóa đơn gốc không đúng")
    if original.state in ("cancelled", "replaced"):
        state = "đã bị hủy" if original.state == "cancelled" else "đã bị thay thế"
        raise ApiError("ORIGINAL_INVOICE_INVALID_STATE", f"Hóa đơn gốc {number} {state}")
    return original


def _day(milliseconds: int) -> str:
    return datetime.fromtimestamp(milliseconds / 1000, tz=ICT).strftime("%Y-%m-%d")


def check_parties(account: Account, body: Mapping[str, Any]) -> None:
    seller = body.get("sellerInfo") or {}
    if not isinstance(seller, Mapping):
        raise BadRequest("sellerInfo must be an object")
    seller_code = code(seller.get("sellerTaxCode"))
    if seller_code and seller_code != account.tax_code:
        message = "Mã số thuế người bán không khớp với tài khoản"
        raise ApiError("INVALID_SELLER_TAX_CODE", message)
    buyer = _object(body, "buyerInfo")
    takes = code(buyer.get("buyerNotGetInvoice")) in ("", "0")
    name = code(buyer.get("buyerName")) or code(buyer.get("buyerLegalName"))
    if takes and (not name or not code(buyer.get("buyerAddressLine"))):
        message = "Người mua lấy hóa đơn phải có tên và địa chỉ"
        raise ApiError("BUYER_INFO_REQUIRED", message)
    id_type = code(buyer.get("buyerIdType"))
    if id_type and (id_type not in ("1", "2", "3") or not code(buyer.get("buyerIdNo"))):
        # C.5: 1 ID card, 2 passport, 3 business licence; the number is required with a type.
        raise ApiError("BUYER_ID_INVALID", "Loại giấy tờ hoặc số giấy tờ người mua không hợp lệ")
    tax_code = code(buyer.get("buyerTaxCode"))
    if takes and not tax_code:  # C.5: name, address and tax code when the buyer takes it
        raise ApiError("BUYER_INFO_REQUIRED", "Người mua lấy hóa đơn phải có mã số thuế")
    if tax_code and not valid_tax_code(tax_code, code(buyer.get("buyerCountryCode")) or "VN"):
        message = f"Mã số thuế người mua không hợp lệ: {tax_code}"
        raise ApiError("INVALID_BUYER_TAX_CODE", message)
    for email in filter(None, (e.strip() for e in code(buyer.get("buyerEmail")).split(";"))):
        if not EMAIL.match(email):
            raise ApiError("INVALID_BUYER_EMAIL", f"Email người mua không hợp lệ: {email}")
    payments = body.get("payments")
    if not isinstance(payments, list) or not payments:
        raise ApiError("PAYMENT_METHOD_REQUIRED", "Thiếu hình thức thanh toán")
    for payment in payments:
        if not isinstance(payment, Mapping) or not code(payment.get("paymentMethodName")):
            raise ApiError("PAYMENT_METHOD_REQUIRED", "Thiếu tên hình thức thanh toán")
