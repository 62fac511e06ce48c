import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from config.celery import app as celery_app
from piquetickets.core import images
from piquetickets.shows.models import Show
from tests.api.conftest import assert_error, client_for
from tests.images import image_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_tasks():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def post_image(world, file, field="image"):
    return client_for(world.owner).post(
        f"/api/v1/shows/{world.show.slug}/images/{field}/", {"file": file}, format="multipart"
    )


def test_upload_keeps_the_original_and_the_task_makes_webp_renditions(
    world, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_image(world, upload("My Poster.JPG", image_bytes((2000, 1000), "JPEG"), "image/jpeg"))
    assert response.status_code == 200, response.content
    show = Show.objects.get(pk=world.show.pk)
    assert show.image.name.startswith("shows/my-poster-")
    assert show.image.name.endswith(".jpg")
    variants = show.image_variants["image"]
    assert {name: (v["width"], v["height"]) for name, v in variants.items()} == {
        "card": (640, 320),
        "large": (1280, 640),
    }
    for info in variants.values():
        with show.image.storage.open(info["name"]) as handle, Image.open(handle) as rendition:
            assert rendition.format == "WEBP"
    detail = client_for(None).get(f"/api/v1/shows/{world.show.slug}/").json()
    assert detail["image"]["url"].endswith(".jpg")
    assert detail["image"]["variants"]["card"]["url"].endswith("-card.webp")


def test_renditions_keep_transparency_and_never_upscale(world, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post_image(world, upload("logo.png", image_bytes((300, 300), "PNG", (0, 0, 0, 0), "RGBA")), "square_image")
    variants = Show.objects.get(pk=world.show.pk).image_variants["square_image"]
    assert (variants["square"]["width"], variants["square_small"]["width"]) == (300, 300)


def test_background_goes_to_the_page_design(world, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_image(world, upload(), "background_image")
    assert response.status_code == 200
    design = Show.objects.get(pk=world.show.pk).page_design
    assert design.background_image.name.startswith("shows/backgrounds/")
    assert design.image_variants["background_image"]["background"]["width"] == 800


def bomb_png() -> bytes:
    return image_bytes((10_000, 5_000), "PNG", mode="1")  # 50 megapixels in a few KB


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("notes.png", b"hello, not an image", "image/png"), "This file is not an image we can use."),
        (SimpleUploadedFile("empty.png", b"", "image/png"), None),
        (
            upload("pic.bmp", image_bytes(fmt="BMP"), "image/bmp"),
            "BMP images are not accepted; use JPEG, PNG, WebP or GIF.",
        ),
        (upload("tiny.png", image_bytes((100, 80))), "The image is 100×80 pixels; each side needs at least 200."),
        (upload("bomb.png", bomb_png()), "The image is 10000×5000 pixels; the limit is 40 megapixels."),
        (upload("cut.png", image_bytes()[:300]), "The image file is damaged or incomplete."),
    ],
)
def test_bad_files_are_refused_with_a_reason_and_nothing_stored(world, file, message):
    response = post_image(world, file)
    assert response.status_code == 400
    body = response.json()
    if message:
        assert body == {"detail": message, "code": "invalid_image", "extra": body["extra"]}
    else:
        assert body["code"] == "invalid"
        assert body["extra"]["fields"]["file"] == ["The submitted file is empty."]
    show = Show.objects.get(pk=world.show.pk)
    assert not show.image
    assert show.image_variants == {}


def test_oversized_file_is_refused(world, monkeypatch):
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 1000)
    body = assert_error(post_image(world, upload()), 400, "invalid_image")
    assert body["detail"].endswith("the limit is 0 MB.")
    assert body["extra"] == {"max_bytes": 1000}


def test_unknown_image_field_and_missing_file(world):
    body = assert_error(post_image(world, upload(), field="avatar"), 400, "invalid")
    assert body["extra"]["fields"] == {"field": ["Choose one of: image, banner_image, square_image, background_image."]}
    response = client_for(world.owner).post(f"/api/v1/shows/{world.show.slug}/images/image/", {}, format="multipart")
    assert assert_error(response, 400, "invalid")["extra"]["fields"] == {"file": ["No file was submitted."]}


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_makes_the_renditions(world, tmp_path, settings, monkeypatch):
    from piquetickets.core.tasks import make_image_variants
    from tests.celery_worker import celery_worker, wait_for

    queued = []  # the upload queues the task after commit; here it is sent to the test worker's queue instead
    monkeypatch.setattr(make_image_variants, "apply_async", lambda args, **options: queued.append(args))
    images.image_attach(instance=world.show, field="banner_image", upload=upload("wide.png", image_bytes((2400, 900))))
    assert queued == [("shows.show", world.show.pk, "banner_image")]

    with celery_worker(tmp_path, MEDIA_ROOT=str(settings.MEDIA_ROOT)) as worker:
        worker.send(make_image_variants.name, "shows.show", world.show.pk, "banner_image")
        done = wait_for(lambda: "banner_image" in Show.objects.get(pk=world.show.pk).image_variants, timeout=60)
    assert done, (tmp_path / "worker.log").read_text()
    variants = Show.objects.get(pk=world.show.pk).image_variants["banner_image"]
    assert (variants["banner"]["width"], variants["banner"]["height"]) == (1600, 600)
    assert (variants["banner_small"]["width"], variants["banner_small"]["height"]) == (800, 300)


def test_refused_background_leaves_no_page_design(world):
    from piquetickets.shows.models import TicketPageDesign

    response = post_image(world, SimpleUploadedFile("x.png", b"nope", "image/png"), "background_image")
    assert_error(response, 400, "invalid_image")
    assert not TicketPageDesign.objects.exists()
