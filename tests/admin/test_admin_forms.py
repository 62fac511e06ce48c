"""Bad input in the admin gets a message on the form, and nothing is written."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from piquetickets.shows.models import Show, Ticket
from tests.factories import ProducerFactory, ShowFactory, VenueFactory

pytestmark = pytest.mark.django_db

INLINES = ("tickets", "promo_codes", "page_design")


def show_form(producer, venue, start, **overrides) -> dict:
    data = {
        "title": "Open Mic",
        "producer": producer.pk,
        "venue": venue.pk if venue else "",
        "description": "<p>Bring jokes</p><script>alert(1)</script>",
        "door_time_0": (start - timedelta(minutes=30)).strftime("%Y-%m-%d"),
        "door_time_1": (start - timedelta(minutes=30)).strftime("%H:%M:%S"),
        "start_time_0": start.strftime("%Y-%m-%d"),
        "start_time_1": start.strftime("%H:%M:%S"),
        "end_time_0": (start + timedelta(hours=2)).strftime("%Y-%m-%d"),
        "end_time_1": (start + timedelta(hours=2)).strftime("%H:%M:%S"),
        "time_zone": "America/Chicago",
        "currency": "USD",
        "hold_minutes": 15,
        "max_tickets_per_order": 10,
        "refund_policy": "no_refunds",
        "age_restriction": "all_ages",
        "tickets-0-name": "General admission",
        "tickets-0-price": "15.00",
        "tickets-0-quantity": "40",
        "tickets-0-sort_order": "0",
        "tickets-0-is_active": "on",
    }
    for prefix in INLINES:
        data[f"{prefix}-TOTAL_FORMS"] = "1" if prefix == "tickets" else "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    data.update(overrides)
    return data


def local_evening():
    return timezone.localtime(timezone.now() + timedelta(days=10)).replace(hour=20, minute=0, second=0, microsecond=0)


def test_admin_creates_a_show_with_its_ticket_types(admin_client):
    producer, venue = ProducerFactory(), VenueFactory()
    response = admin_client.post(reverse("admin:shows_show_add"), show_form(producer, venue, local_evening()))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    show = Show.objects.get(title="Open Mic")
    assert show.slug.startswith("open-mic-")  # a draft's provisional slug; "open-mic" when it is published
    assert not show.published
    assert show.description == "<p>Bring jokes</p>"
    assert list(show.tickets.values_list("name", "quantity")) == [("General admission", 40)]


def test_doors_after_the_start_are_shown_as_a_form_error(admin_client):
    producer, venue = ProducerFactory(), VenueFactory()
    start = local_evening()
    data = show_form(
        producer,
        venue,
        start,
        door_time_0=start.strftime("%Y-%m-%d"),
        door_time_1=(start + timedelta(minutes=5)).strftime("%H:%M:%S"),
    )
    response = admin_client.post(reverse("admin:shows_show_add"), data)
    assert response.status_code == 200
    assert "Doors must open at or before the start time." in response.content.decode()
    assert not Show.all_objects.exists()
    assert not Ticket.objects.exists()


def test_publishing_without_a_venue_is_shown_as_a_form_error(admin_client):
    response = admin_client.post(
        reverse("admin:shows_show_add"), show_form(ProducerFactory(), None, local_evening(), published="on")
    )
    assert response.status_code == 200
    assert "A published show needs a venue." in response.content.decode()
    assert not Show.all_objects.exists()


def test_negative_ticket_price_is_shown_on_the_inline(admin_client):
    data = show_form(ProducerFactory(), VenueFactory(), local_evening(), **{"tickets-0-price": "-5"})
    response = admin_client.post(reverse("admin:shows_show_add"), data)
    assert response.status_code == 200
    assert "Price can&#x27;t be negative." in response.content.decode()
    assert not Show.all_objects.exists()


def test_deleted_flag_cannot_be_edited_directly(admin_client):
    show = ShowFactory()
    response = admin_client.get(reverse("admin:shows_show_change", args=[show.pk]))
    assert 'name="is_deleted"' not in response.content.decode()
