"""Provider accounts through the services: saved like the form validates them, checked with
the provider over real HTTP (sign-in, the template and series registered there)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from invoicing.models import ProviderAccount
from invoicing.sandbox.misa import APP_ID, VAT_TEMPLATE_ID, MisaSandbox
from invoicing.sandbox.misa import PASSWORD as MISA_PASSWORD
from invoicing.sandbox.misa import USERNAME as MISA_USERNAME
from invoicing.sandbox.sinvoice import PASSWORD, TAX_CODE, USERNAME, SInvoiceSandbox
from invoicing.services.accounts import (
    AccountCheckError,
    ProviderAccountInput,
    provider_account_check,
    provider_account_save,
)

YY = f"{timezone.localdate().year % 100:02d}"


def _sinvoice(sandbox: SInvoiceSandbox, **changes: str) -> ProviderAccountInput:
    values = {
        "provider": "sinvoice",
        "name": "S-Invoice",
        "base_url": sandbox.api_base,
        "username": USERNAME,
        "password": PASSWORD,
        "seller_tax_code": TAX_CODE,
        "template": "1/001",
        "series": f"c{YY}taa",
    }
    values.update(changes)
    return ProviderAccountInput(**values)


@pytest.mark.django_db
def test_saved_then_found_registered(encryption_keys, sinvoice_sandbox):
    account = provider_account_save(data=_sinvoice(sinvoice_sandbox))
    assert account.series == f"C{YY}TAA"
    info = provider_account_check(account_id=account.pk)
    assert (info.template, info.name) == ("1/001", "Hóa đơn giá trị gia tăng")
    # A blank password on edit keeps the stored one.
    again = provider_account_save(
        data=_sinvoice(sinvoice_sandbox, password="", name="S-Invoice 2"), account_id=account.pk
    )
    assert (again.pk, again.name, again.password) == (account.pk, "S-Invoice 2", PASSWORD)


@pytest.mark.django_db
def test_a_series_the_provider_does_not_have_is_named(encryption_keys, sinvoice_sandbox):
    account = provider_account_save(data=_sinvoice(sinvoice_sandbox, series=f"C{YY}TZZ"))
    with pytest.raises(AccountCheckError) as caught:
        provider_account_check(account_id=account.pk)
    assert str(caught.value) == (
        f"Template 1/001 with series C{YY}TZZ is not registered with the provider."
    )


@pytest.mark.django_db
def test_a_wrong_tax_code_saves_nothing(encryption_keys, sinvoice_sandbox):
    with pytest.raises(ValidationError) as caught:
        provider_account_save(data=_sinvoice(sinvoice_sandbox, seller_tax_code="0100109107"))
    assert list(caught.value.message_dict) == ["seller_tax_code"]
    assert not ProviderAccount.objects.exists()


@pytest.mark.django_db
def test_the_misa_template_is_found_by_its_id(encryption_keys, misa_sandbox: MisaSandbox):
    account = provider_account_save(
        data=ProviderAccountInput(
            provider="misa",
            name="MISA",
            base_url=misa_sandbox.api_base,
            app_id=APP_ID,
            username=MISA_USERNAME,
            password=MISA_PASSWORD,
            seller_tax_code=TAX_CODE,
            template=VAT_TEMPLATE_ID,
            series=f"C{YY}TAA",
        )
    )
    info = provider_account_check(account_id=account.pk)
    assert (info.template, info.series, info.name) == (
        VAT_TEMPLATE_ID,
        f"C{YY}TAA",
        "Hóa đơn GTGT có mã",
    )


@pytest.mark.django_db
def test_the_password_is_encrypted_at_rest(encryption_keys, sinvoice_sandbox):
    from django.db import connection

    account = provider_account_save(data=_sinvoice(sinvoice_sandbox))
    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM invoicing_provideraccount WHERE id = %s", [account.pk])
        (stored,) = cursor.fetchone()
    assert PASSWORD not in stored
    assert ProviderAccount.objects.get(pk=account.pk).password == PASSWORD
