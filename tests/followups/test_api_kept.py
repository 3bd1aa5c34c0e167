"""Contact requests from websites are kept like website orders: every request (created,
repeated, rejected) with its body, answer and reasons, visible to staff and re-applicable after
repair. Dates are bounded and text with NUL or lone surrogates is refused at its field."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from followups.models import ContactRequest
from orders.models import WebsiteRequest
from orders.services.website_requests import website_request_reapply
from orders.services.websites import website_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/contact-requests"
BODY = {"id": "REQ-1", "name": "Chị An", "phone": "0912 345 678"}


@pytest.fixture
def website():
    return website_create(name="Shop chính", code="MAIN", warehouse_id=None, user_id=None)


def post(client, key, body):
    data = body if isinstance(body, str | bytes) else json.dumps(body, ensure_ascii=False)
    return client.post(
        URL, data=data, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )


def kept():
    return list(
        WebsiteRequest.objects.order_by("id").values_list(
            "endpoint", "outcome", "status_code", "external_number"
        )
    )


def errors_of(response):
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


@pytest.mark.parametrize(
    "when",
    [
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+14:00",
        "0001-01-01T00:00:00-14:00",
        "1999-12-31T23:59:59+00:00",
        "2999-01-01T00:00:00+07:00",
    ],
)
def test_preferred_at_outside_a_sane_range_is_refused_and_kept(client, website, when):
    _site, key = website
    response = post(client, key, {**BODY, "preferred_at": when})
    assert response.status_code == 400
    assert errors_of(response) == [("preferred_at", "out_of_range")]
    assert ContactRequest.objects.count() == 0
    assert kept() == [("contact_requests", "rejected", 400, "REQ-1")]
    row = WebsiteRequest.objects.get()
    assert row.payload == {**BODY, "preferred_at": when}
    assert [(e["field"], e["code"]) for e in row.errors] == [("preferred_at", "out_of_range")]


def test_preferred_at_at_the_edges_of_the_range_is_accepted(client, website):
    _site, key = website
    soon = (timezone.now() + timedelta(days=729)).isoformat()
    for index, when in enumerate(["2000-01-01T00:00:00+00:00", soon]):
        response = post(client, key, {**BODY, "id": f"R{index}", "preferred_at": when})
        assert response.status_code == 201, response.json()
    assert ContactRequest.objects.get(external_id="R0").preferred_at == datetime(
        2000, 1, 1, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("field", "literal"),
    [
        ("name", '"A\\u0000n"'),
        ("message", '"X\\udc80Y"'),
        ("phone", '"0912\\ud800"'),
        ("id", '"R\\u0000"'),
        ("preferred_at", '"2026-11-25T15:00:00+07:00\\u0000"'),
    ],
)
def test_nul_and_lone_surrogates_are_field_errors_and_kept(client, website, field, literal):
    _site, key = website
    raw = json.dumps({**BODY, field: "@@"}, ensure_ascii=False).replace('"@@"', literal)
    response = post(client, key, raw.encode())
    assert response.status_code == 400
    assert errors_of(response) == [(field, "invalid_text")]
    assert ContactRequest.objects.count() == 0
    row = WebsiteRequest.objects.get()
    assert (row.endpoint, row.outcome, row.payload, row.raw_body) == (
        "contact_requests",
        "rejected",
        None,
        raw,
    )


def test_every_request_is_kept_created_repeated_and_rejected(client, website):
    _site, key = website
    assert post(client, key, BODY).status_code == 201
    assert post(client, key, BODY).status_code == 200
    assert post(client, key, {"id": "REQ-2", "name": "B"}).status_code == 400
    assert post(client, key, b"{nope").status_code == 400
    assert post(client, key, b"\xff").status_code == 400
    assert kept() == [
        ("contact_requests", "created", 201, "REQ-1"),
        ("contact_requests", "duplicate", 200, "REQ-1"),
        ("contact_requests", "rejected", 400, "REQ-2"),
        ("contact_requests", "rejected", 400, ""),
        ("contact_requests", "rejected", 400, ""),
    ]
    assert bytes(WebsiteRequest.objects.order_by("id").last().raw_bytes) == b"\xff"
    assert ContactRequest.objects.count() == 1


def test_staff_see_a_rejected_contact_request_and_reapply_it_repaired(client, website, make_user):
    site, key = website
    post(client, key, {**BODY, "preferred_at": "9999-12-31T23:59:59-14:00"})
    row = WebsiteRequest.objects.get()
    staff = make_user("manager")
    client.force_login(staff)
    page = client.get(f"/settings/websites/{site.pk}/?open={row.pk}").content.decode()
    assert "Contact request" in page
    assert "9999-12-31T23:59:59-14:00" in page
    response = client.post(
        f"/settings/websites/requests/{row.pk}/reapply/",
        {f"r{row.pk}-payload": json.dumps({**BODY, "preferred_at": "2026-11-25T15:00:00+07:00"})},
    )
    assert response.status_code == 302
    assert [str(m) for m in response.wsgi_request._messages] == [
        "Contact request REQ-1 stored from the repaired request."
    ]
    row.refresh_from_db()
    assert (row.outcome, row.status_code, row.errors) == ("created", 201, [])
    created = ContactRequest.objects.get()
    assert (
        created.external_id,
        created.website_id,
        created.preferred_at,
        created.created_by_id,
    ) == (
        "REQ-1",
        site.pk,
        datetime(2026, 11, 25, 8, 0, tzinfo=UTC),
        staff.pk,
    )
    # Applied once: a second re-apply is refused, nothing more is created.
    with pytest.raises(Exception, match="already applied"):
        website_request_reapply(request_id=row.pk, payload_text=json.dumps(BODY), user_id=None)
    assert ContactRequest.objects.count() == 1
