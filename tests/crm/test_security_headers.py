"""Browser-facing hardening: a strict Content-Security-Policy that the pages actually satisfy
(no inline script or style left anywhere a browser renders), and signed-in staff responses that
no browser or proxy keeps (Cache-Control: private, no-store)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from crm.context_processors import NAVIGATION
from followups.services import Subject, followup_schedule
from followups.services_requests import contact_request_create
from orders.services.orders.transitions import order_confirm, order_ship
from tests.inventory.factories import ProductFactory, SupplierFactory
from tests.inventory.factories_purchasing import make_order as make_purchase_order
from tests.orders.factories import WarehouseFactory, make_customer, make_order, stocked_variant

ROOT = Path(__file__).resolve().parents[2]
HX = {"HTTP_HX_REQUEST": "true"}

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}

# Templates a browser never renders, so CSP does not apply: WeasyPrint turns these into PDFs,
# and the digest is an e-mail (mail clients drop <style> blocks; inline styles are the norm).
NOT_FOR_BROWSERS = {
    "orders/pdf/picking_list.html",
    "inventory/pdf/purchase_order.html",
    "orders/pdf/delivery_note.html",
    "followups/email/digest.html",
}

# Markup CSP refuses without 'unsafe-inline' / 'unsafe-eval'.
SOURCE_PATTERNS = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")", re.I),
    "style block": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "hx-on attribute": re.compile(r"\bhx-on", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "evaluated hx-vals/hx-vars": re.compile(
        r"hx-va(?:ls|rs)\s*=\s*['\"]\s*(?:js|javascript):", re.I
    ),
}


def _template_files() -> dict[str, Path]:
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    roots += [p for p in ROOT.glob("*/templates") if ".venv" not in p.parts]
    return {str(f.relative_to(root)): f for root in roots for f in root.rglob("*.html")}


def test_no_template_rendered_for_a_browser_has_inline_code():
    found: dict[str, list[str]] = {}
    for name, path in sorted(_template_files().items()):
        text = path.read_text(encoding="utf-8")
        hits = [what for what, pattern in SOURCE_PATTERNS.items() if pattern.search(text)]
        if hits:
            found[name] = hits
    exempt = {name: hits for name, hits in found.items() if name in NOT_FOR_BROWSERS}
    assert {name: hits for name, hits in found.items() if name not in NOT_FOR_BROWSERS} == {}
    # The exemptions are real: each of those templates is still there and still needs it.
    assert set(exempt) == NOT_FOR_BROWSERS


def test_the_exempt_templates_are_only_rendered_into_pdfs_and_e_mails():
    """Each template outside CSP is named only by PDF rendering or the e-mail digest."""
    users: dict[str, set[str]] = {name: set() for name in NOT_FOR_BROWSERS}
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for name in NOT_FOR_BROWSERS:
            if f'"{name}"' in text:
                users[name].add(str(path.relative_to(ROOT)))
    for name, modules in users.items():
        assert modules, name
        for module in modules:
            text = (ROOT / module).read_text(encoding="utf-8")
            assert (
                "pdf_response" in text
                or "render_pdf" in text
                or "send_mail" in text
                or "EmailMulti" in text
            ), (
                name,
                module,
            )


class _InlineCode(HTMLParser):
    """Collects what the browser would refuse under the policy."""

    EVALUATED = ("hx-vals", "hx-vars", "hx-headers")
    URLS = ("href", "src", "action", "formaction")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        where = f"<{tag}> at {self.getpos()}"
        values = dict(attrs)
        is_json = values.get("type") == "application/json"
        if tag == "script" and values.get("src") is None and not is_json:
            self.problems.append(f"inline script {where}")
        if tag == "style":
            self.problems.append(f"style block {where}")
        for name, value in attrs:
            text = (value or "").strip().lower()
            code = (
                name == "style"
                or name.startswith(("on", "hx-on"))
                or (name in self.EVALUATED and text.startswith(("js:", "javascript:")))
                or (name in self.URLS and text.startswith("javascript:"))
            )
            if code:
                self.problems.append(f"{name}={value!r} on {where}")


def inline_code(html: str) -> list[str]:
    parser = _InlineCode()
    parser.feed(html)
    parser.close()
    return parser.problems


def parse_policy(header: str) -> dict[str, list[str]]:
    policy = {}
    for directive in header.split(";"):
        name, *values = directive.split()
        policy[name] = values
    return policy


@pytest.fixture
def shop(make_user):
    owner = make_user("owner", username="chu")
    warehouse = WarehouseFactory(code="HCM01", name="Kho HCM")
    shirt = stocked_variant(
        warehouse, 10, sku="AO-1", product=ProductFactory(name="Áo thun"), option1="Trắng"
    )
    customer = make_customer("Nguyễn Văn An")
    order = make_order(customer, warehouse, [(shirt, 2)])
    shipped = make_order(customer, warehouse, [(shirt, 1)])  # the reports show its channel
    order_confirm(order_id=shipped.pk, user_id=None)
    order_ship(order_id=shipped.pk, user_id=None)
    followup_schedule(
        subject=Subject("order", order.pk),
        next_contact_at=timezone.now() + timedelta(days=1),
        user_id=owner.pk,
    )
    request, _created = contact_request_create(
        name="Chị Bình", phone="0987 654 321", source="staff", message="Gọi lại", user_id=None
    )
    purchase = make_purchase_order(
        supplier=SupplierFactory(), warehouse=warehouse, lines=[(shirt, 5, "80000")]
    )
    return {
        "owner": owner,
        "order": order,
        "customer": customer,
        "product": shirt.product,
        "request": request,
        "purchase": purchase,
        "warehouse": warehouse,
    }


def staff_pages(shop) -> list[str]:
    pages = [reverse(name) for name, _label, _perm, _icon in NAVIGATION]
    pages += [
        reverse("orders:order_detail", args=[shop["order"].pk]),
        reverse("orders:order_edit", args=[shop["order"].pk]),
        reverse("orders:order_create"),
        reverse("orders:customer_detail", args=[shop["customer"].pk]),
        reverse("inventory:product_detail", args=[shop["product"].pk]),
        reverse("inventory:product_edit", args=[shop["product"].pk]),
        reverse("inventory:product_create"),
        reverse("inventory:purchase_order_create"),
        reverse("inventory:purchase_order_detail", args=[shop["purchase"].pk]),
        reverse("inventory:purchase_order_edit", args=[shop["purchase"].pk]),
        reverse("followups:request_detail", args=[shop["request"].pk]),
        reverse("followups:feed_settings"),
        reverse("orders:report_sales"),
        reverse("orders:report_best_sellers"),
        reverse("orders:report_top_customers"),
        reverse("password_change"),
    ]
    return pages


@pytest.mark.django_db
def test_staff_pages_have_no_inline_code_and_a_strict_policy(client, shop):
    client.force_login(shop["owner"])
    pages = staff_pages(shop)
    assert len(pages) == len(NAVIGATION) + 16
    problems = {}
    for url in pages:
        response = client.get(url)
        if url == reverse("orders:report_sales"):  # the channel swatches and the chart are there
            assert '<svg class="swatch"' in response.content.decode()
            assert (
                '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in response.content.decode()
            )
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html"), url
        assert parse_policy(response["Content-Security-Policy"]) == POLICY, url
        found = inline_code(response.content.decode())
        if found:
            problems[url] = found
    assert problems == {}


@pytest.mark.django_db
def test_htmx_fragments_have_no_inline_code(client, shop):
    client.force_login(shop["owner"])
    order = shop["order"]
    variant_id = order.lines.get().variant_id
    responses = {
        "panel": client.get(reverse("followups:panel", args=["order", order.pk]), **HX),
        "order table": client.get(reverse("orders:order_list"), {"q": "An"}, **HX),
        "sales report": client.get(reverse("orders:report_sales"), **HX),
        "purchase lines": client.post(
            reverse("inventory:purchase_order_line"),
            {"lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0", "add_variant": variant_id},
            **HX,
        ),
    }
    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 200)
    assert {name: inline_code(r.content.decode()) for name, r in responses.items()} == {
        name: [] for name in responses
    }
    assert "data-remove-row" in responses["purchase lines"].content.decode()


def test_the_login_page_has_the_policy_and_no_inline_code(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert parse_policy(response["Content-Security-Policy"]) == POLICY
    assert inline_code(response.content.decode()) == []


def test_the_error_pages_have_no_inline_code():
    for name in ("500.html", "404.html", "403.html", "400.html"):
        path = ROOT / "templates" / name
        if path.exists():
            assert inline_code(path.read_text(encoding="utf-8")) == [], name


def test_htmx_is_told_not_to_inject_styles_nor_evaluate_code(client, login_as):
    login_as("owner")
    html = client.get(reverse("dashboard")).content.decode()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert meta is not None
    config = json.loads(meta.group(1))
    assert (config["includeIndicatorStyles"], config["allowEval"]) == (False, False)


# --- Cache-Control ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_signed_in_response_is_private_and_not_stored(client, shop):
    client.force_login(shop["owner"])
    order, purchase = shop["order"], shop["purchase"]
    period = {"date_from": "2000-01-01", "date_to": "2100-01-01"}
    responses = {
        "page": client.get(reverse("dashboard")),
        "fragment": client.get(reverse("orders:order_list"), **HX),
        "csv": client.get(reverse("orders:report_best_sellers"), {**period, "format": "csv"}),
        "xlsx": client.get(reverse("orders:report_sales"), {**period, "format": "xlsx"}),
        "streamed xlsx": client.post(
            reverse("orders:order_bulk_export"), {"order": [order.pk], "format": "xlsx"}
        ),
        "pdf": client.get(reverse("inventory:purchase_order_pdf", args=[purchase.pk])),
        "redirect": client.post(reverse("orders:order_bulk_cancel"), {"order": []}),
        "form error": client.post(reverse("inventory:supplier_create"), {}),
        "not found": client.get(reverse("orders:order_detail", args=[order.pk + 1000])),
    }
    assert {name: r.status_code for name, r in responses.items()} == {
        "page": 200,
        "fragment": 200,
        "csv": 200,
        "xlsx": 200,
        "streamed xlsx": 200,
        "pdf": 200,
        "redirect": 302,
        "form error": 200,
        "not found": 404,
    }
    assert responses["pdf"]["Content-Type"] == "application/pdf"
    assert {name: r["Cache-Control"] for name, r in responses.items()} == dict.fromkeys(
        responses, "private, no-store"
    )


def test_a_view_that_chose_a_private_cache_keeps_it(client, login_as, settings, tmp_path):
    """Product images may stay in the signed-in browser's own cache for a day (lists show
    many thumbnails); that policy is already private, so it is left as the view set it."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path
    default_storage.save("products/1/photo.png", ContentFile(b"\x89PNG\r\n\x1a\n"))
    login_as("owner")
    response = client.get(reverse("inventory:product_media", args=["products/1/photo.png"]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=86400"


def test_a_stricter_policy_set_by_the_view_is_made_private_too(client, login_as):
    """never_cache (the system health page) already says private and no-store: kept as is."""
    login_as("owner")
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


@pytest.mark.django_db
def test_anonymous_answers_are_left_alone(client):
    assert client.get(reverse("healthz"))["Cache-Control"] == (
        "max-age=0, no-cache, no-store, must-revalidate, private"  # its own never_cache
    )
    redirect = client.get(reverse("dashboard"))
    assert (redirect.status_code, "Cache-Control" in redirect) == (302, False)
