"""What staff change on a connected shop: its order warehouse, stock push rules and API base
URL, and pausing or resuming its sync. (Connecting, tokens and reconnecting: accounts.py.)"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from channels_sync.models import AccountStatus, ChannelAccount


class ShopSettingsError(Exception):
    """A rule was broken; str() is a sentence for the user, in their language."""


def account_settings_save(
    *,
    account_id: int,
    warehouse_id: int | None,
    push_enabled: bool,
    push_warehouse_ids: Sequence[int],
    push_percent: int,
    push_offset: int,
    push_floor: int,
    api_base_url: str,
) -> ChannelAccount:
    if not 0 <= push_percent <= 100:
        raise ShopSettingsError(_("The percentage must be between 0 and 100."))
    if push_floor < 0:
        raise ShopSettingsError(_("The floor cannot be negative."))
    with transaction.atomic():
        account = ChannelAccount.objects.select_for_update().get(pk=account_id)
        account.warehouse_id = warehouse_id
        account.push_enabled = push_enabled
        account.push_percent = push_percent
        account.push_offset = push_offset
        account.push_floor = push_floor
        account.api_base_url = api_base_url
        account.save(
            update_fields=[
                "warehouse",
                "push_enabled",
                "push_percent",
                "push_offset",
                "push_floor",
                "api_base_url",
            ]
        )
        account.push_warehouses.set(list(push_warehouse_ids))
    return account


def account_pause(*, account_id: int, paused: bool) -> ChannelAccount:
    """Pause a connected shop (no pulls, no pushes, webhooks still stored) or resume it.
    Only a connected shop can be paused and only a paused one resumed: nothing changes
    otherwise (a shop that needs reconnecting is resumed by connecting it again)."""
    source, target = (
        (AccountStatus.ACTIVE, AccountStatus.PAUSED)
        if paused
        else (AccountStatus.PAUSED, AccountStatus.ACTIVE)
    )
    changed = ChannelAccount.objects.filter(pk=account_id, status=source).update(status=target)
    account = ChannelAccount.objects.get(pk=account_id)
    if not changed and account.status != target:
        if paused:
            raise ShopSettingsError(_("Only a connected shop can be paused."))
        raise ShopSettingsError(_("Only a paused shop can be resumed."))
    return account
