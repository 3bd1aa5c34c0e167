"""The status table as data: no database needed."""

from __future__ import annotations

import pytest

from orders import transitions as t


def test_the_table_is_exactly_the_documented_machine():
    assert {s: dict(a) for s, a in t.TRANSITIONS.items()} == {
        "new": {"confirm": "processing", "cancel": "cancelled"},
        "processing": {"ship": "shipped", "cancel": "cancelled"},
        "shipped": {"complete": "completed", "return": "returned"},
        "completed": {"return": "returned"},
        "cancelled": {},
        "returned": {},
    }


def test_every_status_has_a_row_and_every_target_is_a_status():
    assert set(t.TRANSITIONS) == set(t.STATUSES)
    for actions in t.TRANSITIONS.values():
        assert set(actions) <= set(t.ACTIONS)
        assert set(actions.values()) <= set(t.STATUSES)


def test_every_action_is_used_and_every_status_but_new_is_reachable():
    used = {a for actions in t.TRANSITIONS.values() for a in actions}
    targets = {s for actions in t.TRANSITIONS.values() for s in actions.values()}
    assert used == set(t.ACTIONS)
    assert targets == set(t.STATUSES) - {"new"}


def test_allowed_actions_in_display_order():
    assert t.allowed_actions("new") == ("confirm", "cancel")
    assert t.allowed_actions("processing") == ("ship", "cancel")
    assert t.allowed_actions("shipped") == ("complete", "return")
    assert t.allowed_actions("completed") == ("return",)
    assert t.allowed_actions("cancelled") == ()
    assert t.allowed_actions("unknown") == ()


def test_sources_targets_and_can():
    assert t.sources_of("cancel") == {"new", "processing"}
    assert t.sources_of("return") == {"shipped", "completed"}
    assert t.target_of("processing", "ship") == "shipped"
    assert t.can("new", "confirm") is True
    assert t.can("new", "ship") is False
    with pytest.raises(KeyError):
        t.target_of("cancelled", "confirm")


def test_final_editable_and_reserved_statuses():
    assert sorted(t.FINAL_STATUSES) == ["cancelled", "returned"]
    assert sorted(t.EDITABLE_STATUSES) == ["new", "processing"]
    assert sorted(t.RESERVED_STATUSES) == ["processing"]


def test_the_table_cannot_be_changed_at_run_time():
    with pytest.raises(TypeError):
        t.TRANSITIONS["new"]["ship"] = "shipped"  # type: ignore[index]


def test_state_errors_are_whole_translated_sentences():
    from django.utils import translation

    from orders.errors import OrderStateError

    with translation.override("vi"):
        error = OrderStateError(number="SO000007", status_label="Đã hủy", action="ship")
    assert str(error) == ("Đơn hàng SO000007 đang ở trạng thái Đã hủy: không thể giao hàng.")
    with translation.override("th"):
        error = OrderStateError(number="SO000007", status_label="ยกเลิกแล้ว", action="edit")
    assert str(error) == "คำสั่งซื้อ SO000007 อยู่ในสถานะ ยกเลิกแล้ว จึงแก้ไขไม่ได้"
