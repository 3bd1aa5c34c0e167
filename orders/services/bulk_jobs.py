"""The order list's big bulk files as background jobs (see common.jobs): the CSV and Excel
export above EXPORT_NOW orders, the picking list and the delivery notes above PDF_NOW orders.
Smaller selections are answered in the request, as before (orders.views.bulk).

The PDFs are built here from the same selectors and templates as the request's answer, as a
function of the order ids and the active language alone (no request: `base_url` is SITE_URL).
A PDF is one WeasyPrint call: its page shows a busy bar, not a percentage.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.jobs import JobOutput, JobProgress, job_run, job_start
from common.models import BackgroundJob, JobKind
from common.spreadsheets import CSV_TYPE, XLSX_TYPE
from orders.documents import delivery_notes_pdf, picking_list_pdf
from orders.services.bulk import orders_export_csv, orders_export_xlsx

EXPORT_NOW = 1000  # orders exported in the request; more go to a background job
PDF_NOW = 20  # orders printed in the request; more go to a background job

EXPORT_TASK = "orders.export_orders"
PICKING_TASK = "orders.picking_list_pdf"
NOTES_TASK = "orders.delivery_notes_pdf"
PDF_TYPE = "application/pdf"


def _language() -> str:
    """The job runs in its starter's language (common.jobs.job_run): the document too."""
    return translation.get_language() or settings.LANGUAGE_CODE


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


# --- Starting ---------------------------------------------------------------------------------


def _count(order_ids: Sequence[int]) -> str:
    count = len(order_ids)
    return ngettext("%(count)d order", "%(count)d orders", count) % {"count": count}


def orders_export_start(
    *, owner_id: int | None, order_ids: Sequence[int], file_format: str
) -> BackgroundJob:
    if file_format not in ("csv", "xlsx"):
        raise ValueError(f"unknown export format {file_format!r}")
    return job_start(
        kind=JobKind.ORDER_EXPORT,
        owner_id=owner_id,
        task_name=EXPORT_TASK,
        params={"order_ids": list(order_ids), "format": file_format},
        title=_("Order export (%(format)s), %(orders)s")
        % {"format": file_format.upper(), "orders": _count(order_ids)},
    )


def picking_list_start(*, owner_id: int | None, order_ids: Sequence[int]) -> BackgroundJob:
    return job_start(
        kind=JobKind.PICKING_LIST,
        owner_id=owner_id,
        task_name=PICKING_TASK,
        params={"order_ids": list(order_ids)},
        title=_("Picking list, %(orders)s") % {"orders": _count(order_ids)},
    )


def delivery_notes_start(*, owner_id: int | None, order_ids: Sequence[int]) -> BackgroundJob:
    return job_start(
        kind=JobKind.DELIVERY_NOTES,
        owner_id=owner_id,
        task_name=NOTES_TASK,
        params={"order_ids": list(order_ids)},
        title=_("Delivery notes, %(orders)s") % {"orders": _count(order_ids)},
    )


# --- Running (in the worker) ------------------------------------------------------------------


def orders_export_run(*, job_id: int) -> str:
    return job_run(job_id=job_id, work=_export)


def _export(job: BackgroundJob, progress: JobProgress, target: IO[bytes]) -> JobOutput:
    order_ids = [int(pk) for pk in job.params["order_ids"]]
    total = len(order_ids)
    progress(0, total, force=True)
    if job.params["format"] == "csv":
        for piece in orders_export_csv(order_ids=order_ids, progress=lambda n: progress(n)):
            target.write(piece.encode("utf-8"))
        return JobOutput(download_name=f"orders-{_stamp()}.csv", content_type=CSV_TYPE)
    orders_export_xlsx(order_ids=order_ids, target=target, progress=lambda n: progress(n))
    return JobOutput(download_name=f"orders-{_stamp()}.xlsx", content_type=XLSX_TYPE)


def picking_list_run(*, job_id: int) -> str:
    return job_run(job_id=job_id, work=_picking)


def _picking(job: BackgroundJob, progress: JobProgress, target: IO[bytes]) -> JobOutput:
    order_ids = [int(pk) for pk in job.params["order_ids"]]
    target.write(picking_list_pdf(order_ids=order_ids, language=_language()))
    return JobOutput(download_name=f"picking-list-{_stamp()}.pdf", content_type=PDF_TYPE)


def delivery_notes_run(*, job_id: int) -> str:
    return job_run(job_id=job_id, work=_notes)


def _notes(job: BackgroundJob, progress: JobProgress, target: IO[bytes]) -> JobOutput:
    order_ids = [int(pk) for pk in job.params["order_ids"]]
    target.write(delivery_notes_pdf(order_ids=order_ids, language=_language()))
    return JobOutput(download_name=f"delivery-notes-{_stamp()}.pdf", content_type=PDF_TYPE)
