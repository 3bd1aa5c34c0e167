"""A small live catalogue: Vietnamese, Thai and English products with options and stock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from inventory.models import Variant, Warehouse
from tests.inventory.factories import ProductFactory, WarehouseFactory
from tests.orders.factories import stocked_variant

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@dataclass
class Catalogue:
    warehouse: Warehouse
    red_m: Variant
    red_l: Variant
    white_m: Variant
    jeans: Variant
    thai_tee: Variant
    tote: Variant


@pytest.fixture
def catalogue(db) -> Catalogue:
    warehouse = WarehouseFactory()
    tee = ProductFactory(name="Áo thun Basic")
    jeans = ProductFactory(name="Quần jean Slim")
    thai = ProductFactory(name="เสื้อยืดคอกลม")
    tote = ProductFactory(name="Canvas Tote Bag")
    return Catalogue(
        warehouse=warehouse,
        red_m=stocked_variant(
            warehouse, 5, price="150000", product=tee, sku="AT-DO-M", option1="Đỏ", option2="M"
        ),
        red_l=stocked_variant(
            warehouse, 0, price="150000", product=tee, sku="AT-DO-L", option1="Đỏ", option2="L"
        ),
        white_m=stocked_variant(
            warehouse,
            3,
            price="160000",
            product=tee,
            sku="AT-TRANG-M",
            option1="Trắng",
            option2="M",
        ),
        jeans=stocked_variant(warehouse, 2, price="450000", product=jeans, sku="QJ-32"),
        thai_tee=stocked_variant(warehouse, 4, price="199000", product=thai, sku="TH-TEE-01"),
        tote=stocked_variant(warehouse, 10, price="120000", product=tote, sku="BAG-01"),
    )
