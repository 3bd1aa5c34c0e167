"""Shared by the publishing tests of every platform: a 3-option product with images, a publish
input and the publish form's fields, a draft for a publisher (an image uploaded, the package),
a PNG, a publication saved and sent through its job, a stored push processed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from io import BytesIO
from typing import Any

from PIL import Image

from channels_sync.adapters.publishing import AttributeChoice, ListingDraft, PublishingAdapter
from channels_sync.models import ChannelAccount, InboundPayload, Publication
from channels_sync.services.publishing import (
    PublicationInput,
    publication_queue,
    publication_save,
)
from channels_sync.services.webhooks import webhook_process
from inventory.models import Product
from inventory.services.catalogue import VariantInput, product_create
from inventory.services.catalogue.images import product_images_add
from tests.inventory.factories_catalogue import image_upload

COLOURS, SIZES, MATERIALS = ("Đỏ", "Xanh"), ("M", "L"), ("Cotton", "Linen")
Jobs = Callable[[], Any]  # the run_jobs fixture
PACKAGE = {"weight_grams": 300, "length_cm": 30, "width_cm": 20, "height_cm": 3}


def three_option_product(
    *,
    prefix: str = "POLO",
    name: str = "Áo polo nam cổ bẻ",
    images: int = 2,
    stock: dict[int, int] | None = None,
) -> Product:
    """2 colours x 2 sizes x 2 materials = 8 variants, 300 g, 30x20x3 cm, `images` images;
    `stock`: warehouse id -> units of each variant."""
    variants = [
        VariantInput(
            sku=f"{prefix}-{'DX'[n]}-{s}-{m[0]}",
            options=(c, s, m),
            sale_price=Decimal("249000") + (Decimal("20000") if m == "Linen" else 0),
            weight_grams=300,
            length_cm=30,
            width_cm=20,
            height_cm=3,
            initial_stock=stock or {},
        )
        for n, c in enumerate(COLOURS)
        for s in SIZES
        for m in MATERIALS
    ]
    product = product_create(
        name=name,
        options=[("Màu", list(COLOURS)), ("Size", list(SIZES)), ("Chất liệu", list(MATERIALS))],
        variants=variants,
    )
    product.description = "Áo polo vải cá sấu, thấm hút mồ hôi, form regular."
    product.save(update_fields=["description"])
    colours = ("#c62828", "#1565c0", "#2e7d32")
    product_images_add(
        product=product,
        uploads=[image_upload(f"polo-{n}.png", (600, 600), colours[n % 3]) for n in range(images)],
    )
    return product


def publish_input(product: Product, **changes) -> PublicationInput:  # type: ignore[no-untyped-def]
    values = {
        "category_id": "100111",
        "category_path": "Thời Trang Nam > Áo > Áo thun",
        "brand_id": "1101",
        "brand_name": "Coolmate",
        "attributes": (AttributeChoice("100134", ("7001",)),),
        **PACKAGE,
        "image_ids": tuple(product.images.order_by("position").values_list("pk", flat=True)),
        "plan": {},
        "live": True,
    }
    values.update(changes)
    return PublicationInput(**values)  # type: ignore[arg-type]


def send(run_jobs: Jobs, publication: Publication) -> Publication:
    """Queue the publication and run its send job; the publication as the job left it."""
    with run_jobs():
        assert publication_queue(publication_id=publication.pk) is True
    publication.refresh_from_db()
    return publication


def publish(
    run_jobs: Jobs,
    shop: ChannelAccount,
    product: Product,
    data: PublicationInput | None = None,
) -> Publication:
    """Save the product's publication to the shop (`data`, else `publish_input`) and send it."""
    draft = publication_save(
        product_id=product.pk,
        account_id=shop.pk,
        data=data or publish_input(product),
        user_id=None,
    )
    return send(run_jobs, draft)


def publish_form(
    shop: ChannelAccount, product: Product, choices: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """The publish form's fields: the platform's `choices` (category, attributes, brand), the
    package, every image of the product, the plan chosen for us, created live; then `changes`
    (a None drops the field)."""
    data = {
        "shop": shop.pk,
        **choices,
        **{name: str(value) for name, value in PACKAGE.items()},
        "images": [str(pk) for pk in product.images.values_list("pk", flat=True)],
        "plan": "auto",
        "live": "on",
        **changes,
    }
    return {k: v for k, v in data.items() if v is not None}


def png(size: tuple[int, int] = (500, 500), color: str = "#2e7d32") -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def listing_draft(publisher: PublishingAdapter, image: bytes, **values: Any) -> ListingDraft:
    """A draft for the publisher's create: `image` uploaded as its only image, the package
    (300 g, 30 x 20 x 3 cm), then `values` (the rest, and any override)."""
    uploaded = publisher.upload_image(filename="a.png", content=image)
    return ListingDraft(**({"image_ids": (uploaded.image_id,)} | PACKAGE | values))


def push_processed(run_jobs: Jobs, payload: InboundPayload) -> InboundPayload:
    """Process a stored push as its worker would (the jobs it queues run too)."""
    with run_jobs():
        webhook_process(payload_id=payload.pk)
    payload.refresh_from_db()
    return payload


def edit_product(product: Product, *, name: str, sku: str, price: Decimal) -> None:
    """Our edits that a "push changes" sends: the product's new name, one variant's new price."""
    product.name = name
    product.save(update_fields=["name"])
    variant = product.variants.get(sku=sku)
    variant.sale_price = price
    variant.save(update_fields=["sale_price"])
