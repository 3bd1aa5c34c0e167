"""The one model of the shared kernel: a background job started by a member of staff (an
import, an export, a bulk PDF) that a Celery worker runs while the page polls its progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.db import choices_check


class JobKind(models.TextChoices):
    CATALOGUE_IMPORT = "catalogue_import", _("Catalogue import")
    CATALOGUE_EXPORT = "catalogue_export", _("Catalogue export")
    ORDER_EXPORT = "order_export", _("Order export")
    PICKING_LIST = "picking_list", _("Picking list")
    DELIVERY_NOTES = "delivery_notes", _("Delivery notes")
    PARCELS = "parcels", _("Parcels with the carrier")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class BackgroundJob(models.Model):
    """One job: who started it, what it is (`task_name` + `params`, so it can be run again),
    how far it got, and its outcome: a `message` in the starter's `language`, and for jobs
    that make a file, the file under MEDIA_ROOT (`file_name`, a storage name) with the name
    the browser saves it as. `expires_at`: when the beat cleanup deletes the file and the row."""

    Kind = JobKind
    Status = JobStatus

    kind = models.CharField(_("kind"), max_length=24, choices=JobKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.CASCADE,
        related_name="background_jobs",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    task_name = models.CharField(max_length=80)
    params = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=8, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    file_name = models.CharField(max_length=255, blank=True)
    download_name = models.CharField(max_length=160, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    file_size = models.BigIntegerField(null=True, blank=True)
    result_url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("kept until"))

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        constraints = [
            choices_check("kind", JobKind, "common_job_kind_valid"),
            choices_check("status", JobStatus, "common_job_status_valid"),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="common_job_owner_recent_idx"),
            models.Index(fields=["expires_at"], name="common_job_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def live(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, self.progress_done * 100 // self.progress_total)
