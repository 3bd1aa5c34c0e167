"""Product images: the stored original, its WebP thumbnail, and the order they are shown in."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from io import BytesIO
from typing import IO

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from inventory.errors import InventoryError
from inventory.models import Product, ProductImage

THUMBNAIL_SIZE = (320, 320)


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit greyscale (scanners, some screenshot tools) as 8-bit grey: a plain convert("RGB")
    clips every value above 255, so the thumbnail came out blank white."""
    if not (image.mode.startswith("I;16") or image.mode in ("I", "F")):
        return image
    wide = image if image.mode in ("I", "F") else image.convert("I")
    high = wide.getextrema()[1]
    scale = 1 / 256 if isinstance(high, int | float) and high > 255 else 1  # 0-65535 -> 0-255
    return wide.point(lambda value: value * scale).convert("L")


def make_thumbnail(source: IO[bytes]) -> ContentFile[bytes]:
    """A WebP at most THUMBNAIL_SIZE, upright (EXIF orientation applied), transparency kept."""
    try:
        with Image.open(source) as original:
            original.draft("RGB", (THUMBNAIL_SIZE[0] * 2, THUMBNAIL_SIZE[1] * 2))
            image = _eight_bit(ImageOps.exif_transpose(original))
            has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            image = image.convert("RGBA" if has_alpha else "RGB")
            image.thumbnail(THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
            buffer = BytesIO()
            image.save(buffer, "WEBP", quality=80, method=4)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError) as error:
        raise InventoryError(_("This file is not an image we can read.")) from error
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.webp")


def _store_image(
    *, product: Product, upload: File, position: int, alt_text: str, saved: list[str]
) -> ProductImage:
    upload.seek(0)
    thumbnail = make_thumbnail(upload)
    upload.seek(0)
    image = ProductImage(product=product, position=position, alt_text=alt_text.strip()[:200])
    image.image.save(upload.name or "image", upload, save=False)
    saved.append(image.image.name or "")
    image.thumbnail.save(thumbnail.name or "thumb.webp", thumbnail, save=False)
    saved.append(image.thumbnail.name or "")
    image.save()
    return image


def delete_files(names: Sequence[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def _next_position(product: Product) -> int:
    last = product.images.aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


def _store_images(
    product: Product, uploads: Sequence[tuple[File, str]], *, position: int
) -> list[ProductImage]:
    """Store (upload, alt text) pairs from `position` on; on any failure the files already
    written are removed again before the error goes on."""
    saved: list[str] = []
    try:
        return [
            _store_image(
                product=product,
                upload=upload,
                position=position + offset,
                alt_text=alt_text,
                saved=saved,
            )
            for offset, (upload, alt_text) in enumerate(uploads)
        ]
    except BaseException:
        delete_files(saved)
        raise


def add_images(product: Product, images: Sequence[File]) -> list[ProductImage]:
    """Put the images after the product's last one, in the given order."""
    if not images:
        return []
    return _store_images(
        product, [(upload, "") for upload in images], position=_next_position(product)
    )


@transaction.atomic
def product_images_add(*, product: Product, uploads: Sequence[File]) -> list[ProductImage]:
    """Keep each original, write its thumbnail, put the images last in the given order."""
    locked = Product.objects.select_for_update().get(pk=product.pk)
    return add_images(locked, uploads)


@transaction.atomic
def product_image_add(*, product: Product, upload: File, alt_text: str = "") -> ProductImage:
    locked = Product.objects.select_for_update().get(pk=product.pk)
    return _store_images(locked, [(upload, alt_text)], position=_next_position(locked))[0]


def _renumber(images: Sequence[ProductImage]) -> None:
    for position, image in enumerate(images):
        image.position = position
    ProductImage.objects.bulk_update(images, ["position"])


@transaction.atomic
def product_image_move(*, image: ProductImage, offset: int) -> None:
    """Move an image `offset` places (-1: earlier, 1: later); the first image is the cover."""
    images = list(
        ProductImage.objects.select_for_update()
        .filter(product_id=image.product_id)
        .order_by("position", "pk")
    )
    index = next(i for i, item in enumerate(images) if item.pk == image.pk)
    target = max(0, min(len(images) - 1, index + offset))
    images.insert(target, images.pop(index))
    _renumber(images)


@transaction.atomic
def product_image_delete(*, image: ProductImage) -> None:
    names = [image.image.name or "", image.thumbnail.name or ""]
    product_id = image.product_id
    image.delete()
    _renumber(list(ProductImage.objects.filter(product_id=product_id).order_by("position", "pk")))
    transaction.on_commit(lambda: delete_files(names))
