"""Issue 17: long work leaves the request. In a browser, the catalogue export starts a job whose
page shows the progress and then the download link (htmx polling, a real worker), the job goes
on when the page is closed, and "My jobs" in the top bar lists it; in Vietnamese and Thai."""

import pytest
from playwright.sync_api import expect

from crm.celery import app as project_app
from tests.crm.test_jobs_worker import _app
from tests.inventory.factories import VariantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path, settings):
    from celery.contrib.testing.worker import start_worker

    settings.MEDIA_ROOT = tmp_path / "media"
    app = _app(tmp_path, None)
    app.set_current()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        project_app.set_current()
        project_app.set_default()  # start_worker made the test app the default one


def test_export_as_a_job_with_progress_download_and_my_jobs(
    live_server, signed_in, make_user, artifacts, worker
):
    make_user("manager", username="quanly", first_name="Quản lý")
    for n in range(3):
        VariantFactory(sku=f"AO-{n}")
    page = signed_in("quanly", next_url="/inventory/products/")
    page.get_by_role("button", name="Xuất CSV").click()
    page.wait_for_url(f"{live_server.url}/jobs/*/")
    download = page.get_by_test_id("job-download")
    expect(download).to_be_visible(timeout=30_000)  # the fragment polled until done
    expect(page.locator("#job-status")).to_contain_text("Đã xong")
    page.screenshot(path=str(artifacts / "job_done_vi.png"), full_page=True)
    with page.expect_download() as started:
        download.click()
    assert started.value.suggested_filename.startswith("catalogue-")
    assert started.value.suggested_filename.endswith(".csv")

    # Closing the page does not cancel: start one, leave, and find it done in My jobs.
    page.goto(f"{live_server.url}/inventory/products/")
    page.get_by_role("button", name="Xuất Excel").click()
    page.wait_for_url(f"{live_server.url}/jobs/*/")
    page.goto(f"{live_server.url}/")
    page.locator("details.menu summary").click()
    page.get_by_test_id("my-jobs").click()
    page.wait_for_url(f"{live_server.url}/jobs/")
    expect(page.locator("#job-table tbody tr")).to_have_count(2)
    expect(page.locator("#job-table")).not_to_contain_text("Đang chạy", timeout=30_000)
    expect(page.locator("#job-table a[download]")).to_have_count(2)
    page.screenshot(path=str(artifacts / "my_jobs_vi.png"), full_page=True)


def test_the_job_page_in_thai(live_server, signed_in, make_user, artifacts, worker):
    make_user("manager", username="thai", first_name="สมชาย")
    VariantFactory(sku="SILK-01")
    page = signed_in("thai", next_url="/inventory/products/", locale="th-TH")
    page.get_by_role("button", name="ส่งออก CSV").click()
    page.wait_for_url(f"{live_server.url}/jobs/*/")
    expect(page.get_by_test_id("job-download")).to_be_visible(timeout=30_000)
    expect(page.locator("#job-status")).to_contain_text("ดาวน์โหลด")
    page.screenshot(path=str(artifacts / "job_done_th.png"), full_page=True)


def test_a_waiting_job_keeps_polling(
    live_server, signed_in, make_user, artifacts, settings, tmp_path
):
    """No worker here: the job waits, and its page says so and keeps asking."""
    settings.MEDIA_ROOT = tmp_path
    make_user("manager", username="cho", first_name="Chờ")
    page = signed_in("cho", next_url="/inventory/products/")
    page.get_by_role("button", name="Xuất Excel").click()
    page.wait_for_url(f"{live_server.url}/jobs/*/")
    with page.expect_response(
        lambda r: "/jobs/" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        pass  # the fragment is asked for again within a second or so
    status = page.locator("#job-status")
    expect(status).to_contain_text("Đang chờ bộ xử lý nền")
    expect(status.locator("progress")).to_be_visible()
    page.screenshot(path=str(artifacts / "job_waiting_vi.png"), full_page=True)
