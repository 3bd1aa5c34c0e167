"""Background jobs: long work (imports, exports, bulk PDFs) leaves the request.

A view calls `job_start`: one row (BackgroundJob) and, after commit, one Celery task named by
the app that owns the work, with the job id as its only argument. The task calls `job_run` with
the app's work function; `job_run` claims the job, runs the work in the starter's language with
a `JobProgress` to report to and a file to write into, then records the outcome: done (file
stored under MEDIA_ROOT/jobs/, a message) or failed (a message staff can read, the job can be
started again with `job_retry`). The page polls the job's row, so closing it cancels nothing.

Progress is written as one UPDATE in autocommit, at most once a second (`JobProgress`), never
from inside a transaction: the work's own transactions stay short and the poller sees it live.
The beat task `common.jobs_cleanup` deletes expired jobs and their files (`jobs_cleanup`).
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import IO, Any, TypeVar

from celery import current_app
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.models import BackgroundJob, JobKind, JobStatus

logger = logging.getLogger(__name__)

JOB_DIR = "jobs"
JOB_TTL = timedelta(days=3)  # how long a finished job and its file are kept
# Every job's Celery task takes these options: minutes of work on big files, so 30 minutes
# allowed (the default is 10), a soft limit a minute before.
JOB_TIME_LIMIT = 30 * 60
JOB_TASK_OPTIONS: dict[str, Any] = {
    "acks_late": True,
    "ignore_result": True,
    "time_limit": JOB_TIME_LIMIT,
    "soft_time_limit": JOB_TIME_LIMIT - 60,
}
# Still "running" past every job's time limit: its worker died.
STALE_RUNNING = timedelta(seconds=JOB_TIME_LIMIT) + timedelta(minutes=5)
PROGRESS_EVERY = 1.0  # seconds between two progress writes

T = TypeVar("T")


def unexpected_error_message() -> str:
    return _(
        "The job stopped on an unexpected error. Start it again; if it fails again, tell the "
        "administrator."
    )


class JobFailed(Exception):
    """The work cannot be done; `str(error)` is the message for staff (already translated)."""


@dataclass(frozen=True)
class JobOutput:
    """What the work made: a message, and the file written (download name, content type)."""

    message: str = ""
    download_name: str = ""
    content_type: str = ""
    result_url: str = ""


def job_start(
    *,
    kind: JobKind,
    owner_id: int | None,
    task_name: str,
    params: dict[str, Any],
    title: str = "",
    now: datetime | None = None,
) -> BackgroundJob:
    """Record a job for `owner_id` and queue `task_name` for it once the transaction commits."""
    if owner_id is None:
        raise ValueError("a background job needs the member of staff who starts it")
    now = now or timezone.now()
    job = BackgroundJob.objects.create(
        kind=kind,
        owner_id=owner_id,
        task_name=task_name,
        params=params,
        title=title[:200],
        language=translation.get_language() or "",
        created_at=now,
        expires_at=now + JOB_TTL,
    )
    transaction.on_commit(lambda: _publish(job))
    return job


def _publish(job: BackgroundJob) -> None:
    """Queue the job's task. When the broker cannot be reached (Redis down), the job fails at
    once with a message saying so, and can be started again later: it never waits forever."""
    if job.task_name not in current_app.tasks:
        current_app.loader.import_default_modules()  # the apps' tasks modules, once
    try:
        # Through the task (not send_task by name): apply_async honours eager mode.
        current_app.tasks[job.task_name].apply_async(kwargs={"job_id": job.pk}, retry=False)
    except Exception as error:
        logger.exception("background job %s could not be queued", job.pk)
        with translation.override(job.language or None):
            message = _(
                "The job could not be queued: the background worker cannot be reached. "
                "Start it again in a few minutes."
            )
        _fail(job, message=message, error=f"{type(error).__name__}: {error}"[:2000])


def job_retry(*, job_id: int, now: datetime | None = None) -> bool:
    """Queue a failed job again (same work, same parameters). False when it had not failed."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = BackgroundJob.objects.filter(pk=job_id, status=JobStatus.FAILED).update(
            status=JobStatus.QUEUED,
            progress_done=0,
            progress_total=None,
            message="",
            error="",
            started_at=None,
            finished_at=None,
            expires_at=now + JOB_TTL,
        )
        if changed:
            job = BackgroundJob.objects.get(pk=job_id)
            transaction.on_commit(lambda: _publish(job))
    return bool(changed)


class JobProgress:
    """Report how far the work got: `progress(done, total)`. Writes at most once every
    `every` seconds, one UPDATE; call it between the work's transactions, not inside one
    (nobody would see it before the commit)."""

    def __init__(self, job_id: int, *, every: float = PROGRESS_EVERY) -> None:
        self.job_id = job_id
        self.every = every
        self._last = 0.0

    def __call__(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        clock = time.monotonic()
        if not force and clock - self._last < self.every:
            return
        self._last = clock
        fields: dict[str, Any] = {"progress_done": max(0, done)}
        if total is not None:
            fields["progress_total"] = max(0, total)
        BackgroundJob.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(**fields)


def counted(items: Iterable[T], *, progress: JobProgress, total: int | None) -> Iterator[T]:
    """`items` unchanged, reporting to `progress` how many went by (it writes once a second)."""
    done = 0
    for done, item in enumerate(items, start=1):
        progress(done, total)
        yield item
    progress(done, total, force=True)


Work = Callable[[BackgroundJob, JobProgress, IO[bytes]], JobOutput]


def _claim(job_id: int, now: datetime) -> BackgroundJob | None:
    """Mark the job running; None when another worker has it or it is finished (a message
    delivered twice runs the work once)."""
    claimable = Q(status=JobStatus.QUEUED) | Q(
        status=JobStatus.RUNNING, started_at__lt=now - STALE_RUNNING
    )
    claimed = BackgroundJob.objects.filter(claimable, pk=job_id).update(
        status=JobStatus.RUNNING, started_at=now, attempts=F("attempts") + 1
    )
    return BackgroundJob.objects.get(pk=job_id) if claimed else None


def job_run(*, job_id: int, work: Work) -> str:
    """Run `work` for the job and record its outcome; returns the final status. Never raises
    for the work's errors: they become the failed job's message."""
    job = _claim(job_id, timezone.now())
    if job is None:
        return "skipped"
    progress = JobProgress(job.pk)
    with translation.override(job.language or None), tempfile.TemporaryFile() as target:
        try:
            output = work(job, progress, target)
        except JobFailed as error:
            _fail(job, message=str(error), error="")
        except Exception as error:
            logger.exception("background job %s (%s) failed", job.pk, job.kind)
            _fail(
                job,
                message=unexpected_error_message(),
                error=f"{type(error).__name__}: {error}"[:2000],
            )
        else:
            _finish(job, output=output, target=target)
    return BackgroundJob.objects.values_list("status", flat=True).get(pk=job.pk)


def _finish(job: BackgroundJob, *, output: JobOutput, target: IO[bytes]) -> None:
    fields: dict[str, Any] = {}
    size = target.tell()
    if output.download_name:
        target.seek(0)
        safe = PurePath(output.download_name).name[:160] or "download"
        stored = default_storage.save(f"{JOB_DIR}/{job.pk}/{safe}", File(target, name=safe))
        fields.update(
            file_name=stored,
            download_name=safe,
            content_type=output.content_type or "application/octet-stream",
            file_size=size,
        )
    now = timezone.now()
    BackgroundJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE,
        message=output.message,
        result_url=output.result_url[:200],
        finished_at=now,
        expires_at=now + JOB_TTL,
        progress_done=Coalesce(F("progress_total"), F("progress_done")),
        **fields,
    )


def _fail(job: BackgroundJob, *, message: str, error: str, now: datetime | None = None) -> None:
    now = now or timezone.now()
    BackgroundJob.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED,
        message=message,
        error=error,
        finished_at=now,
        expires_at=now + JOB_TTL,
    )


def job_file_delete(*, job: BackgroundJob) -> None:
    if job.file_name.startswith(f"{JOB_DIR}/"):
        default_storage.delete(job.file_name)


def jobs_cleanup(*, now: datetime | None = None) -> int:
    """Fail the jobs whose worker died (running for longer than any time limit allows: they
    can be started again), then delete the jobs kept past `expires_at` and their files; returns
    how many were deleted. Idempotent: a file already gone is not an error."""
    now = now or timezone.now()
    for job in BackgroundJob.objects.filter(
        status=JobStatus.RUNNING, started_at__lt=now - STALE_RUNNING
    ).only("pk", "language"):
        with translation.override(job.language or None):
            message = _("The worker stopped while running this job. Start it again.")
        _fail(job, message=message, error="stale: no outcome recorded", now=now)
    expired = BackgroundJob.objects.filter(expires_at__lt=now).exclude(status=JobStatus.RUNNING)
    count = 0
    for job in expired.only("pk", "file_name").order_by("pk").iterator(chunk_size=500):
        job_file_delete(job=job)
        count += BackgroundJob.objects.filter(pk=job.pk).delete()[0]
    return count


def job_page_redirect(job: BackgroundJob) -> HttpResponseRedirect:
    """What a view answers once it started a job: the job's page, where its progress shows."""
    return HttpResponseRedirect(reverse("job_detail", kwargs={"pk": job.pk}))
