"""Form pieces every list page shares."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import formats, timezone
from django.utils.choices import BaseChoiceIterator, normalize_choices
from django.utils.translation import gettext_lazy as _

from common.days import EARLIEST_DAY, day_in_range, latest_day
from common.money import ParseError, money_input, parse_money, parse_percent, parse_quantity


def search_field(placeholder: Any, *, label: Any = None, max_length: int | None = None) -> Any:
    """The search box of a list's filter bar: `/` focuses it (data-search), the browser does
    not offer old entries over the live results, and screen readers get its label."""
    return forms.CharField(
        required=False,
        max_length=max_length,
        label=label or _("Search"),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": placeholder,
                "data-search": "",
                "autocomplete": "off",
                "aria-label": label or placeholder,
            }
        ),
    )


# --- Bounded query-string fields ---------------------------------------------------------------
# Every value a page reads from its query string goes through a form field that bounds it: a
# typed-in or bookmarked value beyond what the shop can mean is a field error on the page,
# never a crash further down (a date in year 9999 has no "next month"; an id beyond PostgreSQL's
# bigint fails the query) and never another record's data.

MAX_ID = 2**63 - 1  # PostgreSQL bigint
MAX_PAGE = 100_000


def _day(value: date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _check_day(field: forms.Field, day: date) -> None:
    today = timezone.localdate()
    if not day_in_range(day, today=today):
        raise ValidationError(
            field.error_messages["out_of_range"],
            code="out_of_range",
            params={"earliest": _day(EARLIEST_DAY), "latest": _day(latest_day(today))},
        )


class BoundedDateField(forms.DateField):
    """A date within the days the shop accepts (common.days: 2000-01-01 to five years ahead)."""

    default_error_messages = {
        "out_of_range": _("Enter a date between %(earliest)s and %(latest)s."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", LocalDateInput())
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            _check_day(self, value)


class BoundedDateTimeField(forms.DateTimeField):
    """A shop-local date and time whose day is within the days the shop accepts."""

    default_error_messages = BoundedDateField.default_error_messages

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            _check_day(self, value.date())


def bounded_date_error(day: date | None) -> ValidationError | None:
    """The error of a date typed in a field that is not a BoundedDateField (a date and a time
    typed apart), or None when the day is acceptable or missing."""
    if day is None:
        return None
    try:
        _check_day(BoundedDateField(), day)
    except ValidationError as error:
        return error
    return None


class IdField(forms.IntegerField):
    """The id of a record, as links carry it: a whole number from 1 to PostgreSQL's bigint."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class PageField(IdField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_value", MAX_PAGE)
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(**kwargs)


def _default(field: forms.Field) -> Any:
    """What a missing or refused field stands for: its initial value, else its empty value."""
    if field.initial is not None and not callable(field.initial):
        return field.initial
    if isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)):
        return []
    if isinstance(field, forms.ModelChoiceField):
        return None
    if isinstance(field, forms.BooleanField):
        return False
    if hasattr(field, "empty_value"):
        return field.empty_value
    return "" if isinstance(field, forms.ChoiceField) else None


def valid_values(form: forms.Form) -> dict[str, Any]:
    """Every field of a filter form, checked on its own: the cleaned value of a valid field, the
    field's default for a missing or refused one. The form keeps its errors for the page to show
    ("Some filters were not applied"), so a refused value is never silently replaced."""
    if form.is_bound:
        form.is_valid()
    cleaned: dict[str, Any] = getattr(form, "cleaned_data", {})
    return {
        name: cleaned[name] if name in cleaned and name not in form.errors else _default(field)
        for name, field in form.fields.items()
    }


F = TypeVar("F", bound=forms.Form)


@dataclass(frozen=True)
class ParsedQuery(Generic[F]):
    form: F  # bound to the query string (unbound without one), with its errors
    values: dict[str, Any]  # see valid_values

    @property
    def errors(self) -> Any:
        return self.form.errors


def parse_query(form_class: type[F], params: QueryDict, **kwargs: Any) -> ParsedQuery[F]:
    """Bind a page's query string to its filter form and read it field by field."""
    form = form_class(params or None, **kwargs)
    return ParsedQuery(form=form, values=valid_values(form))


class ChoicesOnce(BaseChoiceIterator):
    """Choices read from the database when first needed, then kept for this form instance
    (a Select iterates its choices more than once while it renders)."""

    def __init__(self, func: Callable[[], Any]) -> None:
        self.func = func
        self.items: list[Any] | None = None

    def __iter__(self) -> Iterator[Any]:
        if self.items is None:
            self.items = list(normalize_choices(self.func()))
        yield from self.items


def choices_once(field: forms.Field, func: Callable[[], Any]) -> None:
    """Give a choice field the choices `func` reads, read once and only when rendered or
    validated (a form built at import time or never shown costs no query)."""
    field.choices = ChoicesOnce(func)  # type: ignore[attr-defined]


def pk_or_none(record: Any) -> int | None:
    """The primary key of a record chosen in a form (a filter's ModelChoiceField), or None
    when none was chosen."""
    return record.pk if record else None


def id_or_none(value: Any) -> int | None:
    """A record id read on its own (a helper endpoint's `?customer=`, a session value): the
    IdField's whole number, or None when missing or not one (never another record's id)."""
    try:
        cleaned: int | None = IdField().clean(value)
    except ValidationError:
        return None
    return cleaned


# --- Dates and times typed in the UI language's format ----------------------------------------
# A native <input type="date"> shows and reads the browser's locale (mm/dd/yyyy in an English
# browser, so 12/08/2026 would be 8 December); these are text fields that show the active
# language's format (crm/formats/: dd/mm/yyyy) and are read with its DATE_INPUT_FORMATS, which
# also take ISO 2026-08-12 (links and query strings already out there).

# What the browser lets through: d/m/y with / . or - between, or ISO. The server decides.
DATE_PATTERN = r"[0-9]{1,2}[\/.\-][0-9]{1,2}[\/.\-][0-9]{2,4}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
TIME_PATTERN = r"[0-9]{1,2}[:.][0-9]{2}"


class LocalDateInput(forms.DateInput):
    """A date as text in the UI language's format ("12/08/2026"), with a numeric keyboard on
    phones; static/js/datepicker.js adds a small calendar to fields marked data-datepicker."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base: dict[str, Any] = {
            "inputmode": "numeric",
            "placeholder": _("dd/mm/yyyy"),
            "pattern": DATE_PATTERN,
            "autocomplete": "off",
            "size": 10,
            "data-datepicker": "",
        }
        # format=None: written back with the active language's first DATE_INPUT_FORMATS.
        super().__init__(attrs={**base, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        """A date typed or linked in another accepted form ("2026-12-08" from an old link,
        "8/12/26") is shown back as the language writes it; anything else as typed."""
        if isinstance(value, str):
            day = parse_date(value)
            return date_input_value(day) if day else value
        return super().format_value(value)


class LocalTimeInput(forms.TimeInput):
    """A time as 24-hour text ("14:30"); a native time input shows AM/PM in an English browser."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base: dict[str, Any] = {
            "inputmode": "numeric",
            "placeholder": _("hh:mm"),
            "pattern": TIME_PATTERN,
            "autocomplete": "off",
            "size": 5,
            "data-timefield": "",
        }
        super().__init__(attrs={**base, **(attrs or {})})


def parse_date(text: str | None) -> date | None:
    """A date typed or linked in the active language's format or ISO; None when it is not one."""
    value = (text or "").strip()
    if not value:
        return None
    try:
        return forms.DateField().to_python(value)
    except forms.ValidationError:
        return None


def date_input_value(day: date) -> str:
    """A date as a date field shows it in the active language ("12/08/2026")."""
    return formats.localize_input(day)


# --- Numbers as staff type them -------------------------------------------------------------


def percent_input(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != value.to_integral() else str(int(value))


class ParsedField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("autocomplete", "off")
        self.widget.attrs.setdefault("class", "num")

    def parse(self, text: str) -> Any:
        raise NotImplementedError

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return None
        try:
            return self.parse(text)
        except ParseError as error:
            raise ValidationError(str(error), code="invalid") from error


class MoneyField(ParsedField):
    """An amount as staff type it: "150000", "150.000" (VND thousands), "199.50" (THB); never
    a float. In the shop currency unless another is given (a purchase order's own)."""

    def __init__(self, *, currency: str | None = None, **kwargs: Any) -> None:
        self.currency = currency
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def parse(self, text: str) -> Decimal:
        return parse_money(text, currency=self.currency)

    def prepare_value(self, value: Any) -> Any:
        return money_input(value, self.currency) if isinstance(value, Decimal) else value


class PercentField(ParsedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def parse(self, text: str) -> Decimal:
        return parse_percent(text)

    def prepare_value(self, value: Any) -> Any:
        return percent_input(value) if isinstance(value, Decimal) else value


class QuantityField(ParsedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")

    def parse(self, text: str) -> int:
        return parse_quantity(text)
