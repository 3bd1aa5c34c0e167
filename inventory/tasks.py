"""Background jobs of the inventory app (thin wrappers; the work is in the services)."""

from __future__ import annotations

from celery import shared_task

from common.jobs import JOB_TASK_OPTIONS
from inventory.services.imports import background


@shared_task(name=background.EXPORT_TASK, **JOB_TASK_OPTIONS)
def catalogue_export(*, job_id: int) -> str:
    return background.catalogue_export_run(job_id=job_id)


@shared_task(name=background.IMPORT_TASK, **JOB_TASK_OPTIONS)
def catalogue_import(*, job_id: int) -> str:
    return background.catalogue_import_run(job_id=job_id)
