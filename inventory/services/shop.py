"""The shop's own details (inventory.models.ShopProfile), edited on the shop settings page."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from inventory.models import ShopProfile
from inventory.services.suppliers import tax_code_parse


def shop_profile_save(
    *,
    name: str,
    address: str,
    phone: str,
    email: str,
    tax_code: str,
    user_id: int | None,
    now: datetime | None = None,
) -> ShopProfile:
    """Write the one row of shop details. The tax code is normalised and its check digit
    verified (Vietnamese 10 or 10-3 digits, Thai 13): InvalidTaxCode otherwise, nothing saved."""
    code = tax_code.strip()
    if code:
        code = tax_code_parse(code).value
    profile, _created = ShopProfile.objects.update_or_create(
        pk=1,
        defaults={
            "name": name.strip(),
            "address": address.strip(),
            "phone": phone.strip(),
            "email": email.strip(),
            "tax_code": code,
            "updated_by_id": user_id,
            "updated_at": now or timezone.now(),
        },
    )
    return profile
