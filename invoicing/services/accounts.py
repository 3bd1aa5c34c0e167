"""E-invoice provider accounts: save (validated like the account form) and check with the
provider (sign in, and the account's template and series are registered there)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.db import transaction
from django.utils.translation import gettext as _

from invoicing.adapters.base import TemplateInfo
from invoicing.models import ProviderAccount
from invoicing.services.providers import adapter_for


class AccountCheckError(Exception):
    """The provider answered, but the account's template and series are not registered."""


@dataclass(frozen=True)
class ProviderAccountInput:
    provider: str
    name: str
    base_url: str
    username: str
    password: str  # blank on edit: keep the stored one
    seller_tax_code: str
    template: str
    series: str
    auth_url: str = ""
    app_id: str = ""
    default_kind: str = "1"
    active: bool = True


def provider_account_save(
    *, data: ProviderAccountInput, account_id: int | None = None
) -> ProviderAccount:
    """Create or change an account; ValidationError (tax code check digit, series, template
    code) and nothing saved when a field is wrong."""
    with transaction.atomic():
        if account_id is None:
            account = ProviderAccount()
        else:
            account = ProviderAccount.objects.select_for_update().get(pk=account_id)
        for field in fields(data):
            value = getattr(data, field.name)
            if field.name == "password" and not value:
                continue
            setattr(account, field.name, value.strip() if isinstance(value, str) else value)
        account.series = account.series.upper()
        account.full_clean()
        account.save()
    return account


def _same_series(registered: str, series: str) -> bool:
    """C26TAA and C25TAA are one registration: the year digits follow the issue date."""
    return registered[:1] + registered[3:] == series[:1] + series[3:]


def provider_account_check(*, account_id: int) -> TemplateInfo:
    """Sign in with the account and find its template and series among those the provider
    has registered. Provider errors (refused credentials, no answer) propagate;
    AccountCheckError when the template or series is not registered."""
    account = ProviderAccount.objects.get(pk=account_id)
    adapter = adapter_for(account)
    adapter.check_credentials()
    for info in adapter.templates():
        if info.template == account.template and _same_series(info.series, account.series):
            return info
    raise AccountCheckError(
        _("Template %(template)s with series %(series)s is not registered with the provider.")
        % {"template": account.template, "series": account.series}
    )
