"""What the Marketplaces views share: the permission, ids to rows, domain errors to text."""

from __future__ import annotations

from django.http import Http404

from channels_sync.adapters.base import (
    AuthError,
    ChannelError,
    RateLimited,
    ReconnectNeeded,
    TransientError,
)
from channels_sync.errors import error_text
from channels_sync.models import ChannelAccount
from channels_sync.selectors.accounts import account_get

PERM = "channels_sync.manage_marketplaces"


def account_or_404(pk: int) -> ChannelAccount:
    try:
        return account_get(account_id=pk)
    except ChannelAccount.DoesNotExist:
        raise Http404 from None


def channel_error_text(error: ChannelError) -> str:
    """A platform error as a sentence in the user's language (channels_sync.errors)."""
    if isinstance(error, RateLimited):
        return error_text("rate_limited")
    if isinstance(error, TransientError):
        return error_text("network")
    if isinstance(error, AuthError):
        return error_text("auth_failed")
    if isinstance(error, ReconnectNeeded):
        return error_text("reconnect_needed")
    return error_text("platform_error", {"message": error.message or error.code})
