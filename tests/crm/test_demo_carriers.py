"""`make run`'s carrier and e-invoice demo: the accounts created on the four sandboxes over
real HTTP, connected, idempotent, the sandboxes calling our webhook URL back (live server), and
the e-invoice accounts previewing a demo order at their provider."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from crm.demo_carriers import (
    GHN_NAME,
    MISA_NAME,
    SHOP_ADDRESS,
    SHOP_NAME,
    SINVOICE_NAME,
    VTP_NAME,
    DemoCarriers,
    SandboxUrls,
    carriers_demo_setup,
)
from inventory.models import ShopProfile
from invoicing.models import ProviderAccount
from invoicing.sandbox.misa import VAT_TEMPLATE_ID, MisaSandbox
from invoicing.sandbox.sinvoice import TAX_CODE, SInvoiceSandbox
from invoicing.services.issuing import preview_request
from invoicing.services.providers import adapter_for as provider_adapter
from orders.models import Order
from shipping.models import CallbackResult, CarrierAccount, CarrierCallback, CarrierPlace
from shipping.sandbox.ghn import GhnSandbox
from shipping.sandbox.viettel_post import ViettelPostSandbox
from shipping.services.carriers import adapter_for as carrier_adapter
from tests.shipping.conftest_ghn import ghn_parcel_request

YY = f"{timezone.localdate().year % 100:02d}"


@pytest.fixture
def demo_shop(transactional_db) -> None:
    call_command("loaddemo", "--allow-demo-passwords", stdout=StringIO())


@pytest.fixture
def urls(
    ghn_sandbox: GhnSandbox,
    vtp_sandbox: ViettelPostSandbox,
    sinvoice_sandbox: SInvoiceSandbox,
    misa_sandbox: MisaSandbox,
) -> SandboxUrls:
    return SandboxUrls(
        ghn=ghn_sandbox.root_url,
        viettel_post=vtp_sandbox.base_url,
        sinvoice=sinvoice_sandbox.base_url,
        misa=misa_sandbox.origin,
    )


@pytest.fixture
def setup(demo_shop, encryption_keys, live_server, urls) -> tuple[list[str], DemoCarriers]:
    said: list[str] = []
    result = carriers_demo_setup(urls=urls, site_url=live_server.url, say=said.append)
    return said, result


def _expected_lines(urls: SandboxUrls, site: str, verb: str, kept: str = "") -> list[str]:
    ghn = CarrierAccount.objects.get(carrier="ghn")
    vtp = CarrierAccount.objects.get(carrier="viettel_post")
    return [
        f"{GHN_NAME}: {verb} for warehouse HCM01.",
        f"{GHN_NAME}: connected ({urls.ghn}/shiip/public-api).",
        f"{GHN_NAME}: master data 6 provinces, 14 districts, 34 wards.",
        f"{GHN_NAME}: the sandbox calls back {site}/shipping/webhooks/ghn/{ghn.pk}/ "
        "(with the account's token).",
        f"{VTP_NAME}: {verb} for warehouse HCM01.",
        f"{VTP_NAME}: connected ({urls.viettel_post}/v2).",
        f"{VTP_NAME}: master data 5 provinces, 13 districts, 32 wards.",
        f"{VTP_NAME}: the sandbox calls back {site}/shipping/webhooks/viettel-post/{vtp.pk}/ "
        "(with the account's token).",
        kept or f"Shop details: set tax_code, name, address (tax code {TAX_CODE}).",
        f"{SINVOICE_NAME}: {verb}, signed in; template 1/001 series C{YY}TAA registered "
        "(Hóa đơn giá trị gia tăng).",
        f"{MISA_NAME}: {verb}, signed in; template {VAT_TEMPLATE_ID} series C{YY}TAA "
        "registered (Hóa đơn GTGT có mã).",
    ]


def test_the_setup_creates_and_connects_every_account(
    setup,
    urls,
    live_server,
    ghn_sandbox,
    vtp_sandbox,
):
    said, result = setup
    assert result.failed == []
    assert said == _expected_lines(urls, live_server.url, "created")

    ghn = CarrierAccount.objects.get(carrier="ghn")
    vtp = CarrierAccount.objects.get(carrier="viettel_post")
    assert result.carriers == {"ghn": ghn, "viettel_post": vtp}
    for account in (ghn, vtp):
        assert account.warehouse.code == "HCM01"
        assert account.connected_at is not None
        assert account.master_data_refreshed_at is not None
    assert (ghn.base_url, ghn.token, ghn.shop_id) == (
        ghn_sandbox.base_url,
        ghn_sandbox.token,
        str(ghn_sandbox.shop_id),
    )
    assert vtp.base_url == vtp_sandbox.api_base
    assert vtp.token in vtp_sandbox.long_tokens  # the long-term token of the two-step login
    assert CarrierPlace.objects.filter(carrier="ghn", level="province").count() == 6
    assert CarrierPlace.objects.filter(carrier="viettel_post", level="province").count() == 5
    # Our webhook URLs, with each account's secret, are registered with the sandboxes.
    assert ghn_sandbox.callback_url == (
        f"{live_server.url}/shipping/webhooks/ghn/{ghn.pk}/?token={ghn.webhook_secret}"
    )
    assert (vtp_sandbox.webhook_url, vtp_sandbox.webhook_token) == (
        f"{live_server.url}/shipping/webhooks/viettel-post/{vtp.pk}/",
        vtp.webhook_secret,
    )

    sinvoice = ProviderAccount.objects.get(provider="sinvoice")
    misa = ProviderAccount.objects.get(provider="misa")
    assert result.providers == {"sinvoice": sinvoice, "misa": misa}
    assert (sinvoice.template, sinvoice.series, sinvoice.seller_tax_code) == (
        "1/001",
        f"C{YY}TAA",
        TAX_CODE,
    )
    assert (misa.template, misa.series, misa.seller_tax_code) == (
        VAT_TEMPLATE_ID,
        f"C{YY}TAA",
        TAX_CODE,
    )
    shop = ShopProfile.objects.get(pk=1)
    assert (shop.tax_code, shop.name, shop.address) == (TAX_CODE, SHOP_NAME, SHOP_ADDRESS)


def test_running_it_again_updates_the_same_rows(setup, urls, live_server):
    _said, first = setup
    secrets = dict(CarrierAccount.objects.values_list("carrier", "webhook_secret"))
    said: list[str] = []
    again = carriers_demo_setup(urls=urls, site_url=live_server.url, say=said.append)

    assert again.failed == []
    assert said == _expected_lines(
        urls, live_server.url, "updated", kept=f"Shop details: kept (tax code {TAX_CODE})."
    )
    assert CarrierAccount.objects.count() == 2
    assert ProviderAccount.objects.count() == 2
    assert {k: a.pk for k, a in again.carriers.items()} == {
        k: a.pk for k, a in first.carriers.items()
    }
    assert {k: a.pk for k, a in again.providers.items()} == {
        k: a.pk for k, a in first.providers.items()
    }
    assert dict(CarrierAccount.objects.values_list("carrier", "webhook_secret")) == secrets
    assert CarrierPlace.objects.filter(carrier="ghn").count() == 54


def test_a_parcel_advanced_on_the_ghn_sandbox_calls_our_url(
    setup,
    live_server,
    ghn_sandbox,
):
    account = CarrierAccount.objects.get(carrier="ghn")
    created = carrier_adapter(account).create(request=ghn_parcel_request("DEMO-1"))

    ghn_sandbox.advance(created.tracking_number, "happy", "picked")
    assert ghn_sandbox.flush_callbacks(10)

    url = f"{live_server.url}/shipping/webhooks/ghn/{account.pk}/?token={account.webhook_secret}"
    deliveries = ghn_sandbox.deliveries
    assert [(d.url, d.status, d.ok) for d in deliveries] == [(url, 200, True)] * len(deliveries)
    assert len(deliveries) == 3  # ready_to_pick -> picking -> picked
    stored = CarrierCallback.objects.filter(account=account)
    # Verified with the account's token (a bad one would be "rejected"); the worker applies them.
    assert list(stored.values_list("result", flat=True)) == [CallbackResult.PENDING] * 3


def test_the_e_invoice_accounts_preview_a_demo_order(setup):
    order = Order.objects.filter(status=Order.Status.COMPLETED).order_by("pk").first()
    assert order is not None
    for account in ProviderAccount.objects.order_by("provider"):
        request = preview_request(order=order, account=account)
        pdf = provider_adapter(account).preview(request=request)
        assert pdf.startswith(b"%PDF-"), account.provider


def test_a_sandbox_that_is_not_running_is_one_clear_line(
    demo_shop, encryption_keys, live_server, urls
):
    gone = SandboxUrls(
        ghn=urls.ghn,
        viettel_post=urls.viettel_post,
        sinvoice=urls.sinvoice,
        misa="http://127.0.0.1:9",
    )
    out = StringIO()
    call_command(
        "democarriers",
        *("--site-url", live_server.url, "--ghn-url", gone.ghn),
        *("--viettel-post-url", gone.viettel_post, "--sinvoice-url", gone.sinvoice),
        *("--misa-url", gone.misa),
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert lines[-2].startswith(f"{MISA_NAME}: FAILED, ")
    assert lines[-1] == (
        f"Demo carriers: 1 step(s) failed ({MISA_NAME}); the CRM runs on without them."
    )
    assert ProviderAccount.objects.filter(provider="misa").count() == 1  # saved, not checked
    assert CarrierAccount.objects.count() == 2
    assert len(lines) == 12


def _spec(service_code: str):
    from decimal import Decimal

    from shipping.services.parcels import ParcelSpec

    return ParcelSpec(
        service_code=service_code,
        weight_g=800,
        length_cm=20,
        width_cm=15,
        height_cm=10,
        cod_amount=Decimal(0),
        insurance_value=Decimal(0),
        payer="shop",
        viewing="allow_viewing",
    )


def test_every_demo_address_in_vietnam_ships_with_both_carriers(setup, ghn_sandbox, vtp_sandbox):
    """Each Vietnamese demo address (3-level and 2-level: Quận 10, Hải Phòng / Ngô Quyền /
    Máy Chai, Khánh Hòa / Lộc Thọ, Thạc Gián...) is known to both sandboxes; the processing
    demo orders are shipped, one with each carrier."""
    from shipping.services.shipments import ServiceChoice, shipment_create, shipment_quote

    ghn = CarrierAccount.objects.get(carrier="ghn")
    vtp = CarrierAccount.objects.get(carrier="viettel_post")
    orders = Order.objects.filter(ship_country="VN").order_by("pk")
    places = {(o.ship_province, o.ship_district, o.ship_ward) for o in orders}
    assert {
        ("TP. Hồ Chí Minh", "Quận 10", "Phường 7"),
        ("Hải Phòng", "Quận Ngô Quyền", "Phường Máy Chai"),
        ("Khánh Hòa", "", "Phường Lộc Thọ"),
        ("Đà Nẵng", "Quận Thanh Khê", "Phường Thạc Gián"),
        ("TP. Hồ Chí Minh", "", "Phường Tân Định"),
        ("Hà Nội", "Quận Cầu Giấy", "Phường Quan Hoa"),
    } <= places
    first_of_place = {}
    for order in orders:
        first_of_place.setdefault(
            (order.ship_province, order.ship_district, order.ship_ward), order
        )
    for order in first_of_place.values():
        for account in (ghn, vtp):
            options = shipment_quote(order_id=order.pk, account_id=account.pk, spec=_spec(""))
            assert [o.fee is not None and o.fee > 0 for o in options][:1] == [True], (
                account.carrier,
                order.ship_ward,
            )

    processing = list(orders.filter(status=Order.Status.PROCESSING))
    assert len(processing) == 2
    # The sandboxes' callbacks are another test's subject; here they would reach the live
    # server while this thread is inside shipment_create's transaction, and on SQLite's
    # in-memory test database both threads share one connection.
    ghn_sandbox.callback_url = ""
    vtp_sandbox.webhook_url = ""
    for order, account in zip(processing, (ghn, vtp), strict=True):
        option = shipment_quote(order_id=order.pk, account_id=account.pk, spec=_spec(""))[0]
        shipment = shipment_create(
            order_id=order.pk,
            account_id=account.pk,
            spec=_spec(option.code),
            service=ServiceChoice(code=option.code, name=option.name, level=option.level),
            user_id=None,
        )
        assert (shipment.state, bool(shipment.tracking_number)) == ("created", True)
    assert len(ghn_sandbox.parcels) == 1
    assert len(vtp_sandbox.parcels) == 1
