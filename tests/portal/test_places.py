"""The portal's Venues, Performers and Profile pages (authorization of every URL is in the matrix)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from piquetickets.performers.models import Performer
from piquetickets.producers.models import Producer
from piquetickets.venues.models import Venue
from tests.factories import PerformerFactory, ProducerFactory, ShowFactory, VenueFactory
from tests.images import image_bytes, upload

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _venue_data(**changes) -> dict:
    data = {
        "name": "The Cellar",
        "address": "12 Side St",
        "city": "Brooklyn",
        "state": "NY",
        "zip_code": "11201",
        "country": "us",
        "time_zone": "America/New_York",
        "capacity": "120",
        "phone": "+1 718 555 0100",
        "website": "thecellar.example",
        "description": "<p>Down the <strong>stairs</strong></p><script>alert(1)</script>",
        "is_active": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- venues ------------------------------------------------------------------------------------------


def test_venue_list_is_the_producers_own_with_show_counts(owner_client, producer):
    used = VenueFactory(producer=producer, name="Used room")
    VenueFactory(producer=producer, name="Empty room")
    VenueFactory(name="Someone else's room")
    ShowFactory(producer=producer, venue=used)
    ShowFactory(producer=producer, venue=used, is_deleted=True, deleted_at=timezone.now())

    response = owner_client.get(reverse("portal:venue-list"))

    assert response.status_code == 200
    counts = {item["obj"].name: item["obj"].show_count for item in response.context["items"]}
    assert counts == {"Empty room": 0, "Used room": 2}
    html = response.content.decode()
    assert "Someone else" not in html
    assert reverse("storefront:venue", args=[used.slug]) in html
    assert "openstreetmap.org/search?query=1+Main+St" in html


def test_venue_list_query_count_does_not_grow_with_rows(owner_client, producer):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(reverse("portal:venue-list")).status_code == 200
        return len(captured)

    VenueFactory(producer=producer)
    queries()  # the first request of a session reads what later ones find cached
    one = queries()
    for _ in range(6):
        ShowFactory(producer=producer, venue=VenueFactory(producer=producer))
    assert queries() == one


def test_new_venue_with_every_field_and_a_photo(owner_client, producer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = owner_client.post(reverse("portal:venue-create"), {**_venue_data(), "venue_image": upload()})

    assert response.status_code == 303
    assert response["Location"] == reverse("portal:venue-list")
    venue = Venue.objects.get()
    assert venue.producer == producer
    assert (venue.name, venue.address, venue.city, venue.state, venue.zip_code, venue.country) == (
        "The Cellar", "12 Side St", "Brooklyn", "NY", "11201", "US",
    )  # fmt: skip
    assert (venue.time_zone, venue.capacity, venue.phone) == ("America/New_York", 120, "+1 718 555 0100")
    assert venue.website == "https://thecellar.example"
    assert venue.description == "<p>Down the <strong>stairs</strong></p>"  # sanitised on save
    assert venue.is_active
    assert venue.venue_image.name.startswith("venues/poster-")
    assert len(callbacks) == 1  # the WebP renditions are queued
    assert _messages(response) == ["“The Cellar” is added."]


def test_venue_errors_come_back_by_field_with_input_kept(owner_client):
    response = owner_client.post(
        reverse("portal:venue-create"),
        _venue_data(name="", country="USA", capacity="0", website="not a url", time_zone="Mars/Olympus"),
    )

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) == {"name", "country", "capacity", "website", "time_zone"}
    assert errors["name"] == ["Enter the venue's name."]
    html = response.content.decode()
    assert "<title>Error: New venue" in html
    assert 'value="12 Side St"' in html
    assert Venue.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"just text, not a picture", "This file is not an image we can use."),
        (image_bytes(size=(100, 100)), "The image is 100×100 pixels; each side needs at least 200."),
        (image_bytes(fmt="BMP"), "BMP images are not accepted; use JPEG, PNG, WebP or GIF."),
    ],
)
def test_a_bad_photo_is_refused_by_field_and_nothing_changes(owner_client, producer, content, message):
    venue = VenueFactory(producer=producer, name="Before")

    response = owner_client.post(
        reverse("portal:venue-edit", args=[venue.slug]),
        {**_venue_data(name="After"), "venue_image": upload("photo.png", content=content)},
    )

    assert response.status_code == 422
    assert response.context["form"].errors == {"venue_image": [message]}
    assert response.context["obj"].name == "Before"  # the heading shows what is saved
    venue.refresh_from_db()
    assert venue.name == "Before"
    assert not venue.venue_image


def test_edit_venue_shows_its_values_and_saves(owner_client, producer):
    venue = VenueFactory(producer=producer, name="Old name", capacity=80)
    url = reverse("portal:venue-edit", args=[venue.slug])

    page = owner_client.get(url)
    assert page.status_code == 200
    assert 'value="Old name"' in page.content.decode()
    assert 'value="80"' in page.content.decode()

    response = owner_client.post(url, _venue_data(name="New name", is_active=None))
    assert response.status_code == 303
    venue.refresh_from_db()
    assert venue.name == "New name"
    assert not venue.is_active
    assert venue.slug  # the slug stays


def test_another_producers_venue_is_404_and_unchanged(owner_client):
    venue = VenueFactory(producer=ProducerFactory(), name="Theirs")

    assert owner_client.get(reverse("portal:venue-edit", args=[venue.slug])).status_code == 404
    assert owner_client.post(reverse("portal:venue-edit", args=[venue.slug]), _venue_data()).status_code == 404
    assert owner_client.post(reverse("portal:venue-remove", args=[venue.slug])).status_code == 404
    venue.refresh_from_db()
    assert venue.name == "Theirs"
    assert venue.is_active


def test_a_platform_venue_is_not_editable_in_the_portal(owner_client):
    venue = VenueFactory(producer=None)
    assert owner_client.get(reverse("portal:venue-edit", args=[venue.slug])).status_code == 404


def test_removing_an_unused_venue_deletes_it(owner_client, producer):
    venue = VenueFactory(producer=producer, name="Spare room")

    response = owner_client.post(reverse("portal:venue-remove", args=[venue.slug]))

    assert response.status_code == 303
    assert not Venue.objects.filter(pk=venue.pk).exists()
    assert _messages(response) == ["“Spare room” is deleted."]


def test_a_venue_shows_use_cant_be_deleted_and_is_switched_off_saying_why(owner_client, producer):
    venue = VenueFactory(producer=producer, name="Main room")
    show = ShowFactory(producer=producer, venue=venue)

    response = owner_client.post(reverse("portal:venue-remove", args=[venue.slug]))

    assert response.status_code == 303
    venue.refresh_from_db()
    assert not venue.is_active
    show.refresh_from_db()
    assert show.venue_id == venue.pk
    assert _messages(response) == [
        "“Main room” can't be deleted: 1 show uses it, and keeps it. It is switched off instead: no longer offered "
        "for new shows, and its public page is gone. Edit it to switch it back on."
    ]
    listing = owner_client.get(reverse("portal:venue-list")).content.decode()
    assert "Switched off" in listing
    assert f'href="{reverse("storefront:venue", args=[venue.slug])}"' not in listing


# --- performers --------------------------------------------------------------------------------------


def test_new_performer_with_links_and_photo(owner_client, producer):
    response = owner_client.post(
        reverse("portal:performer-create"),
        {
            "name": "Dana Quip",
            "city": "Chicago",
            "bio": "<p>Jokes <em>mostly</em></p><img src=x onerror=alert(1)>",
            "instagram": "instagram.com/danaquip",
            "tiktok": "https://www.tiktok.com/@danaquip",
            "image": upload("dana.jpg", content=image_bytes(fmt="JPEG"), content_type="image/jpeg"),
        },
    )

    assert response.status_code == 303
    performer = Performer.objects.get()
    assert performer.producer == producer
    assert performer.bio == "<p>Jokes <em>mostly</em></p>"
    assert performer.instagram == "https://instagram.com/danaquip"
    assert performer.tiktok == "https://www.tiktok.com/@danaquip"
    assert performer.image.name.startswith("performers/dana-")
    assert performer.image.name.endswith(".jpg")


def test_a_social_link_must_be_on_its_site(owner_client, producer):
    response = owner_client.post(
        reverse("portal:performer-create"),
        {
            "name": "Dana Quip",
            "instagram": "https://evil.example/phish",
            "twitter": "https://instagram.com.evil.example/x",
            "youtube": "https://youtu.be/abc",
            "website": "https://any.example/site",
        },
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter a Instagram address, like https://instagram.com/danaquip" not in html
    assert "Enter an Instagram address, like https://instagram.com/danaquip" in html
    assert "Enter an X (Twitter) address, like https://x.com/danaquip" in html
    assert "YouTube address" not in html  # youtu.be is YouTube's
    assert "Website address" not in html
    assert not Performer.objects.exists()


def test_performer_errors_by_field(owner_client):
    response = owner_client.post(reverse("portal:performer-create"), {"name": "", "youtube": "nope nope"})

    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"name", "youtube"}
    assert Performer.objects.count() == 0


def test_performer_list_and_edit(owner_client, producer):
    performer = PerformerFactory(producer=producer, name="Dana")
    PerformerFactory(name="Not ours")
    ShowFactory(producer=producer).performers.add(performer)

    listing = owner_client.get(reverse("portal:performer-list"))
    assert [item["obj"].show_count for item in listing.context["items"]] == [1]
    assert "Not ours" not in listing.content.decode()
    assert "On a bill: can't be deleted" in listing.content.decode()

    response = owner_client.post(reverse("portal:performer-edit", args=[performer.slug]), {"name": "Dana Q"})
    assert response.status_code == 303
    performer.refresh_from_db()
    assert performer.name == "Dana Q"


def test_performer_list_query_count_does_not_grow_with_rows(owner_client, producer):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(reverse("portal:performer-list")).status_code == 200
        return len(captured)

    PerformerFactory(producer=producer)
    queries()  # the first request of a session reads what later ones find cached
    one = queries()
    for _ in range(6):
        ShowFactory(producer=producer).performers.add(PerformerFactory(producer=producer))
    assert queries() == one


def test_a_performer_on_a_bill_cant_be_deleted_and_the_page_says_why(owner_client, producer):
    performer = PerformerFactory(producer=producer, name="Dana")
    ShowFactory(producer=producer).performers.add(performer)

    response = owner_client.post(reverse("portal:performer-remove", args=[performer.slug]))

    assert response.status_code == 409
    assert "This performer is on the bill of 1 show(s); they can&#x27;t be deleted." in response.content.decode()
    assert Performer.objects.filter(pk=performer.pk).exists()


def test_a_performer_on_no_bill_is_deleted(owner_client, producer):
    performer = PerformerFactory(producer=producer, name="Dana")

    response = owner_client.post(reverse("portal:performer-remove", args=[performer.slug]))

    assert response.status_code == 303
    assert not Performer.objects.filter(pk=performer.pk).exists()


def test_another_producers_performer_is_404(owner_client):
    performer = PerformerFactory(producer=ProducerFactory(), name="Theirs")

    assert owner_client.get(reverse("portal:performer-edit", args=[performer.slug])).status_code == 404
    assert owner_client.post(reverse("portal:performer-edit", args=[performer.slug]), {"name": "X"}).status_code == 404
    assert owner_client.post(reverse("portal:performer-remove", args=[performer.slug])).status_code == 404
    performer.refresh_from_db()
    assert performer.name == "Theirs"


# --- the profile -------------------------------------------------------------------------------------


def test_profile_page_previews_the_public_page(owner_client, producer):
    Producer.objects.filter(pk=producer.pk).update(
        bio="<p>Comedy <strong>nights</strong></p>", support_email="help@laughtrack.example",
        instagram="https://instagram.com/laughtrack",
    )  # fmt: skip

    response = owner_client.get(reverse("portal:profile"))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{reverse("storefront:producer", args=[producer.slug])}"' in html
    assert "<p>Comedy <strong>nights</strong></p>" in html
    assert "Email help@laughtrack.example" in html
    assert response.context["preview"]["links"] == [{"label": "Instagram", "url": "https://instagram.com/laughtrack"}]


def test_profile_saves_every_field_and_logo(owner_client, producer):
    response = owner_client.post(
        reverse("portal:profile"),
        {
            "name": "Laugh Track Comedy",
            "bio": "<p>Hi</p><script>x</script>",
            "support_email": "help@laughtrack.example",
            "country": "ca",
            "website": "https://laughtrack.example",
            "ticktock": "https://www.tiktok.com/@laughtrack",
            "image": upload("logo.png"),
        },
    )

    assert response.status_code == 303
    assert response["Location"] == reverse("portal:profile")
    producer.refresh_from_db()
    assert (producer.name, producer.bio, producer.support_email, producer.country) == (
        "Laugh Track Comedy", "<p>Hi</p>", "help@laughtrack.example", "CA",
    )  # fmt: skip
    assert producer.ticktock == "https://www.tiktok.com/@laughtrack"
    assert producer.image.name.startswith("producers/logo-")


def test_profile_errors_by_field_and_nothing_changes(owner_client, producer):
    response = owner_client.post(
        reverse("portal:profile"),
        {"name": "", "support_email": "not-an-email", "country": "US", "image": upload(content=b"nope")},
    )

    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"name", "support_email"}
    producer.refresh_from_db()
    assert producer.name == "Laugh Track"
    assert not producer.image


def test_profile_refused_logo_changes_nothing(owner_client, producer):
    response = owner_client.post(
        reverse("portal:profile"), {"name": "New name", "country": "US", "image": upload(content=b"nope")}
    )

    assert response.status_code == 422
    assert response.context["form"].errors == {"image": ["This file is not an image we can use."]}
    assert response.context["preview"]["name"] == "Laugh Track"
    producer.refresh_from_db()
    assert producer.name == "Laugh Track"


def test_the_country_is_chosen_from_real_countries(owner_client, producer):
    page = owner_client.get(reverse("portal:profile")).content.decode()
    made_up = owner_client.post(reverse("portal:profile"), {"name": "Laugh Track", "country": "ZZ"})
    lower = owner_client.post(reverse("portal:profile"), {"name": "Laugh Track", "country": "ca"})

    assert '<option value="US"' in page
    assert page.index(">United States</option>") < page.index(">Afghanistan</option>")
    assert made_up.status_code == 422
    assert "Choose a country from the list." in made_up.content.decode()
    assert lower.status_code == 303
    producer.refresh_from_db()
    assert producer.country == "CA"
