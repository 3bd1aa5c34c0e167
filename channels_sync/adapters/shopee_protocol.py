"""Shopee Open Platform v2 protocol pieces that need no HTTP: signatures (marketplaces.md §1.3
and §1.7) and the mapping of the envelope's `error` onto our error family (§1.4).

Pure functions, so the doc's vectors are checked directly by the tests.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone

from channels_sync.adapters.base import (
    AuthError,
    ChannelError,
    PermanentError,
    RateLimited,
    ReconnectNeeded,
    TransientError,
)

AUTH_ERRORS = frozenset({"error_auth", "invalid_acceess_token", "invalid_access_token"})
RECONNECT_ERRORS = frozenset(
    {
        "shop_no_linked",
        "partner_shop_no_link",
        "shop_banned",
        "refresh_token_expired",
        "error_shop_refresh_token",
        "shop_access_expired",
    }
)
TRANSIENT_ERRORS = frozenset({"error_server", "error_network", "error_data"})
RATE_LIMIT_ERROR = "error_rate_limit"
DAILY_LIMIT_ERROR = "error_limit"
SHOPEE_TZ = timezone(timedelta(hours=8))  # the daily quota resets at 00:00 UTC+8


def hmac_sha256_hex(key: str, message: str | bytes) -> str:
    data = message.encode() if isinstance(message, str) else message
    return hmac.new(key.encode(), data, hashlib.sha256).hexdigest()


def shopee_sign(
    partner_key: str,
    partner_id: int | str,
    path: str,
    timestamp: int | str,
    access_token: str | None = None,
    shop_id: int | str | None = None,
) -> str:
    """Lower-case hex HMAC-SHA256 of partner_id + path + timestamp (public APIs), plus
    access_token + shop_id for shop APIs. The body is not signed; `path` has no host/query."""
    base = f"{partner_id}{path}{timestamp}"
    if access_token is not None:
        base += f"{access_token}{shop_id}"
    return hmac_sha256_hex(partner_key, base)


def push_signature(partner_key: str, callback_url: str, body: bytes) -> str:
    """What Shopee puts in a push's Authorization header: HMAC over `url|raw body`."""
    return hmac_sha256_hex(partner_key, callback_url.encode() + b"|" + body)


def push_signature_valid(partner_key: str, callback_url: str, body: bytes, given: str) -> bool:
    expected = push_signature(partner_key, callback_url, body)
    return hmac.compare_digest(expected.encode(), given.strip().lower().encode())


def seconds_to_quota_reset(now: datetime) -> float:
    """Seconds from `now` to the next 00:00 in UTC+8 (when Shopee's daily quota resets)."""
    local = now.astimezone(SHOPEE_TZ)
    midnight = datetime(local.year, local.month, local.day, tzinfo=SHOPEE_TZ) + timedelta(days=1)
    return (midnight - local).total_seconds()


def error_for(
    error: str, message: str, *, request_id: str = "", now: datetime | None = None
) -> ChannelError:
    """The exception for a non-empty envelope `error` (marketplaces.md §1.4)."""
    if error in AUTH_ERRORS:
        return AuthError(error, message, request_id=request_id)
    if error in RECONNECT_ERRORS:
        return ReconnectNeeded(error, message, request_id=request_id)
    if error == RATE_LIMIT_ERROR:
        return RateLimited(error, message, retry_after=1.0, request_id=request_id)
    if error == DAILY_LIMIT_ERROR:
        wait = seconds_to_quota_reset(now or datetime.now(tz=UTC))
        return RateLimited(error, message, retry_after=wait, request_id=request_id)
    if error in TRANSIENT_ERRORS:
        return TransientError(error, message, request_id=request_id)
    return PermanentError(error, message, request_id=request_id)
