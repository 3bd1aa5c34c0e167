"""Background jobs of the shared kernel (thin wrappers; the work is in common.jobs)."""

from __future__ import annotations

from celery import shared_task

from common.jobs import jobs_cleanup


@shared_task(name="common.jobs_cleanup", acks_late=True, ignore_result=True)
def cleanup_jobs() -> int:
    """Scheduled by beat every hour: expired background jobs and their files go. Idempotent."""
    return jobs_cleanup()
