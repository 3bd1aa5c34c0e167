"""Background jobs of the marketplace sync: thin wrappers, each loads ids and calls one service.

Every task takes ids as keyword arguments, is idempotent (the services keep cursors and unique
external ids), is acknowledged late (a worker lost mid-run hands the job to another) and
retries transient platform errors (network, rate limit) with exponential backoff. The services
record a SyncRun, so staff see each run, its progress and its errors on the shop's page.
`enqueue` is how pages and receivers start a job: after the commit, never inside it.

Every task here goes to its own queue, QUEUE ("marketplace"), consumed by its own worker
(`celery -A crm worker -Q marketplace`; docker-compose's `worker-marketplace`, a second worker
in `make run`): a flash sale's thousands of pushes and pulls never stand in front of the
website's jobs on the default queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from channels_sync.adapters.base import TransientError
from channels_sync.models import AccountStatus, ChannelAccount, InboundPayload
from channels_sync.services.accounts import accounts_refresh_due
from channels_sync.services.holds import holds_due, holds_sweep
from channels_sync.services.listings import listings_pull
from channels_sync.services.pull import orders_audit, orders_pull
from channels_sync.services.stock import prices_push, stock_push
from channels_sync.services.stock_reconcile import reconcile
from channels_sync.services.webhooks import (
    is_order_push,
    webhook_drain,
    webhook_drain_schedule,
    webhook_process,
)
from common.celery_queue import task_send_on_commit

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


def active_account_ids() -> list[int]:
    return list(
        ChannelAccount.objects.filter(status=AccountStatus.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def enqueue(task: Any, **kwargs: Any) -> None:
    """Publish `task(**kwargs)` once the current transaction commits (at once outside one).
    A broker that cannot be reached is logged, not raised: the beat schedule catches up."""
    task_send_on_commit(task.name, kwargs=kwargs)


def _each_account(name: str, job: Callable[[int], object]) -> int:
    """Run `job` for every active shop; one shop's failure does not stop the others."""
    done = 0
    for account_id in active_account_ids():
        try:
            job(account_id)
        except Exception:
            logger.exception("%s failed for account %s", name, account_id)
        else:
            done += 1
    return done


@shared_task(name="channels_sync.pull_orders", **RETRY)
def pull_orders(*, account_id: int) -> None:
    orders_pull(account_id=account_id)


@shared_task(name="channels_sync.pull_orders_all", queue=QUEUE, acks_late=True, ignore_result=True)
def pull_orders_all() -> int:
    """Beat, every 2 minutes: one pull_orders job per active shop (each retried on its own)."""
    ids = active_account_ids()
    for account_id in ids:
        pull_orders.apply_async(kwargs={"account_id": account_id})
    return len(ids)


@shared_task(name="channels_sync.audit_orders_all", queue=QUEUE, acks_late=True, ignore_result=True)
def audit_orders_all() -> int:
    """Nightly: every order id of the last 14 days checked against the platform."""
    return _each_account("orders_audit", lambda pk: orders_audit(account_id=pk))


@shared_task(name="channels_sync.process_webhook", **RETRY)
def process_webhook(*, payload_id: int) -> None:
    webhook_process(payload_id=payload_id)


@shared_task(name="channels_sync.drain_webhooks", **RETRY)
def drain_webhooks(*, account_id: int) -> None:
    """Every order push the shop has waiting, fetched in detail batches (one task per burst)."""
    webhook_drain(account_id=account_id)


def enqueue_webhook(payload: InboundPayload) -> None:
    """After the commit: an order push joins its shop's drain; any other push gets a task."""
    if is_order_push(payload):
        account_id = payload.account_id
        assert account_id is not None

        def schedule() -> None:
            webhook_drain_schedule(account_id=account_id)

        transaction.on_commit(schedule)
    else:
        enqueue(process_webhook, payload_id=payload.pk)


@shared_task(name="channels_sync.push_stock", **RETRY)
def push_stock(
    *, account_id: int, variant_ids: Sequence[int] | None = None, force: bool = False
) -> None:
    """The coalesced push after stock changes (the queued variants), or with `force` every
    linked listing ("Run now" on the shop's page)."""
    stock_push(
        account_id=account_id,
        variant_ids=list(variant_ids) if variant_ids else None,
        force=force,
    )


@shared_task(name="channels_sync.pull_listings", **RETRY)
def pull_listings(*, account_id: int) -> None:
    listings_pull(account_id=account_id)


@shared_task(name="channels_sync.push_prices", **RETRY)
def push_prices(*, account_id: int) -> None:
    prices_push(account_id=account_id)


@shared_task(name="channels_sync.reconcile_all", queue=QUEUE, acks_late=True, ignore_result=True)
def reconcile_all() -> int:
    """Nightly: stock and price drift of every active shop corrected."""
    return _each_account("reconcile", lambda pk: reconcile(account_id=pk))


@shared_task(name="channels_sync.refresh_tokens", **RETRY)
def refresh_tokens() -> int:
    """Beat, every 15 minutes: every access token that expires soon is refreshed."""
    return accounts_refresh_due()


@shared_task(name="channels_sync.sweep_holds", queue=QUEUE, acks_late=True, ignore_result=True)
def sweep_holds(*, ahead: bool = True) -> dict[str, int]:
    """Beat, every minute: promotion holds whose start or end came are marked and their stock
    pushed to every shop; a transition due within the next minute gets its own run at that
    exact time (eta). A worker restart loses at most those eta runs: the next beat run (and
    the computation, which reads the times) covers them."""
    now = timezone.now()
    counts = holds_sweep(now=now)
    if ahead:
        for at in holds_due(now=now):
            sweep_holds.apply_async(kwargs={"ahead": False}, eta=at)
    return counts


from channels_sync import tasks_publishing  # noqa: E402, F401  (registers the publishing jobs)
