"""The Shipments list in Thai and a COD statement checked against our parcels in Vietnamese,
in Chromium over the GHN sandbox: the statement's rows are classed (a match, an amount that
differs, an unknown tracking number) before anything is recorded. Screenshots in
test-artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from common.spreadsheets import MONEY, TEXT, Column, Table, csv_bytes
from shipping.models import CodReceipt
from tests.shipping.conftest_ghn import ghn_callbacks, ghn_sandbox  # noqa: F401 - fixtures
from tests.shipping.conftest_ship import (  # noqa: F401
    ghn_account,
    ghn_hook,
    ship_order,
    ship_spec,
    ship_warehouse,
)
from tests.shipping.test_cod import make_parcel, walk  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("encryption_keys"),
]


def test_shipments_in_thai_and_a_cod_statement_checked(
    live_server,
    signed_in,
    make_user,
    make_parcel,  # noqa: F811
    artifacts,
    tmp_path,
):
    delivered = make_parcel("delivered")
    waiting = make_parcel("")
    assert (delivered.state, waiting.state) == ("delivered", "created")
    make_user("manager", username="quanly")

    page = signed_in("quanly", next_url="/shipping/shipments/", locale="th-TH")
    rows = page.locator('[data-testid="shipment-row"]')
    expect(rows).to_have_count(2)
    expect(page.locator("main")).to_contain_text(delivered.tracking_number)
    expect(page.locator("main")).to_contain_text(waiting.tracking_number)
    page.screenshot(path=str(artifacts / "shipments-th.png"), full_page=True)

    statement = Table(
        sheet="COD",
        columns=[
            Column("Mã vận đơn", TEXT),
            Column("Tiền thu hộ (COD)", MONEY),
            Column("Phí dịch vụ", MONEY),
            Column("Ngày chuyển tiền", TEXT),
        ],
        rows=[
            [delivered.tracking_number, delivered.cod_amount, 5000, "07/12/2026"],
            [waiting.tracking_number, waiting.cod_amount + 1000, 5000, "07/12/2026"],
            ["GZZZZZZZ", 100000, 5000, "07/12/2026"],
        ],
    )
    path = tmp_path / "cod.csv"
    path.write_bytes(csv_bytes(statement))

    page = signed_in("quanly", next_url="/shipping/cod/")
    form = page.locator('[data-testid="cod-upload"]')
    form.locator("select").first.select_option(label="GHN Quận 1")
    form.locator("input[type=file]").set_input_files(str(path))
    form.locator("button[type=submit]").click()
    lines = page.locator('[data-testid="cod-line"]')
    expect(lines).to_have_count(3)
    kinds = {}
    for i in range(3):
        line = lines.nth(i)
        text = line.inner_text()
        number = next(
            n for n in (delivered.tracking_number, waiting.tracking_number, "GZZZZZZZ") if n in text
        )
        kinds[number] = line.get_attribute("data-kind")
    assert kinds == {
        delivered.tracking_number: "match",
        waiting.tracking_number: "not_delivered",
        "GZZZZZZZ": "unknown",
    }
    expect(page.locator('[data-testid="cod-confirm"]')).to_be_visible()
    page.screenshot(path=str(artifacts / "cod-statement-vi.png"), full_page=True)
    assert not CodReceipt.objects.exists()  # nothing recorded before confirming
