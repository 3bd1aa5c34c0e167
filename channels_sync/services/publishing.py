"""Publishing our products to a shop (issue 15): save the choices, send in a worker, link at once.

    publication_save     the publish form's choices for one (product, shop) -> a draft
    publication_queue    draft / failed -> sending, and the send job queued after commit
    publication_send     (the job) images uploaded, one platform listing per planned listing,
                         each listing's models linked to our variants as soon as it exists
    publication_review   the platform's review state and reason for each item
    publication_push     later edits (name, description, images, prices) sent to every item

Every step writes what it achieved (uploaded image ids, created item ids) before the next, so a
send that failed or was retried goes on where it stopped and never creates an item twice. A
platform error ends the send as "failed" with the platform's code and words (shown translated
where we know the code: channels_sync.publish_errors); "Send again" resumes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from channels_sync.adapters.base import Adapter, ChannelError, PermanentError
from channels_sync.adapters.publishing import (
    AttributeChoice,
    ListingChanges,
    ListingDraft,
    ListingIncomplete,
    ListingVariant,
    PlannedListing,
    PlatformBrand,
    PublishingAdapter,
    ReviewState,
    VariationPlan,
    publisher_for,
)
from channels_sync.models import (
    Listing,
    ListingStatus,
    Publication,
    PublicationItem,
    PublicationStatus,
)
from channels_sync.services.accounts import ShopClient
from channels_sync.services.listings import PublishedModel, listings_link_published
from channels_sync.services.publishing_plan import (
    draft_text,
    package_defaults,
    plan_for,
    product_for_publishing,
)
from channels_sync.services.stock_queue import stock_push_enqueue
from common.cache import LockBusy, cache_lock
from inventory.models import ProductImage

SENDABLE = (PublicationStatus.DRAFT, PublicationStatus.FAILED)
BUSY = (PublicationStatus.SENDING,)
INCOMPLETE = "incomplete"  # an item created without its variations (resumed by "Send again")


class PublishError(Exception):
    """A publication cannot take this action now; `code` is in channels_sync.publish_errors."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class PublicationInput:
    category_id: str
    category_path: str
    brand_id: str
    brand_name: str
    attributes: tuple[AttributeChoice, ...]
    weight_grams: int
    length_cm: int
    width_cm: int
    height_cm: int
    image_ids: tuple[int, ...]
    plan: dict[str, Any]
    live: bool = True


def publication_save(
    *,
    product_id: int,
    account_id: int,
    data: PublicationInput,
    user_id: int | None,
    batch: Any = None,
) -> Publication:
    """Create or update the draft of (product, shop). Not while it is being sent."""
    now = timezone.now()
    with transaction.atomic():
        publication = (
            Publication.objects.select_for_update()
            .filter(product_id=product_id, account_id=account_id)
            .first()
        ) or Publication(product_id=product_id, account_id=account_id, created_by_id=user_id)
        if publication.status in BUSY:
            raise PublishError("busy")
        publication.category_id, publication.category_path = data.category_id, data.category_path
        publication.brand_id, publication.brand_name = data.brand_id, data.brand_name
        publication.attributes = [
            {
                "attribute_id": a.attribute_id,
                "value_ids": list(a.value_ids),
                "text": a.text,
                "unit": a.unit,
            }
            for a in data.attributes
        ]
        publication.weight_grams, publication.length_cm = data.weight_grams, data.length_cm
        publication.width_cm, publication.height_cm = data.width_cm, data.height_cm
        publication.image_ids = list(data.image_ids)
        publication.plan, publication.live = dict(data.plan), data.live
        publication.batch, publication.updated_at = batch, now
        publication.save()
    return publication


def publication_queue(*, publication_id: int) -> bool:
    """Draft or failed -> sending, and the send job queued after the commit. False when the
    publication was not in a sendable state (already sending or sent)."""
    from channels_sync.tasks_publishing import enqueue_send

    with transaction.atomic():
        moved = Publication.objects.filter(pk=publication_id, status__in=SENDABLE).update(
            status=PublicationStatus.SENDING,
            error_code="",
            error_message="",
            progress_done=0,
            progress_total=0,
            updated_at=timezone.now(),
        )
        if moved:
            enqueue_send(publication_id=publication_id)
    return bool(moved)


def _publisher(adapter: Adapter) -> PublishingAdapter:
    publisher = publisher_for(adapter)
    if publisher is None:
        raise PermanentError("publishing_not_supported", adapter.platform)
    delay = getattr(settings, "MARKETPLACE_PUBLISH_STEP_DELAY", None)
    if delay is not None:
        publisher.step_delay = float(delay)
    return publisher


def _progress(publication: Publication, done: int, total: int) -> None:
    publication.progress_done, publication.progress_total = done, total
    publication.updated_at = timezone.now()
    publication.save(update_fields=["progress_done", "progress_total", "updated_at"])


def _upload_images(publisher: PublishingAdapter, publication: Publication) -> list[str]:
    """Platform image ids of the chosen images, uploading those not uploaded yet."""
    images = {x.pk: x for x in ProductImage.objects.filter(product_id=publication.product_id)}
    ids: list[str] = []
    for image_pk in publication.image_ids:
        image = images.get(int(image_pk))
        if image is None:
            continue
        known = publication.uploaded.get(str(image.pk))
        if not known:
            with image.image.open("rb") as handle:
                content = handle.read()
            name = (image.image.name or "image.png").rsplit("/", 1)[-1]
            known = publisher.upload_image(filename=name, content=content).image_id
            publication.uploaded[str(image.pk)] = known
            publication.save(update_fields=["uploaded"])
        ids.append(known)
    if not ids:
        raise PublishError("no_images")
    return ids


def _draft(publication: Publication, planned: PlannedListing, image_ids: list[str]) -> ListingDraft:
    product = product_for_publishing(publication.product_id)
    variants = {str(v.pk): v for v in product.variants.all()}
    brand = (
        PlatformBrand(publication.brand_id, publication.brand_name)
        if publication.brand_id not in ("", "0")
        else None
    )
    title, description = draft_text(product, planned.title_suffix)
    return ListingDraft(
        title=title,
        description=description,
        category_id=publication.category_id,
        brand=brand,
        attributes=tuple(
            AttributeChoice(
                str(a["attribute_id"]),
                tuple(str(v) for v in a.get("value_ids") or ()),
                str(a.get("text") or ""),
                str(a.get("unit") or ""),
            )
            for a in publication.attributes
        ),
        image_ids=tuple(image_ids),
        weight_grams=publication.weight_grams,
        length_cm=publication.length_cm,
        width_cm=publication.width_cm,
        height_cm=publication.height_cm,
        dimensions=planned.dimensions,
        variants=tuple(
            ListingVariant(key, variants[key].sku, options, variants[key].sale_price, 0)
            for key, options in planned.variants
        ),
        live=publication.live,
    )


def _create_all(
    publisher: PublishingAdapter, publication: Publication, plan: VariationPlan, user_id: int | None
) -> None:
    images = _upload_images(publisher, publication)
    total = len(plan.listings)
    for index, planned in enumerate(plan.listings):
        done = publication.items[index] if index < len(publication.items) else {}
        if done.get("item_id") and done.get("state") != INCOMPLETE:
            continue  # created by an earlier attempt
        draft = _draft(publication, planned, images)
        try:
            if done.get("item_id"):  # the item exists without its variations: finish it
                created = publisher.resume_listing(item_id=str(done["item_id"]), draft=draft)
            else:
                created = publisher.create_listing(draft)
        except ListingIncomplete as error:
            _record_item(publication, index, error.item_id, planned.title_suffix, INCOMPLETE)
            raise
        _record_item(publication, index, created.item_id, planned.title_suffix, created.state)
        prices = {v.key: v.price for v in draft.variants}
        for_sale = publisher.stock_in_review or created.state == ReviewState.LIVE
        listings_link_published(
            account_id=publication.account_id,
            models=[
                PublishedModel(
                    created.item_id,
                    v.model_id,
                    v.seller_sku,
                    draft.title,
                    int(v.key),
                    prices[v.key],
                    for_sale,
                )
                for v in created.variants
            ],
            user_id=user_id,
            now=timezone.now(),
        )
        _progress(publication, index + 1, total)


def _record_item(
    publication: Publication, index: int, item_id: str, suffix: str, state: str
) -> None:
    rows = list(publication.items)
    while len(rows) <= index:
        rows.append({})
    rows[index] = {"item_id": item_id, "suffix": suffix, "state": str(state), "reason": ""}
    publication.items = rows
    with transaction.atomic():
        publication.save(update_fields=["items"])
        if item_id:  # the indexed copy a review push finds the publication by
            PublicationItem.objects.get_or_create(publication=publication, item_id=item_id)


def _overall(items: Sequence[dict[str, Any]]) -> str:
    states = {str(row.get("state")) for row in items}
    if ReviewState.REJECTED in states:
        return PublicationStatus.REJECTED
    if ReviewState.IN_REVIEW in states:
        return PublicationStatus.IN_REVIEW
    return PublicationStatus.LIVE


def _fail(publication: Publication, code: str, message: str) -> None:
    publication.status = PublicationStatus.FAILED
    publication.error_code, publication.error_message = code[:80], message[:500]
    publication.updated_at = timezone.now()
    publication.save(update_fields=["status", "error_code", "error_message", "updated_at"])


SEND_LOCK_HOLD = 900.0  # seconds: longer than a send can take (the worker's time limit)


def send_lock_name(publication_id: int) -> str:
    return f"channels_sync.publication:{publication_id}"


@contextmanager
def _send_lock(publication_id: int) -> Iterator[bool]:
    """A lock per publication on the shared cache (Redis in production, the file cache in
    `make run`): a job delivered twice (acks_late) never sends the same publication from two
    workers at once. Yields whether this worker holds it."""
    try:
        with cache_lock(send_lock_name(publication_id), hold=SEND_LOCK_HOLD):
            yield True
    except LockBusy:
        yield False


def publication_send(*, publication_id: int) -> Publication:
    """The send job: does nothing unless the publication is "sending" and no other worker is
    sending it (idempotent)."""
    with _send_lock(publication_id) as held:
        publication = Publication.objects.select_related("account").get(pk=publication_id)
        if not held or publication.status != PublicationStatus.SENDING:
            return publication
        return _send(publication)


def _send(publication: Publication) -> Publication:
    client = ShopClient(publication.account)
    try:
        plan = client.call(
            lambda a: plan_for(
                publication, _publisher(a).variation_limits(category_id=publication.category_id)
            )
        )
        if not plan.fits:
            raise PublishError(plan.problems[0])
        _progress(publication, 0, len(plan.listings))
        client.call(
            lambda a: _create_all(_publisher(a), publication, plan, publication.created_by_id)
        )
    except ChannelError as error:
        _fail(publication, error.code, error.message)
        return publication
    except PublishError as error:
        _fail(publication, error.code, "")
        return publication
    except Exception:  # a bug or an outage on our side: never left "sending" for ever
        _fail(publication, "internal", "")
        raise
    publication.status = _overall(publication.items)
    publication.sent_at = publication.updated_at = timezone.now()
    publication.save(update_fields=["status", "sent_at", "updated_at"])
    return publication


def publication_review(*, publication_id: int, now: datetime | None = None) -> Publication:
    """Read each item's review state (and the reason when rejected) from the platform."""
    publication = Publication.objects.select_related("account").get(pk=publication_id)
    item_ids = [str(r["item_id"]) for r in publication.items if r.get("item_id")]
    if not item_ids or publication.status in BUSY:
        return publication
    states = ShopClient(publication.account).call(
        lambda a: _publisher(a).review_status(item_ids=item_ids)
    )
    by_id = {s.item_id: s for s in states}
    rows, went_live = [], []
    for row in publication.items:
        found = by_id.get(str(row.get("item_id")))
        if found is not None:
            if found.state == ReviewState.LIVE and row.get("state") != ReviewState.LIVE:
                went_live.append(str(row["item_id"]))
            row = {**row, "state": str(found.state), "reason": found.reason}
        rows.append(row)
    if went_live:
        _push_stock_when_live(publication.account_id, went_live)
    publication.items = rows
    if publication.status in (
        PublicationStatus.IN_REVIEW,
        PublicationStatus.LIVE,
        PublicationStatus.REJECTED,
    ):
        publication.status = _overall(rows)
    publication.updated_at = now or timezone.now()
    publication.save(update_fields=["items", "status", "updated_at"])
    return publication


def _push_stock_when_live(account_id: int, item_ids: list[str]) -> None:
    """Items that passed review are for sale and take our stock now: on a platform that refuses
    stock updates while a product is audited (TikTok: ACTIVATE only) their listings waited as
    "not for sale" with the create's quantity."""
    Listing.objects.filter(
        account_id=account_id, item_id__in=item_ids, status=ListingStatus.INACTIVE
    ).update(status=ListingStatus.ACTIVE, updated_at=timezone.now())
    variant_ids = sorted(
        Listing.objects.filter(
            account_id=account_id, item_id__in=item_ids, variant__isnull=False
        ).values_list("variant_id", flat=True)
    )
    if variant_ids:
        transaction.on_commit(lambda: stock_push_enqueue(variant_ids=variant_ids))


def publication_push(*, publication_id: int) -> Publication:
    """Send our current name, description, images and prices to every item of the publication
    (never the category, SKUs or the variation structure: those need a new publication)."""
    publication = Publication.objects.select_related("account").get(pk=publication_id)
    if not publication.items or publication.status in BUSY:
        raise PublishError("not_published")
    product = product_for_publishing(publication.product_id)
    listings = Listing.objects.filter(
        account_id=publication.account_id, variant__product_id=publication.product_id
    ).select_related("variant")

    def push(adapter: Adapter) -> None:
        publisher = _publisher(adapter)
        images = _upload_images(publisher, publication)
        for row in publication.items:
            title, description = draft_text(product, str(row.get("suffix") or ""))
            prices = {
                x.model_id: x.variant.sale_price
                for x in listings
                if x.item_id == str(row["item_id"]) and x.variant is not None
            }
            changes = ListingChanges(title, description, tuple(images), prices)
            publisher.update_listing(item_id=str(row["item_id"]), changes=changes)

    try:
        ShopClient(publication.account).call(push)
    except ChannelError as error:
        publication.error_code, publication.error_message = error.code[:80], error.message[:500]
    else:
        publication.error_code, publication.error_message = "", ""
        publication.pushed_at = timezone.now()
    publication.save(update_fields=["error_code", "error_message", "pushed_at"])
    if not publication.error_code:
        try:  # an edit may enter review again (TikTok audits every content edit)
            return publication_review(publication_id=publication.pk)
        except ChannelError:
            pass  # pushed; the review is read later
    return publication


def publications_of_item(*, account_id: int, item_id: str) -> list[int]:
    """The sent publications of a shop holding the platform's item (a review push names it):
    one indexed query on the item ids stored as each item was created (PublicationItem), so
    also an item whose models are not linked as Listings (a send that failed half-way)."""
    if not item_id:
        return []
    return list(
        Publication.objects.filter(account_id=account_id, platform_items__item_id=item_id)
        .exclude(status__in=(PublicationStatus.DRAFT, PublicationStatus.SENDING))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def publications_in_review() -> list[int]:
    return list(
        Publication.objects.filter(status=PublicationStatus.IN_REVIEW)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def publications_bulk(
    *,
    product_ids: Sequence[int],
    account_id: int,
    data: PublicationInput,
    max_images: int,
    user_id: int | None,
) -> uuid.UUID:
    """One publication per product with the shared choices (category, brand, attributes) and
    each product's own images (up to `max_images`) and package (the shared weight where the
    product has none); each queued. A product already sent (or being sent) to the shop only
    joins the batch, so the result page shows it as it is. Returns the batch id."""
    batch = uuid.uuid4()
    for product_id in dict.fromkeys(product_ids):
        product = product_for_publishing(product_id)
        existing = Publication.objects.filter(product_id=product_id, account_id=account_id).first()
        if existing is not None and (existing.items or existing.status in BUSY):
            Publication.objects.filter(pk=existing.pk).update(batch=batch)
            continue
        package = package_defaults(product)
        images = sorted(product.images.all(), key=lambda i: (i.position, i.pk))[:max_images]
        own = replace(
            data,
            image_ids=tuple(i.pk for i in images),
            plan={},
            weight_grams=package["weight_grams"] or data.weight_grams,
            length_cm=package["length_cm"] or data.length_cm,
            width_cm=package["width_cm"] or data.width_cm,
            height_cm=package["height_cm"] or data.height_cm,
        )
        publication = publication_save(
            product_id=product_id, account_id=account_id, data=own, user_id=user_id, batch=batch
        )
        publication_queue(publication_id=publication.pk)
    return batch
