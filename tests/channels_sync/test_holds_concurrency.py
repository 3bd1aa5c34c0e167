"""Two orders of the holding shop consuming one hold at the same moment, on PostgreSQL with
real threads: the hold's row lock makes the second see what the first took."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction

from channels_sync.models import StockHold
from channels_sync.services.holds import hold_create, holds_consume
from tests.channels_sync.stock_setup import (
    WarehouseFactory,
    listing_for,
    offline_shop,
    variant_with_stock,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("encryption_keys")]

T0 = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


@pytest.mark.postgres(why="row locks under concurrent transactions")
def test_two_orders_at_once_consume_the_hold_once(django_db_blocker):
    shop = offline_shop()
    variant = variant_with_stock(WarehouseFactory(), 30, sku="FS-1")
    listing_for(shop, variant, 800001, 900001)
    (hold,) = hold_create(
        account_id=shop.pk,
        variant_ids=[variant.pk],
        quantity=10,
        starts_at=T0,
        ends_at=T0 + timedelta(hours=2),
        now=T0,
    )
    barrier = threading.Barrier(2)
    taken: list[int] = []
    errors: list[BaseException] = []

    def order() -> None:
        try:
            with django_db_blocker.unblock(), transaction.atomic():
                barrier.wait(timeout=10)
                taken.append(
                    holds_consume(
                        account_id=shop.pk,
                        lines=[(variant.pk, 7)],
                        at=T0 + timedelta(minutes=5),
                    )
                )
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=order) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(taken) == [3, 7]
    hold.refresh_from_db()
    assert (hold.consumed, hold.remaining) == (10, 0)
    assert StockHold.objects.count() == 1
