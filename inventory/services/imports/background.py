"""The catalogue export and the apply of an import as background jobs (see common.jobs).

The upload and the dry run stay in the request (they answer in seconds for the largest file
accepted: MAX_ROWS rows, MAX_FILE_BYTES); the apply, one transaction that can take minutes for
a big file, and the export, which reads the whole catalogue, run in a worker. The file of an
import is kept until its job succeeds, so a failed apply can be started again.
"""

from __future__ import annotations

from typing import IO

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.jobs import JobFailed, JobOutput, JobProgress, counted, job_run, job_start
from common.models import BackgroundJob, JobKind
from common.spreadsheets import CSV_TYPE, XLSX_TYPE
from inventory.errors import InventoryError
from inventory.models import Variant
from inventory.selectors import catalogue as selectors
from inventory.services.imports import apply, export, parse

EXPORT_TASK = "inventory.catalogue_export"
IMPORT_TASK = "inventory.catalogue_import"
ERRORS_IN_MESSAGE = 5


def catalogue_export_start(
    *, owner_id: int | None, file_format: str, with_costs: bool
) -> BackgroundJob:
    """Queue the catalogue export as CSV or Excel ("csv" or "xlsx")."""
    if file_format not in ("csv", "xlsx"):
        raise ValueError(f"unknown export format {file_format!r}")
    return job_start(
        kind=JobKind.CATALOGUE_EXPORT,
        owner_id=owner_id,
        task_name=EXPORT_TASK,
        params={"format": file_format, "with_costs": with_costs},
        title=_("Catalogue export (%(format)s)") % {"format": file_format.upper()},
    )


def catalogue_export_run(*, job_id: int) -> str:
    return job_run(job_id=job_id, work=_export)


def _export(job: BackgroundJob, progress: JobProgress, target: IO[bytes]) -> JobOutput:
    file_format, with_costs = job.params["format"], bool(job.params["with_costs"])
    warehouses = selectors.export_warehouses()
    header = selectors.catalogue_export_header(warehouses=warehouses, with_costs=with_costs)
    rows = counted(
        selectors.catalogue_export_rows(warehouses=warehouses, with_costs=with_costs),
        progress=progress,
        total=Variant.objects.count(),
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if file_format == "csv":
        for piece in export.export_csv_lines(header=header, rows=rows):
            target.write(piece.encode("utf-8"))
        content_type = CSV_TYPE
    else:
        export.export_xlsx(header=header, rows=rows, target=target)
        content_type = XLSX_TYPE
    return JobOutput(download_name=f"catalogue-{stamp}.{file_format}", content_type=content_type)


def catalogue_import_start(
    *, owner_id: int | None, stored: parse.StoredImport, with_costs: bool
) -> BackgroundJob:
    """Queue the apply of an uploaded file (kept by parse.import_file_store)."""
    return job_start(
        kind=JobKind.CATALOGUE_IMPORT,
        owner_id=owner_id,
        task_name=IMPORT_TASK,
        params={
            "name": stored.name,
            "filename": stored.filename,
            "reference": stored.token[:16],
            "with_costs": with_costs,
        },
        title=_("Import %(file)s") % {"file": stored.filename},
    )


def catalogue_import_run(*, job_id: int) -> str:
    return job_run(job_id=job_id, work=_import)


def _import(job: BackgroundJob, progress: JobProgress, target: IO[bytes]) -> JobOutput:
    params = job.params
    try:
        header, rows = parse.read_table(name=params["name"])
    except FileNotFoundError as error:
        raise JobFailed(_("The uploaded file is no longer kept; upload it again.")) from error
    except InventoryError as error:
        raise JobFailed(str(error)) from error
    progress(0, len(rows), force=True)
    try:
        summary = apply.catalogue_import_apply(
            header=header,
            rows=rows,
            filename=params["filename"],
            user_id=job.owner_id,
            reference=params["reference"],
            with_costs=bool(params["with_costs"]),
        )
    except apply.ImportInvalid as invalid:
        shown = [
            _("row %(row)s, %(column)s: %(message)s")
            % {"row": e.row, "column": e.column, "message": e.message}
            for e in invalid.plan.errors[:ERRORS_IN_MESSAGE]
        ]
        raise JobFailed(" ".join([str(invalid), *shown])) from invalid
    except InventoryError as error:
        raise JobFailed(str(error)) from error
    progress(len(rows), len(rows), force=True)
    parse.import_file_discard(name=params["name"])
    message = _(
        "Import %(file)s applied: %(pc)d products created, %(pu)d updated; "
        "%(vc)d variants created, %(vu)d updated; %(sc)d stock adjustments."
    ) % {
        "file": params["filename"],
        "pc": summary.products_created,
        "pu": summary.products_updated,
        "vc": summary.variants_created,
        "vu": summary.variants_updated,
        "sc": summary.stock_changes,
    }
    return JobOutput(message=message, result_url=reverse("inventory:product_list"))
