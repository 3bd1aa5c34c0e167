"""PLACEHOLDER (h-shopee): the apply engineer's module replaces this file on merge.

Only the pinned signature, so pull and webhooks can hand payloads over: marks the payload
applied and changes nothing else.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from channels_sync.models import InboundPayload, PayloadStatus


def payload_apply(
    *, payload_id: int, user_id: int | None = None, now: datetime | None = None
) -> InboundPayload:
    payload = InboundPayload.objects.get(pk=payload_id)
    payload.status = PayloadStatus.APPLIED
    payload.applied_at = now or timezone.now()
    payload.applied_by_id = user_id
    payload.attempts += 1
    payload.save(update_fields=["status", "applied_at", "applied_by", "attempts"])
    return payload
