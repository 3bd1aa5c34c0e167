"""Reads of the runs a shop's page shows (with live progress while a run is going)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from channels_sync.errors import error_text
from channels_sync.models import RunStatus, SyncRun

RECENT_RUNS = 30
LIVE = (RunStatus.QUEUED, RunStatus.RUNNING)


@dataclass(frozen=True)
class RunRow:
    run: SyncRun
    counts: dict[str, int]
    errors: list[str]  # in the active language
    duration_s: int | None
    percent: int | None  # progress while it runs (None: total unknown)

    @property
    def live(self) -> bool:
        return self.run.status in LIVE


def _row(run: SyncRun, *, now: datetime) -> RunRow:
    started = run.started_at
    end = run.finished_at or (now if started else None)
    duration = int((end - started).total_seconds()) if started and end else None
    percent = None
    if run.progress_total:
        percent = min(100, int(run.progress_done * 100 / run.progress_total))
    errors = [
        error_text(str(e.get("code", "")), e.get("params") or None)
        for e in run.errors
        if isinstance(e, dict)
    ]
    counts: dict[str, Any] = run.counts if isinstance(run.counts, dict) else {}
    return RunRow(
        run=run,
        counts={k: int(v) for k, v in counts.items() if isinstance(v, int)},
        errors=errors,
        duration_s=duration,
        percent=percent,
    )


def runs_recent(*, account_id: int, limit: int = RECENT_RUNS) -> list[RunRow]:
    now = timezone.now()
    runs = SyncRun.objects.filter(account_id=account_id).order_by("-created_at", "-pk")[:limit]
    return [_row(run, now=now) for run in runs]


def run_get(*, run_id: int) -> RunRow:
    return _row(SyncRun.objects.get(pk=run_id), now=timezone.now())


def any_live(rows: list[RunRow]) -> bool:
    return any(row.live for row in rows)
