from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import override_settings

from crm.demo import DEMO_PASSWORD
from crm.models import User
from inventory.models import Product, PurchaseOrder, Supplier, Variant, Warehouse
from inventory.selectors.stock import ledger_mismatches

pytestmark = pytest.mark.django_db


def test_createowner_makes_the_first_account(monkeypatch):
    monkeypatch.setenv("CRM_OWNER_PASSWORD", "a-long-Owner-passphrase-9")
    call_command("createowner", "--username", "chu", "--email", "chu@shop.vn", "--noinput")
    owner = User.objects.get(username="chu")
    assert owner.check_password("a-long-Owner-passphrase-9")
    assert owner.is_superuser
    assert owner.is_staff
    assert list(owner.groups.values_list("name", flat=True)) == ["owner"]


def test_createowner_refuses_weak_passwords_and_duplicates(monkeypatch):
    monkeypatch.setenv("CRM_OWNER_PASSWORD", "123456")
    with pytest.raises(CommandError, match=r"too common|too short|entirely numeric"):
        call_command("createowner", "--username", "chu", "--noinput")
    assert not User.objects.exists()
    monkeypatch.setenv("CRM_OWNER_PASSWORD", "a-long-Owner-passphrase-9")
    call_command("createowner", "--username", "chu", "--noinput")
    with pytest.raises(CommandError, match="already exists"):
        call_command("createowner", "--username", "CHU", "--noinput")


@override_settings(DEBUG=False)
def test_loaddemo_refuses_the_published_passwords_with_debug_off():
    with pytest.raises(CommandError, match=r"Refusing to load the demo data with DEBUG off"):
        call_command("loaddemo")
    assert not User.objects.exists()
    assert not Warehouse.objects.exists()


@override_settings(DEBUG=False)
def test_loaddemo_runs_with_debug_off_when_explicitly_allowed():
    call_command("loaddemo", "--allow-demo-passwords", stdout=StringIO())
    assert sorted(User.objects.values_list("username", flat=True)) == [
        "accountant", "manager", "owner", "sales", "warehouse",
    ]  # fmt: skip
    assert User.objects.get(username="owner").check_password(DEMO_PASSWORD)


@override_settings(DEBUG=True)
def test_loaddemo_is_idempotent():
    # With DEBUG on (make demo, make run) no flag is needed.
    call_command("loaddemo", stdout=StringIO())
    call_command("loaddemo", stdout=StringIO())
    assert User.objects.count() == 5
    assert Warehouse.objects.count() == 3
    assert Product.objects.count() == 5
    assert Variant.objects.count() == 23
    assert Supplier.objects.count() == 3
    assert list(PurchaseOrder.objects.order_by("number").values_list("status", flat=True)) == [
        "partial",
        "confirmed",
        "draft",
    ]
    assert ledger_mismatches() == []
    from collections import Counter

    from followups.models import ContactRequest
    from orders.models import Customer, Order
    from orders.services.sales_rollup import sales_rollup_mismatches

    assert Customer.objects.count() == 8
    assert Counter(Order.objects.values_list("status", flat=True)) == {
        "completed": 4,
        "shipped": 2,
        "processing": 2,
        "new": 3,
        "cancelled": 1,
    }
    # completed and cancelled sales without a follow-up read as finished
    assert Counter(Order.objects.values_list("followup_state", flat=True)) == {
        "": 4,
        "open": 3,
        "finished": 5,
    }
    assert ContactRequest.objects.count() == 2
    assert sales_rollup_mismatches()[0] == 0
    for role in ("owner", "manager", "sales", "warehouse", "accountant"):
        assert User.objects.get(username=role).groups.get() == Group.objects.get(name=role)
