"""The Marketplaces pages: who may open them, the app form (write-only secret), connecting a
shop through the Shopee sandbox over real HTTP, shop settings, run now, pause and resume."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from channels_sync.models import (
    AccountStatus,
    ChannelAccount,
    ChannelApp,
    InboundPayload,
    RunStatus,
    SyncRun,
)
from channels_sync.services.accounts import app_save
from tests.channels_sync.conftest import SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY
from tests.inventory.factories import WarehouseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("encryption_keys")]

PAGES = [
    ("channels_sync:marketplace_list", False),
    ("channels_sync:app_create", False),
    ("channels_sync:shop_detail", True),
    ("channels_sync:shop_runs", True),
    ("channels_sync:listing_list", True),
    ("channels_sync:quarantine_list", False),
    ("channels_sync:oversold_list", False),
    ("channels_sync:attention_badge", False),
]


def make_app(base_url: str = "https://partner.shopeemobile.com", **fields) -> ChannelApp:
    values = {
        "platform": "shopee",
        "name": "Shopee VN",
        "app_key": str(SHOPEE_PARTNER_ID),
        "app_secret": SHOPEE_PARTNER_KEY,
        "api_base_url": base_url,
    }
    values.update(fields)
    return app_save(**values)


def make_shop(app: ChannelApp | None = None, **fields) -> ChannelAccount:
    app = app or ChannelApp.objects.filter(app_key=str(SHOPEE_PARTNER_ID)).first() or make_app()
    values = {
        "app": app,
        "platform": app.platform,
        "code": f"shopee-{fields.get('shop_id', '727720655')}",
        "shop_id": "727720655",
        "name": "Áo Thun Sài Gòn",
        "region": "VN",
        "currency": "VND",
        "api_base_url": app.api_base_url,
        "status": AccountStatus.ACTIVE,
    }
    values.update(fields)
    return ChannelAccount.objects.create(**values)


@pytest.mark.parametrize("role", ["sales", "warehouse", "accountant"])
def test_staff_without_the_permission_get_403_everywhere(client, login_as, role):
    shop = make_shop()
    login_as(role)
    for name, takes_shop in PAGES:
        url = reverse(name, args=[shop.pk]) if takes_shop else reverse(name)
        assert client.get(url).status_code == 403, name
    run = reverse("channels_sync:shop_run", args=[shop.pk])
    assert client.post(run, {"kind": "orders"}).status_code == 403
    pause = reverse("channels_sync:shop_pause", args=[shop.pk])
    assert client.post(pause, {"paused": "1"}).status_code == 403
    shop.refresh_from_db()
    assert shop.status == AccountStatus.ACTIVE


def test_sidebar_lists_marketplaces_with_its_badge_only_for_the_permission(client, login_as):
    login_as("manager")
    html = client.get(reverse("dashboard")).content.decode()
    assert f'hx-get="{reverse("channels_sync:attention_badge")}"' in html
    client.logout()
    login_as("sales")
    html = client.get(reverse("dashboard")).content.decode()
    assert reverse("channels_sync:marketplace_list") not in html


def test_badge_counts_quarantined_payloads_and_oversold_orders(client, login_as):
    shop = make_shop()
    login_as("owner")
    assert client.get(reverse("channels_sync:attention_badge")).content.strip() == b""
    for n in range(2):
        InboundPayload.objects.create(
            account=shop,
            platform="shopee",
            kind="order",
            external_id=f"2612070000{n}",
            body="{}",
            status="quarantined",
            reason="unknown_sku",
        )
    html = client.get(reverse("channels_sync:attention_badge")).content.decode()
    assert '<span class="pill pill--bad"' in html
    assert 'data-testid="marketplace-badge">2</span>' in html


def test_new_app_keeps_the_secret_write_only(client, login_as):
    login_as("manager")
    url = reverse("channels_sync:app_create")
    response = client.post(
        url,
        {
            "platform": "shopee",
            "name": "Shopee VN",
            "app_key": "2001887",
            "app_secret": "s3cret-partner-key",
            "api_base_url": "",
        },
    )
    assert response.status_code == 302
    app = ChannelApp.objects.get()
    assert (app.app_key, app.app_secret) == ("2001887", "s3cret-partner-key")
    assert app.api_base_url == "https://partner.shopeemobile.com"
    edit = reverse("channels_sync:app_edit", args=[app.pk])
    page = client.get(edit).content.decode()
    assert "s3cret-partner-key" not in page
    assert 'name="app_secret"' in page
    response = client.post(
        edit,
        {
            "platform": "shopee",
            "name": "Shopee Việt Nam",
            "app_key": "2001887",
            "app_secret": "",
            "api_base_url": "https://openplatform.sandbox.test-stable.shopee.sg",
        },
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert (app.name, app.app_secret) == ("Shopee Việt Nam", "s3cret-partner-key")
    assert app.api_base_url == "https://openplatform.sandbox.test-stable.shopee.sg"


def test_a_new_app_needs_its_secret(client, login_as):
    login_as("owner")
    response = client.post(
        reverse("channels_sync:app_create"),
        {"platform": "shopee", "name": "X", "app_key": "1", "app_secret": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["app_secret"] == ["This field is required."]
    assert ChannelApp.objects.count() == 0


def connected_callback(client, app) -> str:
    """Click "Connect a shop" (a state in the session); the Shopee callback path it expects."""
    client.post(reverse("channels_sync:shop_connect", args=[app.pk]))
    state = client.session["channels_sync_oauth_states"][str(app.pk)]
    return reverse("channels_sync:oauth_callback_state", args=[app.pk, state])


def test_connecting_a_shop_through_the_sandbox_creates_it(client, login_as, shopee_sandbox):
    shopee_sandbox.add_shop(727720655, "Áo Thun Sài Gòn", region="VN")
    shopee_sandbox.configure(auto_authorize_shop_id=727720655)
    app = make_app(base_url=shopee_sandbox.base_url)
    login_as("owner")
    response = client.post(reverse("channels_sync:shop_connect", args=[app.pk]))
    assert response.status_code == 302
    authorize = response["Location"]
    assert authorize.startswith(f"{shopee_sandbox.base_url}/api/v2/shop/auth_partner?")
    redirect = parse_qs(urlsplit(authorize).query)["redirect"][0]
    # Shopee has no `state`: the session's one-time token is the redirect path's last part.
    state = client.session["channels_sync_oauth_states"][str(app.pk)]
    assert len(state) == 32
    assert redirect == f"http://testserver/marketplaces/{app.pk}/callback/{state}"
    # The seller's browser at the platform (real HTTP), sent back to our callback.
    back = requests.get(authorize, allow_redirects=False, timeout=10)
    assert back.status_code == 302
    location = urlsplit(back.headers["Location"])
    assert location.path == f"/marketplaces/{app.pk}/callback/{state}"
    response = client.get(f"{location.path}?{location.query}")
    shop = ChannelAccount.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("channels_sync:shop_detail", args=[shop.pk])
    assert (shop.shop_id, shop.name, shop.status) == ("727720655", "Áo Thun Sài Gòn", "active")
    assert shop.access_token != ""
    page = client.get(response["Location"]).content.decode()
    assert "Shop Áo Thun Sài Gòn is connected." in page


@override_settings(SITE_URL="https://crm.example.vn")
def test_the_callback_address_is_the_public_one_when_set(client, login_as, shopee_sandbox):
    app = make_app(base_url=shopee_sandbox.base_url)
    login_as("owner")
    response = client.post(reverse("channels_sync:shop_connect", args=[app.pk]))
    redirect = parse_qs(urlsplit(response["Location"]).query)["redirect"][0]
    state = client.session["channels_sync_oauth_states"][str(app.pk)]
    assert redirect == f"https://crm.example.vn/marketplaces/{app.pk}/callback/{state}"


def test_a_spent_code_is_a_translated_message_and_no_shop(client, login_as, shopee_sandbox):
    shopee_sandbox.add_shop(727720655, "Áo Thun Sài Gòn")
    app = make_app(base_url=shopee_sandbox.base_url)
    login_as("owner")
    url = connected_callback(client, app)
    response = client.get(url, {"code": "not-a-code", "shop_id": "727720655"}, follow=True)
    assert ChannelAccount.objects.count() == 0
    text = [str(m) for m in response.context["messages"]]
    assert len(text) == 1
    assert text[0].startswith("The shop could not be connected: ")


def test_the_callback_without_a_shop_id_changes_nothing(client, login_as):
    app = make_app()
    login_as("owner")
    url = connected_callback(client, app)
    response = client.get(url, {"code": "abc"}, follow=True)
    assert ChannelAccount.objects.count() == 0
    assert [str(m) for m in response.context["messages"]] == [
        "The platform did not send the shop's authorisation back. Connect the shop again."
    ]


def test_shop_settings_are_saved(client, login_as):
    shop = make_shop()
    main, spare = WarehouseFactory(code="HCM01"), WarehouseFactory(code="HN01")
    login_as("manager")
    response = client.post(
        reverse("channels_sync:shop_settings", args=[shop.pk]),
        {
            "warehouse": main.pk,
            "push_enabled": "on",
            "push_warehouses": [main.pk, spare.pk],
            "push_percent": "80",
            "push_offset": "-2",
            "push_floor": "3",
            "api_base_url": "https://partner.shopeemobile.com",
        },
    )
    assert response.status_code == 302
    shop.refresh_from_db()
    assert (shop.warehouse_id, shop.push_enabled, shop.push_percent) == (main.pk, True, 80)
    assert (shop.push_offset, shop.push_floor) == (-2, 3)
    assert set(shop.push_warehouses.values_list("pk", flat=True)) == {main.pk, spare.pk}


def test_shop_settings_refuse_a_percent_over_100(client, login_as):
    shop = make_shop()
    login_as("manager")
    response = client.post(
        reverse("channels_sync:shop_settings", args=[shop.pk]),
        {
            "push_percent": "150",
            "push_offset": "0",
            "push_floor": "0",
            "api_base_url": "https://partner.shopeemobile.com",
        },
    )
    assert response.status_code == 422
    shop.refresh_from_db()
    assert (shop.push_percent, shop.push_enabled) == (100, True)


def test_run_now_queues_the_task_after_commit(
    client, login_as, published, django_capture_on_commit_callbacks
):
    shop = make_shop()
    login_as("manager")
    url = reverse("channels_sync:shop_run", args=[shop.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url, {"kind": "orders"})
    assert (len(callbacks), published) == (1, [])  # nothing is published before the commit
    callbacks[0]()
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("channels_sync:shop_detail", args=[shop.pk]) + "?watch="
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"kind": "stock"})
        client.post(url, {"kind": "listings"})
    assert published == [
        ("channels_sync.pull_orders", {"account_id": shop.pk}),
        ("channels_sync.push_stock", {"account_id": shop.pk, "force": True}),
        ("channels_sync.pull_listings", {"account_id": shop.pk}),
    ]


def test_run_now_on_a_paused_shop_queues_nothing(
    client, login_as, published, django_capture_on_commit_callbacks
):
    shop = make_shop(status=AccountStatus.PAUSED)
    login_as("manager")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(reverse("channels_sync:shop_run", args=[shop.pk]), {"kind": "orders"})
        client.post(reverse("channels_sync:shop_run", args=[shop.pk]), {"kind": "nope"})
    assert (callbacks, published) == ([], [])


def test_pause_and_resume(client, login_as):
    shop = make_shop()
    login_as("owner")
    url = reverse("channels_sync:shop_pause", args=[shop.pk])
    response = client.post(url, {"paused": "1", "back": "list"})
    assert response["Location"] == reverse("channels_sync:marketplace_list")
    shop.refresh_from_db()
    assert shop.status == AccountStatus.PAUSED
    client.post(url, {"paused": "0"})
    shop.refresh_from_db()
    assert shop.status == AccountStatus.ACTIVE
    ChannelAccount.objects.filter(pk=shop.pk).update(status=AccountStatus.RECONNECT)
    response = client.post(url, {"paused": "0"}, follow=True)
    shop.refresh_from_db()
    assert shop.status == AccountStatus.RECONNECT
    assert [str(m) for m in response.context["messages"]][-1] == (
        "Only a paused shop can be resumed."
    )


def test_runs_poll_while_running_and_stop_when_finished(client, login_as):
    shop = make_shop()
    now = timezone.now()
    run = SyncRun.objects.create(
        account=shop,
        kind="orders_pull",
        status=RunStatus.RUNNING,
        started_at=now - timedelta(seconds=5),
        progress_done=30,
        progress_total=120,
        counts={"fetched": 30, "created": 12},
        api_calls=4,
    )
    login_as("manager")
    url = reverse("channels_sync:shop_runs", args=[shop.pk])
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert html.strip().startswith(f'<div id="runs" hx-get="{url}" hx-trigger="every 1s"')
    assert 'hx-trigger="every 1s"' in html
    assert '<progress max="100" value="25">' in html
    run.status, run.finished_at = RunStatus.PARTIAL, now
    run.errors = [{"code": "unknown_sku", "message": "", "params": {"line": 2, "sku": "AO-XL"}}]
    run.save()
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert html.strip().startswith('<div id="runs">')
    assert "hx-trigger" not in html
    assert "Line 2: seller SKU “AO-XL” is not linked to any of our products." in html


def test_the_shop_page_shows_expiry_near_in_red(client, login_as):
    soon = timezone.now() + timedelta(days=3)
    later = timezone.now() + timedelta(days=200)
    shop = make_shop(authorized_until=soon, access_expires_at=later)
    login_as("owner")
    html = client.get(reverse("channels_sync:shop_detail", args=[shop.pk])).content.decode()
    assert html.count('class="expiry--near"') == 1
    list_html = client.get(reverse("channels_sync:marketplace_list")).content.decode()
    assert list_html.count("expiry--near") == 1


def test_payload_view_escapes_what_arrived(client, login_as):
    shop = make_shop()
    body = json.dumps({"order_sn": "<script>alert(1)</script>", "note": "Giao giờ hành chính"})
    payload = InboundPayload.objects.create(
        account=shop, platform="shopee", kind="order", body=body, status="quarantined"
    )
    login_as("owner")
    html = client.get(reverse("channels_sync:payload_detail", args=[payload.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&quot;order_sn&quot;: &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;" in html
    assert "Giao giờ hành chính" in html
