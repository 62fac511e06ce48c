"""An image whose renditions task could not be queued (broker down) gets its renditions from the sweep."""

import pytest

from config.celery import app as celery_app
from piquetickets.core import images, outages
from piquetickets.core.tasks import make_missing_image_variants
from piquetickets.shows.models import Show
from tests.factories import ShowFactory
from tests.images import image_bytes, upload

pytestmark = pytest.mark.django_db


def test_an_upload_during_a_broker_outage_is_converted_by_the_sweep(
    monkeypatch, django_capture_on_commit_callbacks, caplog
):
    show, other = ShowFactory(), ShowFactory()
    attempts = []

    def broker_down(*args, **kwargs):
        attempts.append(args)
        raise ConnectionRefusedError("broker unreachable")

    monkeypatch.setattr(celery_app.tasks["core.make_image_variants"], "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        images.image_attach(instance=show, field="banner_image", upload=upload("wide.png", image_bytes((2400, 900))))
    with django_capture_on_commit_callbacks(execute=True):
        images.image_attach(instance=other, field="image", upload=upload("card.png", image_bytes((900, 900))))

    assert len(attempts) == 1  # the second upload did not wait for the broker again: it is known to be down
    assert outages.broker.is_open()
    assert "Celery broker unavailable" in caplog.text
    assert set(images.images_without_variants()) == {(show, "banner_image"), (other, "image")}

    assert make_missing_image_variants() == 2

    assert images.images_without_variants() == []
    banner = Show.objects.get(pk=show.pk).image_variants["banner_image"]
    assert (banner["banner"]["width"], banner["banner"]["height"]) == (1600, 600)
    assert set(Show.objects.get(pk=other.pk).image_variants["image"]) == {"card", "large"}


def test_the_sweep_goes_on_past_an_unreadable_file(monkeypatch, caplog):
    first, second = ShowFactory(), ShowFactory()
    for show in (first, second):
        images.image_attach(instance=show, field="image", upload=upload("card.png", image_bytes((900, 900))))
    real = images.image_make_variants

    def broken_for_first(*, instance, field):
        if instance.pk == first.pk:
            raise OSError("truncated file")
        return real(instance=instance, field=field)

    monkeypatch.setattr(images, "image_make_variants", broken_for_first)
    assert make_missing_image_variants() == 1
    assert "No renditions for shows.Show" in caplog.text
    # Given up on, not tried again at every sweep (which would keep the first 50 failures in the way).
    assert images.images_without_variants() == []
    assert Show.objects.get(pk=first.pk).image_variants == {"image": {}}
    assert images.image_payload(Show.objects.get(pk=first.pk), "image")["variants"] == {}
    # A new upload starts afresh.
    images.image_attach(instance=first, field="image", upload=upload("again.png", image_bytes((900, 900))))
    assert images.images_without_variants() == [(Show.objects.get(pk=first.pk), "image")]
