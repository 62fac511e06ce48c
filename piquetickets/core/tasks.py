from celery import shared_task
from django.apps import apps

from . import images


@shared_task(name="core.make_image_variants", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def make_image_variants(model_label: str, pk: int, field: str) -> dict:
    """Write the WebP renditions of one uploaded image (see ``images.image_make_variants``)."""
    model = apps.get_model(model_label)
    instance = model._base_manager.filter(pk=pk).first()
    if instance is None:
        return {}
    return images.image_make_variants(instance=instance, field=field)
