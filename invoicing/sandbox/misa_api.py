"""MISA sandbox: the v3 operations. Each handler takes the parsed request and returns the
value for `Data` (JSON-encoded into the envelope by misa_http.py) or raises ApiError for an
outer error. Result items carry their own ErrorCode (null when fine), as MISA's do.

Status fields of this sandbox ([UNV] in the doc): PublishStatus 1 = published; EInvoiceStatus
1 original, 2 cancelled, 3 replacement, 5 adjustment, 7 replaced by another, 9 adjusted by
another; SendTaxStatus 1 sent to the tax authority, 2 code received (series C), 0 for K.
"""

from __future__ import annotations

import base64
import io
import uuid
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from .misa_pdf import invoice_pdf
from .misa_validate import ApiError, Checked, check

if TYPE_CHECKING:
    from .misa import Invoice, MisaSandbox, Template


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # below /api/v3, without /code, lowercase
    coded: bool  # called with the /code prefix
    params: Mapping[str, str]
    body: Any
    origin: str
    created: list[str] = field(default_factory=list)  # the symbols this call numbered in


def _number(sb: MisaSandbox, value: int | Decimal | str) -> Any:
    return str(value) if sb.string_numbers else value


def sign_in(sb: MisaSandbox, req: Request) -> str:
    body = req.body if isinstance(req.body, Mapping) else {}
    key = (str(body.get("appid", "")), str(body.get("taxcode", "")), str(body.get("username", "")))
    if sb.accounts.get(key) != body.get("password") or not body.get("password"):
        raise ApiError("InvalidUserNameOrPassword", "Tên đăng nhập hoặc mật khẩu không đúng")
    return sb.issue_token()


def templates(sb: MisaSandbox, req: Request) -> list[dict[str, Any]]:
    year = req.params.get("invyear", "")
    return [
        {
            "IPTemplateID": t.template_id,
            "InvSeries": t.symbol,
            "InvoiceType": int(t.symbol[0]),
            "TemplateName": t.name,
            "InvTemplateNo": t.symbol[0],
            "IsInvoiceWithCode": t.symbol[1] == "C",
            "Inactive": False,
        }
        for t in sb.templates
        if not year or t.symbol[2:4] == year[-2:]
    ]


def status_item(sb: MisaSandbox, invoice: Invoice) -> dict[str, Any]:
    code = sb.code_ready(invoice)
    state = 1 if invoice.reference_type == 0 else (3 if invoice.reference_type == 1 else 5)
    if invoice.cancelled:
        state = 2
    elif invoice.replaced_by:
        state = 7
    elif invoice.adjusted_by:
        state = 9
    return {
        "RefID": invoice.ref_id,
        "TransactionID": invoice.transaction_id,
        "InvoiceTemplateID": invoice.template_id,
        "InvTemplateNo": invoice.symbol[0],
        "InvSeries": invoice.symbol,
        "InvNo": invoice.inv_no,
        "InvDate": invoice.inv_date.isoformat(),
        "InvCode": code or None,
        "PublishStatus": _number(sb, 1),
        "EInvoiceStatus": _number(sb, state),
        "SendTaxStatus": _number(sb, (2 if code else 1) if invoice.coded else 0),
        "ReferenceType": _number(sb, invoice.reference_type),
        "IsDelete": False,
        "ErrorCode": None,
    }


def _original(sb: MisaSandbox, checked: Checked) -> Invoice:
    assert checked.org is not None
    digit, series, number, org_date = checked.org
    for invoice in sb.invoices.values():
        same = invoice.symbol == f"{digit}{series}" and invoice.number == int(number or 0)
        if same and invoice.inv_date == org_date:
            break
    else:
        raise ApiError(
            "OrgInvoiceNotFound",
            f"Không tìm thấy hóa đơn gốc {digit}{series} số {number} ngày {org_date}",
        )
    if invoice.cancelled:
        raise ApiError("OrgInvoiceCanceled", "Hóa đơn gốc đã bị hủy")
    if invoice.replaced_by:
        raise ApiError("OrgInvoiceReplaced", "Hóa đơn gốc đã bị thay thế")
    if checked.reference_type == 1 and invoice.adjusted_by:
        raise ApiError(
            "OrgInvoiceAdjusted", "Hóa đơn gốc đã có hóa đơn điều chỉnh, không thể thay thế"
        )
    return invoice


def _refused(ref: str, code: str, message: str) -> dict[str, Any]:
    return {"RefID": ref, "TransactionID": None, "ErrorCode": code, "ErrorData": message}


def _checked(
    sb: MisaSandbox, req: Request, body: Any, tax_code: str
) -> tuple[Checked, Template, Invoice | None]:
    checked = check(body, company_tax_code=tax_code, coded=req.coded, tolerance=sb.tolerance)
    template = sb.template(str(body["InvoiceTemplateID"]))
    if template is None or template.symbol != checked.symbol:
        raise ApiError("InvalidTemplate", f"Mẫu hóa đơn/ký hiệu {checked.symbol} chưa được đăng ký")
    if checked.inv_date > sb.today():
        raise ApiError("InvalidInvDate", "Ngày hóa đơn không được lớn hơn ngày hiện tại")
    if checked.inv_date < sb.last_dates.get(checked.symbol, checked.inv_date):
        raise ApiError(
            "InvalidInvDate", "Ngày hóa đơn nhỏ hơn ngày của hóa đơn trước trong ký hiệu"
        )
    return checked, template, _original(sb, checked) if checked.org else None


def invoice_of(sb: MisaSandbox, element: Any) -> Any:
    """The OriginalInvoiceData of one publishhsm element in the configured shape; ApiError
    when it is not there."""
    if not isinstance(element, Mapping):
        raise ApiError("InvalidData", "Dữ liệu hóa đơn không hợp lệ")
    if sb.publish_body == "flat":
        return element
    body = element.get("OriginalInvoiceData")
    if not isinstance(body, Mapping):
        raise ApiError("RequireError_OriginalInvoiceData", "Thiếu OriginalInvoiceData")
    if element.get("RefID") not in (None, body.get("RefID")):
        raise ApiError("InvalidData", "RefID khác RefID của OriginalInvoiceData")
    return body


def _publish_one(sb: MisaSandbox, req: Request, element: Any, tax_code: str) -> dict[str, Any]:
    try:
        body = invoice_of(sb, element)
    except ApiError as error:
        ref = element.get("RefID") if isinstance(element, Mapping) else None
        return _refused(str(ref or ""), error.code, error.message)
    sb.received.append(dict(body))
    ref = str(body.get("RefID", ""))
    if ref and ref in sb.by_ref:
        if sb.duplicate_ref == "error":
            return _refused(ref, "DuplicateInvoiceRefID", f"RefID {ref} đã tồn tại")
        return status_item(sb, sb.invoices[sb.by_ref[ref]])
    symbol = str(body.get("InvSeries", "")).upper() if isinstance(body, Mapping) else ""
    if sb.busy.get(symbol):
        return _refused(
            ref,
            "InvoiceNumberNotContinuous",
            f"Ký hiệu {symbol} đang được cấp số cho hóa đơn khác, vui lòng thử lại",
        )
    try:
        checked, template, original = _checked(sb, req, body, tax_code)
    except ApiError as error:
        return _refused(ref, error.code, error.message)
    from .misa import Invoice

    invoice = Invoice(
        ref_id=ref,
        transaction_id=str(uuid.uuid4()),
        symbol=checked.symbol,
        number=sb.next_number(checked.symbol),
        inv_date=checked.inv_date,
        template_id=template.template_id,
        coded=req.coded,
        published_at=sb.now(),
        payload=dict(body),
        reference_type=checked.reference_type,
        original=original.transaction_id if original else "",
    )
    if original is not None:
        if checked.reference_type == 1:
            original.replaced_by = invoice.transaction_id
        else:
            original.adjusted_by.append(invoice.transaction_id)
    sb.invoices[invoice.transaction_id] = invoice
    sb.by_ref[ref] = invoice.transaction_id
    sb.last_dates[checked.symbol] = checked.inv_date
    if sb.publish_delay > 0:
        sb.busy[checked.symbol] = sb.busy.get(checked.symbol, 0) + 1
        req.created.append(checked.symbol)
    return status_item(sb, invoice)


def publish(sb: MisaSandbox, req: Request, tax_code: str) -> list[dict[str, Any]]:
    if not isinstance(req.body, list) or not req.body:
        raise ApiError("InvalidData", "Dữ liệu phải là danh sách hóa đơn")
    if len(req.body) > 50:
        raise ApiError("InvalidData", "Tối đa 50 hóa đơn mỗi lần")
    return [_publish_one(sb, req, body, tax_code) for body in req.body]


def _ids(req: Request) -> list[str]:
    if not isinstance(req.body, list) or not all(isinstance(i, str) for i in req.body):
        raise ApiError("InvalidData", "Dữ liệu phải là danh sách mã")
    if len(req.body) > 50:
        raise ApiError("InvalidData", "Tối đa 50 mã mỗi lần")
    return list(req.body)


def _found(sb: MisaSandbox, req: Request, transaction_id: str) -> Invoice | None:
    invoice = sb.invoices.get(transaction_id)
    return invoice if invoice is not None and invoice.coded == req.coded else None


def status(sb: MisaSandbox, req: Request) -> list[dict[str, Any]]:
    answer = []
    for transaction_id in _ids(req):
        invoice = _found(sb, req, transaction_id)
        if invoice is None:
            answer.append(
                {
                    "TransactionID": transaction_id,
                    "ErrorCode": "InvoiceNotFound",
                    "ErrorData": "Không tìm thấy hóa đơn",
                }
            )
        else:
            answer.append(status_item(sb, invoice))
    return answer


def status_by_ref(sb: MisaSandbox, req: Request) -> list[dict[str, Any]]:
    """Only the RefIDs MISA holds, with /code for coded invoices and without for the others
    (an unknown one is left out)."""
    found = (_found(sb, req, sb.by_ref.get(ref, "")) for ref in _ids(req))
    return [status_item(sb, invoice) for invoice in found if invoice is not None]


def invoice_xml(invoice: Invoice) -> bytes:
    body = invoice.payload
    lines = "".join(
        f"<HHDVu><STT>{escape(str(line.get('LineNumber', '')))}</STT>"
        f"<THHDVu>{escape(str(line.get('ItemName', '')))}</THHDVu>"
        f"<ThTien>{escape(str(line.get('AmountWithoutVATOC', 0)))}</ThTien>"
        f"<TSuat>{escape(str(line.get('VATRateName', '')))}</TSuat></HHDVu>"
        for line in body.get("OriginalInvoiceDetail", [])
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><HDon><DLHDon><TTChung>'
        f"<KHMSHDon>{invoice.symbol[0]}</KHMSHDon><KHHDon>{invoice.series}</KHHDon>"
        f"<SHDon>{invoice.number}</SHDon><NLap>{invoice.inv_date.isoformat()}</NLap>"
        f"</TTChung><NDHDon><NBan><MST>{escape(str(body.get('SellerTaxCode', '')))}</MST></NBan>"
        f"<NMua><MST>{escape(str(body.get('BuyerTaxCode', '')))}</MST></NMua>"
        f"<DSHHDVu>{lines}</DSHHDVu><TToan><TgTTTBSo>{body.get('TotalAmountOC')}</TgTTTBSo>"
        f"</TToan></NDHDon></DLHDon><MCCQT>{escape(invoice.tax_code)}</MCCQT></HDon>"
    )
    return xml.encode()


def _zipped(name: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def download(sb: MisaSandbox, req: Request) -> list[dict[str, Any]]:
    kind = req.params.get("downloaddatatype", "").upper()
    if kind not in {"PDF", "XML"}:
        raise ApiError("InvalidDownloadDataType", "downloadDataType phải là PDF hoặc XML")
    answer: list[dict[str, Any]] = []
    for transaction_id in _ids(req):
        invoice = _found(sb, req, transaction_id)
        item: dict[str, Any] = {"TransactionID": transaction_id, "Data": None, "ErrorCode": None}
        if invoice is None:
            item.update(ErrorCode="InvoiceNotFound", ErrorData="Không tìm thấy hóa đơn")
        elif sb.now() < invoice.published_at + sb.file_delay:
            item.update(ErrorCode="FileNotReady", ErrorData="Tệp hóa đơn đang được tạo")
        elif kind == "PDF":
            content = invoice_pdf(
                invoice.payload, number=invoice.inv_no, code=sb.code_ready(invoice)
            )
            item["Data"] = base64.b64encode(content).decode()
        else:
            sb.code_ready(invoice)
            content = invoice_xml(invoice)
            if sb.xml_in_zip:
                content = _zipped(f"{invoice.symbol}_{invoice.inv_no}.xml", content)
            item["Data"] = base64.b64encode(content).decode()
        answer.append(item)
    return answer


def cancel(sb: MisaSandbox, req: Request) -> list[dict[str, Any]]:
    body = req.body if isinstance(req.body, Mapping) else {}
    sb.cancels.append(dict(body))
    for name in ("TransactionID", "InvNo", "RefDate", "CancelReason"):
        if not body.get(name):
            raise ApiError("RequiredField", f"Thiếu thông tin bắt buộc: {name}")
    invoice = _found(sb, req, str(body["TransactionID"]))
    if invoice is None or invoice.inv_no.lstrip("0") != str(body["InvNo"]).lstrip("0"):
        raise ApiError("InvoiceNotFound", "Không tìm thấy hóa đơn")
    if str(body["RefDate"]) != invoice.inv_date.isoformat():
        raise ApiError("InvalidRefDate", "Ngày hóa đơn không khớp")
    if invoice.cancelled:
        raise ApiError("InvoiceCanceled", "Hóa đơn đã bị hủy trước đó")
    if invoice.replaced_by or invoice.adjusted_by:
        raise ApiError(
            "InvoiceHasReference", "Hóa đơn đã có hóa đơn thay thế/điều chỉnh, không thể hủy"
        )
    invoice.cancelled = True
    return [{"TransactionID": invoice.transaction_id, "ErrorCode": None}]


def emails(sb: MisaSandbox, req: Request) -> list[dict[str, Any]]:
    body = req.body if isinstance(req.body, Mapping) else {}
    datas = body.get("SendEmailDatas")
    if not isinstance(datas, list) or not datas:
        raise ApiError("RequiredField", "Thiếu thông tin bắt buộc: SendEmailDatas")
    answer = []
    for data in datas:
        invoice = sb.invoices.get(str(data.get("TransactionID", "")))
        if invoice is None:
            answer.append(
                {
                    "TransactionID": data.get("TransactionID"),
                    "ErrorCode": "InvoiceNotFound",
                    "ErrorData": "Không tìm thấy hóa đơn",
                }
            )
            continue
        sb.emails.append(dict(data))
        answer.append({"TransactionID": invoice.transaction_id, "ErrorCode": None})
    return answer


def link_view(sb: MisaSandbox, req: Request, tax_code: str) -> str:
    """The draft's link (a PDF served by misa_http.py); one invoice object or a list of one."""
    body = req.body[0] if isinstance(req.body, list) and len(req.body) == 1 else req.body
    symbol = str(body.get("InvSeries", "")) if isinstance(body, Mapping) else ""
    checked = check(
        body, company_tax_code=tax_code, coded=symbol[1:2] == "C", tolerance=sb.tolerance
    )
    draft = uuid.uuid4().hex
    sb.drafts[draft] = {**dict(body), "InvSeries": checked.symbol}
    return f"{req.origin}/invoicepublished/linkview/{draft}"
