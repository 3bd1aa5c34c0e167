"""A background job end to end through a real broker and a real Celery worker, in both modes
(filesystem broker without Redis, Redis when REDIS_URL is set): the page starts it, the worker
runs it, the page shows the download, the starter downloads the file."""

from __future__ import annotations

import csv
import io
import os
import time

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

import common.tasks  # noqa: F401  (registers the shared tasks with every app)
import inventory.tasks  # noqa: F401
from common.models import BackgroundJob
from crm.celery import app as project_app
from crm.celery_config import celery_settings
from tests.conftest import job_of


def _app(tmp_path, redis_url: str | None) -> Celery:
    app = Celery("crm-test-jobs", set_as_current=False)
    app.conf.update(celery_settings(redis_url=redis_url, var_dir=tmp_path))
    app.conf.update(worker_hijack_root_logger=False, task_default_queue=f"test-jobs-{os.getpid()}")
    return app


def _wait_done(job: BackgroundJob, timeout: float = 60) -> BackgroundJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if not job.live:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job.pk} still {job.status} after {timeout} s")


def _export_through_a_worker(client, login_as, settings, tmp_path, redis_url):
    from tests.inventory.factories import VariantFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    VariantFactory(sku="LY-01")
    VariantFactory(sku="DIA-01")
    login_as("manager")
    app = _app(tmp_path, redis_url)
    app.set_current()  # what the web process publishes to
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            response = client.post(reverse("inventory:product_export"), {"format": "csv"})
            job = _wait_done(job_of(response))
    finally:
        project_app.set_current()
        project_app.set_default()  # start_worker made the test app the default one
    assert (job.status, job.attempts, job.progress_done, job.progress_total) == ("done", 1, 2, 2)
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert reverse("job_download", args=[job.pk]) in page
    content = b"".join(client.get(reverse("job_download", args=[job.pk])).streaming_content)
    header, *rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    assert sorted(row[header.index("sku")] for row in rows) == ["DIA-01", "LY-01"]


@pytest.mark.django_db(transaction=True)
def test_a_job_runs_in_a_real_worker_without_redis(client, login_as, settings, tmp_path):
    _export_through_a_worker(client, login_as, settings, tmp_path, None)


@pytest.mark.needs("redis")
@pytest.mark.django_db(transaction=True)
def test_a_job_runs_in_a_real_worker_with_redis(client, login_as, settings, tmp_path):
    _export_through_a_worker(client, login_as, settings, tmp_path, os.environ["REDIS_URL"])


@pytest.mark.django_db
def test_a_job_that_cannot_be_queued_fails_at_once_and_says_why(
    make_user, tmp_path, django_capture_on_commit_callbacks
):
    """The broker is down (nothing listens on port 1): the job does not wait forever."""
    from common.jobs import job_start
    from common.models import JobKind

    app = _app(tmp_path, "redis://127.0.0.1:1/0")
    app.conf.update(broker_connection_retry=False, broker_connection_max_retries=0)
    app.set_current()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = job_start(
                kind=JobKind.CATALOGUE_EXPORT,
                owner_id=make_user("manager").pk,
                task_name="inventory.catalogue_export",
                params={"format": "csv", "with_costs": False},
            )
    finally:
        project_app.set_current()
        project_app.set_default()  # start_worker made the test app the default one
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.message == (
        "The job could not be queued: the background worker cannot be reached. "
        "Start it again in a few minutes."
    )
    assert job.error.startswith("OperationalError")
