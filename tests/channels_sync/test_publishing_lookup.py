"""From a platform item id to the publications holding it (what a review push names): one
indexed query whatever the number of publications, the search done by the database; a sent
publication whose item is not linked as Listings yet (a send that failed half-way) is found;
drafts, sends in progress and other shops are not; the migration indexes what was sent before."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from channels_sync.models import (
    ChannelAccount,
    Listing,
    Publication,
    PublicationItem,
    PublicationStatus,
)
from channels_sync.services.publishing import publications_of_item
from tests.channels_sync.publish_setup import publish, three_option_product
from tests.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


def sent(account: ChannelAccount, status: str, *item_ids: str) -> Publication:
    """A publication as a send leaves it: its items and their indexed ids."""
    publication = Publication.objects.create(
        product=ProductFactory(),
        account=account,
        status=status,
        category_id="100111",
        weight_grams=300,
        items=[{"item_id": x, "suffix": "", "state": "live", "reason": ""} for x in item_ids],
    )
    PublicationItem.objects.bulk_create(
        PublicationItem(publication=publication, item_id=x) for x in item_ids
    )
    return publication


def lookup(account: ChannelAccount, item_id: str) -> tuple[list[int], list[str]]:
    with CaptureQueriesContext(connection) as queries:
        found = publications_of_item(account_id=account.pk, item_id=item_id)
    return found, [q["sql"] for q in queries.captured_queries]


def test_one_query_that_does_not_grow_with_the_publications(shopee_account):
    held = sent(shopee_account, PublicationStatus.IN_REVIEW, "880001", "880002")
    found, queries = lookup(shopee_account, "880002")
    assert found == [held.pk]
    assert len(queries) == 1
    for n in range(40):
        sent(shopee_account, PublicationStatus.LIVE, f"77{n:04d}")
    found, queries = lookup(shopee_account, "880002")
    assert found == [held.pk]
    assert len(queries) == 1
    assert "'880002'" in queries[0]  # the database searches: only the matches come back


def test_drafts_sends_in_progress_and_other_shops_are_not_found(shopee_account, lazada_account):
    failed = sent(shopee_account, PublicationStatus.FAILED, "990001")
    rejected = sent(shopee_account, PublicationStatus.REJECTED, "990001")
    sent(shopee_account, PublicationStatus.DRAFT, "990001")
    sent(shopee_account, PublicationStatus.SENDING, "990001")
    sent(lazada_account, PublicationStatus.LIVE, "990001")
    assert publications_of_item(account_id=shopee_account.pk, item_id="990001") == [
        failed.pk,
        rejected.pk,
    ]
    assert publications_of_item(account_id=shopee_account.pk, item_id="99000") == []
    assert lookup(shopee_account, "") == ([], [])


def test_an_item_created_but_not_linked_is_found(shopee_shop_to_publish, shopee_sandbox, run_jobs):
    shop = shopee_shop_to_publish
    shopee_sandbox.publishing.option_limit = 3  # the variations are refused after the create
    publication = publish(run_jobs, shop, three_option_product(prefix="UNL"))
    ((item_id, _item),) = shopee_sandbox.items.items()
    assert (publication.status, Listing.objects.count()) == (PublicationStatus.FAILED, 0)
    assert list(publication.platform_items.values_list("item_id", flat=True)) == [str(item_id)]
    found = publications_of_item(account_id=shop.pk, item_id=str(item_id))
    assert found == [publication.pk]


def test_the_migration_indexes_the_items_of_publications_already_sent(shopee_account):
    from django.apps import apps

    migration = importlib.import_module("channels_sync.migrations.0009_publication_items")
    before = sent(shopee_account, PublicationStatus.LIVE, "550001", "550002")
    PublicationItem.objects.all().delete()  # as the rows were before the migration
    Publication.objects.filter(pk=before.pk).update(
        items=[*before.items, {"item_id": "550001"}, {"suffix": "no item yet"}]
    )
    draft = sent(shopee_account, PublicationStatus.DRAFT)
    PublicationItem.objects.create(publication=draft, item_id="550009")  # kept as it is
    migration.items_copy(apps, None)
    rows = PublicationItem.objects.order_by("publication_id", "item_id")
    assert list(rows.values_list("publication_id", "item_id")) == [
        (before.pk, "550001"),
        (before.pk, "550002"),
        (draft.pk, "550009"),
    ]
