"""Load the demo shop (crm.demo_data): staff, warehouses, catalogue, purchasing, customers,
orders and follow-ups."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from crm.demo import DEMO_PASSWORD, DEMO_ROLES
from crm.demo_data.catalogue import demo_catalogue, demo_purchasing
from crm.demo_data.contacts import demo_contacts
from crm.demo_data.sales import demo_sales
from crm.demo_data.staff import demo_staff, demo_warehouses
from crm.models import User


class Command(BaseCommand):
    help = (
        "Load demo staff, warehouses, catalogue, purchasing, customers, orders and follow-ups. "
        "Safe to run again. The staff accounts (owner included) get the password published in "
        "the README, so this runs only with DEBUG on or with --allow-demo-passwords."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-demo-passwords",
            action="store_true",
            help=(
                "Load the demo even with DEBUG off, knowing that anyone who has read the README "
                "can sign in as its owner (a throw-away demo server, never a real shop)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_demo_passwords"]:
            raise CommandError(
                "Refusing to load the demo data with DEBUG off: it creates the accounts owner, "
                "manager, sales, warehouse and accountant with the password published in the "
                "README, so anyone could sign in as the owner. Use `python manage.py createowner` "
                "for a real shop; for a throw-away demo server, run with DEBUG=true or add "
                "--allow-demo-passwords."
            )
        self._load()

    @transaction.atomic
    def _load(self) -> None:
        demo_staff()
        warehouses = demo_warehouses()
        owner_id = User.objects.get(username="owner").pk
        demo_catalogue(warehouses, owner_id)
        demo_purchasing(warehouses, owner_id)
        users = dict(User.objects.filter(username__in=DEMO_ROLES).values_list("username", "pk"))
        now = timezone.now()
        sales = demo_sales(warehouses, users, now=now)
        if sales is not None:
            customers, orders = sales
            demo_contacts(customers, orders, users=users, now=now)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Sign in as 'owner' (or manager, sales, warehouse, accountant) "
                f"with password '{DEMO_PASSWORD}'."
            )
        )
