"""OAuth `state` for "Connect a shop": a random one-time value bound to the staff member's
session. Lazada and TikTok carry it in the consent URL's `state` and send it back; Shopee, which
documents no state, gets it as the last part of its redirect URL's path. A callback whose state
does not match connects nothing and spends no code (no call reaches the platform)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests
from django.conf import settings
from django.test import Client
from django.urls import reverse

from channels_sync.models import ChannelAccount
from tests.channels_sync.conftest import (
    LAZADA_APP_KEY,
    LAZADA_SELLER_ID,
    SHOPEE_PARTNER_ID,
    SHOPEE_SHOP_ID,
    TIKTOK_APP_KEY,
    TIKTOK_SHOP_ID,
)

REFUSED = (
    "This authorisation was not started from this session (or was already used): nothing "
    'was connected. Click "Connect a shop" again.'
)
SESSION_KEY = "channels_sync_oauth_states"


def start(client: Client, app) -> tuple[str, str]:
    """Click "Connect a shop": (the consent URL, the state now in the session)."""
    response = client.post(reverse("channels_sync:shop_connect", args=[app.pk]))
    assert response.status_code == 302
    return response["Location"], client.session[SESSION_KEY][str(app.pk)]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_lazada_connect_sends_a_random_state_per_click(client, login_as, lazada_app):
    login_as("owner")
    first_url, first = start(client, lazada_app)
    second_url, second = start(client, lazada_app)
    assert first != second
    assert len(first) == len(second) == 32
    assert parse_qs(urlsplit(first_url).query)["state"] == [first]
    assert parse_qs(urlsplit(second_url).query)["state"] == [second]
    assert client.session[SESSION_KEY] == {str(lazada_app.pk): second}


def test_lazada_callback_with_a_wrong_state_connects_nothing(
    client, login_as, lazada_app, lazada_sandbox
):
    login_as("owner")
    _url, state = start(client, lazada_app)
    code = lazada_sandbox.authorize(LAZADA_APP_KEY, LAZADA_SELLER_ID)
    lazada_sandbox.reset_calls()
    url = reverse("channels_sync:oauth_callback", args=[lazada_app.pk])
    response = client.get(url, {"code": code, "state": state + "x"}, follow=True)
    assert messages_of(response) == [REFUSED]
    assert ChannelAccount.objects.count() == 0
    assert lazada_sandbox.call_counts() == {}  # the code was not even exchanged
    # the state is spent: the right one now fails too
    response = client.get(url, {"code": code, "state": state}, follow=True)
    assert messages_of(response) == [REFUSED]
    assert ChannelAccount.objects.count() == 0


def test_lazada_callback_from_another_session_connects_nothing(
    client, login_as, lazada_app, lazada_sandbox
):
    """The attacker's own consent link, opened in the victim's session (login CSRF)."""
    login_as("owner")
    attacker = Client()
    code = lazada_sandbox.authorize(LAZADA_APP_KEY, LAZADA_SELLER_ID)
    url = reverse("channels_sync:oauth_callback", args=[lazada_app.pk])
    response = client.get(url, {"code": code, "state": "made-up"}, follow=True)
    assert messages_of(response) == [REFUSED]
    response = client.get(url, {"code": code}, follow=True)
    assert messages_of(response) == [REFUSED]
    assert ChannelAccount.objects.count() == 0
    assert SESSION_KEY not in attacker.session


def test_lazada_state_is_one_time(client, login_as, lazada_app, lazada_sandbox):
    lazada_sandbox.configure(auto_authorize_seller_id=LAZADA_SELLER_ID)
    login_as("owner")
    authorize, _state = start(client, lazada_app)
    back = urlsplit(requests.get(authorize, allow_redirects=False, timeout=10).headers["Location"])
    response = client.get(f"{back.path}?{back.query}", follow=True)
    shop = ChannelAccount.objects.get()
    assert response.redirect_chain[0][0] == reverse("channels_sync:shop_detail", args=[shop.pk])
    token = shop.access_token
    response = client.get(f"{back.path}?{back.query}", follow=True)  # replayed
    assert messages_of(response) == [REFUSED]
    shop.refresh_from_db()
    assert (ChannelAccount.objects.count(), shop.access_token) == (1, token)


def test_the_refusal_is_translated(client, login_as, lazada_app):
    login_as("owner")
    url = reverse("channels_sync:oauth_callback", args=[lazada_app.pk])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    response = client.get(url, {"code": "c", "state": "s"}, follow=True)
    (text,) = messages_of(response)
    assert text.startswith("Lần cấp quyền này không được bắt đầu từ phiên làm việc này")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    response = client.get(url, {"code": "c", "state": "s"}, follow=True)
    (text,) = messages_of(response)
    assert text.startswith("การอนุญาตนี้ไม่ได้เริ่มจากเซสชันนี้")
    assert ChannelAccount.objects.count() == 0


def test_tiktok_consent_carries_our_state_and_a_wrong_one_is_refused(
    client, login_as, tiktok_app, tiktok_sandbox
):
    tiktok_sandbox.add_shop(TIKTOK_SHOP_ID, "Áo Thun Sài Gòn", "VN")
    login_as("owner")
    authorize, state = start(client, tiktok_app)
    assert parse_qs(urlsplit(authorize).query)["state"] == [state]
    code = tiktok_sandbox.authorize(TIKTOK_APP_KEY, [TIKTOK_SHOP_ID])
    before = tiktok_sandbox.call_counts()
    url = reverse("channels_sync:oauth_callback", args=[tiktok_app.pk])
    response = client.get(url, {"code": code, "state": "0" * 32}, follow=True)
    assert messages_of(response) == [REFUSED]
    assert ChannelAccount.objects.count() == 0
    assert tiktok_sandbox.call_counts() == before


def test_shopee_callback_needs_the_token_of_its_path(client, login_as, shopee_app, shopee_sandbox):
    shopee_sandbox.add_shop(SHOPEE_SHOP_ID, "Sandbox Shop VN", "VN")
    login_as("owner")
    authorize, state = start(client, shopee_app)
    redirect = parse_qs(urlsplit(authorize).query)["redirect"][0]
    assert redirect.endswith(f"/marketplaces/{shopee_app.pk}/callback/{state}")
    code = shopee_sandbox.authorize(SHOPEE_PARTNER_ID, SHOPEE_SHOP_ID)
    shopee_sandbox.reset_calls()
    query = {"code": code, "shop_id": str(SHOPEE_SHOP_ID)}
    plain = reverse("channels_sync:oauth_callback", args=[shopee_app.pk])
    wrong = reverse("channels_sync:oauth_callback_state", args=[shopee_app.pk, "x" * 32])
    for url in (plain, wrong):
        response = client.get(url, {**query, "state": state}, follow=True)
        assert messages_of(response) == [REFUSED]
    assert ChannelAccount.objects.count() == 0
    assert shopee_sandbox.call_counts() == {}


def test_shopee_callback_with_its_token_connects(client, login_as, shopee_app, shopee_sandbox):
    shopee_sandbox.add_shop(SHOPEE_SHOP_ID, "Sandbox Shop VN", "VN")
    login_as("owner")
    _authorize, state = start(client, shopee_app)
    code = shopee_sandbox.authorize(SHOPEE_PARTNER_ID, SHOPEE_SHOP_ID)
    url = reverse("channels_sync:oauth_callback_state", args=[shopee_app.pk, state])
    response = client.get(url, {"code": code, "shop_id": str(SHOPEE_SHOP_ID)})
    shop = ChannelAccount.objects.get()
    assert response["Location"] == reverse("channels_sync:shop_detail", args=[shop.pk])
    assert (shop.shop_id, shop.status) == (str(SHOPEE_SHOP_ID), "active")
