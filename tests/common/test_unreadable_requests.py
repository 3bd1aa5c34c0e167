"""Requests whose path or query string holds NUL or text that is not UTF-8 get a 400 before any
view runs: a small translated page for staff, the API's JSON error under /api/."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from followups.models import ContactRequest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/followups/requests/?q=a%00b",
        "/followups/requests/?q=%00",
        "/followups/requests/?a%00=1",
        "/orders/?date_to=%ED%B2%80",  # a lone surrogate, as UTF-8 would encode it
        "/orders/?q=%80",  # a byte that starts no UTF-8 character
        "/customers/?q=%C3",  # a character cut in half
        "/followups/calendar/%00.ics",
        "/followups/calendar/a%00b.ics",
        "/followups/calendar/%ED%B2%80.ics",
        "/inventory/products/import/%00/",
        "/inventory/media/a%00b.jpg",
        "/%00",
    ],
)
def test_staff_pages_refuse_unreadable_addresses_with_a_400_page(client, login_as, path):
    login_as("owner")
    before = ContactRequest.objects.count()
    response = client.get(path)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert "<title>Bad request</title>" in html
    assert "The address holds characters that cannot be read" in html
    assert ContactRequest.objects.count() == before


def test_the_page_is_in_the_language_of_the_request(client):
    response = client.get("/followups/requests/?q=%00", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    assert '<html lang="vi">' in response.content.decode()
    assert "Yêu cầu không hợp lệ" in response.content.decode()


def test_signed_out_visitors_get_the_400_too_not_the_login_page(client):
    response = client.get("/orders/?q=%00")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/orders/A%00B",
        "/api/v1/orders?x=%00",
        "/api/v1/orders/%ED%B2%80",
        "/api/v1/openapi.json?%C3",
    ],
)
def test_api_paths_answer_the_api_json_error(client, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert json.loads(response.content) == {
        "errors": [
            {
                "field": None,
                "code": "bad_request",
                "message": "The address holds characters that cannot be read (a NUL character "
                "or text that is not UTF-8). Check the link and try again.",
            }
        ]
    }


@pytest.mark.parametrize(
    "path",
    [
        "/followups/requests/?q=50%25",  # an escaped percent sign is text
        "/followups/requests/?q=%",  # a lone percent sign too
        "/followups/requests/?q=%2500",  # "%00" typed as text
        "/followups/requests/?q=Nguy%E1%BB%85n",  # Nguyễn
        "/followups/requests/?q=%E0%B8%AA%E0%B8%A1",  # Thai
        "/followups/requests/?q=%F0%9F%9B%92",  # an emoji
    ],
)
def test_readable_addresses_pass(client, login_as, path):
    login_as("owner")
    assert client.get(path).status_code == 200


def test_staff_list_search_for_an_escaped_nul_text_still_works(client, login_as):
    login_as("owner")
    response = client.get(reverse("followups:request_list"), {"q": "\\x00"})
    assert response.status_code == 200
