"""Existing contact requests that asked for a call-back time and have no follow-up yet get one,
open with that time as the next contact (as followups.services.contact_request_create now
does), so they read red or green instead of blue. Data only; reversing leaves them as they are.
"""

from django.db import migrations
from django.utils import timezone

BATCH = 1000


def forwards(apps, schema_editor):
    ContactRequest = apps.get_model("followups", "ContactRequest")
    FollowUp = apps.get_model("followups", "FollowUp")
    now = timezone.now()
    waiting = ContactRequest.objects.filter(
        followup_state="", preferred_at__isnull=False, followup__isnull=True
    ).order_by("pk")
    last = 0
    while True:
        rows = list(waiting.filter(pk__gt=last).values_list("pk", "preferred_at")[:BATCH])
        if not rows:
            break
        FollowUp.objects.bulk_create(
            [
                FollowUp(
                    contact_request_id=pk,
                    state="open",
                    next_contact_at=at,
                    created_at=now,
                    updated_at=now,
                )
                for pk, at in rows
            ],
            ignore_conflicts=True,
        )
        for pk, at in rows:
            ContactRequest.objects.filter(pk=pk, followup_state="").update(
                followup_state="open", next_contact_at=at
            )
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0003_followup_act_on_all_permission"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
