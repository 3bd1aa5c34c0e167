"""Calendar feed tokens are kept only as SHA-256 digests (and their first 6 characters).

Existing feeds are hashed in place, so the addresses users already subscribed to keep working.
Going back cannot give the tokens back: the reverse deletes the feeds (each user makes a new
address on the calendar subscription page).
"""

import hashlib

from django.db import migrations, models


def hash_tokens(apps, schema_editor):
    CalendarFeed = apps.get_model("followups", "CalendarFeed")
    for feed in CalendarFeed.objects.only("pk", "token").iterator():
        CalendarFeed.objects.filter(pk=feed.pk).update(
            token_hash=hashlib.sha256(feed.token.encode()).hexdigest(),
            token_prefix=feed.token[:6],
        )


def forget_feeds(apps, schema_editor):
    apps.get_model("followups", "CalendarFeed").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="calendarfeed",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="calendarfeed",
            name="token_prefix",
            field=models.CharField(default="", editable=False, max_length=6),
            preserve_default=False,
        ),
        migrations.RunPython(hash_tokens, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="calendarfeed",
            name="token",
        ),
        migrations.AlterField(
            model_name="calendarfeed",
            name="token_hash",
            field=models.CharField(editable=False, max_length=64, unique=True),
        ),
        # Runs first when going back, before the token column returns (unique, not null).
        migrations.RunPython(migrations.RunPython.noop, forget_feeds),
    ]
