"""Replies that could not be delivered, and what staff do about them.

A delivery fails for good when the platform refuses it (the reply window has passed, the
customer blocked the page, our token was refused, the quota is used up) or after MAX_ATTEMPTS
temporary errors. It then flags its conversation in the inbox (a badge with the reason) until
staff either send it again (`undelivered_retry`: the same delivery, pushed anew) or answer the
customer another way (`undelivered_resolve`: a phone call, SMS..., with a note saying how).

Staff are told through signals sent after the commit, which crm.wiring turns into a red
follow-up (a staff task) for whoever handles the conversation: `reply_undelivered` when a
conversation gets flagged, `reply_undelivered_resolved` when nothing is left undelivered in it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.dispatch import Signal
from django.utils.translation import pgettext

from assistant.channels.models import Delivery, DeliveryStatus, FailureReason, Resolution
from assistant.models import Conversation
from common.db import choice_label
from common.external import ExternalError

log = logging.getLogger(__name__)

# kwargs: conversation_id, delivery_id, reason (a FailureReason code)
reply_undelivered = Signal()
# kwargs: conversation_id, resolution (a Resolution code), note
reply_undelivered_resolved = Signal()


class UndeliveredError(Exception):
    """Nothing to do (the message is translated)."""


def _open() -> QuerySet[Delivery]:
    return Delivery.objects.filter(status=DeliveryStatus.FAILED, resolved_at__isnull=True)


def delivery_failed(
    *, delivery: Delivery, error: ExternalError, reason: str, now: datetime
) -> bool:
    """Mark a pending delivery failed with `reason` and flag its conversation; False when it
    was not pending any more."""
    log.warning(
        "delivery %s undeliverable on %s (%s): %s",
        delivery.pk,
        delivery.account.platform,
        reason,
        error,
    )
    with transaction.atomic():
        failed = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED,
            error=str(error)[:500],
            failure=reason,
            failed_at=now,
            resolved_at=None,
            resolved_by=None,
            resolution="",
        )
        if failed:
            kwargs = {
                "conversation_id": delivery.conversation_id,
                "delivery_id": delivery.pk,
                "reason": reason,
            }
            transaction.on_commit(lambda: _send(reply_undelivered, kwargs))
    return bool(failed)


def delivery_sent(*, delivery: Delivery) -> None:
    """A delivery staff sent again went out: the conversation's alert ends when nothing else
    in it is undelivered."""
    if delivery.resolution == Resolution.RETRIED:
        _resolved(delivery.conversation_id, Resolution.RETRIED, "")


def _resolved(conversation_id: int, resolution: str, note: str) -> None:
    if _open().filter(conversation_id=conversation_id).exists():
        return
    if Delivery.objects.filter(
        conversation_id=conversation_id,
        status=DeliveryStatus.PENDING,
        resolution=Resolution.RETRIED,
    ).exists():
        return
    kwargs = {"conversation_id": conversation_id, "resolution": resolution, "note": note}
    transaction.on_commit(lambda: _send(reply_undelivered_resolved, kwargs))


def _send(signal: Signal, kwargs: dict[str, object]) -> None:
    for receiver, result in signal.send_robust(sender=Delivery, **kwargs):
        if isinstance(result, Exception):
            log.error("%s receiver %s failed: %r", signal, receiver, result)


def undelivered_retry(*, conversation_id: int, user_id: int, now: datetime) -> list[int]:
    """Send the conversation's undelivered replies again (pushed: a LINE reply token is
    single-use and short-lived). Returns the deliveries queued."""
    from assistant.channels.services import TASK_SEND, _enqueue

    with transaction.atomic():
        ids = list(
            _open()
            .select_for_update()
            .filter(conversation_id=conversation_id)
            .order_by("id")
            .values_list("pk", flat=True)
        )
        if not ids:
            raise UndeliveredError(pgettext("undelivered reply", "Every reply was delivered."))
        Delivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.PENDING,
            attempts=0,
            reply_token="",
            resolved_at=now,
            resolved_by_id=user_id,
            resolution=Resolution.RETRIED,
        )
        for pk in ids:
            _enqueue(TASK_SEND, delivery_id=pk)
    return ids


def undelivered_resolve(*, conversation_id: int, user_id: int, note: str, now: datetime) -> int:
    """Staff answered the customer another way (`note`: how). Ends the alert."""
    note = note.strip()
    if not note:
        raise UndeliveredError(
            pgettext("undelivered reply", "Say how you answered the customer (a call, an SMS…).")
        )
    with transaction.atomic():
        done = (
            _open()
            .filter(conversation_id=conversation_id)
            .update(
                resolved_at=now,
                resolved_by_id=user_id,
                resolution=Resolution.OTHER_ROUTE,
                resolution_note=note[:1000],
            )
        )
        if not done:
            raise UndeliveredError(pgettext("undelivered reply", "Every reply was delivered."))
        _resolved(conversation_id, Resolution.OTHER_ROUTE, note)
    return done


# --- Reads --------------------------------------------------------------------------------------


def flagged(query: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """Conversations with an undelivered reply nobody dealt with yet."""
    return query.filter(Exists(_open().filter(conversation_id=OuterRef("pk"))))


def undelivered_reasons(conversation_ids: list[int]) -> dict[int, str]:
    """Each flagged conversation's latest reason, as staff read it."""
    rows = (
        _open()
        .filter(conversation_id__in=conversation_ids)
        .order_by("conversation_id", "id")
        .values_list("conversation_id", "failure")
    )
    return {cid: choice_label(FailureReason, failure) for cid, failure in rows}


def undelivered_count() -> int:
    return flagged(Conversation.objects.all()).count()


def conversation_deliveries(*, conversation_id: int) -> dict[int, Delivery]:
    """The conversation's deliveries by the message they carry (the thread marks each)."""
    rows = Delivery.objects.filter(conversation_id=conversation_id).select_related("resolved_by")
    return {row.message_id: row for row in rows}


def conversation_undelivered(*, conversation_id: int) -> list[Delivery]:
    return list(_open().filter(conversation_id=conversation_id).order_by("id"))
