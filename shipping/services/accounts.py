"""Carrier accounts: save, connect (the carrier checks the credentials and gives the token we
keep), and the nightly refresh of the carrier's master data."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, fields
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shipping.adapters.base import CarrierError
from shipping.errors import ShippingError, shipping_error
from shipping.models import LIVE_BASE_URLS, LIVE_PRINT_URLS, Carrier, CarrierAccount
from shipping.services.addresses import places_store
from shipping.services.carriers import adapter_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccountInput:
    carrier: str
    name: str
    warehouse_id: int
    base_url: str = ""
    print_base_url: str = ""
    token: str = ""  # blank on edit: keep the stored one
    password: str = ""  # blank on edit: keep the stored one
    shop_id: str = ""
    username: str = ""
    group_address_id: str = ""
    customer_id: str = ""
    sender_name: str = ""
    sender_phone: str = ""
    sender_street: str = ""
    sender_province: str = ""
    sender_district: str = ""
    sender_ward: str = ""
    default_weight_g: int = 500
    default_length_cm: int = 20
    default_width_cm: int = 15
    default_height_cm: int = 10
    active: bool = True


_SECRETS = ("token", "password")


def carrier_account_save(*, data: AccountInput, account_id: int | None = None) -> CarrierAccount:
    """Create or change an account. Blank secrets keep the stored ones; blank URLs are the
    carrier's live hosts; a new account gets a random webhook secret."""
    values = {f.name: getattr(data, f.name) for f in fields(data)}
    values["base_url"] = data.base_url.strip() or LIVE_BASE_URLS[data.carrier]  # type: ignore[index]
    values["print_base_url"] = data.print_base_url.strip() or LIVE_PRINT_URLS[data.carrier]  # type: ignore[index]
    with transaction.atomic():
        if account_id is None:
            account = CarrierAccount(webhook_secret=secrets.token_urlsafe(24))
        else:
            account = CarrierAccount.objects.select_for_update().get(pk=account_id)
            if account.carrier != data.carrier:
                raise ShippingError("The carrier of an account cannot change.")
        for name, value in values.items():
            if name in _SECRETS and not value:
                continue
            setattr(account, name, value)
        account.save()
    return account


def carrier_account_connect(*, account_id: int, now: datetime | None = None) -> CarrierAccount:
    """Ask the carrier to check the account (adapter.authorize) and keep the token it gives
    (Viettel Post's long-term token; GHN's own token, proven). ShippingError when refused."""
    account = CarrierAccount.objects.get(pk=account_id)
    try:
        token = adapter_for(account).authorize()
    except CarrierError as error:
        raise shipping_error(error) from error
    account.token = token
    account.connected_at = now or timezone.now()
    account.save(update_fields=["token", "connected_at"])
    return account


def account_webhook_url(account: CarrierAccount, *, base: str) -> str:
    """The address to register with the carrier, on our site at `base` (GHN: with ?token=;
    Viettel Post: the secret goes in the carrier's portal as the callback token)."""
    name = "ghn_webhook" if account.carrier == Carrier.GHN else "viettel_post_webhook"
    url = base.rstrip("/") + reverse(f"shipping:{name}", args=[account.pk])
    if account.carrier == Carrier.GHN:
        url += f"?token={account.webhook_secret}"
    return url


def webhook_secret_renew(*, account_id: int) -> CarrierAccount:
    account = CarrierAccount.objects.get(pk=account_id)
    account.webhook_secret = secrets.token_urlsafe(24)
    account.save(update_fields=["webhook_secret"])
    return account


@dataclass
class RefreshResult:
    provinces: int = 0
    districts: int = 0
    wards: int = 0


def master_data_refresh(*, account_id: int, now: datetime | None = None) -> RefreshResult:
    """Fetch every province, district and ward of the account's carrier into CarrierPlace
    (insert or update; a place the carrier dropped stays, unused). Carrier errors propagate
    (the nightly task retries transient ones)."""
    account = CarrierAccount.objects.get(pk=account_id)
    adapter = adapter_for(account)
    result = RefreshResult()
    provinces = adapter.provinces()
    result.provinces = places_store(account.carrier, provinces)
    for province in provinces:
        districts = adapter.districts(province_code=province.code)
        result.districts += places_store(account.carrier, districts, province_code=province.code)
        for district in districts:
            wards = adapter.wards(district_code=district.code)
            result.wards += places_store(account.carrier, wards, province_code=province.code)
    CarrierAccount.objects.filter(pk=account.pk).update(
        master_data_refreshed_at=now or timezone.now()
    )
    log.info(
        "carrier %s master data: %d provinces, %d districts, %d wards",
        account.carrier,
        result.provinces,
        result.districts,
        result.wards,
    )
    return result


def master_data_refresh_all() -> int:
    """Refresh once per carrier (through its first active account); returns carriers done."""
    done = 0
    seen: set[str] = set()
    for account in CarrierAccount.objects.filter(active=True).order_by("pk"):
        if account.carrier in seen:
            continue
        seen.add(account.carrier)
        try:
            master_data_refresh(account_id=account.pk)
            done += 1
        except CarrierError:
            log.exception("master data refresh failed for carrier account %s", account.pk)
    return done
