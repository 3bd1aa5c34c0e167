from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from crm.models import User
from crm.roles import OWNER
from crm.services import user_create


class Command(BaseCommand):
    help = "Create the first account: the shop owner, with every permission."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--noinput",
            action="store_true",
            help="Read the password from CRM_OWNER_PASSWORD instead of prompting.",
        )

    def handle(self, *args: Any, username: str, email: str, noinput: bool, **options: Any) -> None:
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"a user named {username!r} already exists")
        if noinput:
            password = os.environ.get("CRM_OWNER_PASSWORD", "")
            if not password:
                raise CommandError("set CRM_OWNER_PASSWORD when using --noinput")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("the passwords do not match")
        try:
            validate_password(password, User(username=username, email=email))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        user_create(username=username, password=password, role=OWNER, email=email)
        self.stdout.write(self.style.SUCCESS(f"Owner {username} created."))
