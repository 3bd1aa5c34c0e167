"""The createInvoice body for mixed VAT rates, a discount line, a shipping fee and a note, as
the S-Invoice sandbox received it over HTTP, against figures worked by hand."""

from __future__ import annotations

from collections.abc import Callable

from invoicing.adapters.base import InvoiceRequest
from invoicing.adapters.sinvoice import SInvoiceAdapter
from invoicing.sandbox.sinvoice import SInvoiceSandbox


def test_mixed_vat_rates_discount_and_fee(
    sinvoice_adapter: SInvoiceAdapter,
    sinvoice_sandbox: SInvoiceSandbox,
    sinvoice_request: Callable[..., InvoiceRequest],
    sinvoice_series: str,
) -> None:
    request = sinvoice_request()
    assert sinvoice_adapter.issue(request=request).number == f"{sinvoice_series}1"
    sent = sinvoice_sandbox.payloads()[0]
    assert sent["generalInvoiceInfo"] == {
        "invoiceType": "1",
        "templateCode": "1/001",
        "invoiceSeries": "C26TAA",
        "currencyCode": "VND",
        "adjustmentType": "1",
        "paymentStatus": False,
        "cusGetInvoiceRight": True,
        "validation": 1,
        "transactionUuid": request.key,
        "invoiceIssuedDate": int(request.issued_at.timestamp()) * 1000,  # type: ignore[union-attr]
        "invoiceNote": "Đơn hàng SO-1001",
    }
    assert sent["buyerInfo"] == {
        "buyerName": "Nguyễn Văn An",
        "buyerLegalName": "Công ty TNHH Minh An",
        "buyerTaxCode": "0100233488",
        "buyerAddressLine": "5 Lê Lợi, Quận 1, TP Hồ Chí Minh",
        "buyerPhoneNumber": "0084912345678",
        "buyerEmail": "an@minhan.vn",
        "buyerCode": "C-1001",
        "buyerNotGetInvoice": 0,
    }
    assert sent["sellerInfo"]["sellerTaxCode"] == "0100109106-506"
    assert sent["sellerInfo"]["sellerPhoneNumber"] == "02438257670"
    assert sent["payments"] == [{"paymentMethodName": "TM/CK"}]
    lines = [
        (
            i["lineNumber"],
            i["selection"],
            i.get("quantity"),
            i.get("unitPrice"),
            i.get("itemTotalAmountWithoutTax"),
            i.get("taxPercentage"),
            i.get("taxAmount"),
            i.get("itemTotalAmountWithTax"),
            i.get("isIncreaseItem"),
        )
        for i in sent["itemInfo"]
    ]
    assert lines == [
        (1, 1, 2, 150000, 300000, 10, 30000, 330000, None),
        (2, 1, 3, 45000, 135000, 5, 6750, 141750, None),
        (3, 1, 4, 12500, 50000, 8, 4000, 54000, None),
        (4, 1, 1, 100000, 100000, 0, 0, 100000, None),
        (5, 1, 1, 20000, 20000, -2, 0, 20000, None),
        (6, 1, 1, 60000, 60000, -1, 0, 60000, None),
        (7, 3, None, None, 30000, 10, 3000, 33000, False),
        (8, 1, 1, 25000, 25000, 10, 2500, 27500, None),
        (9, 2, None, None, None, None, None, None, None),
    ]
    assert sent["itemInfo"][8] == {
        "lineNumber": 9,
        "selection": 2,
        "itemName": "Giao hàng trong giờ hành chính",
    }
    breakdown = [
        (b["taxPercentage"], b["taxableAmount"], b["taxAmount"]) for b in sent["taxBreakdowns"]
    ]
    assert breakdown == [
        (10, 295000, 29500),
        (5, 135000, 6750),
        (8, 50000, 4000),
        (0, 100000, 0),
        (-2, 20000, 0),
        (-1, 60000, 0),
    ]
    assert sent["summarizeInfo"] == {
        "sumOfTotalLineAmountWithoutTax": 690000,
        "totalAmountWithoutTax": 660000,
        "totalTaxAmount": 40250,
        "totalAmountWithTax": 700250,
        "totalAmountAfterDiscount": 660000,
        "totalAmountWithTaxInWords": "Bảy trăm nghìn hai trăm năm mươi đồng",
        "discountAmount": 30000,
    }
    assert sum(b[2] for b in breakdown) == sent["summarizeInfo"]["totalTaxAmount"]
