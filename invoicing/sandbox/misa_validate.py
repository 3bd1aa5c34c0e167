"""MISA sandbox: the checks of one OriginalInvoiceData (carriers_einvoice.md D.5, E.3, E.6,
E.7), each failing with the provider's error code and a Vietnamese message.

Decimal places: no line number with more decimals than OptionUserDefined declares for it
(QuantityDecimalDigits, UnitPriceOCDecimalDigits, AmountOCDecimalDigits).
Tolerances (MISA publishes none; [UNV]): a line's Amount against Quantity x UnitPrice and its
VATAmount against AmountWithoutVAT x rate within `tolerance` (1 dong by default); a rate's VAT
in TaxRateInfo against the sum of its lines within `tolerance` per line; every other sum exact.
A sales invoice (symbol 2..., E.2) carries no VAT: a line or TaxRateInfo element with a VAT
rate (a percentage or KHAC) or any VAT amount, or a TotalVATAmount, is refused
(SalesInvoiceWithVAT); "KCT"/"KKKNT" with VAT 0 is what it may carry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from common.taxcodes import vn_check_digit

SYMBOL = re.compile(r"^[1-6][CK][0-9]{2}[TDLMNBGH][A-Z0-9]{2}$")
SERIES = re.compile(r"^[CK][0-9]{2}[TDLMNBGH][A-Z0-9]{2}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
OTHER_RATE = re.compile(r"^KHAC:(\d{1,2}(?:\.\d{1,2})?)%$")
RATES = {"0%": Decimal(0), "5%": Decimal(5), "8%": Decimal(8), "10%": Decimal(10)}
NO_TAX = {"KCT", "KKKNT"}
REQUIRED = (
    "RefID",
    "InvSeries",
    "InvDate",
    "InvoiceTemplateID",
    "CurrencyCode",
    "SellerTaxCode",
    "SellerLegalName",
    "TotalAmountOC",
    "TotalAmountInWords",
)
ORG_FIELDS = ("OrgInvTemplateNo", "OrgInvSeries", "OrgInvNo", "OrgInvDate")
OPTION_FIELDS = ("MainCurrency", "AmountDecimalDigits", "QuantityDecimalDigits")


class ApiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Checked:
    ref_id: str
    symbol: str  # "1C25TAA"
    inv_date: date
    reference_type: int  # 0 original, 1 replacement, 2 adjustment
    org: tuple[str, str, str, date] | None  # template digit, series, number, date


def number(body: Mapping[str, Any], name: str) -> Decimal:
    value = body.get(name)
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, bool):
        raise ApiError("InvalidData", f"Trường {name} không đúng kiểu số")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ApiError("InvalidData", f"Trường {name} không đúng kiểu số") from None


def tax_code_ok(code: str, *, personal: bool) -> bool:
    """10 digits with the check digit, 10-3 (a branch), or 12 digits for a person."""
    parent, _, branch = code.partition("-")
    if branch and not (len(branch) == 3 and branch.isdigit() and branch != "000"):
        return False
    if personal and not branch and len(parent) == 12 and parent.isdigit():
        return True
    if len(parent) != 10 or not (parent.isascii() and parent.isdigit()):
        return False
    return vn_check_digit(parent[:9]) == int(parent[9])


def rate_of(name: Any) -> Decimal:
    text = str(name or "")
    if text in RATES:
        return RATES[text]
    if text in NO_TAX:
        return Decimal(0)
    match = OTHER_RATE.match(text)
    if match:
        return Decimal(match.group(1))
    raise ApiError("InvalidVATRateName", f"Thuế suất '{text}' không hợp lệ")


def parse_date(value: Any, name: str) -> date:
    try:
        if len(str(value)) != len("yyyy-mm-dd"):
            raise ValueError(value)
        return date.fromisoformat(str(value))
    except ValueError:
        raise ApiError("InvalidDate", f"{name} phải có dạng yyyy-MM-dd: '{value}'") from None


def _header(body: Mapping[str, Any], company_tax_code: str) -> None:
    for name in REQUIRED:
        if body.get(name) in (None, ""):
            raise ApiError("RequiredField", f"Thiếu thông tin bắt buộc: {name}")
    options = body.get("OptionUserDefined")
    if not isinstance(options, Mapping) or any(
        not isinstance(options.get(k), str) for k in OPTION_FIELDS
    ):
        raise ApiError("RequiredField", "Thiếu thông tin bắt buộc: OptionUserDefined")
    currency = str(body["CurrencyCode"]).upper()
    main = str(options.get("MainCurrency") or "VND").upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ApiError("InvalidCurrencyCode", f"Mã tiền tệ '{currency}' không hợp lệ")
    if currency != main and number(body, "ExchangeRate") in (Decimal(0), Decimal(1)):
        raise ApiError(
            "InvalidExchangeRate", f"Hóa đơn bằng {currency} phải có tỷ giá quy đổi sang {main}"
        )
    seller = str(body["SellerTaxCode"])
    if seller != company_tax_code:
        raise ApiError("InvalidSellerTaxCode", "Mã số thuế người bán không khớp CompanyTaxCode")
    buyer = str(body.get("BuyerTaxCode") or "")
    if buyer:
        if not tax_code_ok(buyer, personal=True):
            raise ApiError("InvalidTaxCode", f"Mã số thuế người mua {buyer} không hợp lệ")
        if not body.get("BuyerLegalName") or not body.get("BuyerAddress"):
            raise ApiError(
                "RequiredField", "Có mã số thuế người mua thì phải có tên đơn vị và địa chỉ"
            )
    for name in ("BuyerEmail", "ReceiverEmail"):
        email = str(body.get(name) or "")
        if email and not all(EMAIL.match(e.strip()) for e in email.split(";")):
            raise ApiError("InvalidEmail", f"Email '{email}' không hợp lệ")


LINE_PLACES = (
    ("Quantity", "QuantityDecimalDigits"),
    ("UnitPrice", "UnitPriceOCDecimalDigits"),
    ("AmountOC", "AmountOCDecimalDigits"),
    ("DiscountAmountOC", "AmountOCDecimalDigits"),
    ("AmountWithoutVATOC", "AmountOCDecimalDigits"),
    ("VATAmountOC", "AmountOCDecimalDigits"),
)


def _places(line: Mapping[str, Any], options: Mapping[str, Any], position: int) -> None:
    """No number of a line with more decimals than OptionUserDefined declares for it."""
    for name, option in LINE_PLACES:
        exponent = number(line, name).normalize().as_tuple().exponent
        digits = str(options.get(option) or "0")
        allowed = int(digits) if digits.isdigit() else 0
        if isinstance(exponent, int) and -exponent > allowed:
            raise ApiError(
                f"InvoiceDetail_{name}",
                f"Dòng {position}: {name} có nhiều hơn {allowed} chữ số thập phân ({option})",
            )


def _lines(body: Mapping[str, Any], tolerance: Decimal) -> dict[str, list[Decimal]]:
    """Checks each line; the sums per VATRateName: [AmountWithoutVAT, VATAmount, lines]."""
    details = body.get("OriginalInvoiceDetail")
    if not isinstance(details, list) or not details:
        raise ApiError("RequiredField", "Hóa đơn phải có ít nhất một dòng hàng hóa, dịch vụ")
    sums: dict[str, list[Decimal]] = {}
    for position, line in enumerate(details, start=1):
        if not isinstance(line, Mapping) or not line.get("ItemName"):
            raise ApiError("RequiredField", f"Dòng {position}: thiếu ItemName")
        item_type = int(number(line, "ItemType"))
        if item_type not in {1, 2, 3, 4}:
            raise ApiError("InvalidItemType", f"Dòng {position}: ItemType {item_type} không hợp lệ")
        if item_type == 4:
            continue
        _places(line, body["OptionUserDefined"], position)
        rate_name = str(line.get("VATRateName") or "")
        rate = rate_of(rate_name)
        amount, discount = number(line, "AmountOC"), number(line, "DiscountAmountOC")
        untaxed, vat = number(line, "AmountWithoutVATOC"), number(line, "VATAmountOC")
        if item_type == 1:
            expected = number(line, "Quantity") * number(line, "UnitPrice")
            if abs(expected - amount) > tolerance:
                raise ApiError(
                    "InvalidAmount", f"Dòng {position}: Thành tiền {amount} khác {expected}"
                )
        if untaxed != amount - discount:
            raise ApiError(
                "InvalidAmountWithoutVAT",
                f"Dòng {position}: Thành tiền trước thuế {untaxed} khác {amount - discount}",
            )
        expected_vat = untaxed * rate / 100
        if abs(expected_vat - vat) > tolerance:
            raise ApiError(
                "InvalidVATAmount", f"Dòng {position}: Tiền thuế {vat} khác {expected_vat:.0f}"
            )
        sign = -1 if item_type == 3 else 1
        part = sums.setdefault(rate_name, [Decimal(0), Decimal(0), Decimal(0)])
        part[0] += sign * untaxed
        part[1] += sign * vat
        part[2] += 1
    return sums


def _totals(body: Mapping[str, Any], sums: dict[str, list[Decimal]], tolerance: Decimal) -> None:
    infos = body.get("TaxRateInfo") or []
    if not isinstance(infos, list):
        raise ApiError("InvalidTaxRateInfo", "TaxRateInfo phải là một danh sách")
    names = [str(info.get("VATRateName")) for info in infos if isinstance(info, Mapping)]
    if len(names) != len(infos) or sorted(names) != sorted(sums) or len(set(names)) != len(names):
        raise ApiError(
            "InvalidTaxRateInfo",
            f"TaxRateInfo phải có đúng một dòng cho mỗi thuế suất: {sorted(sums)}",
        )
    untaxed_total = vat_total = Decimal(0)
    for info in infos:
        untaxed, vat = number(info, "AmountWithoutVATOC"), number(info, "VATAmountOC")
        expected = sums[str(info["VATRateName"])]
        if untaxed != expected[0] or abs(vat - expected[1]) > tolerance * expected[2]:
            raise ApiError(
                "InvalidTaxRateInfo",
                f"Tổng hợp thuế suất {info['VATRateName']} không khớp các dòng hàng",
            )
        untaxed_total += untaxed
        vat_total += vat
    checks = (
        ("TotalAmountWithoutVATOC", untaxed_total),
        ("TotalVATAmountOC", vat_total),
        ("TotalAmountOC", untaxed_total + vat_total),
        (
            "TotalSaleAmountOC",
            number(body, "TotalAmountWithoutVATOC") + number(body, "TotalDiscountAmountOC"),
        ),
    )
    for name, expected_total in checks:
        if number(body, name) != expected_total:
            raise ApiError(
                "InvalidTotalAmount", f"{name} = {number(body, name)} khác {expected_total}"
            )
    if str(body["OptionUserDefined"].get("AmountDecimalDigits")) == "0":
        for name, _ in checks:
            if number(body, name) != number(body, name).to_integral_value():
                raise ApiError("InvalidTotalAmount", f"{name} phải là số nguyên (VND)")


def _check_sales(body: Mapping[str, Any]) -> None:
    """A sales invoice with VAT in it is refused (see the module's docstring)."""
    message = "Hóa đơn bán hàng (mẫu số 2) không có thuế GTGT"
    details = body.get("OriginalInvoiceDetail")
    infos = body.get("TaxRateInfo")
    rows = [
        *(details if isinstance(details, list) else []),
        *(infos if isinstance(infos, list) else []),
    ]
    for row in rows:
        if not isinstance(row, Mapping) or int(number(row, "ItemType")) == 4:
            continue
        if str(row.get("VATRateName") or "") not in NO_TAX or number(row, "VATAmountOC"):
            raise ApiError("SalesInvoiceWithVAT", f"{message}: {row.get('VATRateName')}")
    if number(body, "TotalVATAmountOC") or number(body, "TotalVATAmount"):
        raise ApiError("SalesInvoiceWithVAT", f"{message}: TotalVATAmount")


def check(
    body: Any, *, company_tax_code: str, coded: bool, tolerance: Decimal = Decimal(1)
) -> Checked:
    """The invoice's identity when every check passes; ApiError otherwise."""
    if not isinstance(body, Mapping):
        raise ApiError("InvalidData", "Dữ liệu hóa đơn không hợp lệ")
    _header(body, company_tax_code)
    symbol = str(body["InvSeries"]).upper()
    if not SYMBOL.match(symbol):
        raise ApiError("InvalidInvSeries", f"Ký hiệu hóa đơn '{symbol}' không đúng định dạng")
    if (symbol[1] == "C") != coded:
        raise ApiError(
            "InvalidInvSeries",
            f"Ký hiệu {symbol}: hóa đơn có mã gọi API /code, hóa đơn không mã gọi API không /code",
        )
    inv_date = parse_date(body["InvDate"], "InvDate")
    if symbol[2:4] != f"{inv_date.year % 100:02d}":
        raise ApiError(
            "InvalidInvSeries", f"Ký hiệu {symbol}: năm {symbol[2:4]} khác năm của ngày hóa đơn"
        )
    if symbol.startswith("2"):
        _check_sales(body)
    _totals(body, _lines(body, tolerance), tolerance)
    reference = int(number(body, "ReferenceType"))
    org = None
    if reference in {1, 2}:
        missing = [name for name in ORG_FIELDS if body.get(name) in (None, "")]
        if missing:
            raise ApiError(
                "RequiredField", f"Hóa đơn thay thế/điều chỉnh thiếu: {', '.join(missing)}"
            )
        series = str(body["OrgInvSeries"]).upper()
        series = series[1:] if len(series) == 7 else series
        if not SERIES.match(series):
            raise ApiError("InvalidOrgInvSeries", f"Ký hiệu hóa đơn gốc '{series}' không hợp lệ")
        org_date = parse_date(body["OrgInvDate"], "OrgInvDate")
        org = (str(body["OrgInvTemplateNo"]), series, str(body["OrgInvNo"]), org_date)
    elif reference != 0:
        raise ApiError("InvalidReferenceType", f"ReferenceType {reference} không hợp lệ")
    return Checked(str(body["RefID"]), symbol, inv_date, reference, org)
