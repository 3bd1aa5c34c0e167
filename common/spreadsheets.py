"""How dates and times are written into the exports, the same in every file we hand out.

- Excel: real date cells (sortable, filterable) shown day/month/year like every page
  (crm/formats/), in the shop's time zone (spreadsheets know no time zones).
- CSV: ISO text ("2026-12-07 00:48", "2026-12-07"), which every spreadsheet and script reads
  the same whatever its locale: "07/12/2026" would be 12 July to a US-English spreadsheet.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

XLSX_DATE = "dd/mm/yyyy"
XLSX_DATETIME = "dd/mm/yyyy hh:mm"
CSV_DATETIME = "%Y-%m-%d %H:%M"


def shop_local(moment: datetime) -> datetime:
    """An instant as the naive shop-local wall time a spreadsheet cell holds."""
    return timezone.localtime(moment, timezone.get_default_timezone()).replace(tzinfo=None)


def csv_datetime(moment: datetime) -> str:
    return shop_local(moment).strftime(CSV_DATETIME)


def csv_date(day: date) -> str:
    return day.isoformat()
