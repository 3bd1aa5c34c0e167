"""Queueing a Celery task by its name, from any app (the caller need not import the task).

    task_send            now: through the task object when this process has it (the apps'
                         tasks modules imported first, as common.jobs does; apply_async
                         honours eager mode), else by name (send_task: the worker that has
                         it runs it)
    task_send_on_commit  once the current transaction commits (at once outside one); a broker
                         that cannot be reached is logged, not raised: every caller has a later
                         catch-up (a beat run, the next push, the next change)

A service that publishes work for an upper layer's task names it by string, so it does not
import the tasks module that imports it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


def task_send(
    name: str,
    *,
    kwargs: Mapping[str, Any],
    countdown: float | None = None,
    retry: bool | None = None,
) -> None:
    """Queue the task `name` now. Broker errors are raised; `retry` (None: Celery's setting)
    says whether the publish itself is retried while the broker is away."""
    from celery import current_app

    options: dict[str, Any] = {"kwargs": dict(kwargs), "countdown": countdown}
    if retry is not None:
        options["retry"] = retry
    if name not in current_app.tasks:  # the apps' tasks modules may not be imported yet
        current_app.loader.import_default_modules()
    task = current_app.tasks.get(name)
    if task is not None:
        task.apply_async(**options)
    else:
        current_app.send_task(name, **options)


def task_send_on_commit(
    name: str, *, kwargs: Mapping[str, Any], countdown: float | None = None
) -> None:
    """Queue the task `name` once the current transaction commits, without retrying the
    publish (a web request or a worker never hangs on a broker that is away)."""
    kwargs = dict(kwargs)

    def publish() -> None:
        try:
            task_send(name, kwargs=kwargs, countdown=countdown, retry=False)
        except Exception:
            logger.exception("could not queue %s %s", name, kwargs)

    transaction.on_commit(publish)
