"""Celery tasks of the channels: thin wrappers, ids as keyword arguments, idempotent."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.utils import timezone

from assistant.channels.services import (
    TASK_PROCESS,
    TASK_SEND,
    TASK_SWEEP,
    channels_sweep,
    delivery_send,
    event_process,
)
from common.external import TransientError

RETRY: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": (TransientError,),
    "retry_backoff": 5,
    "retry_backoff_max": 10 * 60,
    "retry_jitter": True,
    "max_retries": 8,
    "ignore_result": True,
}


@shared_task(name=TASK_PROCESS, **RETRY)
def process_event(*, event_id: int) -> None:
    event_process(event_id=event_id)


@shared_task(name=TASK_SEND, **RETRY)
def send_delivery(*, delivery_id: int) -> None:
    delivery_send(delivery_id=delivery_id)


@shared_task(name=TASK_SWEEP, acks_late=True, ignore_result=True)
def sweep() -> None:
    channels_sweep(now=timezone.now())
