"""The shop's own details for printed documents (inventory.models.ShopProfile)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from inventory.models import ShopProfile


@dataclass(frozen=True)
class ShopDetails:
    name: str
    address: str = ""
    phone: str = ""
    email: str = ""
    tax_code: str = ""


def shop_details() -> ShopDetails:
    """What the staff entered on the shop settings page; the name falls back to
    settings.SHOP_NAME while none was entered (one query)."""
    row = ShopProfile.objects.filter(pk=1).first()
    if row is None:
        return ShopDetails(name=str(settings.SHOP_NAME))
    return ShopDetails(
        name=row.name or str(settings.SHOP_NAME),
        address=row.address,
        phone=row.phone,
        email=row.email,
        tax_code=row.tax_code,
    )


def shop_profile() -> ShopProfile:
    """The row to edit (unsaved, with the setting's name, when there is none yet)."""
    return ShopProfile.objects.filter(pk=1).first() or ShopProfile(pk=1, name=settings.SHOP_NAME)
