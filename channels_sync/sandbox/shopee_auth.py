"""Shopee sandbox: signature and token checks, rate limit, shop authorization, tokens, pushes.

Handlers take (sandbox, request) and return the `response` object (or raise ApiError); they run
under the sandbox lock.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from .shopee_state import ApiError, Reply, Request, Token, new_token
from .signing import shopee_sign, verify

if TYPE_CHECKING:
    from .shopee import ShopeeSandbox

AUTH_PATH = "/api/v2/shop/auth_partner"


def _query(req: Request, name: str) -> str:
    values = req.params.get(name)
    return values[0] if values else ""


def check_signature(sb: ShopeeSandbox, req: Request, *, shop: bool) -> None:
    """Common params of every call (query string only); sets req.partner_id / req.shop_id."""
    raw_pid, raw_ts, sign = (_query(req, n) for n in ("partner_id", "timestamp", "sign"))
    if not raw_pid:
        raise ApiError("error_param", "There is no partner_id in query.")
    partner = sb.partners.get(int(raw_pid)) if raw_pid.isdigit() else None
    if partner is None:
        raise ApiError("error_param", "Invalid partner_id.")
    if not raw_ts:
        raise ApiError("error_param", "no timestamp")
    if not raw_ts.isdigit():
        raise ApiError("error_param", "Invalid timestamp")
    if abs(sb.now() - int(raw_ts)) > sb.timestamp_validity:
        raise ApiError("error_param", "Timestamp is expired.")
    if not sign:
        raise ApiError("error_param", "There is no sign in query.")
    req.partner_id = partner.partner_id
    if not shop:
        if not verify(shopee_sign(partner.partner_key, raw_pid, req.path, raw_ts), sign):
            raise ApiError("error_sign", "Wrong sign.", "auth")
        return
    access_token, raw_shop = _query(req, "access_token"), _query(req, "shop_id")
    if not access_token:
        raise ApiError("error_param", "There is no access_token in query.")
    if not raw_shop.isdigit():
        raise ApiError("error_param", "There is no shop_id in query.")
    expected = shopee_sign(partner.partner_key, raw_pid, req.path, raw_ts, access_token, raw_shop)
    if not verify(expected, sign):
        raise ApiError("error_sign", "Wrong sign.", "auth")
    req.shop_id = int(raw_shop)
    _check_access_token(sb, req, access_token)


def _check_access_token(sb: ShopeeSandbox, req: Request, access_token: str) -> None:
    token = sb.access_tokens.get(access_token)
    if token is None or (token.partner_id, token.shop_id) != (req.partner_id, req.shop_id):
        raise ApiError("error_auth", "Invalid access_token.", "auth")
    link = sb.links.get((req.partner_id, req.shop_id))
    if link is None or link.revoked:
        raise ApiError(sb.revoked_error, "Shop is not linked to the partner.", "auth")
    if link.expire_time <= sb.now():
        raise ApiError("shop_access_expired", "The shop authorization has expired.", "auth")
    if token.expires_at <= sb.now():
        raise ApiError(sb.expired_token_error, "Invalid access_token.", "auth")


def check_rate_limit(sb: ShopeeSandbox, req: Request) -> None:
    """Token bucket per partner and shop, on the sandbox clock (so advance() refills it)."""
    rate = sb.rate_limit_per_second
    if rate is None:
        return
    now, key = sb.now(), (req.partner_id, req.shop_id)
    tokens, last = sb.buckets.get(key, (float(sb.burst), now))
    tokens = min(float(sb.burst), tokens + max(0.0, now - last) * rate)
    if tokens < 1:
        sb.buckets[key] = (tokens, now)
        raise ApiError("error_rate_limit", "Too many requests, please try again later.", "rate")
    sb.buckets[key] = (tokens - 1, now)


# -- authorization page -----------------------------------------------------------------------
def auth_page(
    sb: ShopeeSandbox, req: Request, chosen_shop: str | None
) -> tuple[int, dict[str, str], bytes]:
    """GET: the seller's page (or a redirect with auto_authorize_shop_id); POST: authorize."""
    check_signature(sb, req, shop=False)
    redirect = _query(req, "redirect")
    if not redirect:
        raise ApiError("error_param", "Wrong parameters, detail: redirect is required.")
    if chosen_shop is None and sb.auto_authorize_shop_id is not None:
        chosen_shop = str(sb.auto_authorize_shop_id)
    if chosen_shop is not None:
        if not chosen_shop.isdigit() or int(chosen_shop) not in sb.shops:
            raise ApiError("error_param", "The shop id you provided is not found.")
        code = sb.authorize(req.partner_id, int(chosen_shop))
        separator = "&" if "?" in redirect else "?"
        location = f"{redirect}{separator}{urlencode({'code': code, 'shop_id': chosen_shop})}"
        return 302, {"Location": location}, b""
    return 200, {"Content-Type": "text/html; charset=utf-8"}, _page(sb, req).encode()


def _page(sb: ShopeeSandbox, req: Request) -> str:
    action = html.escape(f"{AUTH_PATH}?{urlencode(req.params, doseq=True)}")
    rows = "".join(
        f'<li><label><input type="radio" name="shop_id" value="{shop.shop_id}"'
        f"{' checked' if i == 0 else ''}> {html.escape(shop.name)} ({shop.region}, "
        f"{shop.shop_id})</label></li>"
        for i, shop in enumerate(sb.shops.values())
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Shopee sandbox - authorize"
        "</title></head><body><h1>Authorize partner "
        f"{req.partner_id}</h1><form method='post' action='{action}'><ul>{rows}</ul>"
        "<button type='submit' name='authorize' value='1'>Authorize</button></form></body></html>"
    )


# -- tokens -----------------------------------------------------------------------------------
def _body_ids(req: Request) -> int:
    partner = req.body.get("partner_id")
    if partner is not None and str(partner) != str(req.partner_id):
        raise ApiError("error_param", "Wrong parameters, detail: partner_id mismatch.")
    shop = req.body.get("shop_id")
    if shop is None or not str(shop).isdigit():
        raise ApiError("error_param", "Wrong parameters, detail: shop_id is required.")
    return int(shop)


def _issue(sb: ShopeeSandbox, partner_id: int, shop_id: int) -> dict[str, Any]:
    now = sb.now()
    access, refresh = new_token(), new_token()
    sb.access_tokens[access] = Token(partner_id, shop_id, now + sb.access_token_ttl)
    sb.refresh_tokens[refresh] = Token(partner_id, shop_id, now + sb.refresh_token_ttl)
    return {
        "access_token": access,
        "refresh_token": refresh,
        "expire_in": sb.access_token_ttl,
        "partner_id": partner_id,
        "shop_id": shop_id,
    }


def token_get(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    shop_id = _body_ids(req)
    code = str(req.body.get("code") or "")
    grant = sb.codes.get(code)
    if (
        grant is None
        or grant.spent
        or (grant.partner_id, grant.shop_id)
        != (
            req.partner_id,
            shop_id,
        )
    ):
        raise ApiError(sb.invalid_code_error, "Invalid code.", "auth")
    grant.spent = True
    if grant.expires_at <= sb.now():
        raise ApiError(sb.invalid_code_error, "Code is expired.", "auth")
    answer = _issue(sb, req.partner_id, shop_id)
    answer.pop("shop_id")
    answer.pop("partner_id")
    return answer


def access_token_get(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    shop_id = _body_ids(req)
    link = sb.links.get((req.partner_id, shop_id))
    if link is None or link.revoked:
        raise ApiError(sb.revoked_error, "Shop is not linked to the partner.", "auth")
    if link.expire_time <= sb.now():
        raise ApiError("shop_access_expired", "The shop authorization has expired.", "auth")
    grant = sb.refresh_tokens.get(str(req.body.get("refresh_token") or ""))
    if (
        grant is None
        or grant.spent
        or (grant.partner_id, grant.shop_id)
        != (
            req.partner_id,
            shop_id,
        )
    ):
        raise ApiError(sb.spent_refresh_token_error, "Invalid refresh_token.", "auth")
    if grant.expires_at <= sb.now():
        raise ApiError("refresh_token_expired", "The refresh_token has expired.", "auth")
    grant.spent = True
    return _issue(sb, req.partner_id, shop_id)


def get_shop_info(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    shop, link = sb.shops[req.shop_id], sb.links[(req.partner_id, req.shop_id)]
    return {
        "shop_name": shop.name,
        "region": shop.region,
        "status": "NORMAL",
        "is_cb": False,
        "is_sip": False,
        "is_upgraded_cbsc": False,
        "merchant_id": None,
        "shop_fulfillment_flag": "Others",
        "is_main_shop": False,
        "is_direct_shop": False,
        "auth_time": link.auth_time,
        "expire_time": link.expire_time,
    }


# -- lost pushes ------------------------------------------------------------------------------
def get_lost_push_message(sb: ShopeeSandbox, req: Request) -> dict[str, Any]:
    since = sb.now() - sb.lost_push_days * 86400
    kept = sorted(
        (x for x in sb.lost if x.partner_id == req.partner_id and x.timestamp >= since),
        key=lambda x: x.message_id,
    )
    page = kept[:100]
    messages = []
    for lost in page:
        entry: dict[str, Any] = {"code": lost.code, "timestamp": lost.timestamp, "data": lost.body}
        if lost.shop_id is not None:
            entry = {"shop_id": lost.shop_id, **entry}
        messages.append(entry)
    return {
        "push_message_list": messages,
        "has_next_page": len(kept) > len(page),
        "last_message_id": page[-1].message_id if page else 0,
    }


def confirm_consumed_lost_push_message(sb: ShopeeSandbox, req: Request) -> Reply:
    last = req.integer("last_message_id")
    before = len(sb.lost)
    sb.lost = [x for x in sb.lost if x.partner_id != req.partner_id or x.message_id > last]
    return Reply({}, "" if len(sb.lost) < before else "No message was confirmed.")
