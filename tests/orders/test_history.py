"""orders.history: every kind of OrderEvent as a sentence, without the database."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from orders.history import HistoryEntry, describe_event, user_label

AT = datetime(2026, 3, 1, 23, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


class FakeUser:
    def __init__(self, username: str, full_name: str = "") -> None:
        self.username = username
        self._full = full_name

    def get_full_name(self) -> str:
        return self._full


LAN = FakeUser("lan", "Trần Thị Lan")


def event(kind: str, data=None, *, user=LAN, from_status: str = "", to_status: str = ""):
    return SimpleNamespace(
        kind=kind,
        data=data if data is not None else {},
        user=user,
        from_status=from_status,
        to_status=to_status,
        created_at=AT,
    )


def describe(ev, currency: str = "VND", **names) -> HistoryEntry:
    return describe_event(ev, currency=currency, **names)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_user_label():
    assert user_label(LAN) == "Trần Thị Lan"
    assert user_label(FakeUser("minh")) == "minh"
    assert user_label(None) == "System"


def test_created():
    entry = describe(
        event(
            "created",
            {
                "channel": "phone",
                "lines": [{"sku": "AO-1", "quantity": 2}, {"sku": "NON-1", "quantity": 1}],
                "total": "399000",
            },
            to_status="new",
        )
    )
    assert entry == HistoryEntry(
        kind="created",
        sentence="Trần Thị Lan created the order (Phone) with 2 lines, total ₫399,000.",
        details=("AO-1 x 2", "NON-1 x 1"),
        who="Trần Thị Lan",
        at=AT,
    )
    one = describe(
        event("created", {"channel": "shopee", "lines": [{"sku": "A", "quantity": 1}]}, user=None)
    )
    assert one.sentence == "System created the order (Shopee) with 1 line, total ₫0."


def test_status_changes():
    confirm = describe(
        event(
            "status_changed",
            {"reserved": {"NON-1": 1, "AO-1": 2}},
            from_status="new",
            to_status="processing",
        )
    )
    assert (confirm.sentence, confirm.details) == (
        "Trần Thị Lan confirmed the order.",
        ("Reserved: AO-1 x 2, NON-1 x 1",),
    )
    ship = describe(
        event(
            "status_changed",
            {"shipped": {"AO-1": 2}},
            from_status="processing",
            to_status="shipped",
        )
    )
    assert (ship.sentence, ship.details) == (
        "Trần Thị Lan marked the order shipped.",
        ("Shipped: AO-1 x 2",),
    )
    cod = describe(
        event(
            "status_changed",
            {"payment": {"kind": "cod_collected", "amount": "429000"}},
            from_status="shipped",
            to_status="completed",
        )
    )
    assert cod.sentence == "Trần Thị Lan completed the order; ₫429,000 COD collected."
    paid = describe(
        event(
            "status_changed",
            {"payment": {"kind": "payment", "amount": "199.50"}},
            from_status="shipped",
            to_status="completed",
        ),
        currency="THB",
    )
    assert paid.sentence == (
        "Trần Thị Lan completed the order; a payment of THB199.50 was recorded."
    )
    nothing_owed = describe(
        event("status_changed", {}, from_status="shipped", to_status="completed")
    )
    assert nothing_owed.sentence == "Trần Thị Lan completed the order."
    cancel = describe(
        event(
            "status_changed",
            {"reason": "Khách đổi ý", "released": {"AO-1": 2}},
            from_status="processing",
            to_status="cancelled",
        )
    )
    assert (cancel.sentence, cancel.details) == (
        "Trần Thị Lan cancelled the order: Khách đổi ý",
        ("Released reservations: AO-1 x 2",),
    )
    bare_cancel = describe(event("status_changed", from_status="new", to_status="cancelled"))
    assert (bare_cancel.sentence, bare_cancel.details) == ("Trần Thị Lan cancelled the order.", ())


def test_edit_lists_every_change():
    entry = describe(
        event(
            "edited",
            {
                "customer": [1, 2],
                "payment_method": ["cod", "bank_transfer"],
                "notes": ["", "Gọi trước"],
                "shipping": {"street": ["12 Lê Lợi", "5 Hai Bà Trưng"], "district": ["", "Q1"]},
                "warehouse": [10, 11],
                "lines": {
                    "added": [{"sku": "NEW-1", "quantity": 3, "unit_price": "50000"}],
                    "removed": [{"sku": "OLD-1", "quantity": 1}],
                    "changed": [
                        {
                            "sku": "AO-1",
                            "quantity": [2, 3],
                            "unit_price": ["150000", "140000"],
                            "discount": ["0", "10000"],
                            "vat_rate": ["10.00", "8.00"],
                        }
                    ],
                },
                "discount_total": ["0", "5000"],
                "shipping_fee": ["30000", "0"],
                "total": ["429000", "445000"],
                "stock": {"reserved": {"NEW-1": 3}, "released": {"OLD-1": 1}},
            },
        ),
        warehouses={10: "HCM01", 11: "HN01"},
        customers={1: "Mai", 2: "Hoa"},
    )
    assert entry.sentence == "Trần Thị Lan edited the order."
    assert entry.details == (
        "Customer: Mai → Hoa",
        "Payment method: Cash on delivery → Bank transfer",
        "Notes changed.",
        "Street address: 12 Lê Lợi → 5 Hai Bà Trưng",
        "District: — → Q1",
        "Warehouse: HCM01 → HN01",
        "Added NEW-1 x 3 at ₫50,000.",
        "Removed OLD-1 x 1.",
        "AO-1 quantity: 2 → 3",
        "AO-1 unit price: ₫150,000 → ₫140,000",
        "AO-1 discount: ₫0 → ₫10,000",
        "AO-1 VAT rate: 10% → 8%",
        "Order discount: ₫0 → ₫5,000",
        "Shipping fee: ₫30,000 → ₫0",
        "Total: ₫429,000 → ₫445,000",
        "Reserved: NEW-1 x 3",
        "Released reservations: OLD-1 x 1",
    )


def test_note_payment_refund():
    note = describe(event("note", {"text": "Giao giờ hành chính"}))
    assert (note.sentence, note.note, note.details) == (
        "Trần Thị Lan added a note.",
        "Giao giờ hành chính",
        (),
    )
    payment = describe(
        event(
            "payment",
            {"kind": "payment", "amount": "100000", "method": "bank_transfer", "reference": "VCB1"},
        )
    )
    assert (payment.sentence, payment.details) == (
        "Trần Thị Lan recorded a payment of ₫100,000 (Bank transfer).",
        ("Reference: VCB1",),
    )
    cod = describe(event("payment", {"kind": "cod_collected", "amount": "5000", "method": "cod"}))
    assert (cod.sentence, cod.details) == ("Trần Thị Lan recorded ₫5,000 COD collected.", ())
    refund = describe(
        event("payment", {"kind": "refund", "amount": "99000", "method": "cash", "reference": ""})
    )
    assert refund.sentence == "Trần Thị Lan refunded ₫99,000 (Cash)."


def test_return():
    entry = describe(
        event(
            "return",
            {
                "return": "RT000001",
                "lines": [
                    {"sku": "AO-1", "quantity": 1, "condition": "good", "warehouse_id": 11},
                    {"sku": "NON-1", "quantity": 2, "condition": "damaged", "warehouse_id": 10},
                ],
                "refund": "99000",
                "exchange_order": "SO000009",
            },
        ),
        warehouses={10: "HCM01", 11: "HN01"},
    )
    assert entry.sentence == "Trần Thị Lan recorded return RT000001."
    assert entry.details == (
        "AO-1 x 1 back in stock in HN01.",
        "NON-1 x 2 damaged, written off in HCM01.",
        "Refund: ₫99,000",
        "Exchange order: SO000009",
    )
    everything = describe(
        event(
            "return",
            {"return": "RT000002", "lines": []},
            from_status="completed",
            to_status="returned",
        )
    )
    assert everything.sentence == (
        "Trần Thị Lan recorded return RT000002; every shipped unit is back."
    )


def test_malformed_or_unknown_data_never_raises():
    assert describe(event("edited", "not a dict")).sentence == "Trần Thị Lan edited the order."
    assert describe(event("payment", {"amount": "abc"})).sentence == (
        "Trần Thị Lan recorded a payment of abc ()."
    )
    assert describe(event("mystery")).sentence == "Trần Thị Lan updated the order."
    generic = describe(event("status_changed", from_status="shipped", to_status="returned"))
    assert generic.sentence == "Trần Thị Lan changed the status from Shipped to Returned."


def test_sentences_follow_the_active_language():
    with translation.override("vi"):
        entry = describe(event("payment", {"kind": "payment", "amount": "100000", "method": "cod"}))
    # Whatever the catalogue says, the amount is formatted the Vietnamese way.
    assert "100.000" in entry.sentence
    assert "Trần Thị Lan" in entry.sentence
