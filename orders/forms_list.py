"""Forms of the order list: the filter bar (GET) and the bulk action forms (POST).

The GET parameter names are fixed (bookmarks and the benchmark script use them):
q, status, channel, payment, method, warehouse, date_from, date_to, sort, page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from common import markers
from common.forms import BoundedDateField, LocalDateInput, choices_once, search_field
from orders.models import Channel, OrderStatus, PaymentMethod, PaymentStatus
from orders.selectors.order_list import (
    DEFAULT_SORT,
    NEXT_CONTACT_MARKERS,
    OrderListFilters,
    active_warehouse_choices,
    order_ids_matching,
    warehouse_choices,
)

SORT_CHOICES = [
    ("-created", _("Newest first")),
    ("created", _("Oldest first")),
    ("-total", _("Highest total")),
    ("total", _("Lowest total")),
    ("next_contact", _("Next contact first")),
]
MARKER_CHOICES = [
    (markers.DUE, _("Due today or overdue")),
    (markers.NEW, _("New")),
    (markers.SCHEDULED, _("Scheduled")),
    (markers.DONE, _("Finished")),
]
MAX_QUERY_LENGTH = 2000


def _any(label: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


def warehouse_options() -> list[tuple[str, Any]]:
    """Every warehouse, after "Any warehouse" (the filter bars of the list and the reports)."""
    return _any(_("Any warehouse"), warehouse_choices())


def _active_warehouse_options() -> list[tuple[str, Any]]:
    return _any(_("Choose a warehouse"), active_warehouse_choices())


class OrderFilterForm(forms.Form):
    q = search_field(
        _("Number, channel order, phone or name"), label=_("Search orders"), max_length=200
    )
    # Chosen with the status tabs; kept in the form so other filters keep it.
    status = forms.ChoiceField(
        choices=_any(_("All"), OrderStatus.choices), required=False, widget=forms.HiddenInput
    )
    channel = forms.ChoiceField(
        choices=_any(_("Any channel"), Channel.choices),
        required=False,
        widget=forms.Select(attrs={"aria-label": _("Channel")}),
    )
    payment = forms.ChoiceField(
        choices=_any(_("Any payment status"), PaymentStatus.choices),
        required=False,
        widget=forms.Select(attrs={"aria-label": _("Payment status")}),
    )
    method = forms.ChoiceField(
        choices=_any(_("Any payment method"), PaymentMethod.choices),
        required=False,
        widget=forms.Select(attrs={"aria-label": _("Payment method")}),
    )
    # The warehouses are read only when the field is rendered or checked (see __init__).
    warehouse = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"aria-label": _("Warehouse")}),
    )
    date_from = BoundedDateField(
        required=False,
        widget=LocalDateInput(attrs={"aria-label": _("From (date)")}),
    )
    date_to = BoundedDateField(
        required=False,
        widget=LocalDateInput(attrs={"aria-label": _("To (date)")}),
    )
    marker = forms.ChoiceField(
        choices=[("", _("All")), *MARKER_CHOICES], required=False, widget=forms.HiddenInput
    )
    sort = forms.ChoiceField(
        choices=SORT_CHOICES,
        required=False,
        widget=forms.Select(attrs={"aria-label": _("Sort")}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices_once(self.fields["warehouse"], warehouse_options)

    def filters(self) -> OrderListFilters:
        """The filters of the valid fields (an invalid value is ignored, not the whole bar)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return OrderListFilters(
            q=(data.get("q") or "").strip(),
            status=data.get("status") or "",
            channel=data.get("channel") or "",
            payment_status=data.get("payment") or "",
            payment_method=data.get("method") or "",
            warehouse_id=data.get("warehouse"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            sort=data.get("sort") or self._default_sort(data.get("marker") or ""),
            marker=data.get("marker") or "",
            today=timezone.localdate(),
        )

    @staticmethod
    def _default_sort(marker: str) -> str:
        """The day's work reads the most overdue (or the soonest) contact first."""
        return "next_contact" if marker in NEXT_CONTACT_MARKERS else DEFAULT_SORT


# --- Bulk actions -----------------------------------------------------------------------------

SCOPE_SELECTED = "selected"
SCOPE_FILTER = "filter"


class BulkSelectionForm(forms.Form):
    """Which orders a bulk action applies to: the ticked ones (`order`, repeated), or every
    order matching the list's filter (`scope=filter`, with the list's query string in
    `query`), at most `limit` of them."""

    scope = forms.ChoiceField(
        choices=[(SCOPE_SELECTED, _("Selected orders")), (SCOPE_FILTER, _("All matching"))],
        required=False,
    )
    query = forms.CharField(required=False, max_length=MAX_QUERY_LENGTH)

    def __init__(self, data: QueryDict, *, limit: int) -> None:
        super().__init__(data)
        self.posted = data
        self.limit = limit
        self.order_ids: list[int] = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        if cleaned.get("scope") == SCOPE_FILTER:
            filters = OrderFilterForm(QueryDict(cleaned.get("query") or "")).filters()
            ids = order_ids_matching(filters=filters, limit=self.limit + 1)
        else:
            ids = []
            for raw in self.posted.getlist("order"):
                try:
                    pk = int(raw)
                except (TypeError, ValueError):
                    raise forms.ValidationError(_("The selection is not valid.")) from None
                if pk not in ids:
                    ids.append(pk)
        if not ids:
            raise forms.ValidationError(_("Select at least one order."))
        if len(ids) > self.limit:
            raise forms.ValidationError(
                _(
                    "More than %(limit)s orders are selected: narrow the filter down to at most "
                    "%(limit)s orders at a time."
                )
                % {"limit": number_format(self.limit, force_grouping=True)}
            )
        self.order_ids = ids
        return cleaned


class BulkCancelForm(BulkSelectionForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=True,
        error_messages={"required": _("Write why the orders are cancelled.")},
    )


class BulkAssignForm(BulkSelectionForm):
    warehouse = forms.TypedChoiceField(
        label=_("Warehouse"),
        coerce=int,
        empty_value=None,
        required=True,
        error_messages={"required": _("Choose the warehouse to ship from.")},
    )

    def __init__(self, data: QueryDict, *, limit: int) -> None:
        super().__init__(data, limit=limit)
        choices_once(self.fields["warehouse"], _active_warehouse_options)


class BulkActionBar(forms.Form):
    """The inputs of the list's bulk action bar, rendered (not bound)."""

    reason = forms.CharField(
        required=False,
        max_length=500,
        widget=forms.TextInput(
            attrs={"placeholder": _("Cancellation reason"), "aria-label": _("Cancellation reason")}
        ),
    )
    warehouse = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"aria-label": _("Warehouse to assign")}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices_once(
            self.fields["warehouse"], lambda: _any(_("Warehouse…"), active_warehouse_choices())
        )
