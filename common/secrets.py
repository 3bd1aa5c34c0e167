"""Secrets at rest: API keys and tokens of external accounts (marketplaces, carriers, e-invoice
providers) are stored encrypted with Fernet (AES-128-CBC + HMAC-SHA256, cryptography).

Keys come from the environment, never from the repository:
    CRM_ENCRYPTION_KEYS=<newest key>,<older key>,...
Each key is a Fernet key (`python manage.py shell -c "from cryptography.fernet import Fernet;
print(Fernet.generate_key().decode())"`). MultiFernet encrypts with the first key and decrypts
with any of them, so a key is rotated by putting a new one first, running
`python manage.py rotate_secrets` (re-encrypts every stored secret with the first key) and then
removing the old one.

With DEBUG on and no keys set (a developer's `make run`, the tests), one key is derived from
SECRET_KEY so a fresh checkout works; production refuses to start without CRM_ENCRYPTION_KEYS
(a system check, `manage.py check --deploy`).
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

__all__ = ["EncryptedTextField", "InvalidToken", "decrypt", "encrypt", "reencrypt"]


def _derived_key() -> bytes:
    digest = hashlib.sha256(b"crm-secrets-v1:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


@cache
def _fernet() -> MultiFernet:
    keys = [k.strip() for k in getattr(settings, "CRM_ENCRYPTION_KEYS", []) if k.strip()]
    if not keys:
        if not settings.DEBUG:
            raise ImproperlyConfigured(
                "CRM_ENCRYPTION_KEYS must be set when DEBUG is off: secrets of marketplace, "
                "carrier and e-invoice accounts are stored encrypted with it."
            )
        keys = [_derived_key().decode()]
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "CRM_ENCRYPTION_KEYS holds a key that is not a Fernet key (32 url-safe base64 bytes)."
        ) from exc


def keys_changed() -> None:
    """Forget the cached keys (tests that change CRM_ENCRYPTION_KEYS call it)."""
    _fernet.cache_clear()


def encrypt(plain: str) -> str:
    if plain == "":
        return ""
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    """The plain text; InvalidToken when no configured key opens it."""
    if token == "":
        return ""
    return _fernet().decrypt(token.encode()).decode()


def reencrypt(token: str) -> str:
    """The same secret encrypted with the newest key (for rotation)."""
    if token == "":
        return ""
    return _fernet().rotate(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; the model attribute is the plain text.

    Not searchable or comparable in SQL (every encryption differs). Empty stays empty, so
    "not set" is visible without decrypting.
    """

    def from_db_value(self, value: str | None, expression: object, connection: object) -> str:
        if value is None:
            return ""
        return decrypt(value)

    def get_prep_value(self, value: object) -> str:
        text = "" if value is None else str(value)
        return encrypt(text)
