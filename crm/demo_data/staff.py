"""The demo staff (one account per role, the published password) and the warehouses."""

from __future__ import annotations

from crm.demo import DEMO_PASSWORD
from crm.models import User
from crm.roles import ROLE_PERMISSIONS
from crm.services import user_create
from inventory.models import Warehouse
from inventory.services.warehouses import warehouse_save

DEMO_USERS = [
    ("owner", "Lan", "Nguyễn", "vi"),
    ("manager", "Minh", "Trần", "vi"),
    ("sales", "Somchai", "Srisuk", "th"),
    ("warehouse", "Hùng", "Lê", "vi"),
    ("accountant", "Mai", "Phạm", "vi"),
]

DEMO_WAREHOUSES = [
    (
        "HCM01",
        "Kho chính Hồ Chí Minh",
        Warehouse.Kind.MAIN,
        "12 Nguyễn Văn Bảo, Phường Hạnh Thông, TP. Hồ Chí Minh",
        "warehouse",
    ),
    (
        "HN01",
        "Chi nhánh Hà Nội",
        Warehouse.Kind.BRANCH,
        "45 Trần Duy Hưng, Phường Yên Hòa, Hà Nội",
        "manager",
    ),
    (
        "BKK01",
        "คลังสินค้ากรุงเทพฯ",
        Warehouse.Kind.SUB,
        "99 ถนนสุขุมวิท แขวงคลองเตยเหนือ เขตวัฒนา กรุงเทพฯ 10110",
        None,
    ),
]


# (category path, brand, name, options, sku prefix, cost, sale price, VAT %, weight g, stock)


def demo_staff() -> None:
    for role, first, last, language in DEMO_USERS:
        assert role in ROLE_PERMISSIONS
        if not User.objects.filter(username=role).exists():
            user_create(
                username=role,
                password=DEMO_PASSWORD,
                role=role,
                first_name=first,
                last_name=last,
                language=language,
                email=f"{role}@demo.shop",
            )


def demo_warehouses() -> list[Warehouse]:
    """The demo warehouses, main first (created when missing)."""
    for code, name, kind, address, keeper in DEMO_WAREHOUSES:
        if Warehouse.objects.filter(code=code).exists():
            continue
        warehouse_save(
            data={
                "code": code,
                "name": name,
                "kind": kind,
                "address": address,
                "person_in_charge": User.objects.get(username=keeper) if keeper else None,
                # The sub-warehouse belongs to the main one.
                "parent": (
                    Warehouse.objects.get(code="HCM01") if kind == Warehouse.Kind.SUB else None
                ),
            }
        )
    return [Warehouse.objects.get(code=code) for code, *_rest in DEMO_WAREHOUSES]
