"""The website chat's demo page: DEBUG only, the widget's script tag with the key of the
account that allows the CRM's own origin (or how to make one), the catalogue's products; and a
same-origin poll (no Origin header, as browsers send it) accepted for that origin only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from assistant.channels.models import ChatAccount, Platform
from tests.inventory.factories import VariantFactory

pytestmark = pytest.mark.django_db

PAGE = "/assistant/widget/demo/"


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def _widget(origins: str, key: str = "demo-storefront") -> ChatAccount:
    return ChatAccount.objects.create(
        platform=Platform.WEB, name="Demo", external_id=key, allowed_origins=origins
    )


def test_the_page_does_not_exist_without_debug(client):
    assert reverse("assistant_channels:widget_demo") == PAGE
    _widget("http://testserver")
    assert client.get(PAGE).status_code == 404


def test_the_page_embeds_the_widget_of_the_account_allowing_this_site(client, debug):
    _widget("https://shop.example", key="other-site")
    _widget("https://shop.example\nhttp://testserver")
    VariantFactory(product__name="Chảo chống dính", sale_price=Decimal("329000"))
    response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="vi")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('src="/static/assistant/widget.js"') == 1
    assert 'data-key="demo-storefront"' in html
    assert 'data-testid="widget-demo-missing"' not in html
    assert "<strong>Chảo chống dính</strong>" in html
    assert "từ 329.000\xa0₫" in html
    assert f'<a href="{reverse("assistant_channels:inbox")}">hộp thư chat</a>' in html


def test_without_an_account_the_page_says_how_to_make_one(client, debug):
    _widget("https://shop.example")
    response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "widget.js" not in html
    assert (
        "No website chat account allows this site (http://testserver). Run <code>manage.py "
        "demoassistant --site-url http://testserver</code>"
    ) in html


def test_a_same_origin_poll_is_accepted_for_an_allowed_origin_only(client):
    _widget("http://testserver")
    url = reverse("assistant_channels:widget_messages", args=["demo-storefront"])
    same = client.get(url, HTTP_SEC_FETCH_SITE="same-origin")
    assert (same.status_code, same.json()) == (200, {"messages": []})
    assert same["Access-Control-Allow-Origin"] == "http://testserver"
    assert client.get(url).status_code == 403  # no Origin, no fetch metadata
    assert client.get(url, HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
    ChatAccount.objects.filter(external_id="demo-storefront").update(
        allowed_origins="https://shop.example"
    )
    assert client.get(url, HTTP_SEC_FETCH_SITE="same-origin").status_code == 403
