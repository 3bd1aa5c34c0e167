"""Apps, connecting a shop, tokens refreshed under the account row lock, call_with_refresh —
against the Shopee sandbox over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.utils import timezone

from channels_sync.adapters.base import AdapterConfig, AuthError, ReconnectNeeded
from channels_sync.adapters.shopee import ShopeeAdapter
from channels_sync.models import AccountStatus, ChannelAccount, ChannelApp
from channels_sync.services.accounts import (
    REFRESH_AHEAD,
    account_config,
    accounts_refresh_due,
    adapter_for,
    app_save,
    call_with_refresh,
    connect_finish,
    connect_url,
    default_base_url,
    tokens_refresh,
)
from channels_sync.signals import authorization_ending
from tests.channels_sync.conftest import SHOPEE_PARTNER_ID, SHOPEE_PARTNER_KEY, SHOPEE_SHOP_ID
from tests.concurrency import run_concurrently

REFRESH_PATH = "auth/access_token/get"


@pytest.fixture
def endings():
    heard: list[dict] = []

    def receiver(sender, **kwargs):
        heard.append({k: v for k, v in kwargs.items() if k != "signal"})

    authorization_ending.connect(receiver, dispatch_uid="test-endings")
    yield heard
    authorization_ending.disconnect(dispatch_uid="test-endings")


def test_default_base_urls():
    assert default_base_url("shopee") == "https://partner.shopeemobile.com"
    assert default_base_url("lazada", "th") == "https://api.lazada.co.th/rest"
    assert default_base_url("lazada") == "https://api.lazada.vn/rest"


@pytest.mark.django_db
def test_app_save_creates_and_changes_keeping_a_blank_secret(encryption_keys):
    app = app_save(
        platform="shopee", name=" Main ", app_key="2001887", app_secret="k1", api_base_url=""
    )
    assert (app.name, app.app_key, app.api_base_url) == (
        "Main",
        "2001887",
        "https://partner.shopeemobile.com",
    )
    app_save(
        platform="shopee",
        name="Main 2",
        app_key="2001887",
        app_secret="",
        api_base_url="http://127.0.0.1:1",
        app_id=app.pk,
    )
    app.refresh_from_db()
    assert (app.name, app.app_secret, app.api_base_url) == ("Main 2", "k1", "http://127.0.0.1:1")
    assert ChannelApp.objects.count() == 1


def test_connect_url_and_finish_make_an_active_shop(shopee_app, shopee_sandbox):
    shopee_sandbox.add_shop(SHOPEE_SHOP_ID, "Sandbox Shop VN", "VN")
    shopee_sandbox.configure(auto_authorize_shop_id=SHOPEE_SHOP_ID)
    url = connect_url(app_id=shopee_app.pk, redirect_url="https://crm.example.com/back")
    back = requests.get(url, allow_redirects=False, timeout=5).headers["Location"]
    query = parse_qs(urlsplit(back).query)
    before = timezone.now()
    account = connect_finish(
        app_id=shopee_app.pk, code=query["code"][0], shop_id=query["shop_id"][0]
    )
    after = timezone.now()
    account.refresh_from_db()
    link = shopee_sandbox.links[(SHOPEE_PARTNER_ID, SHOPEE_SHOP_ID)]
    assert (account.code, account.platform, account.shop_id, account.name) == (
        f"shopee-{SHOPEE_SHOP_ID}",
        "shopee",
        str(SHOPEE_SHOP_ID),
        "Sandbox Shop VN",
    )
    assert (account.region, account.currency, account.status) == ("VN", "VND", "active")
    assert account.api_base_url == shopee_sandbox.base_url
    assert account.access_token in shopee_sandbox.access_tokens
    assert account.refresh_token in shopee_sandbox.refresh_tokens
    assert before + timedelta(hours=4) - timedelta(seconds=1) <= account.access_expires_at
    assert account.access_expires_at <= after + timedelta(hours=4)
    assert account.authorized_until == datetime.fromtimestamp(link.expire_time, tz=UTC)


def test_connect_again_reactivates_the_same_shop(shopee_account, shopee_app, shopee_sandbox):
    ChannelAccount.objects.filter(pk=shopee_account.pk).update(
        status=AccountStatus.RECONNECT, status_reason="shop_no_linked"
    )
    code = shopee_sandbox.authorize(SHOPEE_PARTNER_ID, SHOPEE_SHOP_ID)
    again = connect_finish(app_id=shopee_app.pk, code=code, shop_id=str(SHOPEE_SHOP_ID))
    assert again.pk == shopee_account.pk
    again.refresh_from_db()
    assert (again.status, again.status_reason) == ("active", "")
    assert again.access_token != shopee_account.access_token
    assert ChannelAccount.objects.count() == 1


def test_connect_with_a_spent_code_changes_nothing(shopee_app, shopee_sandbox):
    shopee_sandbox.add_shop(SHOPEE_SHOP_ID, "Shop", "VN")
    code = shopee_sandbox.authorize(SHOPEE_PARTNER_ID, SHOPEE_SHOP_ID)
    connect_finish(app_id=shopee_app.pk, code=code, shop_id=str(SHOPEE_SHOP_ID))
    ChannelAccount.objects.all().delete()
    with pytest.raises(AuthError):
        connect_finish(app_id=shopee_app.pk, code=code, shop_id=str(SHOPEE_SHOP_ID))
    assert ChannelAccount.objects.count() == 0


def test_refresh_only_when_due_or_forced(shopee_account, shopee_sandbox):
    shopee_sandbox.reset_calls()
    now = timezone.now()
    same = tokens_refresh(account_id=shopee_account.pk, now=now)
    assert same.access_token == shopee_account.access_token
    assert shopee_sandbox.call_count(REFRESH_PATH) == 0
    # 29 minutes left (< REFRESH_AHEAD): due
    ChannelAccount.objects.filter(pk=shopee_account.pk).update(
        access_expires_at=now + REFRESH_AHEAD - timedelta(minutes=1)
    )
    fresh = tokens_refresh(account_id=shopee_account.pk, now=now)
    assert shopee_sandbox.call_count(REFRESH_PATH) == 1
    assert fresh.access_token != shopee_account.access_token
    assert fresh.refresh_token != shopee_account.refresh_token
    assert fresh.access_expires_at > now + timedelta(hours=3, minutes=59)
    forced = tokens_refresh(account_id=shopee_account.pk, force=True, now=now)
    assert shopee_sandbox.call_count(REFRESH_PATH) == 2
    assert forced.access_token != fresh.access_token
    stored = ChannelAccount.objects.get(pk=shopee_account.pk)
    assert (stored.access_token, stored.refresh_token) == (
        forced.access_token,
        forced.refresh_token,
    )


def test_refused_refresh_marks_reconnect_and_announces_after_commit(
    shopee_account, shopee_sandbox, endings, django_capture_on_commit_callbacks
):
    # someone else spent the stored refresh token
    ShopeeAdapter(account_config(shopee_account)).refresh_tokens(
        refresh_token=shopee_account.refresh_token
    )
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        account = tokens_refresh(account_id=shopee_account.pk, force=True, now=now)
    assert len(callbacks) == 1
    assert account.status == "reconnect"
    account.refresh_from_db()
    assert account.status == "reconnect"
    assert account.status_reason == "error_shop_refresh_token: Invalid refresh_token."
    assert account.access_token == shopee_account.access_token  # nothing else changed
    assert endings == [
        {"account_id": shopee_account.pk, "ends_at": now, "reason": "reconnect_needed"}
    ]
    with pytest.raises(ReconnectNeeded):
        adapter_for(account)
    # a shop needing reconnection is not refreshed again
    assert tokens_refresh(account_id=account.pk, force=True).status == "reconnect"
    assert shopee_sandbox.call_count(REFRESH_PATH) == 2


def test_call_with_refresh_refreshes_once_on_an_expired_token(shopee_account, shopee_sandbox):
    shopee_sandbox.expire_access_token(SHOPEE_SHOP_ID)
    shopee_sandbox.reset_calls()
    info = call_with_refresh(shopee_account, lambda adapter: adapter.shop_info())
    assert info.name == "Sandbox Shop VN"
    assert shopee_sandbox.call_counts() == {
        "/api/v2/shop/get_shop_info": 2,
        "/api/v2/auth/access_token/get": 1,
    }
    stored = ChannelAccount.objects.get(pk=shopee_account.pk)
    assert stored.access_token != shopee_account.access_token
    assert stored.refresh_token != shopee_account.refresh_token
    # the refresh token that was used is spent: refused now
    with pytest.raises(ReconnectNeeded):
        ShopeeAdapter(account_config(stored)).refresh_tokens(
            refresh_token=shopee_account.refresh_token
        )


def test_call_with_refresh_retries_only_once(shopee_account, shopee_sandbox):
    shopee_sandbox.reset_calls()
    attempts = []

    def always_refused(adapter):
        attempts.append(adapter.config.access_token)
        raise AuthError("invalid_access_token")

    with pytest.raises(AuthError):
        call_with_refresh(shopee_account, always_refused)
    assert len(attempts) == 2
    assert attempts[0] != attempts[1]
    assert shopee_sandbox.call_count(REFRESH_PATH) == 1


def test_accounts_refresh_due_refreshes_only_the_due_shops(
    shopee_account, shopee_app, shopee_sandbox
):
    shopee_sandbox.add_shop(1002, "Second", "TH")
    code = shopee_sandbox.authorize(SHOPEE_PARTNER_ID, 1002)
    second = connect_finish(app_id=shopee_app.pk, code=code, shop_id="1002")
    assert second.currency == "THB"
    now = timezone.now()
    ChannelAccount.objects.filter(pk=second.pk).update(access_expires_at=now + timedelta(minutes=5))
    shopee_sandbox.reset_calls()
    assert accounts_refresh_due(now=now) == 1
    assert shopee_sandbox.call_count(REFRESH_PATH) == 1
    assert ChannelAccount.objects.get(pk=second.pk).access_token != second.access_token
    assert ChannelAccount.objects.get(pk=shopee_account.pk).access_token == (
        shopee_account.access_token
    )


def test_adapter_for_refreshes_a_due_token_first(shopee_account, shopee_sandbox):
    ChannelAccount.objects.filter(pk=shopee_account.pk).update(
        access_expires_at=timezone.now() + timedelta(minutes=10)
    )
    shopee_account.refresh_from_db()
    adapter = adapter_for(shopee_account)
    assert adapter.config.access_token != shopee_account.access_token
    assert adapter.config == AdapterConfig(
        base_url=shopee_sandbox.base_url,
        app_key=str(SHOPEE_PARTNER_ID),
        app_secret=SHOPEE_PARTNER_KEY,
        shop_id=str(SHOPEE_SHOP_ID),
        access_token=ChannelAccount.objects.get(pk=shopee_account.pk).access_token,
        currency="VND",
    )


@pytest.mark.postgres(why="SELECT FOR UPDATE between two connections")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_refreshes_make_one_call(shopee_account, shopee_sandbox):
    now = timezone.now()
    ChannelAccount.objects.filter(pk=shopee_account.pk).update(
        access_expires_at=now + timedelta(minutes=5)
    )
    shopee_sandbox.reset_calls()
    seen: list[str] = []

    def refresh():
        seen.append(tokens_refresh(account_id=shopee_account.pk, now=now).access_token)

    assert run_concurrently([refresh, refresh], {}) == ["ok", "ok"]
    stored = ChannelAccount.objects.get(pk=shopee_account.pk)
    assert shopee_sandbox.call_count(REFRESH_PATH) == 1
    assert seen == [stored.access_token, stored.access_token]
    assert stored.access_token != shopee_account.access_token
    assert stored.access_token in shopee_sandbox.access_tokens


@pytest.mark.postgres(why="SELECT FOR UPDATE between two connections")
@pytest.mark.django_db(transaction=True)
def test_two_workers_refused_at_once_refresh_once(shopee_account, shopee_sandbox):
    shopee_sandbox.expire_access_token(SHOPEE_SHOP_ID)
    shopee_sandbox.reset_calls()
    names: list[str] = []

    def work():
        account = ChannelAccount.objects.get(pk=shopee_account.pk)
        names.append(call_with_refresh(account, lambda adapter: adapter.shop_info()).name)

    assert run_concurrently([work, work], {}) == ["ok", "ok"]
    assert names == ["Sandbox Shop VN", "Sandbox Shop VN"]
    assert shopee_sandbox.call_count(REFRESH_PATH) == 1
    assert shopee_sandbox.call_count("shop/get_shop_info") == 4
    assert ChannelAccount.objects.get(pk=shopee_account.pk).status == "active"
