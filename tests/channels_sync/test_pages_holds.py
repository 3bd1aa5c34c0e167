"""The "Promotions & holds" section of a shop's page: the list, add a hold, end one early."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from channels_sync.models import HoldEnd, HoldStatus, StockHold
from tests.channels_sync.stock_setup import (
    WarehouseFactory,
    listing_for,
    offline_shop,
    variant_with_stock,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("encryption_keys")]


@pytest.fixture
def shop_and_variant():
    shop = offline_shop()
    variant = variant_with_stock(WarehouseFactory(), 30, sku="FS-1")
    listing_for(shop, variant, 800001, 900001)
    return shop, variant


def _form(start: datetime, end: datetime, **fields):
    start, end = timezone.localtime(start), timezone.localtime(end)
    return {
        "skus": "fs-1",
        "quantity": "10",
        "start_date": start.strftime("%d/%m/%Y"),
        "start_time": start.strftime("%H:%M"),
        "end_date": end.strftime("%d/%m/%Y"),
        "end_time": end.strftime("%H:%M"),
        "name": "12.12 Flash Sale",
        **fields,
    }


def test_a_hold_is_added_listed_and_ended_early(client, login_as, shop_and_variant):
    shop, variant = shop_and_variant
    login_as("manager")
    start = (timezone.now() - timedelta(minutes=5)).replace(second=0, microsecond=0)
    end = start + timedelta(hours=2)
    add = reverse("channels_sync:hold_add", args=[shop.pk])

    response = client.post(add, _form(start, end), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    hold = StockHold.objects.get()
    assert (hold.account_id, hold.variant_id, hold.quantity, hold.name) == (
        shop.pk,
        variant.pk,
        10,
        "12.12 Flash Sale",
    )
    assert (hold.starts_at, hold.ends_at, hold.status, hold.source) == (
        start,
        end,
        HoldStatus.ACTIVE,
        "staff",
    )
    assert hold.created_by is not None
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card card--flush" id="holds">')
    assert f'id="hold-{hold.pk}" class="hold--active"' in html

    page = client.get(reverse("channels_sync:shop_detail", args=[shop.pk])).content.decode()
    assert f'id="hold-{hold.pk}"' in page
    assert "12.12 Flash Sale" in page

    end_url = reverse("channels_sync:hold_end", args=[shop.pk, hold.pk])
    ended = client.post(end_url, HTTP_HX_REQUEST="true")
    assert ended.status_code == 200
    hold.refresh_from_db()
    assert (hold.status, hold.end_reason) == (HoldStatus.ENDED, HoldEnd.STAFF)
    assert f'id="hold-{hold.pk}" class="hold--ended"' in ended.content.decode()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"skus": "NOPE-1"}, "Unknown SKU: NOPE-1"),
        ({"quantity": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"end_date": "01/01/2020"}, "The end must be after the start."),
    ],
)
def test_a_wrong_hold_shows_the_error_and_records_nothing(
    client, login_as, shop_and_variant, fields, error
):
    shop, _variant = shop_and_variant
    login_as("manager")
    client.cookies["django_language"] = "en"
    start = timezone.now() + timedelta(hours=1)
    response = client.post(
        reverse("channels_sync:hold_add", args=[shop.pk]),
        _form(start, start + timedelta(hours=1), **fields),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert error in response.content.decode()
    assert StockHold.objects.count() == 0


@pytest.mark.parametrize("role", ["sales", "warehouse", "accountant"])
def test_holds_need_the_marketplaces_permission(client, login_as, shop_and_variant, role):
    shop, _variant = shop_and_variant
    login_as(role)
    start = timezone.now()
    add = reverse("channels_sync:hold_add", args=[shop.pk])
    assert client.post(add, _form(start, start + timedelta(hours=1))).status_code == 403
    assert client.get(reverse("channels_sync:shop_holds", args=[shop.pk])).status_code == 403
    assert StockHold.objects.count() == 0
