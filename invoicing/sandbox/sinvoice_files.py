"""S-Invoice sandbox: the files it serves. A small real PDF (one page, Helvetica, the invoice's
number, parties, lines and totals; Vietnamese letters folded to ASCII, which the standard font
can show), the invoice XML (a TT78-like `HDon` document) and the XML's container as S-Invoice
sends it: a zip holding a zip with the `.xml` and its `.xsl` (C.8)."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

XSL = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
    '<xsl:template match="/"><html><body><xsl:value-of select="//SHDon"/></body></html>'
    "</xsl:template></xsl:stylesheet>\n"
)


def ascii_text(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    folded = "".join(c for c in text if not unicodedata.combining(c))
    return folded.encode("ascii", "replace").decode()


def _pdf_string(text: str) -> str:
    return ascii_text(text).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF 1.4 showing `lines` (at most about 60)."""
    commands = ["BT", "/F1 10 Tf", "14 TL", "50 800 Td"]
    for line in lines[:60]:
        commands.append(f"({_pdf_string(line)[:110]}) Tj T*")
    commands.append("ET")
    stream = "\n".join(commands).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def invoice_lines(body: Mapping[str, Any], title: str, number: str, code: str) -> list[str]:
    general = body.get("generalInvoiceInfo") or {}
    buyer = body.get("buyerInfo") or {}
    seller = body.get("sellerInfo") or {}
    summary = body.get("summarizeInfo") or {}
    lines = [
        title,
        f"Mau so: {general.get('templateCode', '')}  Ky hieu: {general.get('invoiceSeries', '')}"
        f"  So: {number}",
        f"Ma CQT: {code}" if code else "Ma CQT: (chua cap)",
        f"Nguoi ban: {seller.get('sellerLegalName', '')} MST {seller.get('sellerTaxCode', '')}",
        f"Nguoi mua: {buyer.get('buyerLegalName') or buyer.get('buyerName', '')}"
        f" MST {buyer.get('buyerTaxCode', '')}",
        "",
    ]
    for item in body.get("itemInfo") or []:
        if isinstance(item, Mapping):
            lines.append(
                f"{item.get('lineNumber', '')}. {item.get('itemName', '')}  "
                f"{item.get('quantity', '')} x {item.get('unitPrice', '')} = "
                f"{item.get('itemTotalAmountWithoutTax', '')}  VAT {item.get('taxPercentage', '')}"
            )
    lines += [
        "",
        f"Cong tien hang: {summary.get('totalAmountWithoutTax', '')}",
        f"Tien thue GTGT: {summary.get('totalTaxAmount', '')}",
        f"Tong thanh toan: {summary.get('totalAmountWithTax', '')}",
        str(summary.get("totalAmountWithTaxInWords", "")),
    ]
    return lines


def invoice_xml(body: Mapping[str, Any], number: int, series: str, issued: str, code: str) -> bytes:
    general = body.get("generalInvoiceInfo") or {}
    buyer = body.get("buyerInfo") or {}
    seller = body.get("sellerInfo") or {}
    summary = body.get("summarizeInfo") or {}

    def tag(name: str, value: Any) -> str:
        return f"<{name}>{escape(str(value if value is not None else ''))}</{name}>"

    items = "".join(
        "<HHDVu>"
        + tag("STT", i.get("lineNumber"))
        + tag("TChat", i.get("selection") or 1)
        + tag("THHDVu", i.get("itemName"))
        + tag("SLuong", i.get("quantity"))
        + tag("DGia", i.get("unitPrice"))
        + tag("ThTien", i.get("itemTotalAmountWithoutTax"))
        + tag("TSuat", i.get("taxPercentage"))
        + "</HHDVu>"
        for i in body.get("itemInfo") or []
        if isinstance(i, Mapping)
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<HDon><DLHDon><TTChung>'
        + tag("PBan", "2.1.0")
        + tag("KHMSHDon", str(general.get("templateCode", ""))[:1])
        + tag("KHHDon", series)
        + tag("SHDon", number)
        + tag("NLap", issued)
        + tag("DVTTe", general.get("currencyCode", "VND"))
        + "</TTChung><NDHDon><NBan>"
        + tag("Ten", seller.get("sellerLegalName"))
        + tag("MST", seller.get("sellerTaxCode"))
        + "</NBan><NMua>"
        + tag("Ten", buyer.get("buyerLegalName") or buyer.get("buyerName"))
        + tag("MST", buyer.get("buyerTaxCode"))
        + "</NMua><DSHHDVu>"
        + items
        + "</DSHHDVu><TToan>"
        + tag("TgTCThue", summary.get("totalAmountWithoutTax"))
        + tag("TgTThue", summary.get("totalTaxAmount"))
        + tag("TgTTTBSo", summary.get("totalAmountWithTax"))
        + tag("TgTTTBChu", summary.get("totalAmountWithTaxInWords"))
        + "</TToan></NDHDon></DLHDon>"
        + tag("MCCQT", code)
        + "</HDon>\n"
    )
    return document.encode()


def nested_zip(name: str, xml: bytes, levels: int = 2) -> bytes:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.xml", xml)
        archive.writestr(f"{name}.xsl", XSL)
    if levels == 1:
        return inner.getvalue()
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.zip", inner.getvalue())
    return outer.getvalue()
