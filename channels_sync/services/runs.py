"""SyncRun bookkeeping: what staff watch on a shop's page (progress, counts, errors).

Every job opens a run, counts as it goes and closes it; counts and progress are written with
F() updates in their own short transactions so the page's progress bar moves while the job runs
(and two workers adding to one run do not lose counts).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from channels_sync.models import RunStatus, SyncRun

MAX_ERRORS = 50  # errors kept per run (the count goes on in counts["failed"])


def run_start(
    *,
    account_id: int,
    kind: str,
    user_id: int | None = None,
    total: int | None = None,
    now: datetime | None = None,
) -> SyncRun:
    now = now or timezone.now()
    return SyncRun.objects.create(
        account_id=account_id,
        kind=kind,
        status=RunStatus.RUNNING,
        started_by_id=user_id,
        progress_total=total,
        created_at=now,
        started_at=now,
    )


def run_count(run: SyncRun, *, done: int = 0, api_calls: int = 0, **counts: int) -> None:
    """Add to the run's progress, API calls and counts (fetched=3, created=1, ...)."""
    with transaction.atomic():
        current = SyncRun.objects.select_for_update().only("counts").get(pk=run.pk)
        merged = dict(current.counts)
        for key, value in counts.items():
            if value:
                merged[key] = merged.get(key, 0) + value
        SyncRun.objects.filter(pk=run.pk).update(
            counts=merged,
            progress_done=F("progress_done") + done,
            api_calls=F("api_calls") + api_calls,
        )
    run.counts = merged


def run_set_total(run: SyncRun, total: int) -> None:
    SyncRun.objects.filter(pk=run.pk).update(progress_total=total)
    run.progress_total = total


def run_error(
    run: SyncRun, *, code: str, message: str, params: Mapping[str, Any] | None = None
) -> None:
    """Record one error: `code` (channels_sync.errors) is what the page translates; `message`
    is the platform's or the exception's text, kept for support."""
    entry = {"code": code, "message": message[:500], "params": dict(params or {})}
    with transaction.atomic():
        current = SyncRun.objects.select_for_update().only("errors", "counts").get(pk=run.pk)
        errors = list(current.errors)
        if len(errors) < MAX_ERRORS:
            errors.append(entry)
        SyncRun.objects.filter(pk=run.pk).update(errors=errors)
    run.errors = errors


def run_finish(run: SyncRun, *, failed: bool = False, now: datetime | None = None) -> SyncRun:
    """Close the run: failed (the job stopped), partial (it finished but some items failed or
    were quarantined) or succeeded."""
    run.refresh_from_db(fields=["counts", "errors", "progress_done", "api_calls"])
    if failed:
        status = RunStatus.FAILED
    elif run.errors or run.counts.get("quarantined") or run.counts.get("failed"):
        status = RunStatus.PARTIAL
    else:
        status = RunStatus.SUCCEEDED
    finished = now or timezone.now()
    SyncRun.objects.filter(pk=run.pk).update(
        status=status,
        finished_at=finished,
        progress_total=Coalesce(F("progress_total"), F("progress_done")),
    )
    run.status = status
    run.finished_at = finished
    return run
