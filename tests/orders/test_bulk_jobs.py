"""The order list's big bulk files as background jobs: the CSV / Excel export and the picking
list and delivery notes PDFs, started from the bulk bar, run by the job's task, downloaded by
the member of staff who started them (or an owner) and nobody else."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from common.models import BackgroundJob
from orders.services import bulk_jobs
from orders.services.orders.transitions import order_confirm
from tests.conftest import job_of
from tests.orders.factories import make_order
from tests.orders.test_bulk import local, needs_pdf, pdf_text, shop  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(shop, monkeypatch, settings, tmp_path):  # noqa: F811 (the fixture imported above)
    """Three orders, and thresholds of two: three is "big" and goes to a job."""
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(bulk_jobs, "EXPORT_NOW", 2)
    monkeypatch.setattr(bulk_jobs, "PDF_NOW", 2)
    buyer, hcm, shirt, silk = (shop[k] for k in ("buyer", "hcm", "shirt", "silk"))
    orders = [
        make_order(buyer, hcm, [(shirt, 1)], now=local(2025, 3, 1, 9)),
        make_order(buyer, hcm, [(silk, 2)], now=local(2025, 3, 1, 10)),
        make_order(buyer, hcm, [(shirt, 1), (silk, 1)], now=local(2025, 3, 1, 11)),
    ]
    order_confirm(order_id=orders[1].pk, user_id=None)
    return orders


def _start(client, run_jobs, name, orders, **data):
    with run_jobs():
        response = client.post(
            reverse(f"orders:order_bulk_{name}"), {"order": [o.pk for o in orders], **data}
        )
    job = job_of(response)
    job.refresh_from_db()
    return job


def _download(client, job):
    response = client.get(reverse("job_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{job.download_name}"'
    return b"".join(response.streaming_content)


def test_a_big_csv_export_is_a_job_its_starter_downloads(client, login_as, three, run_jobs):
    accountant = login_as("accountant")
    job = _start(client, run_jobs, "export", three, format="csv")
    assert (job.kind, job.status, job.owner, job.title) == (
        "order_export",
        "done",
        accountant,
        "Order export (CSV), 3 orders",
    )
    assert (job.progress_done, job.progress_total) == (3, 3)
    assert job.params == {"order_ids": [o.pk for o in three], "format": "csv"}
    assert job.download_name.startswith("orders-")
    assert job.download_name.endswith(".csv")
    content = _download(client, job)
    assert job.file_size == len(content)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [o.number for o in three]
    # Another member of staff sees neither the job nor its file; an owner sees both.
    login_as("accountant")
    for name in ("job_detail", "job_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    login_as("owner")
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 200
    assert _download(client, job).startswith(b"\xef\xbb\xbf")


def test_a_big_excel_export_is_a_job(client, login_as, three, run_jobs):
    login_as("manager")
    job = _start(client, run_jobs, "export", three, format="xlsx")
    assert (job.status, job.content_type) == ("done", bulk_jobs.XLSX_TYPE)
    workbook = load_workbook(io.BytesIO(_download(client, job)), read_only=True)
    numbers = [row[0] for row in workbook["Orders"].iter_rows(min_row=2, values_only=True)]
    assert numbers == [o.number for o in three]
    lines = list(workbook["Order lines"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[1], row[3]) for row in lines] == [
        (three[0].number, "AO-001", 1),
        (three[1].number, "SILK-01", 2),
        (three[2].number, "AO-001", 1),
        (three[2].number, "SILK-01", 1),
    ]


def test_a_small_export_is_still_answered_at_once(client, login_as, three):
    login_as("manager")
    response = client.post(
        reverse("orders:order_bulk_export"), {"order": [three[0].pk], "format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert BackgroundJob.objects.count() == 0


@needs_pdf
def test_a_big_picking_list_is_a_job(client, login_as, three, run_jobs):
    login_as("warehouse")
    job = _start(client, run_jobs, "picking_list", three)
    assert (job.kind, job.status, job.title) == ("picking_list", "done", "Picking list, 3 orders")
    assert job.content_type == "application/pdf"
    lines = [" ".join(line.split()) for line in pdf_text(_download(client, job)).splitlines()]
    assert "PICKING LIST Orders: 3" in lines
    assert "HCM01 · Kho Hồ Chí Minh 3 orders, 5 units" in lines


@needs_pdf
def test_big_delivery_notes_are_a_job_one_page_per_order(client, login_as, three, run_jobs):
    login_as("warehouse")
    job = _start(client, run_jobs, "delivery_notes", three)
    assert (job.kind, job.status) == ("delivery_notes", "done")
    text = pdf_text(_download(client, job))
    assert text.count("\f") == 3
    assert [text.index(o.number) for o in three] == sorted(text.index(o.number) for o in three)


def test_a_job_page_after_the_start_polls_until_done(client, login_as, three, settings):
    """Without a worker (nothing runs the task here) the job waits; its page polls."""
    login_as("warehouse")
    response = client.post(
        reverse("orders:order_bulk_picking_list"), {"order": [o.pk for o in three]}
    )
    job = job_of(response)
    assert job.status == "queued"
    page = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert "Waiting for a worker" in page
    assert reverse("job_download", args=[job.pk]) not in page
