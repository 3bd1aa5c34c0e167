"""Publishing jobs (queue "marketplace"): thin wrappers around channels_sync.services.publishing.

Imported by channels_sync.tasks so the worker registers them."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from channels_sync.adapters.base import ChannelError
from channels_sync.services.publishing import (
    publication_push,
    publication_review,
    publication_send,
    publications_in_review,
)
from common.celery_queue import task_send_on_commit

logger = logging.getLogger(__name__)

QUEUE = "marketplace"
OPTIONS: dict[str, Any] = {"queue": QUEUE, "acks_late": True, "ignore_result": True}


@shared_task(name="channels_sync.publication_send", **OPTIONS)
def send_publication(*, publication_id: int) -> None:
    """Errors end the publication as "failed" (shown, "Send again" resumes): no retry here."""
    publication_send(publication_id=publication_id)


@shared_task(name="channels_sync.publication_push", **OPTIONS)
def push_publication(*, publication_id: int) -> None:
    publication_push(publication_id=publication_id)


@shared_task(name="channels_sync.publication_review", **OPTIONS)
def review_publication(*, publication_id: int) -> None:
    publication_review(publication_id=publication_id)


@shared_task(name="channels_sync.publication_reviews_all", **OPTIONS)
def review_publications_all() -> int:
    """Beat, every 10 minutes: the review state of every publication still in review."""
    done = 0
    for publication_id in publications_in_review():
        try:
            publication_review(publication_id=publication_id)
        except ChannelError:
            logger.exception("review check failed for publication %s", publication_id)
        else:
            done += 1
    return done


def enqueue_send(*, publication_id: int) -> None:
    task_send_on_commit(send_publication.name, kwargs={"publication_id": publication_id})


def enqueue_push(*, publication_id: int) -> None:
    task_send_on_commit(push_publication.name, kwargs={"publication_id": publication_id})


def enqueue_review(*, publication_id: int) -> None:
    task_send_on_commit(review_publication.name, kwargs={"publication_id": publication_id})
