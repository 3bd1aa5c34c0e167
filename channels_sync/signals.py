"""Signals channels_sync sends (the pages engineer connects receivers in apps.ready()).

authorization_ending
    A shop's authorisation has ended or will end soon: staff must reconnect the shop.
    Sent after commit by channels_sync.services.accounts.tokens_refresh (the platform refused
    the refresh: reason "reconnect_needed") and channels_sync.services.webhooks.webhook_process
    (Shopee push 2 "deauthorized", push 12 "expiring").
    sender: ChannelAccount (the class)
    kwargs:
        account_id: int            the shop (ChannelAccount.pk)
        ends_at: datetime          aware; when the authorisation ends (<= now: already ended)
        reason: str                "reconnect_needed" | "deauthorized" | "expiring"
"""

from __future__ import annotations

from django.dispatch import Signal

authorization_ending = Signal()
