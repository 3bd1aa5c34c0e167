"""Transfer pages: list, form, detail and actions, permissions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inventory.models import StockMovement, Transfer
from inventory.selectors.stock import ledger_mismatches
from inventory.services.stock import stock_reserve
from inventory.services.transfers import (
    TransferLineInput,
    transfer_create,
    transfer_receive,
    transfer_send,
)
from tests.inventory.factories import ProductFactory, VariantFactory, WarehouseFactory
from tests.inventory.factories_movements import level, levels, put

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    hcm, hn, dn = (WarehouseFactory(code=c) for c in ("HCM01", "HN01", "DN01"))
    red = VariantFactory(product=ProductFactory(name="Áo thun"), sku="AO-RED", option1="Đỏ")
    mug = VariantFactory(product=ProductFactory(name="Ly sứ"), sku="LY-01")
    put(red, hcm, 10)
    put(mug, hcm, 3)
    return {"hcm": hcm, "hn": hn, "dn": dn, "red": red, "mug": mug}


def make(world, source, destination, *lines):
    return transfer_create(
        source_id=world[source].pk,
        destination_id=world[destination].pk,
        lines=[TransferLineInput(variant_id=world[v].pk, quantity=q) for v, q in lines],
    )


def numbers(response):
    return [t.number for t in response.context["page"].items]


def test_list_filters_by_status_warehouse_and_number(client, login_as, world):
    login_as("warehouse")
    first = make(world, "hcm", "hn", ("red", 1))  # TR000001
    make(world, "hcm", "dn", ("mug", 1), ("red", 2))  # TR000002
    make(world, "hn", "dn", ("red", 1))  # TR000003
    transfer_send(transfer_id=first.pk)
    url = reverse("inventory:transfer_list")

    response = client.get(url)
    assert numbers(response) == ["TR000003", "TR000002", "TR000001"]
    second = response.context["page"].items[1]
    assert (second.line_count, second.units) == (2, 3)
    assert numbers(client.get(url, {"status": "sent"})) == ["TR000001"]
    assert numbers(client.get(url, {"warehouse": world["hn"].pk})) == ["TR000003", "TR000001"]
    assert numbers(client.get(url, {"q": "0002"})) == ["TR000002"]
    fragment = client.get(url, {"status": "draft"}, HTTP_HX_REQUEST="true")
    assert fragment.content.decode().lstrip().startswith('<section id="transfer-table"')
    assert numbers(fragment) == ["TR000003", "TR000002"]


def test_list_query_count_is_constant(client, login_as, world, django_assert_num_queries):
    login_as("warehouse")
    make(world, "hcm", "hn", ("red", 1))
    url = reverse("inventory:transfer_list")
    client.get(url)  # warm up
    with django_assert_num_queries(6):
        client.get(url)
    for _ in range(20):
        make(world, "hcm", "dn", ("red", 1), ("mug", 1))
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(response.context["page"].items) == 21


def test_create_from_the_form_merges_repeated_scans(client, login_as, world):
    user = login_as("warehouse")
    url = reverse("inventory:transfer_create")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "source": world["hcm"].pk,
            "destination": world["hn"].pk,
            "notes": "Bổ sung hàng",
            "line_variant": [world["red"].pk, world["mug"].pk, world["red"].pk],
            "line_quantity": ["2", "1", "1"],
        },
    )
    transfer = Transfer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("inventory:transfer_detail", args=[transfer.pk])
    assert (transfer.status, transfer.created_by, transfer.notes) == ("draft", user, "Bổ sung hàng")
    assert list(transfer.lines.order_by("pk").values_list("variant__sku", "quantity")) == [
        ("AO-RED", 3),
        ("LY-01", 1),
    ]


def test_form_errors_keep_the_typed_lines(client, login_as, world):
    login_as("warehouse")
    response = client.post(
        reverse("inventory:transfer_create"),
        {
            "source": world["hcm"].pk,
            "destination": world["hcm"].pk,
            "line_variant": [world["red"].pk, world["mug"].pk],
            "line_quantity": ["2", "0"],
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["destination"] == ["Choose a warehouse other than the source."]
    assert form.non_field_errors() == ["Check the lines marked below."]
    assert [(r.variant.sku, r.quantity, r.error) for r in form.rows] == [
        ("AO-RED", "2", ""),
        ("LY-01", "0", "Enter a whole number from 1 to 1000000."),
    ]
    html = response.content.decode()
    assert 'name="line_quantity" value="0"' in html
    empty = client.post(
        reverse("inventory:transfer_create"),
        {"source": world["hcm"].pk, "destination": world["hn"].pk},
    )
    assert empty.context["form"].non_field_errors() == ["Add at least one product to the transfer."]
    assert Transfer.objects.count() == 0


def test_edit_replaces_the_lines_of_a_draft_only(client, login_as, world):
    login_as("warehouse")
    transfer = make(world, "hcm", "hn", ("red", 2))
    url = reverse("inventory:transfer_edit", args=[transfer.pk])
    page = client.get(url)
    assert [(r.variant.sku, r.quantity) for r in page.context["form"].rows] == [("AO-RED", "2")]
    response = client.post(
        url,
        {
            "source": world["hcm"].pk,
            "destination": world["dn"].pk,
            "line_variant": [world["mug"].pk],
            "line_quantity": ["3"],
        },
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["Transfer TR000001 saved."]
    transfer.refresh_from_db()
    assert transfer.destination == world["dn"]
    assert list(transfer.lines.values_list("variant__sku", "quantity")) == [("LY-01", 3)]
    transfer_send(transfer_id=transfer.pk)
    refused = client.get(url, follow=True)
    assert [str(m) for m in refused.context["messages"]] == ["Only a draft transfer can be edited."]


def test_detail_shows_lines_availability_and_the_actions_of_the_status(client, login_as, world):
    login_as("warehouse")
    stock_reserve(variant_id=world["red"].pk, warehouse_id=world["hcm"].pk, quantity=9)
    transfer = make(world, "hcm", "hn", ("red", 4), ("mug", 1))
    url = reverse("inventory:transfer_detail", args=[transfer.pk])
    html = client.get(url).content.decode()
    assert reverse("inventory:transfer_send", args=[transfer.pk]) in html
    assert reverse("inventory:transfer_receive", args=[transfer.pk]) not in html
    assert [(line.variant.sku, line.available) for line in client.get(url).context["lines"]] == [
        ("AO-RED", 1),
        ("LY-01", 3),
    ]
    assert 'class="pill pill--bad"' in html  # 4 wanted, 1 available


def test_send_receive_and_cancel_through_the_pages(client, login_as, world):
    user = login_as("warehouse")
    transfer = make(world, "hcm", "hn", ("red", 4))
    send = reverse("inventory:transfer_send", args=[transfer.pk])
    response = client.post(send, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Transfer TR000001 sent: the units left the source warehouse and are in transit."
    ]
    double = client.post(send, follow=True)  # a second click
    assert [str(m) for m in double.context["messages"]] == [
        "Transfer TR000001 is “Sent”. Only a draft transfer can be sent."
    ]
    assert level(world["red"], world["hcm"]) == (6, 0)
    html = double.content.decode()
    assert reverse("inventory:transfer_receive", args=[transfer.pk]) in html
    assert reverse("inventory:transfer_cancel", args=[transfer.pk]) in html
    received = client.post(reverse("inventory:transfer_receive", args=[transfer.pk]), follow=True)
    assert [str(m) for m in received.context["messages"]] == [
        "Transfer TR000001 received: the units are in the destination warehouse."
    ]
    assert level(world["red"], world["hn"]) == (4, 0)
    assert set(
        StockMovement.objects.filter(source_type="transfer").values_list("created_by", flat=True)
    ) == {user.pk}

    other = make(world, "hcm", "hn", ("mug", 2))
    transfer_send(transfer_id=other.pk)
    cancelled = client.post(reverse("inventory:transfer_cancel", args=[other.pk]), follow=True)
    assert [str(m) for m in cancelled.context["messages"]] == [
        "Transfer TR000002 cancelled: the units in transit are back in the source warehouse."
    ]
    assert level(world["mug"], world["hcm"]) == (3, 0)
    assert ledger_mismatches() == []


def test_a_shortage_shows_the_message_and_changes_nothing(client, login_as, world):
    login_as("warehouse")
    transfer = make(world, "hcm", "hn", ("mug", 5))
    before = levels()
    response = client.post(reverse("inventory:transfer_send", args=[transfer.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Insufficient stock for LY-01 in HCM01: 5 requested, 3 available."
    ]
    transfer.refresh_from_db()
    assert transfer.status == "draft"
    assert levels() == before
    assert ledger_mismatches() == []


def test_actions_need_a_post(client, login_as, world):
    login_as("warehouse")
    transfer = make(world, "hcm", "hn", ("red", 1))
    assert client.get(reverse("inventory:transfer_send", args=[transfer.pk])).status_code == 405
    assert client.post(reverse("inventory:transfer_send", args=[999])).status_code == 404


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [("sales", 403, 403), ("accountant", 200, 403), ("warehouse", 200, 302), ("manager", 200, 302)],
)
def test_permissions(client, login_as, world, role, read, write):
    login_as(role)
    transfer = make(world, "hcm", "hn", ("red", 1))
    assert client.get(reverse("inventory:transfer_list")).status_code == read
    assert client.get(reverse("inventory:transfer_detail", args=[transfer.pk])).status_code == read
    new = client.get(reverse("inventory:transfer_create"))
    assert new.status_code == (200 if write == 302 else 403)
    assert client.post(reverse("inventory:transfer_send", args=[transfer.pk])).status_code == write
    transfer.refresh_from_db()
    assert transfer.status == ("sent" if write == 302 else "draft")


def test_received_transfer_page_has_no_actions(client, login_as, world):
    login_as("warehouse")
    transfer = make(world, "hcm", "hn", ("red", 1))
    transfer_send(transfer_id=transfer.pk)
    transfer_receive(transfer_id=transfer.pk)
    html = client.get(reverse("inventory:transfer_detail", args=[transfer.pk])).content.decode()
    for action in ("transfer_send", "transfer_receive", "transfer_cancel", "transfer_edit"):
        assert reverse(f"inventory:{action}", args=[transfer.pk]) not in html
    assert "Received" in html


@pytest.mark.parametrize("quantity", ["²", "١٢", "๓", "1e3", "-1", "10000001"])
def test_a_quantity_that_is_not_plain_ascii_digits_is_a_line_error(
    client, login_as, world, quantity
):
    """str.isdigit() takes superscripts and other scripts' digits, and int() then fails on some
    of them: only 0-9 make a quantity, whatever the keyboard."""
    login_as("warehouse")
    response = client.post(
        reverse("inventory:transfer_create"),
        {
            "source": world["hcm"].pk,
            "destination": world["hn"].pk,
            "line_variant": [world["red"].pk],
            "line_quantity": [quantity],
        },
    )
    assert response.status_code == 200
    rows = response.context["form"].rows
    assert [(r.quantity, r.error) for r in rows] == [
        (quantity, "Enter a whole number from 1 to 1000000.")
    ]
    assert Transfer.objects.count() == 0
