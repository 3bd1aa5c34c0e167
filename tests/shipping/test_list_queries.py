"""The shipping list pages ask the database a fixed number of times, however many rows they
show: the Shipments list (and its "needs action" tab, and its htmx table), the Carriers page,
the COD statements page and the carrier callbacks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shipping.models import CarrierAccount, CarrierCallback, CodStatement, Shipment

HX = {"HTTP_HX_REQUEST": "true"}


def _parcels(ship_order, account, count: int, *, failed: bool = False) -> None:
    """`count` parcels as the carrier confirmed them (rows only: no carrier is asked)."""
    for _ in range(count):
        order = ship_order()
        Shipment.objects.create(
            order=order,
            account=account,
            reference=f"{order.number}-1",
            service_code="53321",
            service_name="Chuyển phát truyền thống",
            cod_amount=Decimal(330000),
            weight_g=500,
            length_cm=20,
            width_cm=15,
            height_cm=10,
            payer="shop",
            viewing="allow_viewing",
            tracking_number=f"G{order.pk:07d}",
            fee=Decimal(35000),
            state="delivery_failed" if failed else "created",
            needs_action=failed,
            problem="Khách hẹn lại ngày giao" if failed else "",
        )


def _pinned(client, django_assert_num_queries, url: str, grow, **extra) -> int:
    """The page's query count, unchanged after `grow()` adds rows; returns it."""
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, **extra).status_code == 200
    grow()
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url, **extra).status_code == 200
    return len(few.captured_queries)


@pytest.mark.django_db
def test_the_shipments_list_and_its_tabs_do_not_grow_with_parcels(
    client, login_as, ghn_account, ship_order, ship_warehouse, django_assert_num_queries
):
    from inventory.services.stock import stock_receive

    stock_receive(variant_id=ship_order.variant.pk, warehouse_id=ship_warehouse.pk, quantity=40)
    _parcels(ship_order, ghn_account, 2)
    _parcels(ship_order, ghn_account, 1, failed=True)
    login_as("manager")
    url = reverse("shipping:shipment_list")

    everything = _pinned(
        client,
        django_assert_num_queries,
        url,
        lambda: _parcels(ship_order, ghn_account, 5),
    )
    table = _pinned(
        client,
        django_assert_num_queries,
        url,
        lambda: _parcels(ship_order, ghn_account, 2),
        **HX,
    )
    action = _pinned(
        client,
        django_assert_num_queries,
        f"{url}?needs_action=on",
        lambda: _parcels(ship_order, ghn_account, 3, failed=True),
    )

    assert Shipment.objects.count() == 13
    # session, user, permissions, the page's parcels, its count, the "needs action" count
    assert (everything, table, action) == (6, 6, 6)


@pytest.mark.django_db
def test_the_carriers_page_does_not_grow_with_accounts(
    client, login_as, ghn_account, vtp_account, ship_warehouse, django_assert_num_queries
):
    login_as("manager")

    def more() -> None:
        for n in range(4):
            CarrierAccount.objects.create(
                carrier="ghn",
                name=f"GHN {n}",
                base_url="https://ghn.invalid/api",
                warehouse=ship_warehouse,
                shop_id=str(n),
            )

    url = reverse("shipping:account_list")
    assert _pinned(client, django_assert_num_queries, url, more) == 6
    assert CarrierAccount.objects.count() == 6


@pytest.mark.django_db
def test_the_cod_statements_page_does_not_grow_with_statements(
    client, login_as, ghn_account, vtp_account, django_assert_num_queries
):
    login_as("accountant")

    def upload(account) -> None:
        CodStatement.objects.create(account=account, filename="cod.csv", digest="x", rows=[])

    upload(ghn_account)

    def more() -> None:
        for account in (ghn_account, vtp_account, vtp_account):
            upload(account)

    url = reverse("shipping:cod_import")
    # The account select without an empty choice reads its accounts twice (Django asks its
    # first choice whether the field may be "required").
    assert _pinned(client, django_assert_num_queries, url, more) == 7
    assert CodStatement.objects.count() == 4


@pytest.mark.django_db
def test_the_callbacks_list_does_not_grow_with_callbacks(
    client, login_as, ghn_account, vtp_account, django_assert_num_queries
):
    login_as("manager")

    def callbacks(account, count: int) -> None:
        for _ in range(count):
            CarrierCallback.objects.create(
                account=account, body="{}", result="quarantined", reason="Không rõ vận đơn"
            )

    callbacks(ghn_account, 1)
    pinned = _pinned(
        client,
        django_assert_num_queries,
        reverse("shipping:callback_list"),
        lambda: (callbacks(ghn_account, 2), callbacks(vtp_account, 3)),
    )
    assert pinned == 5
    assert CarrierCallback.objects.count() == 6


@pytest.mark.django_db
def test_the_shipments_list_finds_a_tracking_number_or_an_order_and_filters_by_state(
    client, login_as, ghn_account, ship_order
):
    _parcels(ship_order, ghn_account, 2)
    _parcels(ship_order, ghn_account, 1, failed=True)
    first, second, failed = Shipment.objects.order_by("id")
    login_as("warehouse")
    url = reverse("shipping:shipment_list")

    def found(**query) -> list[int]:
        response = client.get(url, query, **HX)
        assert response.status_code == 200
        return [s.pk for s in response.context["page"].items]

    assert found(q=second.tracking_number.lower()) == [second.pk]
    assert found(q=f" {first.order.number} ") == [first.pk]
    assert found(q=failed.reference) == [failed.pk]
    assert found(state="delivery_failed") == [failed.pk]
    assert found(state="created", q=failed.tracking_number) == []
    assert found() == [failed.pk, second.pk, first.pk]
    page = client.get(url).content.decode()
    assert 'data-testid="shipment-filters"' in page
    assert 'name="q"' in page
    assert "data-search" in page
