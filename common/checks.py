"""System checks for settings the shared kernel relies on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security, deploy=True)
def encryption_keys_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Production needs CRM_ENCRYPTION_KEYS, each a valid Fernet key (common.secrets)."""
    from cryptography.fernet import Fernet

    keys = [k.strip() for k in settings.CRM_ENCRYPTION_KEYS if k.strip()]
    if not keys:
        return [
            Error(
                "CRM_ENCRYPTION_KEYS is not set: secrets of external accounts cannot be stored.",
                hint="Generate one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'",
                id="common.E001",
            )
        ]
    errors: list[CheckMessage] = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except ValueError:
            errors.append(
                Error(f"CRM_ENCRYPTION_KEYS key {position} is not a Fernet key.", id="common.E002")
            )
    return errors
