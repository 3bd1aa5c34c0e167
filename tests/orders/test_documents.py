"""The printed documents built outside a request (orders.documents): what a background job
calls with order ids and a language, read back through pdftotext and pdffonts."""

from __future__ import annotations

import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from common.pdf import PdfResourceRefused, render_pdf
from orders.documents import delivery_notes_pdf, picking_list_pdf
from tests.inventory.factories import ProductFactory
from tests.inventory.test_purchasing_pdf import needs_pdf, pdf_text
from tests.orders.factories import WarehouseFactory, make_customer, make_order, stocked_variant

pytestmark = [pytest.mark.django_db, needs_pdf]

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
PRINTED = datetime(2025, 3, 2, 8, 30, tzinfo=HCM)
EXPECTED_FONTS = {"Noto-Sans", "Noto-Sans-Bold", "Noto-Sans-Thai", "DejaVu-Sans-Mono"}


@pytest.fixture
def orders(settings):
    settings.TIME_ZONE = "Asia/Ho_Chi_Minh"
    settings.SHOP_NAME = "Cửa hàng Ánh Dương"
    hcm = WarehouseFactory(code="HCM01", name="Kho Hồ Chí Minh")
    shirt = stocked_variant(
        hcm, 5, sku="AO-001", product=ProductFactory(name="Áo thun cổ tròn"), option1="Đỏ"
    )
    silk = stocked_variant(hcm, 5, sku="SILK-01", product=ProductFactory(name="ผ้าไหมไทย"))
    buyer = make_customer(name="Nguyễn Thị Hoa", phones=("0912 345 678",))
    return [
        make_order(buyer, hcm, [(shirt, 2), (silk, 1)]).pk,
        make_order(buyer, hcm, [(silk, 3)]).pk,
    ]


def squeezed(text: str) -> str:
    return text.replace(" ", "")


def pdf_fonts(pdf: bytes) -> set[str]:
    """The embedded fonts' names without their subset prefix ("ABCDEF+Noto-Sans")."""
    out = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout
    rows = out.decode().splitlines()[2:]
    return {row.split()[0].split("+", 1)[-1] for row in rows}


def printed_lines(pdf: bytes) -> list[str]:
    return [" ".join(line.split()) for line in pdf_text(pdf).splitlines() if line.strip()]


def test_picking_list_outside_a_request(orders):
    with translation.override("en"):
        pdf = picking_list_pdf(order_ids=orders, language="vi", printed_at=PRINTED)
        assert translation.get_language() == "en"
    lines = printed_lines(pdf)
    assert lines[:2] == ["Cửa hàng Ánh Dương", "Ngày in: 02/03/2025 08:30"]
    assert lines[2] == "PHIẾU SOẠN HÀNG Đơn hàng: 2"
    assert "HCM01 · Kho Hồ Chí Minh 2 đơn hàng, 6 đơn vị" in lines
    assert "SILK-01 ผ้าไหมไทย 4" in lines
    assert lines[-1] == "Phiếu soạn hàng · 1/1"


@pytest.mark.parametrize(
    ("language", "title"), [("vi", "PHIẾU SOẠN HÀNG"), ("th", "ใบหยิบสินค้า"), ("en", "PICKING LIST")]
)
def test_picking_list_fonts(orders, language, title):
    pdf = picking_list_pdf(order_ids=orders, language=language)
    # pdftotext may cut a Thai word before a mark set large and bold: compare without spaces.
    assert squeezed(printed_lines(pdf)[2]).startswith(squeezed(title))
    # Vietnamese in Noto Sans, Thai in Noto Sans Thai, codes in DejaVu Sans Mono: no fallback,
    # and no bold monospace (each font more is subset and embedded on every print).
    fonts = pdf_fonts(pdf)
    assert fonts >= EXPECTED_FONTS
    assert fonts <= {*EXPECTED_FONTS, "Noto-Sans-Thai-Bold"}


def test_delivery_notes_one_page_an_order(orders):
    text = pdf_text(delivery_notes_pdf(order_ids=orders, language="vi", printed_at=PRINTED))
    assert text.count("\f") == 2
    assert text.count("PHIẾU GIAO HÀNG") == 2


def test_a_stylesheet_outside_the_static_files_is_refused():
    with pytest.raises(PdfResourceRefused):
        render_pdf(
            template_name="orders/pdf/picking_list.html",
            context={},
            stylesheets=("css/pdf/no-such-file.css",),
        )
