"""Every answer under /api/ is JSON in the API's error format, also the ones no API view
writes: unknown paths (404), wrong methods (405), bad Host (400), too-long URIs (414), crashes
(500). Staff pages keep their HTML error pages."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import include, path

from common.api_errors import MAX_URI_LENGTH, api_error_body

pytestmark = pytest.mark.django_db


def _crash(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("api/v1/crash", _crash),
    path("crash", _crash),
    path("api/v1/", include("orders.urls_api")),
    path("api/v1/", include("followups.urls_api")),
]


def _json_error(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    errors = response.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(None, code)]
    assert errors[0]["message"]


def test_api_error_body_is_the_documented_format():
    assert api_error_body("not_found", "Nothing here.") == {
        "errors": [{"field": None, "code": "not_found", "message": "Nothing here."}]
    }
    assert api_error_body("too_long", "Too long.", "items[0].sku") == {
        "errors": [{"field": "items[0].sku", "code": "too_long", "message": "Too long."}]
    }


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/nope",
        "/api/v1/orders/a/b",
        "/api/v2/orders",
        "/api/",
        "/api",
        "/api/v1/orders/",
        "/api/v1/contact-requests/x",
    ],
)
def test_unknown_api_paths_answer_json_404(client, url):
    _json_error(client.get(url), 404, "not_found")
    _json_error(client.post(url, data="{}", content_type="application/json"), 404, "not_found")


def test_staff_pages_keep_their_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_wrong_methods_answer_json_405(client):
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)("/api/v1/orders")
        _json_error(response, 405, "method_not_allowed")
        assert response["Allow"] == "POST"
    _json_error(client.post("/api/v1/openapi.json"), 405, "method_not_allowed")


def test_a_bad_host_header_answers_json_400(client):
    _json_error(client.get("/api/v1/openapi.json", HTTP_HOST="evil.example"), 400, "bad_request")


def test_a_too_long_uri_answers_json_414(client):
    _json_error(client.get("/api/v1/orders/" + "A" * MAX_URI_LENGTH), 414, "uri_too_long")
    _json_error(client.get("/api/v1/openapi.json?q=" + "x" * MAX_URI_LENGTH), 414, "uri_too_long")
    assert client.get("/api/v1/openapi.json?q=" + "x" * 100).status_code == 200


@pytest.mark.urls(__name__)
def test_a_crash_under_api_answers_json_500_and_a_staff_page_html():
    client = Client(raise_request_exception=False)
    _json_error(client.get("/api/v1/crash"), 500, "server_error")
    page = client.get("/crash")
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")


class _PlainApiView:
    """A URLconf with a view under /api/ that is neither login_not_required nor csrf_exempt."""

    urlpatterns = [path("api/v1/crash", _crash), path("login/", _crash, name="login")]


def test_api_views_skip_the_staff_middleware_and_other_views_do_not(client):
    """ApiShortcutMiddleware: a key-authenticated API view is called before the staff-only
    middleware (no X-Frame-Options from XFrameOptionsMiddleware, no sign-in redirect); a view
    under /api/ that is not login_not_required and csrf_exempt still gets the whole chain."""
    api = client.get("/api/v1/openapi.json")
    assert (api.status_code, api.get("X-Frame-Options")) == (200, None)
    login = client.get("/login/")
    assert (login.status_code, login["X-Frame-Options"]) == (200, "DENY")
    with override_settings(ROOT_URLCONF=_PlainApiView):
        plain = client.get("/api/v1/crash")
    # The whole chain: LoginRequiredMiddleware sends the anonymous caller to sign in.
    assert plain.status_code == 302
    assert plain["X-Frame-Options"] == "DENY"
