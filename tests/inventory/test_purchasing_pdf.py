"""The printable purchase order: WeasyPrint with Noto fonts, checked through pdftotext."""

import subprocess

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from common.pdf import PdfResourceRefused, static_only_fetcher
from inventory.models import PurchaseOrderLine
from tests.inventory.factories import (
    ProductFactory,
    SupplierFactory,
    VariantFactory,
    WarehouseFactory,
)
from tests.inventory.factories_purchasing import make_order

# --- PDF --------------------------------------------------------------------------------------


needs_pdf = pytest.mark.needs("weasyprint", "pdftotext")


def pdf_text(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-layout", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


@needs_pdf
@pytest.mark.django_db
def test_purchase_order_pdf_prints_vietnamese_and_thai(client, login_as, settings):
    settings.SHOP_NAME = "Cửa hàng Ánh Dương"
    login_as("accountant")
    supplier = SupplierFactory(
        name="Công ty TNHH Dệt May Hòa Bình",
        tax_code="0100112437",
        address="12 Nguyễn Trãi, Quận 1, TP. Hồ Chí Minh",
    )
    warehouse = WarehouseFactory(code="BKK01", name="คลังสินค้ากรุงเทพฯ")
    silk = VariantFactory(sku="SILK-01", product=ProductFactory(name="ผ้าไหมไทย"))
    dress = VariantFactory(sku="AODAI-01", product=ProductFactory(name="Áo dài lụa tơ tằm"))
    order = make_order(
        supplier=supplier,
        warehouse=warehouse,
        lines=[(silk, 3, "150000", "10"), (dress, 2, "450000", "8")],
    )
    response = client.get(reverse("inventory:purchase_order_pdf", args=[order.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="PO000001.pdf"'
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for words in [
        "Cửa hàng Ánh Dương",
        "Công ty TNHH Dệt May Hòa Bình",
        "Nguyễn Trãi",
        "Áo dài lụa tơ tằm",
        "ผ้าไหมไทย",
        "คลังสินค้ากรุงเทพฯ",
        "PO000001",
        "0100112437",
    ]:
        assert words in text, words
    # Money through |money: 450,000 + 900,000 net; 45,000 + 72,000 VAT; 1,467,000 total.
    assert "1,467,000" in text
    assert "₫" in text
    assert PurchaseOrderLine.objects.count() == 2


@needs_pdf
def test_pdf_rendering_fetches_static_files_only():
    fetcher = static_only_fetcher()
    static = fetcher.fetch("http://shop.example/static/css/app.css")
    assert (static.content_type, static.path.endswith("/static/css/app.css")) == ("text/css", True)
    assert static.read().startswith(b"/* Staff UI")
    assert fetcher.fetch("data:text/plain;base64,SGk=").read() == b"Hi"
    for url in [
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/logo.png",
        "file:///etc/passwd",
        f"file://{django_settings.BASE_DIR}/manage.py",
        "http://shop.example/static/../../manage.py",
    ]:
        with pytest.raises(PdfResourceRefused):
            fetcher.fetch(url)


@needs_pdf
def test_refused_resources_do_not_stop_the_pdf(caplog):
    import weasyprint

    html = (
        '<link rel="stylesheet" href="/static/css/app.css">'
        '<img src="http://127.0.0.1:9/tracker.png"><p>Hóa đơn</p>'
    )
    pdf = weasyprint.HTML(
        string=html, base_url="http://shop.example/", url_fetcher=static_only_fetcher()
    ).write_pdf()
    assert "Hóa đơn" in pdf_text(pdf)
    refused = [r.getMessage() for r in caplog.records if "tracker.png" in r.getMessage()]
    assert len(refused) == 1
    assert "PdfResourceRefused" in refused[0]
