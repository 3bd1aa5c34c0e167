from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from crm.models import Heartbeat, User
from crm.roles import OWNER, ROLE_PERMISSIONS, sync_roles


def heartbeat_record(*, name: str, at: datetime | None = None) -> None:
    """Store that the process `name` (worker, beat, beat_tick) was alive at `at`."""
    Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": at or timezone.now()})


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    language: str = "",
) -> User:
    """Create a staff account in one role; the owner also gets the maintenance (admin) flags."""
    if role not in ROLE_PERMISSIONS:
        raise ValueError(f"unknown role {role!r}")
    if language and language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    if not Group.objects.filter(name=role).exists():
        sync_roles()
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        language=language,
        is_staff=role == OWNER,
        is_superuser=role == OWNER,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    return user


def user_set_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
