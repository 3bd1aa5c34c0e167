"""The background job mechanism (common.jobs) and its pages: claim once, progress, failure with
a message in the starter's language, run again, My jobs, the polled fragment, the cleanup."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation

from common import jobs
from common.models import BackgroundJob, JobKind
from crm.celery import app as project_app
from tests.conftest import job_of

pytestmark = pytest.mark.django_db

CSV = "product_name,sku,sale_price\r\nLy sứ,LY-01,60000\r\n".encode()


def _job(owner, **fields) -> BackgroundJob:
    fields.setdefault("expires_at", timezone.now() + jobs.JOB_TTL)
    return BackgroundJob.objects.create(
        kind=JobKind.CATALOGUE_EXPORT, owner=owner, task_name="inventory.catalogue_export", **fields
    )


def _upload_and_apply(client, run_jobs, content=CSV):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = client.post(
        reverse("inventory:product_import"), {"file": SimpleUploadedFile("gia.csv", content)}
    )
    with run_jobs():
        response = client.post(upload["Location"])
    job = job_of(response)
    job.refresh_from_db()
    return job


def test_the_tasks_and_the_cleanup_schedule_are_registered():
    project_app.loader.import_default_modules()
    for name in (
        "common.jobs_cleanup",
        "inventory.catalogue_export",
        "inventory.catalogue_import",
        "orders.export_orders",
        "orders.picking_list_pdf",
        "orders.delivery_notes_pdf",
    ):
        assert project_app.tasks[name].acks_late is True, name
    assert project_app.tasks["orders.picking_list_pdf"].time_limit == 30 * 60
    entry = project_app.conf.beat_schedule["common-jobs-cleanup"]
    assert (entry["task"], entry["schedule"]) == ("common.jobs_cleanup", timedelta(hours=1))


def test_a_job_is_claimed_once_and_reports_progress(make_user):
    job = _job(make_user("manager"))
    seen = []

    def work(claimed, progress, target):
        seen.append(BackgroundJob.objects.get(pk=claimed.pk).status)
        progress(5, 40, force=True)
        seen.append(BackgroundJob.objects.values_list("progress_done", "progress_total").get())
        progress(6, 40)  # within a second of the last write: not written
        seen.append(BackgroundJob.objects.values_list("progress_done", flat=True).get())
        target.write(b"a;b\r\n")
        return jobs.JobOutput(message="ok", download_name="../x.csv", content_type="text/csv")

    assert jobs.job_run(job_id=job.pk, work=work) == "done"
    assert seen == ["running", (5, 40), 5]
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress_done, job.message) == ("done", 1, 40, "ok")
    assert (job.download_name, job.file_size) == ("x.csv", 5)
    assert job.file_name == f"jobs/{job.pk}/x.csv"
    assert default_storage.open(job.file_name).read() == b"a;b\r\n"
    # The message delivered again (acks_late after a lost ack) does not run the work again.
    assert jobs.job_run(job_id=job.pk, work=work) == "skipped"
    assert len(seen) == 3
    default_storage.delete(job.file_name)


def test_an_unexpected_error_fails_the_job_in_its_starters_language(make_user):
    job = _job(make_user("manager"), language="vi")

    def work(claimed, progress, target):
        raise ZeroDivisionError("division by zero")

    assert jobs.job_run(job_id=job.pk, work=work) == "failed"
    job.refresh_from_db()
    assert job.error == "ZeroDivisionError: division by zero"
    with translation.override("vi"):
        assert job.message == jobs.unexpected_error_message()
    assert job.message.startswith("Công việc")
    assert job.finished_at is not None


def test_a_failed_import_says_why_and_runs_again_once_fixed(
    client, login_as, run_jobs, settings, tmp_path
):
    from inventory.models import Variant

    settings.MEDIA_ROOT = tmp_path
    login_as("manager")
    job = _upload_and_apply(client, run_jobs)
    assert job.status == "done"
    job.status = "failed"  # as if the apply had failed: the file is gone since it succeeded
    job.save()
    with run_jobs():
        response = client.post(reverse("job_run_again", args=[job.pk]))
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("failed", 2)
    assert job.message == "The uploaded file is no longer kept; upload it again."
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert job.message in page
    assert reverse("job_run_again", args=[job.pk]) in page
    assert 'hx-trigger="every 1s"' not in page
    assert Variant.objects.filter(sku="LY-01").count() == 1


def test_an_import_the_data_changed_under_fails_then_runs_again(
    client, login_as, run_jobs, settings, tmp_path
):
    """The dry run was clean; by the time the worker applies it a barcode is taken: the job
    fails with the reason and nothing changed; once the clash is gone, run again: done."""
    from tests.inventory.factories import VariantFactory

    settings.MEDIA_ROOT = tmp_path
    login_as("manager")
    content = "product_name,sku,barcode\r\nLy sứ,LY-01,8930001000018\r\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = client.post(
        reverse("inventory:product_import"), {"file": SimpleUploadedFile("ly.csv", content)}
    )
    assert client.get(upload["Location"]).context["plan"].errors == []
    response = client.post(upload["Location"])  # queued; no worker yet
    job = job_of(response)
    other = VariantFactory(sku="OTHER-1", barcode="8930001000018")
    with run_jobs():
        jobs._publish(job)  # the worker takes it now
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.message.startswith("The file has errors; nothing was changed. row 2, barcode: ")
    assert not type(other).objects.filter(sku="LY-01").exists()
    other.barcode = ""
    other.save()
    with run_jobs():
        client.post(reverse("job_run_again", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)
    assert type(other).objects.filter(sku="LY-01", barcode="8930001000018").exists()
    assert list(tmp_path.joinpath("imports").iterdir()) == []  # kept until it succeeded


def test_the_fragment_polls_while_live_then_shows_the_download(client, login_as):
    user = login_as("sales")
    job = _job(user, progress_done=30, progress_total=120, status="running")
    url = reverse("job_detail", args=[job.pk])
    fragment = client.get(url, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert body.lstrip().startswith('<section id="job-status"')
    assert "<html" not in body
    assert 'hx-trigger="every 1s"' in body
    assert f'hx-get="{url}"' in body
    assert '<progress max="100" value="25"></progress>' in body
    assert "30 / 120" in body
    assert "HX-Request" in fragment["Vary"]
    BackgroundJob.objects.filter(pk=job.pk).update(
        status="done", file_name="jobs/x/a.csv", download_name="a.csv", file_size=2048
    )
    body = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in body
    assert f'href="{reverse("job_download", args=[job.pk])}"' in body
    assert "Download a.csv" in body
    assert "2.0\xa0KB" in body


def test_my_jobs_lists_mine_only_and_is_in_the_top_bar(client, login_as, make_user):
    other = make_user("sales")
    _job(other, title="Not mine")
    me = login_as("sales")
    mine = _job(me, title="Xuất danh mục", status="done")
    page = client.get(reverse("job_list")).content.decode()
    assert "Xuất danh mục" in page
    assert "Not mine" not in page
    assert 'hx-trigger="every 2s"' not in page  # nothing live: no polling
    assert f'href="{reverse("job_list")}"' in client.get(reverse("dashboard")).content.decode()
    _job(me, title="Đang chạy", status="running")
    assert 'hx-trigger="every 2s"' in client.get(reverse("job_list")).content.decode()
    assert f'href="{reverse("job_detail", args=[mine.pk])}"' in page


def test_only_a_failed_job_runs_again(client, login_as):
    user = login_as("sales")
    job = _job(user, status="done")
    response = client.post(reverse("job_run_again", args=[job.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Only a failed job can be started again."
    ]
    assert BackgroundJob.objects.get(pk=job.pk).status == "done"


def test_cleanup_deletes_expired_jobs_and_their_files(make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    owner = make_user("manager")
    now = timezone.now()
    old_name = default_storage.save("jobs/1/old.csv", io_file(b"old"))
    new_name = default_storage.save("jobs/2/new.csv", io_file(b"new"))
    old = _job(owner, status="done", file_name=old_name, expires_at=now - timedelta(minutes=1))
    failed = _job(owner, status="failed", expires_at=now - timedelta(days=1))
    fresh = _job(owner, status="done", file_name=new_name, expires_at=now + timedelta(days=1))
    running = _job(owner, status="running", started_at=now - timedelta(minutes=5), expires_at=now)
    assert jobs.jobs_cleanup(now=now + timedelta(seconds=1)) == 2
    assert set(BackgroundJob.objects.values_list("pk", flat=True)) == {fresh.pk, running.pk}
    assert not default_storage.exists(old_name)
    assert default_storage.exists(new_name)
    assert jobs.jobs_cleanup(now=now + timedelta(seconds=1)) == 0
    assert old.pk != failed.pk


def test_cleanup_fails_a_job_whose_worker_died(make_user):
    now = timezone.now()
    owner = make_user("manager")
    dead = _job(owner, status="running", language="th", started_at=now - timedelta(minutes=36))
    alive = _job(owner, status="running", started_at=now - timedelta(minutes=30))
    assert jobs.jobs_cleanup(now=now) == 0
    dead.refresh_from_db()
    assert (dead.status, dead.finished_at, dead.expires_at) == (
        "failed",
        now,
        now + jobs.JOB_TTL,
    )
    with translation.override("th"):
        assert dead.message == "ตัวประมวลผลเบื้องหลังหยุดระหว่างทำงานนี้ โปรดเริ่มใหม่"
    assert BackgroundJob.objects.get(pk=alive.pk).status == "running"


def io_file(data: bytes):
    from django.core.files.base import ContentFile

    return ContentFile(data)
