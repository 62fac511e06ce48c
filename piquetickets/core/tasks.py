import logging

from celery import shared_task
from django.apps import apps

from . import images

logger = logging.getLogger(__name__)


@shared_task(name="core.make_image_variants", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def make_image_variants(model_label: str, pk: int, field: str) -> dict:
    """Write the WebP renditions of one uploaded image (see ``images.image_make_variants``)."""
    model = apps.get_model(model_label)
    instance = model._base_manager.filter(pk=pk).first()
    if instance is None:
        return {}
    return images.image_make_variants(instance=instance, field=field)


@shared_task(name="core.make_missing_image_variants")
def make_missing_image_variants() -> int:
    """Periodic: make the renditions of images whose task was never queued or got lost; returns how many."""
    made = 0
    for instance, field in images.images_without_variants():
        try:
            images.image_make_variants(instance=instance, field=field)
        except Exception:  # one unreadable file must not stop the sweep, nor be tried every time
            logger.exception(
                "No renditions for %s %s.%s; the original is shown", instance._meta.label, instance.pk, field
            )
            images.image_variants_given_up(instance=instance, field=field)
        else:
            made += 1
    return made
