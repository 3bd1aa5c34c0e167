"""Background jobs of the orders app (thin wrappers; the work is in the services)."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from common.jobs import JOB_TASK_OPTIONS
from orders.services import bulk_jobs
from orders.services.sales_rollup import (
    customer_rollup_mismatches,
    customer_rollup_rebuild,
    sales_rollup_mismatches,
    sales_rollup_rebuild,
)

logger = logging.getLogger(__name__)


@shared_task(name="orders.verify_sales_rollup", acks_late=True)
def verify_sales_rollup(*, days: int = 35) -> int:
    """Nightly: compare the report rollups (variants and customers) of the recent months with
    the orders, and rebuild those months when they differ (a deploy that shipped orders with
    old code, a restore). Returns the number of differing rows found. Idempotent."""
    today = timezone.localdate()
    day_from = today - timedelta(days=days)
    differing, sample = sales_rollup_mismatches(day_from=day_from, day_to=today, limit=5)
    if differing:
        logger.warning(
            "sales rollup: %d rows differ since %s (e.g. %s); rebuilding",
            differing,
            day_from,
            sample,
        )
        sales_rollup_rebuild(day_from=day_from, day_to=today)
    customers, sample = customer_rollup_mismatches(day_from=day_from, day_to=today, limit=5)
    if customers:
        logger.warning(
            "customer rollup: %d rows differ since %s (e.g. %s); rebuilding",
            customers,
            day_from,
            sample,
        )
        customer_rollup_rebuild(day_from=day_from, day_to=today)
    return differing + customers


@shared_task(name=bulk_jobs.EXPORT_TASK, **JOB_TASK_OPTIONS)
def export_orders(*, job_id: int) -> str:
    return bulk_jobs.orders_export_run(job_id=job_id)


@shared_task(name=bulk_jobs.PICKING_TASK, **JOB_TASK_OPTIONS)
def picking_list_pdf(*, job_id: int) -> str:
    return bulk_jobs.picking_list_run(job_id=job_id)


@shared_task(name=bulk_jobs.NOTES_TASK, **JOB_TASK_OPTIONS)
def delivery_notes_pdf(*, job_id: int) -> str:
    return bulk_jobs.delivery_notes_run(job_id=job_id)
