"""In Chromium: dates typed as dd/mm/yyyy in an English-locale browser, filter selects and search
boxes wide enough for their Vietnamese and Thai labels, and the favicon."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from crm.services import user_set_language
from followups.models import FollowUp
from tests.followups.test_pages import a_request
from tests.orders.factories import WarehouseFactory, make_customer, make_order, stocked_variant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HCM = ZoneInfo("Asia/Ho_Chi_Minh")

# For each select of a filter bar: the widest option's text against the room inside the box
# (its width less padding, border and the arrow); for each search box, its placeholder.
MEASURE = """(root) => {
  const canvas = document.createElement("canvas").getContext("2d");
  const out = [];
  for (const el of root.querySelectorAll("select, input[type=search]")) {
    if (!el.offsetParent) continue;
    const cs = getComputedStyle(el);
    canvas.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
    const texts = el.tagName === "SELECT" ? [...el.options].map(o => o.text) : [el.placeholder];
    const widest = Math.max(...texts.map(t => canvas.measureText(t).width));
    const arrow = el.tagName === "SELECT" ? 16 : 0;
    const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - arrow;
    out.push({name: el.name, widest: Math.ceil(widest), room: Math.floor(room)});
  }
  return out;
}"""


def test_dates_typed_day_first_in_an_english_browser(live_server, signed_in, make_user, artifacts):
    user = make_user("manager", username="an", first_name="An")
    user_set_language(user=user, language="en")
    hcm = WarehouseFactory(code="HCM01", name="Kho Hồ Chí Minh")
    shirt = stocked_variant(hcm, 50, price="150000", sku="AO-001")
    buyer = make_customer(name="Nguyễn Thị Hoa", phones=("0912 345 678",))
    august = make_order(buyer, hcm, [(shirt, 1)], now=datetime(2026, 8, 12, 10, 0, tzinfo=HCM))
    december = make_order(buyer, hcm, [(shirt, 1)], now=datetime(2026, 12, 8, 10, 0, tzinfo=HCM))
    request = a_request("Chị Mai", "0912 000 123")

    page = signed_in("an", locale="en-US")

    # The follow-up panel: 12/08/2026 typed into the next-contact date is 12 August.
    page.goto(f"{live_server.url}/followups/requests/{request.pk}/")
    form = page.locator('[data-testid="followup-log-form"]')
    day = form.locator("input[name=next_date]")
    assert (day.get_attribute("type"), day.get_attribute("placeholder")) == (
        "text",
        "dd/mm/yyyy",
    )
    day.fill("")
    day.press_sequentially("12/08/2026")
    form.locator("input[name=next_time]").fill("14:30")
    form.locator("textarea[name=note]").fill("Khách hẹn gọi lại")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        form.locator("button[type=submit]").click()
    assert answer.value.status == 200
    page.wait_for_selector('[data-testid="followup-next"] time')
    thread = FollowUp.objects.get(contact_request=request)
    assert timezone.localtime(thread.next_contact_at).replace(tzinfo=None) == datetime(
        2026, 8, 12, 14, 30
    )
    next_text = page.locator('[data-testid="followup-next"]').inner_text()
    assert next_text.endswith("12/08/2026 14:30")
    page.screenshot(path=str(artifacts / "formats_followup_date_en.png"), full_page=True)

    # The order list's date filter: the same text is the same day, and the URL keeps it.
    page.goto(f"{live_server.url}/orders/")
    for name in ("date_from", "date_to"):
        field = page.locator(f"#order-filters input[name={name}]")
        field.press_sequentially("12/08/2026")
        with page.expect_response(lambda r: "/orders/?" in r.url):
            field.press("Tab")
    assert page.locator("#order-table a[data-open]").all_inner_texts() == [august.number]
    created = page.locator("#order-table tr[data-order-row] td:nth-child(4)")
    assert created.all_inner_texts() == ["12/08/2026 10:00"]
    assert "date_from=12%2F08%2F2026" in page.url
    page.screenshot(path=str(artifacts / "formats_order_filter_en.png"), full_page=True)

    # The calendar under the field shows the typed day and picks another one.
    page.locator("#order-filters input[name=date_to]").click()
    calendar = page.locator(".datepicker")
    assert calendar.locator(".dp-title").inner_text() == "August 2026"
    assert calendar.locator(".dp-picked").inner_text() == "12"
    page.screenshot(path=str(artifacts / "formats_datepicker_en.png"))
    with page.expect_response(lambda r: "date_to=31%2F08%2F2026" in r.url):
        calendar.locator('[data-day="31/08/2026"]').click()
    assert calendar.count() == 0
    assert page.locator("#order-filters input[name=date_to]").input_value() == "31/08/2026"

    # A link with ISO dates (bookmarks made before) still filters, shown day first.
    page.goto(f"{live_server.url}/orders/?date_from=2026-12-08&date_to=2026-12-08")
    assert page.locator("#order-filters input[name=date_from]").input_value() == "08/12/2026"
    assert page.locator("#order-table").inner_text().count(december.number) == 1


@pytest.mark.parametrize("language", ["vi", "th"])
def test_filter_labels_are_not_cut_off(live_server, signed_in, make_user, artifacts, language):
    user = make_user("owner", username="chu")
    user_set_language(user=user, language=language)
    WarehouseFactory(code="HCM01", name="Kho Hồ Chí Minh - Quận Bình Thạnh")
    page = signed_in("chu")
    cut = []
    pages = (
        "/orders/",
        "/orders/new/",
        "/followups/requests/",
        "/followups/calendar/",
        "/inventory/products/",
        "/customers/",
        "/reports/sales/",
    )
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        for field in page.locator("main").evaluate(MEASURE):
            if field["widest"] > field["room"]:
                cut.append((path, field["name"], field["widest"], field["room"]))
        name = path.strip("/").replace("/", "_")
        page.screenshot(path=str(artifacts / f"formats_filters_{name}_{language}.png"))
    assert cut == [], cut


def test_favicon_ico(live_server, page):
    response = page.request.get(f"{live_server.url}/favicon.ico")
    assert (response.status, response.headers["content-type"]) == (200, "image/x-icon")
    assert response.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file
