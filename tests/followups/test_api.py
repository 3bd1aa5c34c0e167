"""Website API for contact requests: POST /api/v1/contact-requests with the website's key."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import include, path

from followups.models import ContactRequest
from orders.services.websites import website_create, website_set_active
from tests.orders.factories import make_customer

# The lead mounts followups.urls_api at api/v1/; this module mounts it the same way.
urlpatterns = [path("api/v1/", include("followups.urls_api"))]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

URL = "/api/v1/contact-requests"


@pytest.fixture
def website():
    site, key = website_create(name="Shop chính", code="MAIN", warehouse_id=None, user_id=None)
    return site, key


def post(body, key: str | None = None, **headers):
    client = Client(enforce_csrf_checks=True)
    if key:
        headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {key}")
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type="application/json", **headers)


def test_a_request_is_created_then_a_repeat_is_idempotent(website):
    site, key = website
    customer = make_customer(name="Chị An", phones=("0912 345 678",))
    body = {
        "id": "REQ-1",
        "name": "Chị An",
        "phone": "0912.345.678",
        "email": "an@example.vn",
        "message": "Tư vấn giúp em áo size M",
        "preferred_at": "2026-11-25T15:00:00+07:00",
    }
    response = post(body, key)
    assert response.status_code == 201
    # the call-back time asked for (25 Nov 15:00) has come: the request is due
    assert response.json() == {"id": "REQ-1", "status": "due"}
    assert response["Cache-Control"] == "no-store"
    request = ContactRequest.objects.get()
    assert (
        request.website_id,
        request.external_id,
        request.source,
        request.phone,
        request.email,
        request.customer_id,
        request.preferred_at,
    ) == (
        site.pk,
        "REQ-1",
        "website",
        "+84912345678",
        "an@example.vn",
        customer.pk,
        datetime(2026, 11, 25, 8, 0, tzinfo=UTC),
    )
    again = post({**body, "message": "gửi lại"}, None, HTTP_X_API_KEY=key)
    assert again.status_code == 200
    assert again.json() == {"id": "REQ-1", "status": "due"}
    assert ContactRequest.objects.count() == 1
    assert ContactRequest.objects.get().message == "Tư vấn giúp em áo size M"


def test_numeric_ids_and_minimal_bodies_are_accepted(website):
    _site, key = website
    response = post({"id": 42, "name": "Anh Bình", "phone": "+66 81 234 5678"}, key)
    assert response.status_code == 201
    assert response.json() == {"id": "42", "status": "new"}
    request = ContactRequest.objects.get()
    assert (request.phone, request.email, request.message, request.preferred_at) == (
        "+66812345678",
        "",
        "",
        None,
    )


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"name": "A", "phone": "0912345678"},
            [{"field": "id", "code": "required", "message": "This field is required."}],
        ),
        (
            {"id": "R", "name": " ", "phone": "12", "colour": "red"},
            [
                {"field": "colour", "code": "unknown_field",
                 "message": "colour is not a known field."},
                {"field": "name", "code": "required", "message": "This field is required."},
                {"field": "phone", "code": "invalid_phone",
                 "message": "12 is not a valid phone number in VN."},
            ],
        ),
        (
            {"id": "R", "name": "A", "phone": "0912345678", "email": "not-an-email",
             "preferred_at": "2026-11-25T15:00:00"},
            [
                {"field": "email", "code": "invalid_email",
                 "message": "Enter a valid e-mail address."},
                {"field": "preferred_at", "code": "invalid_format",
                 "message": "Send a date and time in ISO 8601 with its UTC offset, "
                 "e.g. 2026-11-25T15:00:00+07:00."},
            ],
        ),
        (
            {"id": "R" * 65, "name": ["A"], "phone": "0912345678"},
            [
                {"field": "id", "code": "too_long", "message": "At most 64 characters."},
                {"field": "name", "code": "invalid_type",
                 "message": "Send this field as a string."},
            ],
        ),
        ("[1, 2]", [{"field": None, "code": "invalid_json",
                     "message": "The body must be a JSON object."}]),
        ("{nope", [{"field": None, "code": "invalid_json",
                    "message": "The body is not valid JSON (line 1, column 2)."}]),
    ],
)  # fmt: skip
def test_invalid_bodies_are_refused_with_field_errors(website, body, errors):
    _site, key = website
    response = post(body, key)
    assert response.status_code == 400
    assert response.json() == {"errors": errors}
    assert ContactRequest.objects.count() == 0


def test_a_missing_wrong_or_inactive_key_is_401(website):
    site, key = website
    body = {"id": "R", "name": "A", "phone": "0912345678"}
    assert post(body).status_code == 401
    assert post(body, "crm_" + "x" * 43).status_code == 401
    website_set_active(website_id=site.pk, active=False)
    response = post(body, key)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "unauthorized"
    assert ContactRequest.objects.count() == 0


def test_only_post_is_allowed(website):
    _site, key = website
    response = Client().get(URL, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_a_huge_body_is_refused(website):
    _site, key = website
    body = json.dumps({"id": "R", "name": "A", "phone": "0912345678", "message": "x" * 70_000})
    response = post(body, key)
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "payload_too_large"
    assert ContactRequest.objects.count() == 0
