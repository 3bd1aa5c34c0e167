"""payload_apply / payload_reapply / payloads_reapply_for_sku on stored Shopee order JSON,
parsed by the real Shopee adapter: applied once, superseded when older, quarantined with a
reason (the rest of the batch goes on), re-applied after staff fix the cause."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import transaction

from channels_sync.models import ChannelOrder, Listing
from channels_sync.selectors.quarantine import (
    attention_counts,
    oversold_count,
    payload_reason_text,
    quarantine_count,
    quarantined_payloads,
)
from channels_sync.services.apply import (
    payload_apply,
    payload_reapply,
    payloads_reapply_for_sku,
)
from inventory.models import StockMovement
from orders.models import Customer, Order, OrderEvent
from tests.channels_sync.apply_helpers import (
    T0,
    shopee_line,
    shopee_order,
    stocked_shop,
    store,
)
from tests.orders.factories import level, order_ledger, stocked_variant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("encryption_keys")]

NOW = T0.replace(hour=4)


@pytest.fixture
def shop():
    return stocked_shop()


def state(payload):
    payload.refresh_from_db()
    return payload.status, payload.reason, payload.reason_params, payload.attempts


def counts():
    return (
        Order.objects.count(),
        OrderEvent.objects.count(),
        StockMovement.objects.count(),
        ChannelOrder.objects.count(),
        Customer.objects.count(),
        Listing.objects.count(),
    )


def test_a_stored_order_is_applied_once(shop):
    account, warehouse, shirt = shop
    payload = store(account, shopee_order())

    result = payload_apply(payload_id=payload.pk, now=NOW)

    assert (result.status, result.reason, result.attempts, result.applied_at) == (
        "applied",
        "",
        1,
        NOW,
    )
    order = Order.objects.get()
    assert (result.order_id, result.external_id, result.external_updated_at) == (
        order.pk,
        "251201AAA111",
        T0,
    )
    assert (order.status, order.total, order.external_number) == (
        "processing",
        Decimal("300000"),
        "251201AAA111",
    )
    assert order.ship_phone == ""  # "84*****678" is masked
    assert level(shirt, warehouse) == (10, 2)

    before = counts()
    again = payload_apply(payload_id=payload.pk, now=NOW)  # the same payload once more
    assert (again.status, again.attempts) == ("applied", 1)
    assert counts() == before


def test_the_same_order_update_stored_twice_applies_once(shop):
    account, warehouse, shirt = shop
    first = store(account, shopee_order())
    second = store(account, shopee_order())
    payload_apply(payload_id=first.pk, now=NOW)
    before = counts()
    assert state(second)[0] == "superseded"  # waiting, not newer: the applied one covers it

    result = payload_apply(payload_id=second.pk, now=NOW)

    assert (result.status, result.order_id) == ("superseded", Order.objects.get().pk)
    assert counts() == before
    assert level(shirt, warehouse) == (10, 2)


def test_a_replay_arriving_after_the_apply_is_ignored(shop):
    account, warehouse, shirt = shop
    payload_apply(payload_id=store(account, shopee_order()).pk, now=NOW)
    before = counts()

    result = payload_apply(payload_id=store(account, shopee_order()).pk, now=NOW)

    assert (result.status, result.order_id) == ("ignored", Order.objects.get().pk)
    assert counts() == before
    assert level(shirt, warehouse) == (10, 2)


def test_an_older_payload_after_a_newer_one_is_superseded(shop):
    account, warehouse, shirt = shop
    newer = store(account, shopee_order(status="SHIPPED", update_time=600))
    older = store(account, shopee_order(status="READY_TO_SHIP", update_time=60))
    payload_apply(payload_id=newer.pk, now=NOW)
    before = counts()

    result = payload_apply(payload_id=older.pk, now=NOW)

    assert result.status == "superseded"
    assert counts() == before
    assert Order.objects.get().status == "shipped"
    assert level(shirt, warehouse) == (8, 0)


def test_a_payload_with_a_newer_one_waiting_is_superseded_without_applying(shop):
    account, _warehouse, _shirt = shop
    older = store(account, shopee_order(update_time=60))
    newer = store(account, shopee_order(status="SHIPPED", update_time=600))

    assert payload_apply(payload_id=older.pk, now=NOW).status == "superseded"
    assert Order.objects.count() == 0
    assert payload_apply(payload_id=newer.pk, now=NOW).status == "applied"
    assert Order.objects.get().status == "shipped"


def test_an_unknown_sku_is_quarantined_and_the_rest_of_the_batch_applies(shop):
    account, warehouse, shirt = shop
    bad = store(
        account,
        shopee_order(
            "251201BAD001",
            lines=[
                shopee_line("AO-DEN-M", 1, 135000),
                shopee_line("QUAN-XL", 1, 99000, item_id=1002, model_id=3002),
            ],
        ),
    )
    good = store(account, shopee_order("251201GOOD01"))

    with transaction.atomic():  # as a pull run applies its batch
        results = [payload_apply(payload_id=p.pk, now=NOW) for p in (bad, good)]

    assert [r.status for r in results] == ["quarantined", "applied"]
    assert state(bad) == (
        "quarantined",
        "unknown_sku",
        {"line": 2, "sku": "QUAN-XL", "skus": ["QUAN-XL"]},
        1,
    )
    bad.refresh_from_db()
    assert bad.detail == (
        "line 2 (item 1002, model 3002): seller SKU 'QUAN-XL' is not one of our SKUs"
    )
    assert (bad.order_id, bad.external_id, bad.external_updated_at) == (None, "251201BAD001", T0)
    assert payload_reason_text(bad) == (
        "Line 2: seller SKU “QUAN-XL” is not linked to any of our products."
    )
    assert list(Order.objects.values_list("external_number", flat=True)) == ["251201GOOD01"]
    assert Customer.objects.count() == 1
    assert list(Listing.objects.values_list("item_id", "model_id")) == [("1001", "2001")]
    assert level(shirt, warehouse) == (10, 2)
    assert [p.pk for p in quarantined_payloads()] == [bad.pk]
    assert [p.pk for p in quarantined_payloads(account_id=account.pk + 1)] == []
    assert (quarantine_count(), oversold_count()) == (1, 0)
    assert attention_counts() == {account.pk: (1, 0)}


def test_linking_the_sku_then_reapplying_for_it_applies_the_waiting_orders(shop, make_user):
    account, warehouse, _shirt = shop
    staff = make_user("manager")
    trousers = stocked_variant(warehouse, 4, sku="QUAN-KAKI-XL")
    waiting = [
        store(
            account,
            shopee_order(sn, lines=[shopee_line("QUAN-XL", 1, 99000, item_id=1002, model_id=3002)]),
        )
        for sn in ("251201Q00001", "251201Q00002")
    ]
    other = store(
        account,
        shopee_order("251201OTHER1", lines=[shopee_line("NON-CO", 1, 5000, item_id=9)]),
    )
    for payload in (*waiting, other):
        payload_apply(payload_id=payload.pk, now=NOW)
    # staff link the listing (what the listings page does)
    Listing.objects.create(
        account=account, item_id="1002", model_id="3002", seller_sku="QUAN-XL", variant=trousers
    )

    done = payloads_reapply_for_sku(account_id=account.pk, seller_sku=" quan-xl", user_id=staff.pk)

    assert done == 2
    for payload in waiting:
        payload.refresh_from_db()
        assert (payload.status, payload.applied_by_id, payload.attempts) == (
            "applied",
            staff.pk,
            2,
        )
    assert state(other)[:2] == ("quarantined", "unknown_sku")
    orders = Order.objects.order_by("external_number")
    assert [(o.external_number, o.status) for o in orders] == [
        ("251201Q00001", "processing"),
        ("251201Q00002", "processing"),
    ]
    assert [list(o.lines.values_list("sku", "unit_price")) for o in orders] == [
        [("QUAN-KAKI-XL", Decimal("99000"))]
    ] * 2
    assert level(trousers, warehouse) == (4, 2)
    assert (
        payloads_reapply_for_sku(account_id=account.pk, seller_sku="QUAN-XL", user_id=staff.pk) == 0
    )


@pytest.mark.postgres(why="PostgreSQL refuses NUL in text: the unexpected error of this test")
def test_an_unexpected_error_is_quarantined_as_internal_and_the_next_payload_applies(
    shop, make_user
):
    account, warehouse, shirt = shop
    # JSON allows "\u0000"; PostgreSQL text does not: the insert fails deep inside the apply.
    broken = store(account, shopee_order("251201NUL001", note="Giao giờ hành chính\u0000"))
    fine = store(account, shopee_order("251201FINE01"))

    results = [payload_apply(payload_id=p.pk, now=NOW) for p in (broken, fine)]

    assert [r.status for r in results] == ["quarantined", "applied"]
    assert state(broken) == ("quarantined", "internal", {}, 1)
    broken.refresh_from_db()
    assert broken.detail == "DataError: PostgreSQL text fields cannot contain NUL (0x00) bytes"
    assert list(Order.objects.values_list("external_number", flat=True)) == ["251201FINE01"]
    assert Customer.objects.count() == 1
    assert level(shirt, warehouse) == (10, 2)

    staff = make_user("manager")
    again = payload_reapply(payload_id=broken.pk, user_id=staff.pk)  # still broken: stays
    assert (again.status, again.reason, again.attempts) == ("quarantined", "internal", 2)


def test_a_bad_field_names_the_field(shop):
    account, _warehouse, _shirt = shop
    body = shopee_order()
    del body["item_list"][0]["model_quantity_purchased"]
    payload = store(account, body)

    payload_apply(payload_id=payload.pk, now=NOW)

    assert state(payload) == (
        "quarantined",
        "bad_field",
        {"field": "item_list[0].model_quantity_purchased"},
        1,
    )
    assert payload_reason_text(payload) == (
        "The field “item_list[0].model_quantity_purchased” is missing or not valid."
    )
    assert Order.objects.count() == 0


def test_a_body_that_is_not_json_is_quarantined(shop):
    account, _warehouse, _shirt = shop
    payload = store(account, "{not json")

    payload_apply(payload_id=payload.pk, now=NOW)

    assert state(payload)[:3] == ("quarantined", "bad_field", {"field": "body"})


def test_currency_and_status_problems_are_quarantined_with_their_reason(shop):
    account, _warehouse, _shirt = shop
    thb = store(account, shopee_order("251201THB001", currency="THB"))
    odd = store(account, shopee_order("251201ODD001", status="TELEPORTED"))

    for payload in (thb, odd):
        payload_apply(payload_id=payload.pk, now=NOW)

    assert state(thb)[:3] == (
        "quarantined",
        "currency_mismatch",
        {"currency": "THB", "expected": "VND"},
    )
    assert payload_reason_text(thb) == "The order is in THB but the shop sells in VND."
    assert state(odd)[:3] == ("quarantined", "unknown_status", {"status": "TELEPORTED"})
    assert Order.objects.count() == 0


def test_an_oversold_payload_is_applied_with_the_reason_noted(shop):
    account, warehouse, _shirt = shop
    hat = stocked_variant(warehouse, 1, sku="MU-DO")
    payload = store(account, shopee_order(lines=[shopee_line("MU-DO", 2, 135000)]))

    payload_apply(payload_id=payload.pk, now=NOW)

    assert state(payload)[:2] == ("applied", "oversold")
    assert payload_reason_text(payload) == "Paid on the platform, but our stock cannot cover it."
    order = Order.objects.get()
    assert (order.status, order_ledger(order), level(hat, warehouse)) == ("new", [], (1, 0))
    assert (quarantine_count(), oversold_count(account_id=account.pk)) == (0, 1)
    assert attention_counts() == {account.pk: (0, 1)}


def test_older_quarantined_payloads_are_superseded_when_a_newer_one_applies(shop):
    account, _warehouse, _shirt = shop
    body = shopee_order(update_time=60)
    body["currency"] = "THB"
    old = store(account, body)
    payload_apply(payload_id=old.pk, now=NOW)
    new = store(account, shopee_order(status="SHIPPED", update_time=600))

    payload_apply(payload_id=new.pk, now=NOW)

    assert state(new)[0] == "applied"
    assert state(old)[0] == "superseded"
    assert quarantine_count() == 0
    assert json.loads(new.body)["order_sn"] == "251201AAA111"
