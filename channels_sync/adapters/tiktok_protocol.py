"""TikTok Shop Partner API (202309) protocol pieces that need no HTTP: the request signature
(marketplaces.md §3.3), the webhook signature (§3.7) and the mapping of the envelope's `code`
onto our error family (§3.4, §3.2).

Pure functions, so the doc's vectors are checked directly by the tests.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from channels_sync.adapters.base import (
    AuthError,
    ChannelError,
    PermanentError,
    RateLimited,
    ReconnectNeeded,
    TransientError,
)

TOKEN_EXPIRED = "105002"
RATE_LIMIT = "36009002"
AUTH_ERRORS = frozenset({TOKEN_EXPIRED, "36009004"})  # expired / invalid token: refresh once
RECONNECT_ERRORS = frozenset(
    {
        "105005",  # scope not granted: connect again with the scope
        "36004001",  # refresh token expired
        "36004005",  # no authorisation record (revoked)
    }
)
TRANSIENT_ERRORS = frozenset({"36009003"})
UNSIGNED = frozenset({"sign", "access_token"})


def hmac_sha256_hex(key: str, message: str | bytes) -> str:
    data = message.encode() if isinstance(message, str) else message
    return hmac.new(key.encode(), data, hashlib.sha256).hexdigest()


def tiktok_sign(
    app_secret: str,
    path: str,
    query: Mapping[str, object],
    body: bytes = b"",
    *,
    multipart: bool = False,
) -> str:
    """Lower-case hex HMAC-SHA256, keyed with the app secret, of
    secret + path + every query key and value (sorted by key, without sign and access_token)
    + the exact body bytes sent (not for multipart) + secret."""
    keys = sorted(k for k in query if k not in UNSIGNED)
    base = path.encode() + "".join(f"{k}{query[k]}" for k in keys).encode()
    if not multipart:
        base += body
    secret = app_secret.encode()
    return hmac_sha256_hex(app_secret, secret + base + secret)


def webhook_signature(app_key: str, app_secret: str, body: bytes) -> str:
    """What TikTok puts in a webhook's Authorization header: HMAC(app_secret, app_key + body)."""
    return hmac_sha256_hex(app_secret, app_key.encode() + body)


def webhook_signature_valid(app_key: str, app_secret: str, body: bytes, given: str) -> bool:
    expected = webhook_signature(app_key, app_secret, body)
    return hmac.compare_digest(expected.encode(), given.strip().encode())


def error_for(
    code: str, message: str, *, request_id: str = "", http_status: int = 200
) -> ChannelError:
    """The exception for an envelope whose `code` is not 0 (HTTP 429 is the rate limit even
    without an envelope; 503 is the platform overloaded)."""
    if code == RATE_LIMIT or http_status == 429:
        return RateLimited(code or RATE_LIMIT, message, retry_after=1.0, request_id=request_id)
    if code in AUTH_ERRORS:
        return AuthError(code, message, request_id=request_id)
    if code in RECONNECT_ERRORS:
        return ReconnectNeeded(code, message, request_id=request_id)
    if code in TRANSIENT_ERRORS or http_status >= 500:
        return TransientError(code or f"http_{http_status}", message, request_id=request_id)
    return PermanentError(code, message, request_id=request_id)
