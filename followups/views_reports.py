"""How follow-ups end: outcomes by staff member, and contact requests that became orders."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from common.auth import require_perm
from common.spreadsheets import CSV_TYPE, Table, csv_bytes, text_columns
from followups.forms import OutcomeReportForm
from followups.selectors.outcomes import OutcomeReport, outcome_report

DEFAULT_DAYS = 30


@require_GET
@require_perm("followups.view_followup")
def outcomes(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = OutcomeReportForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    date_to = data.get("date_to") or today
    date_from = data.get("date_from") or date_to - timedelta(days=DEFAULT_DAYS - 1)
    if form.is_bound and not form.is_valid():
        date_from, date_to = today - timedelta(days=DEFAULT_DAYS - 1), today
    report = outcome_report(date_from=date_from, date_to=date_to)
    if request.GET.get("format") == "csv" and (not form.is_bound or form.is_valid()):
        return _csv(report)
    if not form.is_bound or form.is_valid():
        form = OutcomeReportForm(initial={"date_from": date_from, "date_to": date_to})
    period_query = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    return render(
        request,
        "followups/outcomes.html",
        {"form": form, "report": report, "period_query": period_query},
    )


def _share(count: int, total: int) -> str:
    return f"{100 * count / total:.1f}" if total else "0.0"


def _csv(report: OutcomeReport) -> HttpResponse:
    name = f"followup-outcomes-{report.date_from.isoformat()}-{report.date_to.isoformat()}.csv"
    labels = {row.outcome: row.label for row in report.outcomes}
    rows: list[list[object]] = [
        [_("All"), row.label, row.count, _share(row.count, report.total)] for row in report.outcomes
    ]
    for person in report.staff:
        for outcome, label in labels.items():
            count = person.counts.get(outcome, 0)
            rows.append([person.name or _("Nobody"), label, count, _share(count, person.total)])
    rows.append([])
    rows.append([_("Contact requests"), _("Turned into orders"), _("Received"), _("Share (%)")])
    rows.append(
        [
            "",
            report.requests_ordered,
            report.requests_total,
            _share(report.requests_ordered, report.requests_total),
        ]
    )
    table = Table(
        sheet="outcomes",  # a CSV has no sheet name
        columns=text_columns([_("Staff member"), _("Outcome"), _("Follow-ups"), _("Share (%)")]),
        rows=rows,
    )
    response = HttpResponse(csv_bytes(table), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
