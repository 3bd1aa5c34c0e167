"""Background jobs as staff see them: one job's progress (polled by htmx until it ends, then
the download link), "My jobs", the download (its starter only, or an owner), run again."""

from __future__ import annotations

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.auth import require_perm
from common.htmx import render_partial_or_page
from common.jobs import job_retry
from common.models import BackgroundJob, JobStatus
from crm.roles import OWNER

TEMPLATE = "crm/job_detail.html"
LIST_SIZE = 50


def _sees_all(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_superuser or user.groups.filter(name=OWNER).exists())


def _job_or_404(request: HttpRequest, pk: int) -> BackgroundJob:
    """The job, when this user started it or is an owner; 404 otherwise (the same answer as
    for a job that does not exist)."""
    jobs = BackgroundJob.objects.select_related("owner")
    if not _sees_all(request):
        jobs = jobs.filter(owner_id=request.user.pk)
    job = jobs.filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


@require_GET
@require_perm()
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's page; an htmx request gets the status fragment alone (what the page polls)."""
    job = _job_or_404(request, pk)
    return render_partial_or_page(request, TEMPLATE, {"job": job}, partial="job-status")


@require_GET
@require_perm()
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = list(
        BackgroundJob.objects.filter(owner_id=request.user.pk).order_by("-created_at", "-pk")[
            :LIST_SIZE
        ]
    )
    context = {"jobs": jobs, "live": any(job.live for job in jobs)}
    return render_partial_or_page(request, "crm/job_list.html", context, partial="job-table")


@require_GET
@require_perm()
def job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _job_or_404(request, pk)
    if job.status != JobStatus.DONE or not job.file_name:
        raise Http404
    try:
        handle = default_storage.open(job.file_name, "rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(
        handle, as_attachment=True, filename=job.download_name, content_type=job.content_type
    )


@require_POST
@require_perm()
def job_run_again(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    if job_retry(job_id=job.pk):
        messages.success(request, _("The job was started again."))
    else:
        messages.error(request, _("Only a failed job can be started again."))
    return redirect("job_detail", pk=job.pk)
