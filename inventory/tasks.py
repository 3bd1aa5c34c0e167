"""Background jobs of the inventory app (thin wrappers; the work is in the services)."""

from __future__ import annotations

from celery import shared_task

from inventory.services.imports import background

# Jobs of minutes for big files: 30 minutes allowed (the default is 10).
JOB_TIME_LIMIT = 30 * 60


@shared_task(
    name=background.EXPORT_TASK,
    acks_late=True,
    ignore_result=True,
    time_limit=JOB_TIME_LIMIT,
    soft_time_limit=JOB_TIME_LIMIT - 60,
)
def catalogue_export(*, job_id: int) -> str:
    return background.catalogue_export_run(job_id=job_id)


@shared_task(
    name=background.IMPORT_TASK,
    acks_late=True,
    ignore_result=True,
    time_limit=JOB_TIME_LIMIT,
    soft_time_limit=JOB_TIME_LIMIT - 60,
)
def catalogue_import(*, job_id: int) -> str:
    return background.catalogue_import_run(job_id=job_id)
