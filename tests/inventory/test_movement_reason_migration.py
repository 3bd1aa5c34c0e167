"""inventory 0010: the reasons services stored as text become codes; anything else stays."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone, translation

from inventory.models import StockMovement
from tests.inventory.factories import VariantFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("inventory.migrations.0010_movement_reason_code")
EDITOR = SimpleNamespace(connection=connection)


def test_generated_reasons_become_codes_and_come_back_on_reverse():
    variant, warehouse = VariantFactory(), WarehouseFactory(code="HCM01")
    on_hand = iter(range(1, 100))

    def row(kind, reason, source_type, label, delta=1):
        return StockMovement.objects.create(
            variant=variant,
            warehouse=warehouse,
            kind=kind,
            on_hand_delta=delta,
            on_hand_after=next(on_hand),
            reserved_after=0,
            reason=reason,
            source_type=source_type,
            source_id="1",
            source_label=label,
            created_at=timezone.now(),
        )

    rows = [
        row("count", "Count SC000001", "stock_count", "SC000001"),
        row("adjustment", "Import thang-11.csv", "import", "thang-11.csv"),
        row("transfer_out", "To HN01", "transfer", "TR000001", -1),
        row("transfer_in", "From HCM01", "transfer", "TR000001"),
        row("transfer_in", "Returned: transfer cancelled", "transfer", "TR000002"),
        row("damage", "Hàng trả về bị hỏng RT000002", "order", "SO000009", -1),
        row("damage", "สินค้าคืนชำรุด RT000003", "order", "SO000010", -1),
        # Staff's own words, even when they look alike, stay as they are.
        row("adjustment", "Count again tomorrow", "", ""),
        row("count", "Count SC000009", "stock_count", "SC000001"),
        row("damage", "Vỡ khi giao", "", "", -1),
    ]
    migration.reasons_to_codes(apps, EDITOR)
    coded = [
        (m.reason, m.reason_code, m.reason_args)
        for m in StockMovement.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk")
    ]
    assert coded == [
        ("", "count", {}),
        ("", "import", {}),
        ("", "transfer_to", {"warehouse": "HN01"}),
        ("", "transfer_from", {"warehouse": "HCM01"}),
        ("", "transfer_cancelled", {}),
        ("", "return_damaged", {"number": "RT000002"}),
        ("", "return_damaged", {"number": "RT000003"}),
        ("Count again tomorrow", "", {}),
        ("Count SC000009", "", {}),
        ("Vỡ khi giao", "", {}),
    ]
    with translation.override("vi"):
        texts = [m.reason_text for m in StockMovement.objects.order_by("pk")]
    assert texts == [
        "Kiểm kho SC000001",
        "Nhập file thang-11.csv",
        "Chuyển đến HN01",
        "Nhận từ HCM01",
        "Hoàn lại: phiếu chuyển kho đã hủy",
        "Hàng trả về bị hỏng RT000002",
        "Hàng trả về bị hỏng RT000003",
        "Count again tomorrow",
        "Count SC000009",
        "Vỡ khi giao",
    ]
    migration.codes_to_reasons(apps, EDITOR)
    assert list(StockMovement.objects.order_by("pk").values_list("reason", "reason_code")) == [
        ("Count SC000001", ""),
        ("Import thang-11.csv", ""),
        ("To HN01", ""),
        ("From HCM01", ""),
        ("Returned: transfer cancelled", ""),
        ("Damaged return RT000002", ""),
        ("Damaged return RT000003", ""),
        ("Count again tomorrow", ""),
        ("Count SC000009", ""),
        ("Vỡ khi giao", ""),
    ]
