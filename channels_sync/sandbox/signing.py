"""Shopee Open Platform v2 signatures (docs/api/marketplaces.md section 1.3 and 1.7)."""

from __future__ import annotations

import hashlib
import hmac


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
    """Public sign without a token, shop sign with `access_token` and `shop_id`."""
    base = f"{partner_id}{path}{timestamp}"
    if access_token is not None:
        base += f"{access_token}{shop_id}"
    return hmac_sha256_hex(partner_key, base)


def push_signature(partner_key: str, callback_url: str, body: bytes) -> str:
    return hmac_sha256_hex(partner_key, callback_url.encode() + b"|" + body)


def verify(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.lower(), given.lower())
