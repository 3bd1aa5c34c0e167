"""Background jobs of the shipping app: thin wrappers that load ids and call one service.

They run on the "marketplace" queue beside the marketplace sync (the worker that talks to the
outside world), are acknowledged late, idempotent, and retry transient carrier errors.
`enqueue` publishes after the current transaction commits."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.db import transaction

from common.jobs import JOB_TASK_OPTIONS
from shipping.adapters.base import TransientError
from shipping.services import bulk
from shipping.services.accounts import master_data_refresh, master_data_refresh_all
from shipping.services.callbacks import callback_apply, callbacks_pending
from shipping.services.polling import account_poll, poll_account_ids

logger = logging.getLogger(__name__)

QUEUE = "marketplace"

RETRY: dict[str, Any] = {
    "queue": QUEUE,
    "acks_late": True,
    "autoretry_for": (TransientError,),
    "retry_backoff": 30,
    "retry_backoff_max": 15 * 60,
    "retry_jitter": True,
    "max_retries": 6,
    "ignore_result": True,
}


def enqueue(task: Any, **kwargs: Any) -> None:
    """Publish `task(**kwargs)` once the current transaction commits. A broker that cannot be
    reached is logged, not raised: the callback stays stored as "pending"."""

    def publish() -> None:
        try:
            task.apply_async(kwargs=kwargs, retry=False)
        except Exception:
            logger.exception("could not queue %s %s", task.name, kwargs)

    transaction.on_commit(publish)


@shared_task(name="shipping.apply_callback", **RETRY)
def apply_callback(*, callback_id: int) -> None:
    callback_apply(callback_id=callback_id)


@shared_task(name="shipping.refresh_master_data", **RETRY)
def refresh_master_data() -> int:
    return master_data_refresh_all()


@shared_task(name="shipping.refresh_account_master_data", **RETRY)
def refresh_account_master_data(*, account_id: int) -> None:
    master_data_refresh(account_id=account_id)


@shared_task(name="shipping.apply_pending_callbacks", **RETRY)
def apply_pending_callbacks() -> int:
    """The safety net under the webhook endpoint: apply what its queued task never did."""
    done = 0
    for callback_id in callbacks_pending():
        try:
            callback_apply(callback_id=callback_id)
            done += 1
        except Exception:
            logger.exception("carrier callback %s could not be applied", callback_id)
    return done


@shared_task(
    name="shipping.poll_quiet_parcels_all", queue=QUEUE, acks_late=True, ignore_result=True
)
def poll_quiet_parcels_all() -> int:
    """Beat, every 30 minutes: one poll job per account with parcels on their way."""
    ids = poll_account_ids()
    for account_id in ids:
        poll_quiet_parcels.apply_async(kwargs={"account_id": account_id})
    return len(ids)


@shared_task(name="shipping.poll_quiet_parcels", **RETRY)
def poll_quiet_parcels(*, account_id: int) -> int:
    """The account's parcels whose webhooks went quiet, asked for at the carrier."""
    return account_poll(account_id=account_id).moved


@shared_task(name=bulk.TASK, **{**JOB_TASK_OPTIONS, "queue": QUEUE})
def bulk_create(*, job_id: int) -> str:
    """Parcels for many orders (shipping.services.bulk), as a background job."""
    return bulk.shipments_bulk_run(job_id=job_id)
