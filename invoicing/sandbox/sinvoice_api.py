"""S-Invoice sandbox: the operations under InvoiceAPI/ (carriers_einvoice.md C.4-C.11). Each
takes the signed-in account and the request's JSON body or form fields and returns the answer
document; a refusal raises ApiError / BadRequest (sinvoice_validate)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import sinvoice_amounts as amounts
from . import sinvoice_files as files
from .sinvoice import Invoice
from .sinvoice_validate import ICT, ApiError, Checked, check_general, check_parties, code

if TYPE_CHECKING:
    from .sinvoice import Account, SInvoiceSandbox

PAID, UNPAID, CANCELLED = "Đã thanh toán", "Chưa thanh toán", "Đã hủy"


@dataclass
class Request:
    operation: str
    tail: str  # the path's {taxCode}, if any
    account: Account
    body: dict[str, Any]  # JSON body or form fields (query and body merged)


def ok(**values: Any) -> dict[str, Any]:
    return {"errorCode": None, "description": None, **values}


def _supplier(request: Request, given: str) -> str:
    if given != request.account.tax_code:
        message = f"Mã số thuế người bán {given} không thuộc tài khoản"
        raise ApiError("INVALID_SUPPLIER_TAX_CODE", message)
    return given


def _required(fields: Mapping[str, Any], *names: str) -> None:
    for name in names:
        if code(fields.get(name)) == "":
            raise ApiError("ERR", f"Thiếu tham số bắt buộc: {name}")


def check_invoice(sb: SInvoiceSandbox, request: Request, *, preview: bool) -> Checked:
    body = request.body
    general = body.get("generalInvoiceInfo")
    if not isinstance(general, Mapping):
        raise amounts.BadRequest("generalInvoiceInfo is required")
    checked = check_general(sb, request.account, general, preview=preview)
    check_parties(request.account, body)
    money = checked.adjustment == "5" and code(general.get("adjustmentInvoiceType")) == "1"
    sums = amounts.check_items(body.get("itemInfo"), checked.adjustment, money)
    if checked.template.startswith("2"):  # a sales invoice: no VAT (E.2)
        amounts.check_sales(body)
    taxable, tax = amounts.check_breakdowns(body.get("taxBreakdowns"), sums)
    amounts.check_summary(body.get("summarizeInfo"), taxable, tax, sums)
    return checked


def _created(sb: SInvoiceSandbox, invoice: Invoice) -> dict[str, Any]:
    return ok(
        result={
            "supplierTaxCode": invoice.supplier,
            "invoiceNo": invoice.invoice_no if sb.numbered(invoice) else "",
            "transactionID": invoice.key,
            "reservationCode": invoice.reservation_code,
            "codeOfTax": sb.code_of_tax(invoice) or None,
        }
    )


def create_invoice(sb: SInvoiceSandbox, request: Request) -> dict[str, Any]:
    supplier = _supplier(request, request.tail)
    general = request.body.get("generalInvoiceInfo")
    key = code(general.get("transactionUuid")) if isinstance(general, Mapping) else ""
    existing = sb.by_key(supplier, key) if key else None
    if existing is not None:  # the same transactionUuid: the same invoice (C.5)
        return _created(sb, existing)
    checked = check_invoice(sb, request, preview=False)
    series_key = (supplier, checked.template, checked.series)
    number = sb.counters.get(series_key, 0) + 1
    sb.counters[series_key] = number
    sb.last_issue[series_key] = checked.issued_ms
    invoice = Invoice(
        key=checked.key or str(uuid.uuid4()),
        supplier=supplier,
        template=checked.template,
        series=checked.series,
        number=number,
        issued_ms=checked.issued_ms,
        created_at=sb.now(),
        body=request.body,
        reservation_code=uuid.uuid4().hex[:10].upper(),
        adjustment_type=checked.adjustment,
        original_no=checked.original.invoice_no if checked.original else "",
        paid=general.get("paymentStatus") in (True, "true", 1),  # type: ignore[union-attr]
    )
    if checked.original is not None:
        checked.original.state = "replaced" if checked.adjustment == "3" else "adjusted"
    sb.invoices[(supplier, invoice.key)] = invoice
    return _created(sb, invoice)


def preview(sb: SInvoiceSandbox, request: Request) -> dict[str, Any]:
    _supplier(request, request.tail)
    check_invoice(sb, request, preview=True)
    lines = files.invoice_lines(request.body, "HOA DON NHAP (XEM TRUOC)", "(chua cap so)", "")
    return ok(fileToBytes=base64.b64encode(files.pdf(lines)).decode())


def _issued_text(invoice: Invoice) -> str:
    return datetime.fromtimestamp(invoice.issued_ms / 1000, tz=ICT).strftime("%Y-%m-%d")


def representation_file(sb: SInvoiceSandbox, request: Request) -> dict[str, Any]:
    fields = request.body
    _required(fields, "supplierTaxCode", "invoiceNo", "fileType")
    supplier = _supplier(request, code(fields.get("supplierTaxCode")))
    number, kind = code(fields.get("invoiceNo")), code(fields.get("fileType")).upper()
    if kind not in ("PDF", "ZIP"):
        raise ApiError("INVALID_FILE_TYPE", f"fileType {kind} không hợp lệ (PDF hoặc ZIP)")
    invoice = sb.by_number(supplier, number, code(fields.get("templateCode")))
    if invoice is None or not sb.numbered(invoice):
        raise ApiError("INVOICE_NOT_FOUND", f"Không tìm thấy hóa đơn {number}")
    if not sb.file_ready(invoice):
        if sb.not_ready_style == "error":
            raise ApiError("FILE_NOT_READY", "Hóa đơn đang được xử lý, vui lòng thử lại sau")
        return ok(fileName=None, fileToBytes=None, paymentStatus=invoice.paid)
    tax_code = sb.code_of_tax(invoice)
    if kind == "PDF":
        title = "HOA DON GIA TRI GIA TANG" if invoice.template[:1] == "1" else "HOA DON BAN HANG"
        content = files.pdf(files.invoice_lines(invoice.body, title, number, tax_code))
        name = f"{invoice.supplier}_{number}.pdf"
    else:
        xml = files.invoice_xml(
            invoice.body, invoice.number, invoice.series, _issued_text(invoice), tax_code
        )
        content = files.nested_zip(
            f"{invoice.supplier}_{number}", xml, levels=1 if sb.single_zip else 2
        )
        name = f"{invoice.supplier}_{number}.zip"
    encoded = base64.b64encode(content).decode()
    return ok(fileName=name, fileToBytes=encoded, paymentStatus=invoice.paid)


def _status(invoice: Invoice) -> str:
    if invoice.state == "cancelled":
        return CANCELLED
    return PAID if invoice.paid else UNPAID


def search_by_uuid(sb: SInvoiceSandbox, request: Request) -> dict[str, Any]:
    fields = request.body
    _required(fields, "supplierTaxCode", "transactionUuid")
    supplier = _supplier(request, code(fields.get("supplierTaxCode")))
    key = code(fields.get("transactionUuid"))
    invoice = sb.by_key(supplier, key) if len(key) <= 36 else None
    if invoice is None:
        if sb.not_found_style == "error":
            return {"errorCode": "NOT_FOUND_DATA", "description": "Không tìm thấy hóa đơn"}
        return ok(transactionUuid=key, result=[])
    tax_code = sb.code_of_tax(invoice)
    coded = invoice.series[:1] == "C"
    row = {
        "supplierTaxCode": supplier,
        "invoiceNo": invoice.invoice_no if sb.numbered(invoice) else "",
        "reservationCode": invoice.reservation_code,
        "issueDate": invoice.issued_ms,
        "status": _status(invoice),
        "exchangeStatus": "1" if tax_code or not coded else "0",
        "exchangeDes": ("CQT đã cấp mã" if tax_code else "Chờ CQT cấp mã")
        if coded
        else "Đã gửi CQT",
        "codeOfTax": tax_code or None,
        "invoiceType": invoice.template[:1],
        "templateCode": invoice.template,
        "invoiceSeries": invoice.series,
        "paymentStatus": invoice.paid,
        "createTime": int(invoice.created_at) * 1000,
    }
    return ok(transactionUuid=key, result=[row])


def _by_form(sb: SInvoiceSandbox, request: Request, *extra: str) -> Invoice:
    fields = request.body
    _required(fields, "supplierTaxCode", "invoiceNo", "strIssueDate", *extra)
    supplier = _supplier(request, code(fields.get("supplierTaxCode")))
    number = code(fields.get("invoiceNo"))
    invoice = sb.by_number(supplier, number, code(fields.get("templateCode")))
    if invoice is None or not sb.numbered(invoice):
        raise ApiError("INVOICE_NOT_FOUND", f"Không tìm thấy hóa đơn {number}")
    given = int(amounts.decimal(fields.get("strIssueDate"), "strIssueDate"))
    day = datetime.fromtimestamp(given / 1000, tz=ICT).strftime("%Y-%m-%d")
    if sb.issue_date_match == "second":  # the issue time as S-Invoice holds it (C.3, C.11)
        matches = given // 1000 == invoice.issued_ms // 1000
    else:
        matches = day == _issued_text(invoice)
    if not matches:
        raise ApiError("INVALID_ISSUE_DATE", "strIssueDate không đúng ngày lập hóa đơn")
    return invoice


def cancel(sb: SInvoiceSandbox, request: Request) -> dict[str, Any]:
    invoice = _by_form(sb, request, "additionalReferenceDesc", "additionalReferenceDate")
    if not sb.allow_cancel:
        message = (
            "Không được hủy hóa đơn đã lập theo Nghị định 70/2025/NĐ-CP; "
            "vui lòng lập hóa đơn điều chỉnh hoặc thay thế"
        )
        raise ApiError("CANCEL_NOT_ALLOWED", message)
    if invoice.state != "issued":
        states = {
            "cancelled": "đã bị hủy",
            "replaced": "đã bị thay thế",
            "adjusted": "đã điều chỉnh",
        }
        message = f"Hóa đơn {invoice.invoice_no} {states[invoice.state]}, không thể hủy"
        raise ApiError("INVOICE_INVALID_STATE", message)
    invoice.state = "cancelled"
    invoice.cancel = {k: code(v) for k, v in request.body.items()}
    return {"errorCode": None, "description": "CANCEL TRANSACTION INVOICE SUCCESS"}


def payment_status(paid: bool) -> Any:
    def run(sb: SInvoiceSandbox, request: Request) -> dict[str, Any]:
        invoice = _by_form(sb, request)
        if invoice.paid == paid or invoice.state == "cancelled":
            return {"errorCode": "NOT_FOUND_DATA", "description": "Không có dữ liệu cập nhật"}
        invoice.paid = paid
        return ok(result=True)

    return run


def templates(sb: SInvoiceSandbox, request: Request) -> dict[str, Any]:
    given = code(request.body.get("taxCode")) or request.account.tax_code
    _supplier(request, given)
    wanted = code(request.body.get("invoiceType")) or "all"
    rows = [
        {"templateCode": t, "invoiceSeri": s, "invoiceType": t[:1], "templateName": name}
        for t, s, name in request.account.templates
        if wanted == "all" or t[:1] == wanted
    ]
    return ok(template=rows)
