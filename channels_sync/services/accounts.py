"""Marketplace apps and shops: connecting a shop, its tokens, and the adapter to talk to it.

Tokens are refreshed under SELECT ... FOR UPDATE of the account row and the need is re-checked
inside the lock: two workers that both find the token due make one refresh call, and the
second one reads the rotated tokens the first one saved (Shopee refresh tokens are single use,
so a second refresh with the old one would be refused). Access tokens are refreshed when less
than REFRESH_AHEAD is left. A refusal that means the authorisation is gone marks the shop
"reconnect needed" and announces `channels_sync.signals.authorization_ending` after commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from channels_sync.adapters import adapter_class
from channels_sync.adapters.base import (
    Adapter,
    AdapterConfig,
    AuthError,
    ReconnectNeeded,
    ShopInfo,
    Tokens,
)
from channels_sync.models import AccountStatus, ChannelAccount, ChannelApp, Platform
from channels_sync.signals import authorization_ending

log = logging.getLogger(__name__)
T = TypeVar("T")

REFRESH_AHEAD = timedelta(minutes=30)  # refresh an access token with less than this left
LIVE_HOSTS = {
    "shopee": {"": "https://partner.shopeemobile.com"},
    "lazada": {
        "": "https://api.lazada.vn/rest",
        "VN": "https://api.lazada.vn/rest",
        "TH": "https://api.lazada.co.th/rest",
        "SG": "https://api.lazada.sg/rest",
        "MY": "https://api.lazada.com.my/rest",
        "PH": "https://api.lazada.com.ph/rest",
        "ID": "https://api.lazada.co.id/rest",
    },
    "tiktok": {"": "https://open-api.tiktokglobalshop.com"},
}
REFRESHABLE = (AccountStatus.ACTIVE, AccountStatus.PAUSED)


def default_base_url(platform: str, region: str = "") -> str:
    hosts = LIVE_HOSTS[platform]
    return hosts.get(region.upper(), hosts[""])


def app_save(
    *,
    platform: str,
    name: str,
    app_key: str,
    app_secret: str,
    api_base_url: str,
    app_id: int | None = None,
) -> ChannelApp:
    """Create an app, or change one (a blank secret keeps the stored one)."""
    if platform not in Platform.values:
        raise ValueError(f"unknown platform {platform!r}")
    app = ChannelApp(platform=platform) if app_id is None else ChannelApp.objects.get(pk=app_id)
    app.platform, app.name, app.app_key = platform, name.strip(), app_key.strip()
    if app_secret or app_id is None:
        app.app_secret = app_secret.strip()
    app.api_base_url = api_base_url.strip() or default_base_url(platform)
    app.save()
    return app


def app_adapter(app: ChannelApp, *, base_url: str = "") -> Adapter:
    """An adapter for the app's public calls (authorisation, tokens, lost pushes)."""
    config = AdapterConfig(
        base_url=base_url or app.api_base_url, app_key=app.app_key, app_secret=app.app_secret
    )
    return adapter_class(app.platform)(config)


def account_config(account: ChannelAccount) -> AdapterConfig:
    app = account.app
    return AdapterConfig(
        base_url=account.api_base_url,
        app_key=app.app_key,
        app_secret=app.app_secret,
        shop_id=account.shop_id,
        access_token=account.access_token,
        shop_cipher=account.shop_cipher,
        currency=account.currency,
    )


def connect_url(*, app_id: int, redirect_url: str, state: str = "") -> str:
    return app_adapter(ChannelApp.objects.get(pk=app_id)).authorize_url(
        redirect_url=redirect_url, state=state
    )


def consent_origins(apps: Iterable[ChannelApp]) -> list[str]:
    """Where "Connect a shop" sends the browser for each app (scheme://host[:port] of its
    consent page): the page with that button must allow them as form targets, or the browser
    stops the form's redirect there (CSP form-action)."""
    origins = set()
    for app in apps:  # only the URL's host is kept: no secret needed (nor loaded)
        config = AdapterConfig(base_url=app.api_base_url, app_key=app.app_key, app_secret="")
        adapter = adapter_class(app.platform)(config)
        url = urlsplit(adapter.authorize_url(redirect_url="https://example.invalid/"))
        if url.scheme in ("http", "https") and url.netloc:
            origins.add(f"{url.scheme}://{url.netloc}")
    return sorted(origins)


def connect_finish(
    *, app_id: int, code: str, shop_id: str, now: datetime | None = None
) -> ChannelAccount:
    """The platform's callback: code -> tokens -> shop info -> the shop, active (the first of
    connect_finish_all's shops)."""
    return connect_finish_all(app_id=app_id, code=code, shop_id=shop_id, now=now)[0]


def connect_finish_all(
    *, app_id: int, code: str, shop_id: str, now: datetime | None = None
) -> list[ChannelAccount]:
    """The platform's callback: code -> tokens -> every shop the authorisation covers, each
    its own active account (TikTok: one per authorised shop, each with its cipher, sharing
    the tokens; the others: the one shop). A platform whose callback does not name the shop
    (TikTok: shop_id "") finds it in the shops' info."""
    now = now or timezone.now()
    app = ChannelApp.objects.get(pk=app_id)
    tokens = app_adapter(app).tokens_from_code(code=code, shop_id=shop_id)
    shop_id = shop_id or tokens.shop_id  # Lazada's callback names no shop
    config = AdapterConfig(
        base_url=app.api_base_url,
        app_key=app.app_key,
        app_secret=app.app_secret,
        shop_id=tokens.shop_id,
        access_token=tokens.access_token,
    )
    infos = adapter_class(app.platform)(config).shops_info()
    with transaction.atomic():
        return [
            _connected(app, (shop_id if n == 0 else "") or info.shop_id, info, tokens, now)
            for n, info in enumerate(infos)
        ]


def _connected(
    app: ChannelApp, shop_id: str, info: ShopInfo, tokens: Tokens, now: datetime
) -> ChannelAccount:
    account = ChannelAccount.objects.select_for_update().filter(app=app, shop_id=shop_id).first()
    if account is None:
        account = ChannelAccount(
            app=app,
            platform=app.platform,
            shop_id=shop_id,
            code=_free_code(app.platform, shop_id),
            api_base_url=app.api_base_url,
            created_at=now,
        )
    account.name = info.name or account.name
    account.shop_cipher = info.shop_cipher or account.shop_cipher
    account.region = info.region or account.region
    account.currency = info.currency or account.currency or "VND"
    account.status, account.status_reason = AccountStatus.ACTIVE, ""
    account.access_token, account.refresh_token = tokens.access_token, tokens.refresh_token
    account.access_expires_at = tokens.access_expires_at
    account.refresh_expires_at = tokens.refresh_expires_at
    account.authorized_until = info.authorized_until
    account.expiry_warned_at = None
    account.save()
    return account


def _free_code(platform: str, shop_id: str) -> str:
    base = f"{platform}-{shop_id}"[:28]
    code, n = base, 1
    while ChannelAccount.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def refresh_due(account: ChannelAccount, now: datetime) -> bool:
    expires = account.access_expires_at
    return expires is None or expires - now < REFRESH_AHEAD


def tokens_refresh(
    *, account_id: int, force: bool = False, now: datetime | None = None
) -> ChannelAccount:
    """Refresh the shop's tokens if due (or `force`), under the account row's lock.

    A refusal meaning the authorisation is gone: status reconnect (returned, not raised).
    Network and other errors propagate (the caller retries later); nothing is changed then."""
    return _refresh(account_id=account_id, now=now or timezone.now(), force=force)


def _refresh(
    *, account_id: int, now: datetime, force: bool, refused_token: str | None = None
) -> ChannelAccount:
    ended = False
    with transaction.atomic():
        siblings = _lock_siblings(account_id)
        account = (
            ChannelAccount.objects.select_related("app").select_for_update().get(pk=account_id)
        )
        if account.status not in REFRESHABLE:
            return account
        if refused_token is not None:
            wanted = account.access_token == refused_token  # nobody refreshed meanwhile
        else:
            wanted = force or refresh_due(account, now)
        if not wanted:
            return account
        adapter = adapter_class(account.platform)(account_config(account))
        reason = ""
        try:
            tokens = adapter.refresh_tokens(refresh_token=account.refresh_token)
        except ReconnectNeeded as error:
            ended, reason = True, f"{error.code}: {error.message}"[:200]
        sent = account.refresh_token  # the shops of the same authorisation share it
        for shop in [account, *(s for s in siblings if s.refresh_token == sent)]:
            if not ended:
                _store_tokens(shop, tokens)
                continue
            shop.status, shop.status_reason = AccountStatus.RECONNECT, reason
            shop.save(update_fields=["status", "status_reason"])
            announce_ending(account_id=shop.pk, ends_at=now, reason="reconnect_needed")
    if ended:
        log.warning("shop %s needs reconnecting: %s", account.code, account.status_reason)
    return account


def _lock_siblings(account_id: int) -> list[ChannelAccount]:
    """On a platform whose one authorisation covers several shops: every other shop of the
    app, locked in id order before the account itself (two shops refreshed at once wait for
    each other instead of deadlocking), so a refresh can hand them the new tokens."""
    account = ChannelAccount.objects.only("app_id", "platform").get(pk=account_id)
    if not adapter_class(account.platform).shared_tokens:
        return []
    locked = ChannelAccount.objects.select_for_update().filter(app_id=account.app_id)
    return [s for s in locked.order_by("pk") if s.pk != account_id and s.status in REFRESHABLE]


def _store_tokens(account: ChannelAccount, tokens: Tokens) -> None:
    account.access_token, account.refresh_token = tokens.access_token, tokens.refresh_token
    account.access_expires_at = tokens.access_expires_at
    account.refresh_expires_at = tokens.refresh_expires_at
    account.save(
        update_fields=["access_token", "refresh_token", "access_expires_at", "refresh_expires_at"]
    )


def announce_ending(*, account_id: int, ends_at: datetime, reason: str) -> None:
    """authorization_ending, sent once the current transaction commits."""
    transaction.on_commit(
        lambda: authorization_ending.send(
            sender=ChannelAccount, account_id=account_id, ends_at=ends_at, reason=reason
        )
    )


def accounts_refresh_due(*, now: datetime | None = None) -> int:
    """Refresh every connected shop whose access token ends within REFRESH_AHEAD; the number
    refreshed. One shop's failure is logged and the others go on."""
    now = now or timezone.now()
    due = ChannelAccount.objects.filter(status__in=REFRESHABLE).filter(
        Q(access_expires_at__isnull=True) | Q(access_expires_at__lt=now + REFRESH_AHEAD)
    )
    refreshed = 0
    for account_id in due.order_by("pk").values_list("pk", flat=True):
        try:
            account = tokens_refresh(account_id=account_id, now=now)
        except Exception:
            log.exception("token refresh of shop %s failed", account_id)
            continue
        refreshed += account.status == AccountStatus.ACTIVE and not refresh_due(account, now)
    return refreshed


def adapter_for(account: ChannelAccount) -> Adapter:
    """The shop's adapter with a fresh token (refreshed first when due)."""
    if account.status in REFRESHABLE and refresh_due(account, timezone.now()):
        account = tokens_refresh(account_id=account.pk)
    _usable(account)
    return adapter_class(account.platform)(account_config(account))


def _usable(account: ChannelAccount) -> None:
    if account.status == AccountStatus.RECONNECT:
        raise ReconnectNeeded("reconnect_needed", account.status_reason)


@dataclass
class ShopClient:
    """Calls against one shop: an adapter kept across calls, one refresh-and-retry on an
    AuthError, and the API calls counted over every adapter used."""

    account: ChannelAccount
    adapter: Adapter | None = None
    spent: int = field(default=0)

    @property
    def calls(self) -> int:
        return self.spent + (self.adapter.calls if self.adapter else 0)

    def call(self, fn: Callable[[Adapter], T]) -> T:
        if self.adapter is None:
            self.adapter = adapter_for(self.account)
        try:
            return fn(self.adapter)
        except AuthError:
            refused = self.adapter.config.access_token
            self.spent += self.adapter.calls
            self.adapter = None
            self.account = _refresh(
                account_id=self.account.pk, now=timezone.now(), force=True, refused_token=refused
            )
            _usable(self.account)
            self.adapter = adapter_class(self.account.platform)(account_config(self.account))
            return fn(self.adapter)


def call_with_refresh(account: ChannelAccount, fn: Callable[[Adapter], T]) -> T:
    """fn(adapter); on AuthError the tokens are refreshed once (unless another worker already
    did) and fn runs once more with the new token."""
    return ShopClient(account).call(fn)
