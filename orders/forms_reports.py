"""Filter bars of the sales reports (GET).

Parameter names (bookmarks keep them): date_from, date_to, channel, warehouse, category, group,
sort, format. A value that does not validate is reported above the report and left out (its
default is used), so the page always shows a report and says which filters it applied.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from common.forms import BoundedDateField, LocalDateInput, choices_once, date_input_value
from inventory.selectors.catalogue import category_choices
from orders.forms_list import warehouse_options
from orders.models import Channel
from orders.selectors import report_scope as selectors


def _category_options() -> list[tuple[Any, Any]]:
    return [("", _("Any category")), *((c.pk, str(c)) for c in category_choices())]


def _date_input(label: Any, *, first: bool = False) -> forms.DateInput:
    attrs: dict[str, Any] = {"aria-label": label}
    if first:  # the first field of the bar: focused on load, Alt+F from anywhere
        attrs.update(accesskey="f", autofocus=True)
    return LocalDateInput(attrs=attrs)


def _select(label: Any) -> forms.Select:
    return forms.Select(attrs={"aria-label": label})


class ReportForm(forms.Form):
    """The period and the channel, shared by every report."""

    date_from = BoundedDateField(
        label=_("From"), required=False, widget=_date_input(_("From (date)"), first=True)
    )
    date_to = BoundedDateField(label=_("To"), required=False, widget=_date_input(_("To (date)")))
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[("", _("Any channel")), *Channel.choices],
        required=False,
        widget=_select(_("Channel")),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to:
            if date_to < date_from:
                self.add_error("date_to", _("The end date is before the start date."))
            elif (date_to - date_from).days + 1 > selectors.MAX_DAYS:
                self.add_error(
                    "date_to",
                    _("A report covers at most %(days)d days; choose a shorter period.")
                    % {"days": selectors.MAX_DAYS},
                )
        return data

    def _valid_data(self) -> dict[str, Any]:
        self.is_valid()
        data: dict[str, Any] = getattr(self, "cleaned_data", {})
        return data

    def report_filters(self, *, today: date) -> selectors.ReportFilters:
        """The filters of the valid fields; a missing or refused period falls back to the last
        30 days (a start date alone: up to today; an end date alone: the 30 days up to it)."""
        data = self._valid_data()
        default_from, default_to = selectors.default_period(today=today)
        typed_from: date | None = data.get("date_from")
        typed_to: date | None = data.get("date_to")
        date_from, date_to = default_from, default_to
        if typed_from and typed_to:
            date_from, date_to = typed_from, typed_to
        elif typed_from:
            latest = typed_from + timedelta(days=selectors.MAX_DAYS - 1)
            date_from = typed_from
            date_to = min(today, latest) if typed_from <= today else typed_from
        elif typed_to:
            date_from, date_to = typed_to - (default_to - default_from), typed_to
        # The date inputs show the period the report covers, whatever was typed.
        shown = QueryDict(mutable=True)
        shown.update(self.data)
        shown["date_from"] = date_input_value(date_from)
        shown["date_to"] = date_input_value(date_to)
        self.data = shown
        return selectors.ReportFilters(
            date_from=date_from,
            date_to=date_to,
            currency=settings.SHOP_CURRENCY,
            channel=data.get("channel") or "",
            warehouse_id=data.get("warehouse"),
            category_id=data.get("category"),
        )


class _WarehouseMixin(forms.Form):
    warehouse = forms.TypedChoiceField(
        label=_("Warehouse"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=_select(_("Warehouse")),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices_once(self.fields["warehouse"], warehouse_options)


class BestSellersForm(_WarehouseMixin, ReportForm):
    category = forms.TypedChoiceField(
        label=_("Category"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("A category includes its subcategories."),
        widget=_select(_("Category")),
    )
    group = forms.ChoiceField(
        label=_("Rows"),
        choices=[
            (selectors.GROUP_VARIANT, _("By variant (SKU)")),
            (selectors.GROUP_PRODUCT, _("By product")),
        ],
        required=False,
        widget=_select(_("Rows")),
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        choices=[
            (selectors.SORT_UNITS, _("Most units sold")),
            (selectors.SORT_REVENUE, _("Highest net revenue")),
            (selectors.SORT_PROFIT, _("Highest profit")),
        ],
        required=False,
        widget=_select(_("Sort")),
    )

    def __init__(self, *args: Any, with_costs: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices_once(self.fields["category"], _category_options)
        if not with_costs:  # no sorting by profit for a user who may not see it
            sort = self.fields["sort"]
            sort.choices = [  # type: ignore[attr-defined]
                c
                for c in sort.choices  # type: ignore[attr-defined]
                if c[0] != selectors.SORT_PROFIT
            ]

    def group_value(self) -> str:
        return self._valid_data().get("group") or selectors.GROUP_VARIANT

    def sort_value(self) -> str:
        return self._valid_data().get("sort") or selectors.SORT_UNITS


class TopCustomersForm(_WarehouseMixin, ReportForm):
    sort = forms.ChoiceField(
        label=_("Sort"),
        choices=[
            (selectors.SORT_REVENUE, _("Highest net revenue")),
            (selectors.SORT_ORDERS, _("Most orders")),
        ],
        required=False,
        widget=_select(_("Sort")),
    )

    def sort_value(self) -> str:
        return self._valid_data().get("sort") or selectors.SORT_REVENUE


class SalesForm(_WarehouseMixin, ReportForm):
    group = forms.ChoiceField(
        label=_("Rows"),
        choices=[
            (selectors.DAY, _("Per day")),
            (selectors.WEEK, _("Per week")),
            (selectors.MONTH, _("Per month")),
        ],
        required=False,
        widget=_select(_("Rows")),
    )

    def group_value(self) -> str:
        return self._valid_data().get("group") or selectors.DAY
