"""The order list's table rows, written in one pass (the markup the row template had).

Fifty rows through Django's template engine cost more than the query behind them (every
`{{ }}` resolves through the context, every include renders a template, every row reverses a
URL and localises a date and an amount). Here each row is one format_html call (the same
escaping), the detail URL is reversed once per page, and the pills and follow-up icons are
rendered from their own templates once per distinct value, so their markup stays in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.money import format_money

_SENTINEL_PK = 987654321
_ROW = (
    '<tr class="order-row{inactive}" data-order-row>'
    '<td class="col-marker">{marker}</td>'
    '<td class="col-check"><input type="checkbox" name="order" value="{pk}" aria-label="{select}">'
    "</td>"
    '<td class="nowrap col-number"><a class="mono strong" href="{url}" data-open>{number}</a></td>'
    '<td class="nowrap col-created">{created}</td>'
    '<td class="col-channel">{channel}{external}</td>'
    '<td class="customer">{parties}</td>'
    '<td class="col-status">{status}</td>'
    '<td class="col-payment">{payment}<div class="muted small">{method}</div></td>'
    '<td class="mono col-warehouse">{warehouse}</td>'
    '<td class="num strong col-total">{total}</td>'
    "</tr>"
)


def order_rows_html(rows: Sequence[Any]) -> SafeString:
    """The <tr>s of the orders prepared by orders.selectors.order_list.list_rows."""
    url = reverse("orders:order_detail", args=[_SENTINEL_PK])
    language = get_language() or "en"
    status_pill = _once("orders/partials/status_pill.html")
    payment_pill = _once("orders/partials/payment_pill.html")
    no_warehouse = format_html('<span class="muted">{}</span>', "—")
    out = []
    for order in rows:
        number = order.number
        out.append(
            format_html(
                _ROW,
                inactive=" inactive" if order.status == "cancelled" else "",
                marker=order.marker_html,
                pk=order.pk,
                select=_select_label(number),
                url=url.replace(str(_SENTINEL_PK), str(order.pk)),
                number=number,
                created=date_format(localtime(order.created_at), "SHORT_DATETIME_FORMAT"),
                channel=order.channel_label,
                external=format_html(
                    '<div class="muted small mono">{}</div>', order.external_number
                )
                if order.external_number
                else "",
                parties=_parties(order.parties),
                status=status_pill(status=order.status, label=order.status_label),
                payment=payment_pill(status=order.payment_status, label=order.payment_status_label),
                method=order.payment_method_label,
                warehouse=order.warehouse.code if order.warehouse_id else no_warehouse,
                total=_money(order.total, order.currency or settings.SHOP_CURRENCY, language),
            )
        )
    return mark_safe("".join(out))  # noqa: S308  (each part went through format_html)


@lru_cache(maxsize=16384)
def _money(amount: Decimal, currency: str, language: str) -> str:
    """format_money (the `money` filter), remembered: babel takes ~0.1 ms per amount."""
    return format_money(amount, currency, language)


def _select_label(number: str) -> SafeString:
    # As {% blocktranslate %}Select {{ number }}{% endblocktranslate %}: the value escaped.
    return mark_safe(_("Select %(number)s") % {"number": conditional_escape(number)})  # noqa: S308


def _external(number: str) -> SafeString | str:
    return format_html('<div class="muted small mono">{}</div>', number) if number else ""


def _parties(p: Any) -> SafeString:
    html = format_html("<span data-recipient>{}</span>", p.recipient_name)
    if p.recipient_phone:
        html += format_html(
            '<div class="muted small mono" data-recipient-phone>{}</div>', p.recipient_phone
        )
    if p.buyer_differs:
        phone = (
            format_html(' <span class="mono">{}</span>', p.customer_phone)
            if p.customer_phone
            else ""
        )
        html += format_html(
            '<div class="muted small" data-buyer>{}: {}{}</div>', _("Buyer"), p.customer_name, phone
        )
    return html


def _once(template: str) -> Callable[..., SafeString]:
    """The template rendered once per distinct context and language (the pills: a handful)."""

    def render(**context: Any) -> SafeString:
        return _rendered(template, tuple(sorted(context.items())), get_language() or "")

    return render


@lru_cache(maxsize=512)
def _rendered(template: str, items: tuple[tuple[str, Any], ...], language: str) -> SafeString:
    # `language` is part of the key only: the template translates in the active language.
    return mark_safe(render_to_string(template, dict(items)).strip())  # noqa: S308
