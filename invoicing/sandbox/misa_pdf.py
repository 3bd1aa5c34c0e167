"""MISA sandbox: a small real PDF of an invoice body (one A4 page, Helvetica, the text folded
to ASCII since the standard fonts carry no Vietnamese glyphs)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any


def _ascii(value: Any) -> str:
    text = unicodedata.normalize("NFKD", str(value).replace("đ", "d").replace("Đ", "D"))
    folded = "".join(c for c in text if not unicodedata.combining(c)).encode("ascii", "replace")
    return folded.decode().replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_document(lines: list[str]) -> bytes:
    """A valid one-page PDF showing `lines` (the byte offsets of the xref table are exact)."""
    stream = "BT /F1 10 Tf 14 TL 50 800 Td " + " ".join(f"({_ascii(t)}) '" for t in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode("ascii")
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode("ascii")
    return bytes(out)


def invoice_pdf(body: Mapping[str, Any], *, number: str = "", code: str = "") -> bytes:
    head = [
        str(body.get("InvoiceName") or "Hoa don"),
        f"Ky hieu: {body.get('InvSeries', '')}  So: {number or '(ban nhap)'}",
        f"Ngay: {body.get('InvDate', '')}",
        f"Ma CQT: {code}" if code else "",
        f"Nguoi ban: {body.get('SellerLegalName', '')} MST {body.get('SellerTaxCode', '')}",
        f"Nguoi mua: {body.get('BuyerLegalName') or body.get('BuyerFullName', '')}",
    ]
    rows = [
        f"{line.get('LineNumber', '')}. {line.get('ItemName', '')}  "
        f"{line.get('AmountWithoutVATOC', '')} {line.get('VATRateName', '')}"
        for line in body.get("OriginalInvoiceDetail", [])
        if isinstance(line, Mapping)
    ]
    tail = [f"Tong cong: {body.get('TotalAmountOC', '')}", str(body.get("TotalAmountInWords", ""))]
    return pdf_document([t for t in head if t] + rows + tail)
