"""Carrier accounts: connecting (the carrier checks the credentials), the nightly master data
refresh over the GHN sandbox, and its place in the beat schedule."""

from __future__ import annotations

from pathlib import Path

import pytest

from shipping.errors import ShippingError
from shipping.models import CarrierAccount, CarrierPlace
from shipping.services.accounts import (
    carrier_account_connect,
    master_data_refresh,
    master_data_refresh_all,
)
from shipping.services.addresses import place_key


@pytest.mark.django_db
def test_connect_proves_the_ghn_token(ghn_sandbox, ghn_account):
    account = carrier_account_connect(account_id=ghn_account.pk)
    assert account.token == ghn_sandbox.token
    assert account.connected_at is not None


@pytest.mark.django_db
def test_a_refused_token_is_a_readable_error_and_nothing_changes(ghn_sandbox, ghn_account):
    ghn_sandbox.expire_token()
    with pytest.raises(ShippingError) as caught:
        carrier_account_connect(account_id=ghn_account.pk)
    assert str(caught.value) == (
        "The carrier refused the account's credentials. Check the token or password."
    )
    assert CarrierAccount.objects.get(pk=ghn_account.pk).connected_at is None


@pytest.mark.django_db
def test_the_refresh_caches_every_place_of_the_carrier(ghn_sandbox, ghn_account):
    result = master_data_refresh(account_id=ghn_account.pk)

    assert (result.provinces, result.districts, result.wards) == (6, 14, 34)  # one ward locked
    rows = CarrierPlace.objects.filter(carrier="ghn")
    assert rows.count() == 54
    ward = rows.get(level="ward", code="40101")
    assert (ward.name, ward.parent_code, ward.province_code) == (
        "Phường Thạch Thang",
        "1526",
        "203",
    )
    assert (ward.folded, ward.key) == ("phuong thach thang", "thach thang")
    hcm = rows.get(level="province", code="202")
    assert hcm.aliases == ["hcm", "ho chi minh"]
    assert CarrierAccount.objects.get(pk=ghn_account.pk).master_data_refreshed_at is not None
    # A second refresh updates in place.
    master_data_refresh(account_id=ghn_account.pk)
    assert rows.count() == 54


@pytest.mark.django_db
def test_the_nightly_job_refreshes_each_carrier_once(ghn_sandbox, ghn_account):
    assert master_data_refresh_all() == 1
    assert CarrierPlace.objects.filter(carrier="ghn", level="province").count() == 6


def test_place_keys_drop_the_kind_of_place():
    assert place_key("TP. Hồ Chí Minh") == "ho chi minh"
    assert place_key("Thành phố Thủ Đức") == "thu duc"
    assert place_key("HUYỆN LẠC THỦY") == "lac thuy"
    assert place_key("Phường 09") == "9"
    assert place_key("Xã Tân An Hội") == "tan an hoi"
    assert place_key("Quận 1") == "1"
    assert place_key("Q.1") == "1"


def test_the_beat_runs_the_refresh_nightly_on_the_carriers_queue():
    from crm.celery_config import celery_settings

    conf = celery_settings(redis_url="redis://localhost:6379/7", var_dir=Path("/tmp"))
    entry = conf["beat_schedule"]["shipping-refresh-master-data"]
    assert entry["task"] == "shipping.refresh_master_data"
    assert conf["task_routes"]["shipping.*"] == {"queue": "marketplace"}
