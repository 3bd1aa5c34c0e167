"""Pagination without COUNT(*): fetch one row more than a page to know whether there is a next.

Counting a million-row filtered list costs more than the page itself; staff need next/previous,
not "page 1 of 20,000".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict

from common.forms import PageField
from common.htmx import render_partial_or_page

T = TypeVar("T")


@dataclass(frozen=True)
class FastPage(Generic[T]):
    items: Sequence[T]
    number: int
    per_page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.items) - 1 if self.items else 0


def page_number(value: Any) -> int:
    """A list's page number from its query string: 1 when missing or not a whole number from
    1 to MAX_PAGE (a page link is navigation, not a filter: no error to show)."""
    try:
        page: int | None = PageField().clean(value)
    except ValidationError:
        return 1
    return page or 1


def paginate(queryset: QuerySet[Any], *, page: int, per_page: int = 50) -> FastPage[Any]:
    offset = (page - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return FastPage(
        items=rows[:per_page], number=page, per_page=per_page, has_next=len(rows) > per_page
    )


def request_page(
    request: HttpRequest, queryset: QuerySet[Any], *, per_page: int = 50
) -> FastPage[Any]:
    """The page of `queryset` the request asks for (`?page=`)."""
    return paginate(queryset, page=page_number(request.GET.get("page")), per_page=per_page)


def render_list_page(
    request: HttpRequest,
    queryset: QuerySet[Any],
    template: str,
    context: dict[str, Any],
    *,
    partial: str,
    per_page: int = 50,
) -> HttpResponse:
    """A list page: the page of `queryset` the request asks for, as `page` in the context,
    rendered whole or, for HTMX, as the list's partial (see common.htmx)."""
    page = request_page(request, queryset, per_page=per_page)
    return render_partial_or_page(request, template, {**context, "page": page}, partial=partial)


def query_with(params: QueryDict, **changes: Any) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    query = params.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = str(value)
    return query.urlencode()
