"""Websites that send orders and contact requests through the inbound API: their settings,
their keys and authentication by key.

Keys: "crm_" + 43 random URL-safe characters, shown once. Only the SHA-256 hex digest is kept,
with the key's first 12 characters (`key_prefix`, unique) to find the website without a scan.
Rotating replaces prefix and digest in one UPDATE, so the old key stops working at once.
What a website sends is received by orders.services.website_requests.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.db import RowModel, prepared_cursor
from inventory.models import Warehouse
from orders.errors import OrderError
from orders.models import Website

KEY_START = "crm_"
KEY_PREFIX_LENGTH = 12
LAST_USED_EVERY = timedelta(minutes=1)
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")


class WebsiteError(OrderError):
    """A website setting or a re-apply that is not allowed; str() is the user's message."""


# --- Keys -------------------------------------------------------------------------------------


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> str:
    return KEY_START + secrets.token_urlsafe(32)


def _clean_name(name: str) -> str:
    clean = " ".join((name or "").split())
    if not clean:
        raise WebsiteError(_("Enter the website's name."))
    if len(clean) > 120:
        raise WebsiteError(_("The name is longer than 120 characters."))
    return clean


def website_code_normalize(code: str) -> str:
    clean = (code or "").strip().upper()
    if not CODE_PATTERN.match(clean):
        raise WebsiteError(
            _(
                "The code is 1 to 32 capital letters, digits, - or _, starting with a letter "
                "or a digit (e.g. MAIN-SITE)."
            )
        )
    return clean


def warehouse_check(warehouse_id: int | None) -> None:
    if warehouse_id is None:
        return
    warehouse = Warehouse.objects.filter(pk=warehouse_id).first()
    if warehouse is None:
        raise WebsiteError(_("Choose a warehouse."))
    if not warehouse.is_active:
        raise WebsiteError(_("The warehouse %(code)s is inactive.") % {"code": warehouse.code})


def website_create(
    *,
    name: str,
    code: str,
    warehouse_id: int | None,
    user_id: int | None,
    now: datetime | None = None,
) -> tuple[Website, str]:
    """A new active website and its API key (returned once, in plain text; only its hash is
    stored). `code` becomes the channel account of its orders and cannot change later."""
    clean_name = _clean_name(name)
    clean_code = website_code_normalize(code)
    warehouse_check(warehouse_id)
    for _attempt in range(5):
        key = _new_key()
        try:
            with transaction.atomic():
                website = Website.objects.create(
                    name=clean_name,
                    code=clean_code,
                    key_prefix=key[:KEY_PREFIX_LENGTH],
                    key_hash=key_hash(key),
                    warehouse_id=warehouse_id,
                    created_by_id=user_id,
                    created_at=now or timezone.now(),
                )
        except IntegrityError:
            if Website.objects.filter(code=clean_code).exists():
                raise WebsiteError(
                    _("Another website already has the code %(code)s.") % {"code": clean_code}
                ) from None
            continue  # the random prefix met an existing one: draw again
        return website, key
    raise WebsiteError(_("No key could be made; try again."))  # pragma: no cover


def website_update(*, website_id: int, name: str, warehouse_id: int | None) -> Website:
    """Change the name and the default warehouse (the code stays: it is on the orders)."""
    clean_name = _clean_name(name)
    warehouse_check(warehouse_id)
    updated = Website.objects.filter(pk=website_id).update(
        name=clean_name, warehouse_id=warehouse_id
    )
    if not updated:
        raise WebsiteError(_("This website does not exist."))
    return Website.objects.select_related("warehouse").get(pk=website_id)


def website_key_rotate(*, website_id: int) -> str:
    """A new key for the website; the old one stops working with this UPDATE."""
    for _attempt in range(5):
        key = _new_key()
        try:
            with transaction.atomic():
                updated = Website.objects.filter(pk=website_id).update(
                    key_prefix=key[:KEY_PREFIX_LENGTH], key_hash=key_hash(key)
                )
        except IntegrityError:
            continue
        if not updated:
            raise WebsiteError(_("This website does not exist."))
        return key
    raise WebsiteError(_("No key could be made; try again."))  # pragma: no cover


def website_set_active(*, website_id: int, active: bool) -> Website:
    """Switch the website on or off; an inactive website's key is refused (401)."""
    if not Website.objects.filter(pk=website_id).update(is_active=active):
        raise WebsiteError(_("This website does not exist."))
    return Website.objects.get(pk=website_id)


_WEBSITE_ROW = RowModel(Website)
_WAREHOUSE_ROW = RowModel(Warehouse)


@functools.cache
def _by_prefix_statement() -> str:
    """The website with a key prefix and its warehouse, in one statement written out once
    (the ORM's select_related compiled on every API request cost more than running it).
    Only our own table and column names go into the text; the prefix is a parameter."""
    return (
        f"SELECT {_WEBSITE_ROW.select('w')}, {_WAREHOUSE_ROW.select('h')} "  # noqa: S608
        f"FROM {Website._meta.db_table} w LEFT JOIN {Warehouse._meta.db_table} h "
        "ON h.id = w.warehouse_id WHERE w.key_prefix = %s LIMIT 1"
    )


def _website_by_prefix(prefix: str) -> Website | None:
    with prepared_cursor(connection) as cursor:
        cursor.execute(_by_prefix_statement(), [prefix])
        row = cursor.fetchone()
    if row is None:
        return None
    website: Website = _WEBSITE_ROW.make(connection, row[: _WEBSITE_ROW.width])
    warehouse = _WAREHOUSE_ROW.make(connection, row[_WEBSITE_ROW.width :])
    Website._meta.get_field("warehouse").set_cached_value(website, warehouse)
    return website


def website_authenticate(key: str, *, now: datetime | None = None) -> Website | None:
    """The active website holding this key, or None. One indexed lookup by prefix, a
    constant-time comparison of the digests, and at most one UPDATE of last_used_at a minute
    (skipped when it was stamped less than a minute ago)."""
    key = (key or "").strip()
    if not key.startswith(KEY_START) or len(key) > 200:
        return None
    website = _website_by_prefix(key[:KEY_PREFIX_LENGTH])
    digest = key_hash(key)
    if website is None or not hmac.compare_digest(digest, website.key_hash):
        return None
    if not website.is_active:
        return None
    now = now or timezone.now()
    stale = now - LAST_USED_EVERY
    if website.last_used_at is None or website.last_used_at < stale:
        Website.objects.filter(pk=website.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)
        ).update(last_used_at=now)
        website.last_used_at = now
    return website
