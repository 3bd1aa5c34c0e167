"""TikTok sandbox: the checks every API call passes (signature, timestamp window, token, shop
cipher, 50 QPS per API per app+shop) and the auth host's calls. Handlers run under the sandbox
lock and return `data` or raise ApiError."""

from __future__ import annotations

import hashlib
import hmac
import html
import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from .tiktok_state import (
    BAD_PARAM,
    CIPHER_MISSING,
    INVALID_PARAMS,
    INVALID_SIGN,
    NO_AUTH_RECORD,
    RT_EXPIRED,
    TOKEN_EXPIRED,
    TOO_MANY_REQUESTS,
    ApiError,
    Grant,
    Shop,
    Token,
    new_token,
)

if TYPE_CHECKING:
    from .tiktok import TikTokSandbox

_NUMBERED = re.compile(r"/\d{7,}(?=/|$)")  # ids, not the 6-digit version


@dataclass
class Call:
    method: str
    path: str
    params: dict[str, list[str]]
    raw: bytes
    headers: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)
    app_key: str = ""
    grant: Grant | None = None
    shop: Shop | None = None

    def query(self, name: str, default: str = "") -> str:
        values = self.params.get(name)
        return values[0] if values else default


def sign(app_secret: str, path: str, params: dict[str, list[str]], body: bytes) -> str:
    keys = sorted(k for k in params if k not in ("sign", "access_token"))
    base = path.encode() + "".join(f"{k}{params[k][0]}" for k in keys).encode() + body
    secret = app_secret.encode()
    return hmac.new(secret, secret + base + secret, hashlib.sha256).hexdigest()


def check(sb: TikTokSandbox, call: Call, *, shop: bool) -> None:
    """app_key, timestamp window, signature (lower-case hex), token header, shop cipher."""
    app = sb.apps.get(call.query("app_key"))
    if app is None:
        raise ApiError(INVALID_PARAMS, "Invalid app_key.", 401)
    raw_ts = call.query("timestamp")
    if not raw_ts.isdigit():
        raise ApiError(INVALID_PARAMS, "Invalid timestamp.", 401)
    age = sb.now() - int(raw_ts)
    if age > sb.timestamp_past or -age > sb.timestamp_future:
        raise ApiError(INVALID_PARAMS, "Invalid timestamp: out of the allowed window.", 401)
    given = call.query("sign")
    expected = sign(app.app_secret, call.path, call.params, call.raw)
    if not given or not hmac.compare_digest(expected, given):
        raise ApiError(INVALID_SIGN, "Invalid sign.", 401)
    call.app_key = app.app_key
    token = sb.access_tokens.get(call.headers.get("x-tts-access-token", ""))
    if token is None or token.grant.app_key != app.app_key or token.grant.revoked:
        raise ApiError(INVALID_PARAMS, "Invalid access token.", 401)
    if token.expires_at <= sb.now():
        raise ApiError(TOKEN_EXPIRED, "Access token is expired.", 401)
    call.grant = token.grant
    if not shop:
        return
    cipher = call.query("shop_cipher")
    if not cipher:
        raise ApiError(CIPHER_MISSING, "shop_cipher is required.", 400)
    found = next((s for s in sb.shops.values() if s.cipher == cipher), None)
    if found is None or found.shop_id not in token.grant.shop_ids:
        raise ApiError(INVALID_PARAMS, "Invalid shop_cipher.", 401)
    call.shop = found


def check_rate(sb: TikTokSandbox, call: Call) -> None:
    """At most `sb.qps` calls in any second per API per app+shop: HTTP 429 beyond."""
    key = (call.app_key, call.shop.shop_id if call.shop else "", _NUMBERED.sub("/{id}", call.path))
    now = time.monotonic()
    hits = sb.hits.setdefault(key, deque())
    while hits and hits[0] <= now - 1.0:
        hits.popleft()
    if len(hits) >= sb.qps:
        raise ApiError(TOO_MANY_REQUESTS, "Too many requests.", 429)
    hits.append(now)


def page_size(call: Call) -> int:
    raw = call.query("page_size")
    if not raw.isdigit() or not 1 <= int(raw) <= 100:
        raise ApiError(BAD_PARAM, "page_size must be between 1 and 100.", 400)
    return int(raw)


def page_start(sb: TikTokSandbox, call: Call, scope: str) -> int:
    """Where an opaque page_token continues ("" = the start); a token of another search is
    refused."""
    token = call.query("page_token")
    if not token:
        return 0
    found = sb.page_tokens.get(token)
    if found is None or found[0] != scope:
        raise ApiError(BAD_PARAM, "Invalid page_token.", 400)
    return found[1]


def page_token(sb: TikTokSandbox, scope: str, offset: int) -> str:
    token = new_token()[4:]
    sb.page_tokens[token] = (scope, offset)
    return token


# -- auth host ------------------------------------------------------------------------------------


def _app_by_secret(sb: TikTokSandbox, call: Call) -> str:
    app = sb.apps.get(call.query("app_key"))
    if app is None or not hmac.compare_digest(app.app_secret, call.query("app_secret")):
        raise ApiError(INVALID_PARAMS, "Invalid app_key or app_secret.", 401)
    return app.app_key


def _token_data(sb: TikTokSandbox, grant: Grant, refresh: str) -> dict[str, Any]:
    now = int(sb.now())
    access = new_token()
    sb.access_tokens[access] = Token(grant, min(now + sb.access_token_ttl, grant.expires_at))
    seller = sb.shops[grant.shop_ids[0]] if grant.shop_ids else None
    return {
        "access_token": access,
        "access_token_expire_in": sb.access_tokens[access].expires_at,
        "refresh_token": refresh,
        "refresh_token_expire_in": grant.expires_at,
        "open_id": f"open_{grant.shop_ids[0] if grant.shop_ids else ''}",
        "seller_name": seller.name if seller else "",
        "seller_base_region": seller.region if seller else "",
        "user_type": 0,
        "granted_scopes": ["seller.order.info", "seller.product.basic", "seller.authorization"],
    }


def token_get(sb: TikTokSandbox, call: Call) -> dict[str, Any]:
    app_key = _app_by_secret(sb, call)
    if call.query("grant_type") != "authorized_code":
        raise ApiError(BAD_PARAM, "grant_type must be authorized_code.", 400)
    code = sb.codes.get(call.query("auth_code"))
    if code is None or code.used or code.expires_at <= sb.now() or code.grant.app_key != app_key:
        raise ApiError(NO_AUTH_RECORD, "can not find related auth record", 400)
    code.used = True  # single use
    refresh = new_token()
    sb.refresh_tokens[refresh] = code.grant
    return _token_data(sb, code.grant, refresh)


def token_refresh(sb: TikTokSandbox, call: Call) -> dict[str, Any]:
    app_key = _app_by_secret(sb, call)
    if call.query("grant_type") != "refresh_token":
        raise ApiError(BAD_PARAM, "grant_type must be refresh_token.", 400)
    refresh = call.query("refresh_token")
    grant = sb.refresh_tokens.get(refresh)
    if grant is None or grant.app_key != app_key or grant.revoked:
        raise ApiError(NO_AUTH_RECORD, "can not find related auth record", 400)
    if grant.expires_at <= sb.now():
        raise ApiError(RT_EXPIRED, "rt has expired", 400)
    if sb.rotate_refresh_token:
        del sb.refresh_tokens[refresh]
        refresh = new_token()
        sb.refresh_tokens[refresh] = grant
    return _token_data(sb, grant, refresh)


def authorize_page(
    sb: TikTokSandbox, call: Call, chosen: list[str] | None
) -> tuple[int, dict[str, str], bytes]:
    """GET: the seller's consent page (every shop at once with auto_authorize); POST: the
    chosen shops are granted and the seller goes to the app's registered redirect."""
    app = sb.apps.get(call.query("app_key"))
    if app is None or not app.redirect_url:
        raise ApiError(INVALID_PARAMS, "Invalid app_key or no redirect registered.", 400)
    state = call.query("state")
    if chosen is None and sb.auto_authorize:
        chosen = sorted(sb.shops)
    if chosen is not None:
        if chosen:
            answer = {"code": sb.authorize(app.app_key, chosen), "state": state}
        else:
            answer = {"code": "null", "error": "auth_denied", "state": state}
        glue = "&" if "?" in app.redirect_url else "?"
        return 302, {"Location": f"{app.redirect_url}{glue}{urlencode(answer)}"}, b""
    boxes = "".join(
        f'<label><input type="checkbox" name="shop_id" value="{html.escape(s.shop_id)}">'
        f"{html.escape(s.name)} ({html.escape(s.region)})</label><br>"
        for s in sb.shops.values()
    )
    page = (
        "<!doctype html><title>TikTok Shop sandbox: authorise</title>"
        f"<h1>Authorise {html.escape(app.app_key)}</h1><form method=post>{boxes}"
        "<button>Authorize</button></form>"
    )
    return 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode()


def authorized_shops(sb: TikTokSandbox, call: Call) -> dict[str, Any]:
    assert call.grant is not None
    shops = [sb.shops[s] for s in call.grant.shop_ids]
    return {
        "shops": [
            {
                "id": s.shop_id,
                "name": s.name,
                "region": s.region,
                "seller_type": "LOCAL",
                "cipher": s.cipher,
                "code": f"{s.region}LC{s.shop_id[-6:]}",
            }
            for s in shops
        ]
    }
