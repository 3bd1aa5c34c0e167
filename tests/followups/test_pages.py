"""Follow-up panel, contact-request pages and the outcomes report, through the client.

The pages read "today" from the clock (timezone.localdate()), so the data is placed relative
to the shop-local midnight of the moment the test runs: correct at any time of day.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from common import markers
from followups.models import ContactNote, ContactRequest, FollowUp
from followups.services import Subject, followup_finish, followup_log_contact, followup_schedule
from followups.services_requests import contact_request_create
from orders.models import Customer, Order
from tests.inventory.factories import WarehouseFactory
from tests.orders.factories import make_customer, make_order, stocked_variant

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def an_order(name: str = "Nguyễn Văn An", phone: str = "0912 345 678") -> Order:
    warehouse = WarehouseFactory()
    variant = stocked_variant(warehouse, 5)
    return make_order(make_customer(name=name, phones=(phone,)), warehouse, [(variant, 1)])


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def tomorrow() -> datetime:
    return markers.tomorrow_start(timezone.localdate())


def a_request(name: str, phone: str, *, source: str = "staff", **fields) -> ContactRequest:
    request, _created = contact_request_create(
        name=name, phone=phone, source=source, user_id=None, **fields
    )
    return request


def requests_in_four_states(user_id: int | None = None) -> dict[str, ContactRequest]:
    """One contact request per marker (created oldest to newest: due, new, scheduled, done)."""
    now = timezone.now()
    due = a_request("Chị Đào", "0912 000 001", now=now - timedelta(hours=4))
    followup_schedule(
        subject=Subject("contact_request", due.pk),
        next_contact_at=now - timedelta(minutes=1),
        user_id=user_id,
    )
    new = a_request("Anh Mới", "0912 000 002", source="website", now=now - timedelta(hours=3))
    scheduled = a_request("Cô Xanh", "0912 000 003", now=now - timedelta(hours=2))
    followup_schedule(
        subject=Subject("contact_request", scheduled.pk),
        next_contact_at=tomorrow() + timedelta(days=1, hours=10),
        user_id=user_id,
    )
    done = a_request("Bác Xám", "0912 000 004", now=now - timedelta(hours=1))
    followup_log_contact(
        subject=Subject("contact_request", done.pk),
        method="phone",
        note="Không cần nữa",
        outcome="not_interested",
        user_id=user_id,
    )
    return {"due": due, "new": new, "scheduled": scheduled, "done": done}


def rows(html: str) -> list[tuple[str, str]]:
    """(marker, request id) of each row of the request table, in order."""
    found = re.findall(r'data-request-id="(\d+)" data-marker="(\w+)"', html)
    return [(marker, pk) for pk, marker in found]


def panel_url(name: str, kind: str, pk: int) -> str:
    return reverse(f"followups:{name}", args=[kind, pk])


# --- The panel --------------------------------------------------------------------------------


def test_the_panel_of_a_new_order_is_blue_with_the_forms(client, login_as):
    login_as("sales")
    order = an_order()
    response = client.get(panel_url("panel", "order", order.pk), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="followup-panel-order-{order.pk}"' in html
    assert 'data-marker="new"' in html
    assert "Nothing recorded yet." in html
    assert 'data-testid="followup-log-form"' in html
    assert 'data-testid="followup-schedule-form"' in html
    # No thread yet: nothing to reassign or finish.
    assert 'data-testid="followup-assign-form"' not in html
    assert 'data-testid="followup-finish-form"' not in html
    # Defaults: tomorrow 09:00, and the quick buttons.
    tomorrow_day = f"{timezone.localdate() + timedelta(days=1):%d/%m/%Y}"
    assert f'name="next_date" value="{tomorrow_day}"' in html
    assert 'name="next_time" value="09:00"' in html
    for label, days in (("+1 day", 1), ("+3 days", 3), ("+1 week", 7)):
        day = timezone.localdate() + timedelta(days=days)
        assert f'data-date="{day:%d/%m/%Y}"' in html
        assert label in html


def test_logging_a_contact_through_the_panel(client, login_as):
    user = login_as("sales", first_name="Lan", last_name="Phạm")
    order = an_order()
    day = timezone.localdate() + timedelta(days=3)
    response = client.post(
        panel_url("panel_log", "order", order.pk),
        {
            "method": "zalo",
            "note": "Khách muốn đổi màu",
            "then": "next",
            "next_date": day.isoformat(),
            "next_time": "14:30",
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == (
        f'{{"followup-changed": {{"kind": "order", "id": {order.pk}}}}}'
    )
    thread = FollowUp.objects.get(order=order)
    expected = local(day, 14, 30)
    assert (thread.state, thread.next_contact_at, thread.assignee_id) == (
        "open",
        expected,
        user.pk,
    )
    note = ContactNote.objects.get(followup=thread)
    assert (note.kind, note.method, note.note, note.user_id) == (
        "contact",
        "zalo",
        "Khách muốn đổi màu",
        user.pk,
    )
    order.refresh_from_db()
    assert (order.followup_state, order.next_contact_at) == ("open", expected)
    html = response.content.decode()
    assert 'data-marker="scheduled"' in html
    assert "Lan Phạm recorded a contact by Zalo." in html
    assert "Khách muốn đổi màu" in html
    assert f"Next contact on {day.strftime('%d/%m/%Y')} at 14:30." in html


def test_finishing_with_an_outcome_from_the_log_form(client, login_as):
    login_as("sales")
    order = an_order()
    response = client.post(
        panel_url("panel_log", "order", order.pk),
        {"method": "phone", "note": "Đã chốt đơn", "then": "finish", "outcome": "sold",
         "next_date": "2030-01-01", "next_time": "09:00"},
        **HTMX,
    )  # fmt: skip
    assert response.status_code == 200
    thread = FollowUp.objects.get(order=order)
    assert (thread.state, thread.outcome) == ("finished", "sold")
    html = response.content.decode()
    assert 'data-marker="done"' in html
    assert "Outcome: Sold." in html
    # A finished thread offers no reschedule or finish.
    assert 'data-testid="followup-schedule-form"' not in html
    assert 'data-testid="followup-finish-form"' not in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"note": "  "}, "Write down what was said."),
        ({"then": "finish", "outcome": ""}, "Choose the outcome."),
        ({"next_date": ""}, "Plan the next contact, or finish the follow-up with an outcome."),
        (
            {"method": "pigeon"},
            "Select a valid choice. pigeon is not one of the available choices.",
        ),
        ({"next_date": "31/02/2026"}, "Enter a valid date."),
    ],
)
def test_a_refused_contact_is_shown_in_the_panel_and_changes_nothing(
    client, login_as, data, message
):
    login_as("sales")
    order = an_order()
    form = {
        "method": "phone",
        "note": "Gọi không nghe máy",
        "then": "next",
        "next_date": (timezone.localdate() + timedelta(days=1)).isoformat(),
        "next_time": "09:00",
        **data,
    }
    response = client.post(panel_url("panel_log", "order", order.pk), form, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert f'id="followup-panel-order-{order.pk}"' in html
    assert (FollowUp.objects.count(), ContactNote.objects.count()) == (0, 0)
    order.refresh_from_db()
    assert (order.followup_state, order.next_contact_at) == ("", None)
    # What was typed stays in the form.
    if data.get("note") is None:
        assert "Gọi không nghe máy" in html


def test_schedule_then_reschedule_then_reassign_then_finish(client, login_as, make_user):
    user = login_as("sales")
    colleague = make_user("manager", first_name="Minh")
    order = an_order()
    day = timezone.localdate() + timedelta(days=2)
    response = client.post(
        panel_url("panel_schedule", "order", order.pk),
        {"next_date": day.isoformat(), "next_time": "10:00", "note": "Gọi lại chốt size"},
        **HTMX,
    )
    assert response.status_code == 200
    thread = FollowUp.objects.get(order=order)
    first = local(day, 10)
    assert (thread.next_contact_at, thread.assignee_id) == (first, user.pk)

    later = day + timedelta(days=5)
    response = client.post(
        panel_url("panel_schedule", "order", order.pk),
        {"next_date": later.isoformat(), "next_time": "16:15"},
        **HTMX,
    )
    assert response.status_code == 200
    thread.refresh_from_db()
    moved = local(later, 16, 15)
    assert thread.next_contact_at == moved

    response = client.post(
        panel_url("panel_assign", "order", order.pk), {"assignee": colleague.pk}, **HTMX
    )
    assert response.status_code == 200
    assert "made Minh responsible." in response.content.decode()

    client.force_login(colleague)  # now Minh's: only Minh or a manager may finish it
    response = client.post(
        panel_url("panel_finish", "order", order.pk),
        {"outcome": "other", "note": "Khách đi nước ngoài"},
        **HTMX,
    )
    assert response.status_code == 200
    thread.refresh_from_db()
    assert (thread.state, thread.outcome, thread.assignee_id) == ("finished", "other", colleague.pk)
    assert list(thread.notes.order_by("id").values_list("kind", flat=True)) == [
        "rescheduled",
        "rescheduled",
        "assigned",
        "finished",
    ]
    html = response.content.decode()
    history = html[html.index('data-testid="followup-history"') :]
    # Newest first.
    assert history.index("finished the follow-up: Other.") < history.index("made Minh")
    assert history.index("made Minh") < history.index("planned the next contact")


def test_a_finished_thread_refuses_reschedule_and_a_second_finish(client, login_as):
    user = login_as("sales")
    order = an_order()
    thread = followup_schedule(
        subject=Subject("order", order.pk), next_contact_at=tomorrow(), user_id=user.pk
    )
    followup_finish(followup_id=thread.pk, outcome="sold", user_id=user.pk)
    notes_before = ContactNote.objects.count()
    response = client.post(
        panel_url("panel_schedule", "order", order.pk),
        {"next_date": "2030-05-01", "next_time": "09:00"},
        **HTMX,
    )
    assert response.status_code == 422
    assert "This follow-up is finished; record a new contact to reopen it." in (
        response.content.decode()
    )
    response = client.post(
        panel_url("panel_finish", "order", order.pk), {"outcome": "other"}, **HTMX
    )
    assert response.status_code == 422
    assert "This follow-up is already finished." in response.content.decode()
    thread.refresh_from_db()
    assert (thread.state, thread.outcome, thread.next_contact_at) == (
        "finished",
        "sold",
        tomorrow(),
    )
    assert ContactNote.objects.count() == notes_before


def test_reassign_and_finish_need_a_thread(client, login_as, make_user):
    login_as("sales")
    order = an_order()
    colleague = make_user("sales")
    response = client.post(
        panel_url("panel_assign", "order", order.pk), {"assignee": colleague.pk}, **HTMX
    )
    assert response.status_code == 422
    assert "Record a contact or plan one first." in response.content.decode()
    assert FollowUp.objects.count() == 0


def test_only_staff_who_follow_up_can_be_assigned(client, login_as, make_user):
    user = login_as("sales")
    order = an_order()
    thread = followup_schedule(
        subject=Subject("order", order.pk), next_contact_at=tomorrow(), user_id=user.pk
    )
    packer = make_user("warehouse")
    response = client.post(
        panel_url("panel_assign", "order", order.pk), {"assignee": packer.pk}, **HTMX
    )
    assert response.status_code == 422
    thread.refresh_from_db()
    assert thread.assignee_id == user.pk


def test_panels_of_customers_and_requests(client, login_as):
    login_as("sales")
    customer = make_customer(name="Khách Quen")
    request = a_request("Chị Hỏi", "0912 000 009")
    for kind, pk in (("customer", customer.pk), ("contact_request", request.pk)):
        response = client.post(
            panel_url("panel_log", kind, pk),
            {"method": "facebook", "note": "Nhắn tin hỏi giá", "then": "next",
             "next_date": (timezone.localdate() + timedelta(days=1)).isoformat(),
             "next_time": "08:00"},
            **HTMX,
        )  # fmt: skip
        assert response.status_code == 200
        assert f'id="followup-panel-{kind}-{pk}"' in response.content.decode()
    assert FollowUp.objects.filter(customer=customer).count() == 1
    request.refresh_from_db()
    assert request.followup_state == "open"


def test_a_plain_post_redirects_to_the_subject_page(client, login_as):
    login_as("sales")
    order = an_order()
    response = client.post(
        panel_url("panel_schedule", "order", order.pk),
        {"next_date": "2030-05-01", "next_time": "09:00"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:order_detail", args=[order.pk])


def test_unknown_subjects_are_404(client, login_as):
    login_as("sales")
    order = an_order()
    assert client.get(panel_url("panel", "invoice", order.pk)).status_code == 404
    assert client.get(panel_url("panel", "order", order.pk + 1000)).status_code == 404
    assert client.post(panel_url("panel_log", "customer", 999_999), {}).status_code == 404


def test_roles_without_follow_up_permissions_get_403(client, login_as):
    login_as("warehouse")
    order = an_order()
    assert client.get(panel_url("panel", "order", order.pk)).status_code == 403
    response = client.post(
        panel_url("panel_log", "order", order.pk),
        {"method": "phone", "note": "x", "then": "next", "next_date": "2030-01-01"},
    )
    assert response.status_code == 403
    assert client.get(reverse("followups:request_list")).status_code == 403
    assert client.get(reverse("followups:outcomes")).status_code == 403
    assert FollowUp.objects.count() == 0


def test_the_panel_runs_a_constant_number_of_queries(client, login_as, django_assert_num_queries):
    user = login_as("sales")
    order = an_order()
    thread = followup_schedule(
        subject=Subject("order", order.pk), next_contact_at=tomorrow(), user_id=user.pk
    )
    url = panel_url("panel", "order", order.pk)
    client.get(url)  # warm the session and permission caches
    with django_assert_num_queries(8) as few:
        client.get(url)
    for i in range(10):
        followup_log_contact(
            subject=Subject("order", order.pk), method="phone", note=f"lần {i}",
            next_contact_at=tomorrow() + timedelta(days=i), user_id=user.pk,
        )  # fmt: skip
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)
    assert thread.notes.count() == 11


# --- Contact requests -------------------------------------------------------------------------


def test_the_list_shows_the_four_markers_in_the_days_work_order(client, login_as):
    login_as("sales")
    made = requests_in_four_states()
    response = client.get(reverse("followups:request_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert rows(html) == [
        ("due", str(made["due"].pk)),
        ("new", str(made["new"].pk)),
        ("scheduled", str(made["scheduled"].pk)),
        ("done", str(made["done"].pk)),
    ]
    for title in (
        "New: no follow-up yet",
        "Follow-up due today or overdue",
        "Follow-up scheduled",
        "Follow-up finished",
    ):
        assert f'aria-label="{title}"' in html
    # The marker is the leftmost column.
    first_cell = re.search(r'data-testid="request-row"[^>]*>\s*<td class="([^"]+)"', html)
    assert first_cell is not None
    assert first_cell.group(1) == "fu-col-marker"


@pytest.mark.parametrize("marker", ["due", "new", "scheduled", "done"])
def test_the_list_filters_by_marker(client, login_as, marker):
    login_as("sales")
    made = requests_in_four_states()
    response = client.get(reverse("followups:request_list"), {"marker": marker}, **HTMX)
    assert rows(response.content.decode()) == [(marker, str(made[marker].pk))]


def test_newest_first_sort_search_and_source(client, login_as):
    login_as("sales")
    made = requests_in_four_states()
    url = reverse("followups:request_list")
    newest = rows(client.get(url, {"sort": "newest"}).content.decode())
    assert [pk for _m, pk in newest] == [
        str(made[k].pk) for k in ("done", "scheduled", "new", "due")
    ]
    assert rows(client.get(url, {"q": "xanh"}).content.decode()) == [
        ("scheduled", str(made["scheduled"].pk))
    ]
    assert rows(client.get(url, {"q": "0912 000 004"}).content.decode()) == [
        ("done", str(made["done"].pk))
    ]
    assert rows(client.get(url, {"q": "anh mới 0912000002"}).content.decode()) == [
        ("new", str(made["new"].pk))
    ]
    assert rows(client.get(url, {"source": "website"}).content.decode()) == [
        ("new", str(made["new"].pk))
    ]


def test_shop_midnight_edges_through_the_list(client, login_as):
    """Due up to the last instant of today; scheduled from tomorrow's first second."""
    login_as("sales")
    last_today = a_request("Hạn Chót", "0912 000 011")
    first_tomorrow = a_request("Ngày Mai", "0912 000 012")
    followup_schedule(
        subject=Subject("contact_request", last_today.pk),
        next_contact_at=tomorrow() - timedelta(seconds=1),
        user_id=None,
    )
    followup_schedule(
        subject=Subject("contact_request", first_tomorrow.pk),
        next_contact_at=tomorrow(),
        user_id=None,
    )
    html = client.get(reverse("followups:request_list")).content.decode()
    assert rows(html) == [("due", str(last_today.pk)), ("scheduled", str(first_tomorrow.pk))]


def test_the_list_pages_without_count_and_constant_queries(
    client, login_as, django_assert_num_queries
):
    login_as("sales")
    requests_in_four_states()
    url = reverse("followups:request_list")
    client.get(url)
    with django_assert_num_queries(5) as captured:
        client.get(url)
    assert not any("COUNT(" in q["sql"].upper() for q in captured.captured_queries)
    for i in range(8):
        a_request(f"Khách {i}", f"0912 100 1{i:02d}")
    with django_assert_num_queries(5):
        client.get(url)


def test_creating_a_request_by_hand(client, login_as):
    user = login_as("sales")
    customer = make_customer(name="Khách Cũ", phones=("0988 123 456",))
    day = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("followups:request_create"),
        {"name": "Chị Cũ", "phone": "0988.123.456", "message": "Hỏi lại đơn cũ",
         "preferred_date": day.isoformat(), "preferred_time": "15:00"},
    )  # fmt: skip
    request = ContactRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("followups:request_detail", args=[request.pk])
    assert (request.phone, request.source, request.customer_id, request.created_by_id) == (
        "+84988123456",
        "staff",
        customer.pk,
        user.pk,
    )
    assert request.preferred_at == local(day, 15)


def test_a_bad_phone_is_refused_and_nothing_is_saved(client, login_as):
    login_as("sales")
    response = client.post(reverse("followups:request_create"), {"name": "X", "phone": "12"})
    assert response.status_code == 200
    assert "12 is not a valid phone number in VN." in response.content.decode()
    assert ContactRequest.objects.count() == 0


def test_the_request_page_links_customer_and_order_and_shows_the_panel(client, login_as):
    login_as("sales")
    order = an_order(name="Anh Có Đơn", phone="0912 777 888")
    request = a_request("Anh Có Đơn", "0912 777 888")
    ContactRequest.objects.filter(pk=request.pk).update(order=order)
    html = client.get(reverse("followups:request_detail", args=[request.pk])).content.decode()
    assert reverse("orders:customer_detail", args=[order.customer_id]) in html
    assert reverse("orders:order_detail", args=[order.pk]) in html
    assert f'id="followup-panel-contact_request-{request.pk}"' in html
    # Already an order: no "Create order" button.
    assert 'data-testid="request-create-order"' not in html


def test_create_order_opens_the_order_page_with_the_requester_typed_in_and_creates_nothing(
    client, login_as
):
    login_as("sales")
    request = a_request("Chị Mới Toanh", "0912 000 321", email="moi@example.vn")
    html = client.get(reverse("followups:request_detail", args=[request.pk])).content.decode()
    assert 'data-testid="request-create-order"' in html
    response = client.post(reverse("followups:request_order", args=[request.pk]))
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("orders:order_create")
        + "?new_name=Ch%E1%BB%8B+M%E1%BB%9Bi+Toanh&new_phone=%2B84912000321"
        + "&new_email=moi%40example.vn"
    )
    page = client.get(response["Location"])
    form = page.context["form"]
    assert (page.context["mode"], page.context["customer"]) == ("new", None)
    assert [form[f].value() for f in ("customer_mode", "new_name", "new_phone", "new_email")] == [
        "new",
        "Chị Mới Toanh",
        "+84912000321",
        "moi@example.vn",
    ]
    assert 'data-mode="new"' in page.content.decode()
    # Abandoned: no customer, and the request is as it was.
    assert Customer.objects.count() == 0
    request.refresh_from_db()
    assert (request.customer_id, request.order_id) == (None, None)


def test_saving_the_order_creates_the_customer_with_it_and_links_the_request(
    client, login_as, django_capture_on_commit_callbacks
):
    login_as("sales")
    warehouse = WarehouseFactory()
    variant = stocked_variant(warehouse, 3, price="150000")
    request = a_request("Chị Mới Toanh", "0912 000 321")
    location = client.post(reverse("followups:request_order", args=[request.pk]))["Location"]
    form = client.get(location).context["form"]
    data = {
        "customer_mode": "new",
        "new_name": form["new_name"].value(),
        "new_phone": form["new_phone"].value(),
        "new_email": "",
        "address": "new",
        "ship_scheme": "vn_2level",
        "ship_province": "Hà Nội",
        "ship_ward": "Phường Ba Đình",
        "ship_street": "5 Điện Biên Phủ",
        "channel": "phone",
        "payment_method": "cod",
        "warehouse": warehouse.pk,
        "line_key": ["k0"],
        "line_variant": [str(variant.pk)],
        "line_id": [""],
        "line_qty": ["1"],
        "line_price": ["150.000"],
        "line_discount": [""],
    }
    refused = client.post(reverse("orders:order_create"), {**data, "line_qty": ["0"]})
    assert refused.status_code == 200
    assert (Customer.objects.count(), Order.objects.count()) == (0, 0)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("orders:order_create"), data)
    order = Order.objects.get()
    customer = Customer.objects.get()
    assert response["Location"] == reverse("orders:order_detail", args=[order.pk])
    assert (order.customer_id, customer.name) == (customer.pk, "Chị Mới Toanh")
    assert list(customer.phones.values_list("e164", flat=True)) == ["+84912000321"]
    request.refresh_from_db()
    assert (request.customer_id, request.order_id) == (customer.pk, order.pk)
    html = client.get(reverse("followups:request_detail", args=[request.pk])).content.decode()
    assert 'data-testid="request-create-order"' not in html


def test_create_order_for_a_known_customer_opens_the_order_page_on_them(client, login_as):
    login_as("sales")
    customer = make_customer(name="Anh Quen", phones=("0912 000 999",))
    request = a_request("Anh Quen Thuộc", "0912 000 999")
    response = client.post(reverse("followups:request_order", args=[request.pk]))
    assert response["Location"] == reverse("orders:order_create") + f"?customer={customer.pk}"
    assert client.get(response["Location"]).context["customer"] == customer
    assert Customer.objects.count() == 1


def test_create_order_needs_order_permission(client, login_as):
    login_as("accountant")
    request = a_request("Chị Kế Toán", "0912 000 654")
    response = client.post(reverse("followups:request_order", args=[request.pk]))
    assert response.status_code == 403
    assert Customer.objects.count() == 0


# --- Outcomes report --------------------------------------------------------------------------


def test_outcomes_by_staff_member_with_requests_turned_into_orders(client, login_as, make_user):
    viewer = login_as("manager")
    seller = make_user("sales", first_name="Bán", last_name="Giỏi")
    for outcome, n in (("sold", 3), ("not_interested", 1)):
        for _i in range(n):
            order = an_order()
            followup_log_contact(
                subject=Subject("order", order.pk), method="phone", note="xong",
                outcome=outcome, user_id=seller.pk,
            )  # fmt: skip
    order = an_order()
    followup_log_contact(
        subject=Subject("order", order.pk), method="phone", note="khác", outcome="other",
        user_id=viewer.pk,
    )  # fmt: skip
    ordered = a_request("Đã Mua", "0912 000 111")
    ContactRequest.objects.filter(pk=ordered.pk).update(order=order)
    a_request("Chưa Mua", "0912 000 112")
    # Outside the period: finished 40 days ago.
    old = an_order()
    thread = followup_log_contact(
        subject=Subject("order", old.pk), method="phone", note="cũ", outcome="sold",
        user_id=seller.pk,
    )  # fmt: skip
    FollowUp.objects.filter(pk=thread.pk).update(finished_at=timezone.now() - timedelta(days=40))

    response = client.get(reverse("followups:outcomes"))
    report = response.context["report"]
    assert [(r.outcome, r.count) for r in report.outcomes] == [
        ("sold", 3),
        ("not_interested", 1),
        ("other", 1),
    ]
    assert [(s.name, s.cells, s.total) for s in report.staff] == [
        ("Bán Giỏi", [3, 1, 0], 4),
        (viewer.username, [0, 0, 1], 1),
    ]
    assert (report.requests_ordered, report.requests_total) == (1, 2)
    html = response.content.decode()
    assert "60.0 %" in html  # 3 of 5 sold
    assert "50.0 %" in html  # 1 of 2 requests

    response = client.get(reverse("followups:outcomes"), {"format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[:4] == [
        ["Staff member", "Outcome", "Follow-ups", "Share (%)"],
        ["All", "Sold", "3", "60.0"],
        ["All", "Not interested", "1", "20.0"],
        ["All", "Other", "1", "20.0"],
    ]
    assert ["Bán Giỏi", "Sold", "3", "75.0"] in table
    assert table[-1] == ["", "1", "2", "50.0"]

    # A period including the old one.
    start = (timezone.localdate() - timedelta(days=45)).isoformat()
    response = client.get(reverse("followups:outcomes"), {"date_from": start})
    sold = response.context["report"].outcomes[0]
    assert (sold.outcome, sold.count) == ("sold", 4)


def test_an_inverted_period_is_refused(client, login_as):
    login_as("manager")
    response = client.get(
        reverse("followups:outcomes"), {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    )
    assert response.status_code == 200
    assert "The start date is after the end date." in response.content.decode()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31"])
def test_a_call_back_day_out_of_range_is_refused_and_nothing_is_saved(client, login_as, day):
    login_as("sales")
    response = client.post(
        reverse("followups:request_create"),
        {
            "name": "Chị Cũ",
            "phone": "0988.123.456",
            "preferred_date": day,
            "preferred_time": "23:59",
        },
    )
    assert response.status_code == 200
    assert (
        response.context["form"]
        .errors["preferred_date"][0]
        .startswith("Enter a date between 01/01/2000 and ")
    )
    assert ContactRequest.objects.count() == 0


def test_a_next_contact_day_out_of_range_is_refused_and_the_thread_is_unchanged(client, login_as):
    login_as("sales")
    order = an_order()
    before = FollowUp.objects.count()
    response = client.post(
        reverse("followups:panel_schedule", args=["order", order.pk]),
        {"next_date": "9999-12-31", "next_time": "23:59"},
        **HTMX,
    )
    assert response.status_code == 422
    assert "Enter a date between 01/01/2000 and " in response.content.decode()
    assert FollowUp.objects.count() == before
    order.refresh_from_db()
    assert order.next_contact_at is None


def test_request_list_detail_and_reminders_show_phones_in_the_one_form(client, login_as):
    user = login_as("sales")
    request = a_request("Chị Hạnh", "0913-456-789")
    followup_schedule(
        subject=Subject("contact_request", request.pk),
        next_contact_at=timezone.now() - timedelta(minutes=5),
        user_id=user.pk,
    )
    shown = '<a href="tel:+84913456789">0913 456 789</a>'
    assert shown in client.get(reverse("followups:request_list")).content.decode()
    detail = reverse("followups:request_detail", args=[request.pk])
    assert shown in client.get(detail).content.decode()
    assert shown in client.get(reverse("followups:reminders")).content.decode()


def test_outcomes_report_has_the_report_tabs_and_the_reports_menu_item(client, login_as):
    login_as("manager")
    html = client.get(
        reverse("followups:outcomes"), {"date_from": "2030-06-01", "date_to": "2030-06-30"}
    ).content.decode()
    tabs = html[
        html.index('<nav class="report-tabs"') : html.index("</nav>", html.index("report-tabs"))
    ]
    assert re.findall(r'<a href="([^"]+)"( class="active")?', tabs) == [
        ("/reports/", ""),
        ("/reports/sales/?date_from=2030-06-01&amp;date_to=2030-06-30", ""),
        ("/reports/best-sellers/?date_from=2030-06-01&amp;date_to=2030-06-30", ""),
        ("/reports/top-customers/?date_from=2030-06-01&amp;date_to=2030-06-30", ""),
        (
            reverse("followups:outcomes") + "?date_from=2030-06-01&amp;date_to=2030-06-30",
            ' class="active"',
        ),
    ]
    assert re.findall(r'<a href="([^"]+)" class="active"', html.split("</nav>")[0]) == ["/reports/"]


def test_the_sales_report_tabs_lead_to_the_outcomes_report(client, login_as):
    login_as("manager")
    html = client.get(
        reverse("orders:report_sales"), {"date_from": "2030-06-01", "date_to": "2030-06-30"}
    ).content.decode()
    assert (
        f'<a href="{reverse("followups:outcomes")}?date_from=2030-06-01&amp;date_to=2030-06-30">'
        in html
    )
