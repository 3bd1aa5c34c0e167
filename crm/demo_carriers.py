"""The demo's carriers and e-invoice providers: accounts on the local sandboxes.

`make run` (scripts/run_dev.py) starts the GHN, Viettel Post, S-Invoice and MISA sandboxes,
then calls `carriers_demo_setup` (manage.py democarriers) once the web server answers:
- a GHN and a Viettel Post carrier account for the demo warehouse (HCM01) on the sandboxes'
  seeded accounts, connected through the real services (authorize, master data), with our
  webhook URL and the account's secret registered with each sandbox, so a parcel created in the
  demo moves through its statuses (the sandboxes' --advance-every) and calls us back;
- an S-Invoice and a MISA provider account (sandbox hosts and credentials, the seller tax code,
  a template and a series with this year's digits), checked with the provider;
- the demo shop's tax code (and its name and address: an invoice needs them), when empty.
Running it again updates the same rows (the sandboxes start empty each time, so the webhooks
are registered again). Each step reports one line; a failed step reports why and the others
still run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import requests
from django.utils import timezone

from inventory.models import ShopProfile, Warehouse
from inventory.services.shop import shop_profile_save
from invoicing.models import Provider, ProviderAccount
from invoicing.sandbox import misa as misa_sandbox
from invoicing.sandbox import sinvoice as sinvoice_sandbox
from invoicing.services.accounts import (
    ProviderAccountInput,
    provider_account_check,
    provider_account_save,
)
from shipping.models import Carrier, CarrierAccount
from shipping.sandbox import ghn as ghn_sandbox
from shipping.sandbox import viettel_post as vtp_sandbox
from shipping.services.accounts import (
    AccountInput,
    account_webhook_url,
    carrier_account_connect,
    carrier_account_save,
    master_data_refresh,
)

GHN_NAME = "GHN sandbox (demo)"
VTP_NAME = "Viettel Post sandbox (demo)"
SINVOICE_NAME = "S-Invoice sandbox (demo)"
MISA_NAME = "MISA sandbox (demo)"
WAREHOUSE_CODE = "HCM01"
SHOP_NAME = "Công ty TNHH Shop CRM Demo"
SHOP_ADDRESS = "12 Nguyễn Huệ, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh"
# The pickup address: a place both sandboxes' master data know (Quận 1, TP Hồ Chí Minh).
SENDER: dict[str, Any] = {
    "sender_name": "Shop CRM Demo",
    "sender_phone": "0909123456",
    "sender_street": "12 Nguyễn Huệ",
    "sender_province": "TP. Hồ Chí Minh",
    "sender_district": "Quận 1",
    "sender_ward": "Phường Bến Nghé",
}


@dataclass(frozen=True)
class SandboxUrls:
    """Where each sandbox listens (its root URL, no API prefix)."""

    ghn: str = "http://127.0.0.1:8711"
    viettel_post: str = "http://127.0.0.1:8702"
    sinvoice: str = "http://127.0.0.1:8704"
    misa: str = "http://127.0.0.1:8710"


@dataclass
class DemoCarriers:
    carriers: dict[str, CarrierAccount] = field(default_factory=dict)
    providers: dict[str, ProviderAccount] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)


Say = Callable[[str], None]


def _control(root: str, name: str, data: dict[str, Any]) -> dict[str, Any]:
    answer = requests.post(f"{root}/_sandbox/{name}", json=data, timeout=10)
    body = answer.json()
    if not body.get("ok"):
        raise RuntimeError(f"sandbox {name}: {body.get('error')}")
    return dict(body)


def _carrier(data: AccountInput, say: Say) -> CarrierAccount:
    data = replace(data, **SENDER)
    existing = CarrierAccount.objects.filter(carrier=data.carrier, name=data.name).first()
    saved = carrier_account_save(data=data, account_id=existing.pk if existing else None)
    say(f"{data.name}: {'updated' if existing else 'created'} for warehouse {WAREHOUSE_CODE}.")
    account = carrier_account_connect(account_id=saved.pk)
    say(f"{data.name}: connected ({account.base_url}).")
    done = master_data_refresh(account_id=account.pk)
    say(
        f"{data.name}: master data {done.provinces} provinces, {done.districts} districts, "
        f"{done.wards} wards."
    )
    return account


def _ghn(urls: SandboxUrls, site_url: str, warehouse: Warehouse, say: Say) -> CarrierAccount:
    account = _carrier(
        AccountInput(
            carrier=Carrier.GHN,
            name=GHN_NAME,
            warehouse_id=warehouse.pk,
            base_url=urls.ghn + ghn_sandbox.API_PREFIX,
            print_base_url=urls.ghn,
            token=ghn_sandbox.DEFAULT_TOKEN,
            shop_id=str(ghn_sandbox.DEFAULT_SHOP_ID),
        ),
        say,
    )
    url = account_webhook_url(account, base=site_url)
    _control(urls.ghn, "configure", {"callback_url": url})
    say(f"{GHN_NAME}: the sandbox calls back {url.split('?')[0]} (with the account's token).")
    return account


def _viettel_post(
    urls: SandboxUrls, site_url: str, warehouse: Warehouse, say: Say
) -> CarrierAccount:
    account = _carrier(
        AccountInput(
            carrier=Carrier.VIETTEL_POST,
            name=VTP_NAME,
            warehouse_id=warehouse.pk,
            base_url=f"{urls.viettel_post}/v2",
            print_base_url=urls.viettel_post,
            username=vtp_sandbox.USERNAME,
            password=vtp_sandbox.PASSWORD,
        ),
        say,
    )
    url = account_webhook_url(account, base=site_url)
    _control(urls.viettel_post, "webhook", {"url": url, "token": account.webhook_secret})
    say(f"{VTP_NAME}: the sandbox calls back {url} (with the account's token).")
    return account


def _provider(data: ProviderAccountInput, say: Say) -> ProviderAccount:
    existing = ProviderAccount.objects.filter(provider=data.provider, name=data.name).first()
    account = provider_account_save(data=data, account_id=existing.pk if existing else None)
    info = provider_account_check(account_id=account.pk)
    say(
        f"{data.name}: {'updated' if existing else 'created'}, signed in; template "
        f"{account.template} series {account.series} registered ({info.name})."
    )
    return account


def _year_digits() -> str:
    return f"{timezone.localdate().year % 100:02d}"


def _sinvoice(urls: SandboxUrls, say: Say) -> ProviderAccount:
    return _provider(
        ProviderAccountInput(
            provider=Provider.SINVOICE,
            name=SINVOICE_NAME,
            base_url=urls.sinvoice + sinvoice_sandbox.API_PREFIX,
            auth_url=f"{urls.sinvoice}/auth/login",
            username=sinvoice_sandbox.USERNAME,
            password=sinvoice_sandbox.PASSWORD,
            seller_tax_code=sinvoice_sandbox.TAX_CODE,
            template="1/001",
            series=f"C{_year_digits()}TAA",
        ),
        say,
    )


def _misa(urls: SandboxUrls, say: Say) -> ProviderAccount:
    return _provider(
        ProviderAccountInput(
            provider=Provider.MISA,
            name=MISA_NAME,
            base_url=f"{urls.misa}/api/v3",
            app_id=misa_sandbox.APP_ID,
            username=misa_sandbox.USERNAME,
            password=misa_sandbox.PASSWORD,
            seller_tax_code=misa_sandbox.TAX_CODE,
            template=misa_sandbox.VAT_TEMPLATE_ID,
            series=f"C{_year_digits()}TAA",
        ),
        say,
    )


def _shop_details(say: Say) -> None:
    """The sandbox accounts' seller tax code becomes the shop's when it has none; a shop with
    no name or address gets the demo's (an invoice needs the seller's legal name and address)."""
    row = ShopProfile.objects.filter(pk=1).first() or ShopProfile(pk=1)
    filled = {
        "tax_code": row.tax_code or sinvoice_sandbox.TAX_CODE,
        "name": row.name or SHOP_NAME,
        "address": row.address or SHOP_ADDRESS,
    }
    changed = [name for name, value in filled.items() if value != getattr(row, name)]
    if not changed:
        say(f"Shop details: kept (tax code {row.tax_code}).")
        return
    shop_profile_save(
        name=filled["name"],
        address=filled["address"],
        phone=row.phone,
        email=row.email,
        tax_code=filled["tax_code"],
        user_id=None,
    )
    say(f"Shop details: set {', '.join(changed)} (tax code {filled['tax_code']}).")


def carriers_demo_setup(*, urls: SandboxUrls, site_url: str, say: Say) -> DemoCarriers:
    """Create or update the demo's carrier and e-invoice accounts on running sandboxes; our
    site answers at `site_url` (the sandboxes call it back). Every step reports through `say`;
    a failed step reports why and is listed in the result's `failed`."""
    result = DemoCarriers()
    warehouse = Warehouse.objects.filter(code=WAREHOUSE_CODE).first()

    def step(name: str, run: Callable[[], Any]) -> Any:
        try:
            return run()
        except Exception as error:  # the demo reports any failure and goes on
            result.failed.append(name)
            say(f"{name}: FAILED, {type(error).__name__}: {error}")
            return None

    if warehouse is None:
        result.failed += [GHN_NAME, VTP_NAME]
        say(f"No warehouse {WAREHOUSE_CODE} (run `manage.py loaddemo`): no demo carriers.")
    else:
        for name, setup in ((GHN_NAME, _ghn), (VTP_NAME, _viettel_post)):
            account = step(name, partial(setup, urls, site_url, warehouse, say))
            if account is not None:
                result.carriers[account.carrier] = account
    step("Shop details", lambda: _shop_details(say))
    for name, provider in ((SINVOICE_NAME, _sinvoice), (MISA_NAME, _misa)):
        account = step(name, partial(provider, urls, say))
        if account is not None:
            result.providers[account.provider] = account
    return result
