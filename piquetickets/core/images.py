"""Uploaded images: checked on the way in, converted to WebP renditions by a task.

The original file is kept as uploaded; renditions are written beside it under ``variants/`` and
recorded in the model's ``image_variants`` JSON as ``{field: {name: {"name", "width", "height"}}}``.
"""

from __future__ import annotations

import io
import os
import uuid
import warnings
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.dispatch import Signal
from django.utils.text import slugify
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ApplicationError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # 40 megapixels: well above any camera photo, far below a decompression bomb
MIN_SIDE = 200
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}

# (app_label.model, field) -> rendition name -> (max width, max height); the page sizes that use them.
RENDITIONS: dict[tuple[str, str], dict[str, tuple[int, int]]] = {
    ("shows.show", "image"): {"card": (640, 640), "large": (1280, 1280)},
    ("shows.show", "banner_image"): {"banner": (1600, 800), "banner_small": (800, 400)},
    ("shows.show", "square_image"): {"square": (600, 600), "square_small": (300, 300)},
    ("shows.ticketpagedesign", "background_image"): {"background": (1920, 1920)},
    ("venues.venue", "venue_image"): {"card": (640, 640), "large": (1280, 1280)},
    ("performers.performer", "image"): {"avatar": (400, 400), "large": (1000, 1000)},
    ("producers.producer", "image"): {"avatar": (400, 400), "large": (1000, 1000)},
}


class InvalidImage(ApplicationError):
    code = "invalid_image"
    default_message = "This file is not an image we can use."
    status = 400


@dataclass(frozen=True)
class CheckedImage:
    format: str
    width: int
    height: int


# Sent when a rendition task has recorded an instance's renditions (the row is written with an UPDATE,
# which sends no post_save): what shows the image can be forgotten (storefront/apps.py).
image_variants_saved = Signal()


def image_check(upload) -> CheckedImage:
    """Refuse anything that is not a reasonably sized JPEG, PNG, WebP or GIF.

    The type comes from the file's content, never its name. Dimensions are read from the header
    before any pixels are decoded, so a decompression bomb is refused without being expanded.
    """
    size = getattr(upload, "size", None)
    if size is None or size == 0:
        raise InvalidImage("The file is empty.")
    if size > MAX_UPLOAD_BYTES:
        raise InvalidImage(
            f"The file is {size / 1024 / 1024:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 1024 // 1024} MB.",
            extra={"max_bytes": MAX_UPLOAD_BYTES},
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format, (width, height) = image.format, image.size
                if image_format not in ALLOWED_FORMATS:
                    raise InvalidImage(
                        f"{image_format or 'This'} images are not accepted; use JPEG, PNG, WebP or GIF.",
                        extra={"allowed": sorted(ALLOWED_FORMATS)},
                    )
                if width * height > MAX_PIXELS:
                    raise InvalidImage(
                        f"The image is {width}×{height} pixels; the limit is {MAX_PIXELS // 1_000_000} megapixels.",
                        extra={"max_pixels": MAX_PIXELS},
                    )
                if min(width, height) < MIN_SIDE:
                    raise InvalidImage(
                        f"The image is {width}×{height} pixels; each side needs at least {MIN_SIDE}.",
                        extra={"min_side": MIN_SIDE},
                    )
                image.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()  # a truncated or corrupt file fails here
    except InvalidImage:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InvalidImage("This file is not an image we can use.") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise InvalidImage("The image file is damaged or incomplete.") from exc
    finally:
        upload.seek(0)
    return CheckedImage(format=image_format, width=width, height=height)


def _label(instance: models.Model) -> str:
    return instance._meta.label_lower


def image_attach(*, instance: models.Model, field: str, upload) -> CheckedImage:
    """Store ``upload`` as ``instance.<field>`` (original kept) and queue its WebP renditions.

    Raises :class:`InvalidImage` before anything is stored.
    """
    if (_label(instance), field) not in RENDITIONS:
        raise InvalidImage(f"“{field}” is not an image field here.", extra={"field": field})
    checked = image_check(upload)
    base = slugify(os.path.splitext(getattr(upload, "name", "") or "image")[0])[:40] or "image"
    name = f"{base}-{uuid.uuid4().hex[:8]}.{ALLOWED_FORMATS[checked.format]}"
    with transaction.atomic():
        getattr(instance, field).save(name, upload, save=False)
        variants = dict(instance.image_variants or {})
        variants.pop(field, None)
        instance.image_variants = variants
        instance.save(update_fields=[field, "image_variants"])
        from .outages import task_queue
        from .tasks import make_image_variants

        # Unqueued (broker down), the renditions are made by the periodic sweep instead.
        transaction.on_commit(lambda: task_queue(make_image_variants, _label(instance), instance.pk, field))
    return checked


def image_make_variants(*, instance: models.Model, field: str) -> dict:
    """Write the WebP renditions of ``instance.<field>`` and record them; returns what was recorded.

    Safe to run again: renditions are rewritten, and nothing happens if the image was removed.
    """
    file = getattr(instance, field)
    if not file:
        return {}
    storage = file.storage
    directory, filename = os.path.split(file.name)
    stem = os.path.splitext(filename)[0]
    recorded: dict[str, dict] = {}
    with file.open("rb") as handle, Image.open(handle) as original:
        source = ImageOps.exif_transpose(original)
        source = source.convert("RGBA" if source.mode in ("RGBA", "LA", "P") else "RGB")
        for rendition, (max_width, max_height) in RENDITIONS[(_label(instance), field)].items():
            copy = source.copy()
            copy.thumbnail((max_width, max_height), Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            copy.save(buffer, format="WEBP", quality=82, method=4)
            path = f"{directory}/variants/{stem}-{rendition}.webp"
            if storage.exists(path):
                storage.delete(path)
            saved = storage.save(path, ContentFile(buffer.getvalue()))
            recorded[rendition] = {"name": saved, "width": copy.width, "height": copy.height}
    model = type(instance)
    with transaction.atomic():
        fresh = model._base_manager.select_for_update().get(pk=instance.pk)
        if getattr(fresh, field).name != file.name:
            return {}  # replaced meanwhile; the newer upload has its own task
        variants = dict(fresh.image_variants or {})
        variants[field] = recorded
        model._base_manager.filter(pk=instance.pk).update(image_variants=variants)
        fresh.image_variants = variants
        image_variants_saved.send(sender=model, instance=fresh)
    return recorded


def image_variants_given_up(*, instance: models.Model, field: str) -> None:
    """Record that ``field``'s renditions could not be made: none (pages show the original), and the
    sweep does not try again. A new upload of the field starts afresh."""
    model = type(instance)
    with transaction.atomic():
        fresh = model._base_manager.select_for_update().get(pk=instance.pk)
        variants = dict(fresh.image_variants or {})
        variants.setdefault(field, {})
        model._base_manager.filter(pk=instance.pk).update(image_variants=variants)


def images_without_variants(*, limit: int = 50) -> list[tuple[models.Model, str]]:
    """Up to ``limit`` ``(instance, field)`` whose uploaded image has no renditions recorded yet: their
    task was never queued (the broker was down) or was lost."""
    from django.apps import apps

    found: list[tuple[models.Model, str]] = []
    for (label, field), _ in RENDITIONS.items():
        model = apps.get_model(label)
        rows = (
            model._base_manager.exclude(**{field: ""})
            .exclude(**{field: None})
            .exclude(image_variants__has_key=field)
            .order_by("pk")[: limit - len(found)]
        )
        found.extend((row, field) for row in rows)
        if len(found) >= limit:
            break
    return found


def image_payload(instance: models.Model, field: str) -> dict | None:
    """What the API shows of an image: the original's URL and each rendition's URL and size."""
    file = getattr(instance, field)
    if not file:
        return None
    storage = file.storage
    variants = (instance.image_variants or {}).get(field, {})
    return {
        "url": file.url,
        "variants": {
            name: {"url": storage.url(info["name"]), "width": info["width"], "height": info["height"]}
            for name, info in variants.items()
        },
    }
