"""Sales report pages (GET): the index, best sellers, top customers, sales by channel and period.

Each page parses its filter bar, calls one selector and renders the report (an htmx request
gets the report partial only), or, with ?format=csv or ?format=xlsx, the same rows as a file.
Charts are SVG markup built by common.charts, which escapes every label itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from babel.numbers import format_compact_currency
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from common import charts
from common.auth import require_perm
from common.htmx import render_partial_or_page
from common.money import BABEL_LOCALES, PRECISION, format_money
from inventory.permissions import can_see_costs
from orders import exports_reports as exports
from orders.forms_reports import BestSellersForm, ReportForm, SalesForm, TopCustomersForm
from orders.models import Channel
from orders.selectors import reports as selectors

PERM = "orders.view_reports"
CHART_BARS = 10
Report = TypeVar("Report")


def _today() -> date:
    return timezone.localdate()


def _money_formatter(currency: str) -> Callable[[Decimal], str]:
    language = get_language() or "en"
    return lambda value: format_money(value, currency, language)


def _compact_money_formatter(currency: str) -> Callable[[Decimal], str]:
    locale = BABEL_LOCALES.get((get_language() or "en")[:2], "en_US")
    digits = 1 if PRECISION[currency] == 0 else 2
    return lambda value: format_compact_currency(
        value, currency, locale=locale, fraction_digits=digits
    )


def _units_formatter(value: Decimal) -> str:
    return number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)


@dataclass(frozen=True)
class Chart:
    title: str
    svg: SafeString


def _chart(title: str, markup: str) -> Chart:
    return Chart(title=title, svg=mark_safe(markup))  # noqa: S308 - common.charts escapes labels


def _export(
    request: HttpRequest, report: Report, build: Callable[[Report], exports.ExportTable]
) -> HttpResponse | None:
    kind = request.GET.get("format", "")
    if kind not in ("csv", "xlsx"):
        return None
    table = build(report)
    if kind == "csv":
        response = HttpResponse(exports.export_csv(table), content_type=exports.CSV_TYPE)
    else:
        response = HttpResponse(exports.export_xlsx(table), content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{table.filename(kind)}"'
    return response


def _page(
    request: HttpRequest, template: str, form: ReportForm, context: dict[str, Any]
) -> HttpResponse:
    filters: selectors.ReportFilters = context["filters"]
    context.update(
        form=form,
        with_costs=can_see_costs(request.user),
        currency=filters.currency,
        period_query={
            "date_from": filters.date_from.isoformat(),
            "date_to": filters.date_to.isoformat(),
        },
    )
    return render_partial_or_page(request, template, context, partial="report")


# --- Index ------------------------------------------------------------------------------------


@require_GET
@require_perm(PERM)
def reports(request: HttpRequest) -> HttpResponse:
    try:
        followups_url = reverse("followups:outcomes")
    except NoReverseMatch:
        followups_url = ""
    return render(
        request,
        "orders/reports/index.html",
        {
            "followups_url": followups_url,
            "currency": settings.SHOP_CURRENCY,
            "with_costs": can_see_costs(request.user),
        },
    )


# --- Best sellers -----------------------------------------------------------------------------


@require_GET
@require_perm(PERM)
def report_best_sellers(request: HttpRequest) -> HttpResponse:
    with_costs = can_see_costs(request.user)
    form = BestSellersForm(request.GET, with_costs=with_costs)
    filters = form.report_filters(today=_today())
    report = selectors.best_sellers(
        filters=filters, with_costs=with_costs, group=form.group_value(), sort=form.sort_value()
    )
    exported = _export(request, report, exports.best_sellers_table)
    if exported is not None:
        return exported
    return _page(
        request,
        "orders/reports/best_sellers.html",
        form,
        {"filters": filters, "report": report, "chart": _best_sellers_chart(report)},
    )


def _best_sellers_chart(report: selectors.BestSellers) -> Chart | None:
    top = report.rows[:CHART_BARS]
    if not top:
        return None
    currency = report.filters.currency
    shown: Callable[[Decimal], str]
    tick: Callable[[Decimal], str]
    if report.sort == selectors.SORT_UNITS:
        title = _("Top %(count)d by units sold") % {"count": len(top)}
        values = [Decimal(row.figures.units) for row in top]
        shown, tick = _units_formatter, _units_formatter
    elif report.sort == selectors.SORT_REVENUE:
        title = _("Top %(count)d by net revenue") % {"count": len(top)}
        values = [row.figures.net_revenue for row in top]
        shown, tick = _money_formatter(currency), _compact_money_formatter(currency)
    else:
        title = _("Top %(count)d by profit") % {"count": len(top)}
        values = [row.figures.profit or Decimal(0) for row in top]
        shown, tick = _money_formatter(currency), _compact_money_formatter(currency)
    bars = [
        charts.Bar(label=f"{row.sku} · {row.name}" if row.sku else row.name, value=value)
        for row, value in zip(top, values, strict=True)
    ]
    return _chart(
        title,
        charts.horizontal_bar_chart(
            title=title,
            description=_("One bar per row of the table below, in the same order."),
            bars=bars,
            format_value=shown,
            format_tick=tick,
            chart_id="best-sellers-chart",
            width=960,
            label_width=330,
            value_width=130,
        ),
    )


# --- Top customers ----------------------------------------------------------------------------


@require_GET
@require_perm(PERM)
def report_top_customers(request: HttpRequest) -> HttpResponse:
    form = TopCustomersForm(request.GET)
    filters = form.report_filters(today=_today())
    report = selectors.top_customers(filters=filters, sort=form.sort_value())
    exported = _export(request, report, exports.top_customers_table)
    if exported is not None:
        return exported
    return _page(
        request,
        "orders/reports/top_customers.html",
        form,
        {"filters": filters, "report": report},
    )


# --- Sales by channel and period --------------------------------------------------------------


def period_label(start: date, group: str, *, short: bool = False) -> str:
    if group == selectors.MONTH:
        return date_format(start, "YEAR_MONTH_FORMAT")
    text = date_format(start, "SHORT_DATE_FORMAT")
    if group == selectors.WEEK and not short:
        return _("Week of %(date)s") % {"date": text}
    return text


@require_GET
@require_perm(PERM)
def report_sales(request: HttpRequest) -> HttpResponse:
    form = SalesForm(request.GET)
    filters = form.report_filters(today=_today())
    report = selectors.sales_by_channel(filters=filters, group=form.group_value())
    exported = _export(request, report, exports.sales_table)
    if exported is not None:
        return exported
    rows = [(period_label(row.period, report.group), row) for row in report.rows]
    heads = [(code, label, channel_colour(code)) for code, label in report.channels]
    return _page(
        request,
        "orders/reports/sales.html",
        form,
        {
            "filters": filters,
            "report": report,
            "rows": rows,
            "channel_heads": heads,
            "chart": _sales_chart(report),
        },
    )


def _sales_chart(report: selectors.SalesReport) -> Chart | None:
    if not report.rows or not report.channels:
        return None
    currency = report.filters.currency
    series = [
        charts.Series(
            label=label,
            values=[row.cells[i].net_revenue for row in report.rows],
            colour=channel_colour(code),
        )
        for i, (code, label) in enumerate(report.channels)
    ]
    title = _("Net revenue per period and channel")
    return _chart(
        title,
        charts.stacked_bar_chart(
            title=title,
            description=_(
                "Stacked bars: the net revenue of each channel per period; "
                "the line: the total of all channels."
            ),
            categories=[period_label(row.period, report.group, short=True) for row in report.rows],
            series=series,
            format_value=_money_formatter(currency),
            format_tick=_compact_money_formatter(currency),
            total_label=_("Total"),
            chart_id="sales-chart",
            width=960,
            height=300,
            max_labels=10,
        ),
    )


def channel_colour(code: str) -> str:
    """The same colour for a channel on every chart (its position in the channel list)."""
    codes = [value for value, _label in Channel.choices]
    return charts.colour(codes.index(code) if code in codes else len(codes))
