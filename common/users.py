"""Staff as people see them: by full name, with the login only where two share a name."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet


def user_full_name(user: Any) -> str:
    """The name to show for a user: the full name, else the login."""
    if user is None:
        return ""
    return user.get_full_name() or user.username


def ambiguous_user_ids(users: QuerySet[Any] | None = None) -> set[int]:
    """Ids of the users (active ones by default) whose full name another of them shares: next
    to their name, the login tells them apart. One query."""
    if users is None:
        users = get_user_model().objects.filter(is_active=True)
    rows = list(users.values_list("pk", "first_name", "last_name", "username"))
    names = {pk: f"{first} {last}".strip() or login for pk, first, last, login in rows}
    counts = Counter(name.casefold() for name in names.values())
    return {pk for pk, name in names.items() if counts[name.casefold()] > 1}


class UserChoiceField(forms.ModelChoiceField):
    """Pick a member of staff by full name; "Full Name (login)" where two share a name."""

    def __init__(self, queryset: QuerySet[Any] | None = None, **kwargs: Any) -> None:
        if queryset is None:
            queryset = get_user_model().objects.filter(is_active=True)
        super().__init__(
            queryset=queryset.order_by("first_name", "last_name", "username", "pk"), **kwargs
        )
        self._ambiguous: set[int] | None = None

    def label_from_instance(self, obj: Any) -> str:
        if self._ambiguous is None:
            self._ambiguous = ambiguous_user_ids(self.queryset)
        name = user_full_name(obj)
        if obj.pk in self._ambiguous and name != obj.username:
            return f"{name} ({obj.username})"
        return name
