"""S-Invoice sandbox: the checks of `itemInfo`, `taxBreakdowns` and `summarizeInfo` (C.5),
with the provider's tolerances: 5 per line on quantity x unit price, 20,000 on tax.

Signs: a line counts negative when `isIncreaseItem` is false (discount lines, every line of a
decrease adjustment), a breakdown when `taxableAmountPos`/`taxAmountPos` is false, a total when
its `is...Pos` flag is false. Amounts are compared as magnitudes with their signs applied, so a
decrease adjustment with negative unit prices and positive amounts (Odoo's shape) passes.

A sales invoice (template 2, E.2) carries no VAT: every priced line `taxPercentage` -2 with
`taxAmount` 0 (absent counts as 0), no breakdown entry with another rate or any tax, and no
`totalTaxAmount` (check_sales, before the sums are compared).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .sinvoice_validate import (
    LINE_TOLERANCE,
    TAX_PERCENTAGES,
    TAX_TOLERANCE,
    ApiError,
    BadRequest,
    code,
    decimal,
    optional,
)

GOODS_SELECTIONS = ("", "1", "5", "6")


@dataclass
class RateSums:
    taxable: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)
    lines: int = 0


@dataclass
class Sums:
    rates: dict[int, RateSums] = field(default_factory=dict)
    line_count: int = 0


def _sign(flag: Any) -> int:
    return -1 if flag is False or code(flag).lower() == "false" else 1


def _rate(values: Mapping[str, Any], where: str) -> int:
    given = optional(values, "taxPercentage")
    if given is None or given != given.to_integral() or int(given) not in TAX_PERCENTAGES:
        message = f"{where}: thuế suất không hợp lệ ({values.get('taxPercentage')!r})"
        raise ApiError("INVALID_TAX_PERCENTAGE", message)
    return int(given)


def check_items(items: Any, adjustment: str, money_adjustment: bool) -> Sums:
    if not isinstance(items, list) or not items:
        raise BadRequest("itemInfo is required")
    sums = Sums()
    for index, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            raise BadRequest(f"itemInfo[{index}] must be an object")
        where = f"Dòng {code(item.get('lineNumber')) or index}"
        selection = code(item.get("selection"))
        if selection not in ("", "1", "2", "3", "4", "5", "6"):
            raise ApiError("INVALID_SELECTION", f"{where}: selection {selection} không hợp lệ")
        if not code(item.get("itemName")):
            raise ApiError("ITEM_NAME_REQUIRED", f"{where}: thiếu tên hàng hóa, dịch vụ")
        if selection == "2":
            continue
        if selection == "6" and not code(item.get("itemType")):  # ND 70 special goods
            raise ApiError("ITEM_TYPE_REQUIRED", f"{where}: hàng hóa đặc biệt phải có itemType")
        _check_line(item, where, selection, adjustment, money_adjustment, sums)
    return sums


def _check_line(
    item: Mapping[str, Any],
    where: str,
    selection: str,
    adjustment: str,
    money_adjustment: bool,
    sums: Sums,
) -> None:
    increase = item.get("isIncreaseItem")
    if selection == "3" and adjustment != "5" and _sign(increase) != -1:
        message = f"{where}: dòng chiết khấu phải có isIncreaseItem = false"
        raise ApiError("INVALID_DISCOUNT_ITEM", message)
    if money_adjustment and increase is None:
        message = f"{where}: dòng điều chỉnh phải có isIncreaseItem (tăng/giảm)"
        raise ApiError("INVALID_ADJUSTMENT_ITEM", message)
    without_tax = optional(item, "itemTotalAmountWithoutTax")
    if selection in GOODS_SELECTIONS:
        quantity, price = optional(item, "quantity"), optional(item, "unitPrice")
        if quantity is None or price is None:
            message = f"{where}: hàng hóa phải có số lượng và đơn giá"
            raise ApiError("QUANTITY_PRICE_REQUIRED", message)
        product = abs(quantity * price)
        if without_tax is not None and abs(product - abs(without_tax)) > LINE_TOLERANCE:
            message = (
                f"{where}: thành tiền chưa thuế {without_tax} không khớp số lượng x đơn giá "
                f"({product}), sai lệch cho phép {LINE_TOLERANCE}"
            )
            raise ApiError("INVALID_ITEM_AMOUNT", message)
        if without_tax is None:
            without_tax = product
    if without_tax is None:
        raise ApiError("ITEM_AMOUNT_REQUIRED", f"{where}: thiếu thành tiền chưa thuế")
    rate = _rate(item, where)
    after = optional(item, "itemTotalAmountAfterDiscount")
    if after is None:
        after = abs(without_tax) - abs(optional(item, "itemDiscount") or Decimal(0))
    sign = _sign(increase)
    entry = sums.rates.setdefault(rate, RateSums())
    entry.taxable += sign * abs(after)
    entry.tax += sign * abs(optional(item, "taxAmount") or Decimal(0))
    entry.lines += 1
    sums.line_count += 1


def check_breakdowns(breakdowns: Any, sums: Sums) -> tuple[Decimal, Decimal]:
    """The breakdowns against the lines; returns the signed (taxable, tax) totals."""
    if breakdowns in (None, []):
        if sums.rates:
            raise ApiError("TAX_BREAKDOWN_REQUIRED", "Thiếu bảng tổng hợp thuế suất")
        return Decimal(0), Decimal(0)
    if not isinstance(breakdowns, list):
        raise BadRequest("taxBreakdowns must be a list")
    seen: dict[int, tuple[Decimal, Decimal]] = {}
    for entry in breakdowns:
        if not isinstance(entry, Mapping):
            raise BadRequest("taxBreakdowns items must be objects")
        rate = _rate(entry, "Tổng hợp thuế")
        if rate in seen:  # C.5: one entry per taxPercentage
            message = f"Thuế suất {rate} xuất hiện nhiều lần trong bảng tổng hợp thuế suất"
            raise ApiError("INVALID_TAX_BREAKDOWN", message)
        taxable = _sign(entry.get("taxableAmountPos")) * abs(
            optional(entry, "taxableAmount") or Decimal(0)
        )
        tax = _sign(entry.get("taxAmountPos")) * abs(optional(entry, "taxAmount") or Decimal(0))
        seen[rate] = (taxable, tax)
    if set(seen) != set(sums.rates):
        message = (
            f"Thuế suất trong bảng tổng hợp {sorted(seen)} không khớp các dòng {sorted(sums.rates)}"
        )
        raise ApiError("INVALID_TAX_BREAKDOWN", message)
    for rate, (taxable, tax) in seen.items():
        lines = sums.rates[rate]
        if abs(taxable - lines.taxable) > LINE_TOLERANCE * lines.lines:
            message = (
                f"Thuế suất {rate}: tiền chịu thuế {taxable} khác tổng các dòng {lines.taxable}"
            )
            raise ApiError("INVALID_TAXABLE_AMOUNT", message)
        computed = (taxable * max(rate, 0) / 100).quantize(Decimal(1))
        if abs(tax - lines.tax) > TAX_TOLERANCE or abs(tax - computed) > TAX_TOLERANCE:
            message = (
                f"Thuế suất {rate}: tiền thuế {tax} lệch quá {TAX_TOLERANCE} so với tính toán "
                f"({computed})"
            )
            raise ApiError("INVALID_TAX_AMOUNT", message)
    return sum((t for t, _ in seen.values()), Decimal(0)), sum(
        (v for _, v in seen.values()), Decimal(0)
    )


def check_summary(summary: Any, taxable: Decimal, tax: Decimal, sums: Sums) -> None:
    if summary is None:
        return
    if not isinstance(summary, Mapping):
        raise BadRequest("summarizeInfo must be an object")
    without = optional(summary, "totalAmountWithoutTax")
    total_tax = optional(summary, "totalTaxAmount")
    total = optional(summary, "totalAmountWithTax")
    if without is not None:
        without = _sign(summary.get("isTotalAmtWithoutTaxPos")) * abs(without)
        if abs(without - taxable) > LINE_TOLERANCE * max(sums.line_count, 1):
            message = f"Tổng tiền chưa thuế {without} khác tổng hợp thuế suất ({taxable})"
            raise ApiError("INVALID_TOTAL_AMOUNT", message)
    if total_tax is not None:
        total_tax = _sign(summary.get("isTotalTaxAmountPos")) * abs(total_tax)
        if abs(total_tax - tax) > TAX_TOLERANCE:
            message = f"Tổng tiền thuế {total_tax} khác tổng hợp thuế suất ({tax})"
            raise ApiError("INVALID_TOTAL_TAX", message)
    if total is not None and without is not None and total_tax is not None:
        total = _sign(summary.get("isTotalAmountPos")) * abs(total)
        if abs(total - (without + total_tax)) > LINE_TOLERANCE:
            message = f"Tổng tiền thanh toán {total} khác tiền chưa thuế + tiền thuế"
            raise ApiError("INVALID_TOTAL_AMOUNT", message)


SALES_TAX_PERCENTAGE = -2


def _no_tax(values: Mapping[str, Any], name: str) -> bool:
    amount = optional(values, name)
    return amount is None or amount == 0


def check_sales(body: Mapping[str, Any]) -> None:
    """A sales invoice that carries VAT is refused (see the module's docstring)."""
    message = "Hóa đơn bán hàng (mẫu số 2) không có thuế GTGT"
    items = body.get("itemInfo")
    for index, item in enumerate(items if isinstance(items, list) else [], start=1):
        if not isinstance(item, Mapping) or code(item.get("selection")) == "2":
            continue
        where = f"Dòng {code(item.get('lineNumber')) or index}"
        rate = optional(item, "taxPercentage")
        if rate != SALES_TAX_PERCENTAGE or not _no_tax(item, "taxAmount"):
            detail = f"{where}: thuế suất phải là -2 và tiền thuế 0"
            raise ApiError("SALES_INVOICE_WITH_TAX", f"{message}. {detail}")
    breakdowns = body.get("taxBreakdowns")
    for entry in breakdowns if isinstance(breakdowns, list) else []:
        if not isinstance(entry, Mapping):
            continue
        if optional(entry, "taxPercentage") != SALES_TAX_PERCENTAGE or not _no_tax(
            entry, "taxAmount"
        ):
            raise ApiError("SALES_INVOICE_WITH_TAX", f"{message}. Tổng hợp thuế suất có thuế")
    summary = body.get("summarizeInfo")
    if isinstance(summary, Mapping) and not _no_tax(summary, "totalTaxAmount"):
        raise ApiError("SALES_INVOICE_WITH_TAX", f"{message}. Tổng tiền thuế phải là 0")


def parse_total(summary: Any, fallback: Decimal) -> Decimal:
    if isinstance(summary, Mapping):
        given = optional(summary, "totalAmountWithTax")
        if given is not None:
            return given
    return fallback


__all__ = [
    "check_breakdowns",
    "check_items",
    "check_sales",
    "check_summary",
    "decimal",
    "parse_total",
]
