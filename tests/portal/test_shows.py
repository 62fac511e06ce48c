"""The portal's Shows pages: the list, creating and editing a show, ticket types, promo codes, publishing,
duplicating, deleting and restoring (authorization of every URL is in the matrix)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from piquetickets.shows.models import Show, Ticket, TicketPageDesign, TicketPromoCode
from piquetickets.shows.services import show_duplicate
from piquetickets.venues.models import Venue
from tests.factories import (
    HoldFactory,
    OrderFactory,
    PerformerFactory,
    ProducerFactory,
    PromoCodeFactory,
    ShowFactory,
    TicketFactory,
    VenueFactory,
)
from tests.images import upload

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


def _local(days: int, hour: int = 20, minute: int = 0) -> str:
    """A wall-clock time ``days`` from now at ``hour`` in New York, as a datetime-local input sends it."""
    day = (timezone.now() + timedelta(days=days)).astimezone(NEW_YORK).date()
    return f"{day:%Y-%m-%d}T{hour:02d}:{minute:02d}"


def _aware(local: str) -> datetime:
    return datetime.strptime(local, "%Y-%m-%dT%H:%M").replace(tzinfo=NEW_YORK)


def _show_data(**changes) -> dict:
    data = {
        "title": "Friday Laughs",
        "description": "<p>Stand-up <strong>all night</strong></p><script>alert(1)</script>",
        "time_zone": "America/New_York",
        "door_time": _local(10, 19, 30),
        "start_time": _local(10, 20),
        "end_time": _local(10, 22),
        "age_restriction": "18+",
        "refund_policy": "until_24h",
        "featured_video": "https://www.youtube.com/watch?v=abc",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- the list ------------------------------------------------------------------------------------------


def test_list_without_shows_leads_to_new_show(owner_client):
    response = owner_client.get(reverse("portal:show-list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "You have no shows yet" in html
    assert html.count(f'href="{reverse("portal:show-create")}"') == 2  # the page head's button and the empty state's


def test_list_tabs_sort_shows_by_status(owner_client, producer):
    draft = ShowFactory(producer=producer, title="Draft night", published=False)
    on_sale = ShowFactory(producer=producer, title="On sale night")
    past = ShowFactory(
        producer=producer,
        title="Last month",
        start_time=timezone.now() - timedelta(days=30),
        end_time=timezone.now() - timedelta(days=30) + timedelta(hours=2),
        door_time=None,
    )
    deleted = ShowFactory(producer=producer, title="Gone", is_deleted=True, deleted_at=timezone.now())
    ShowFactory(title="Another producer's show")

    def titles(status):
        response = owner_client.get(reverse("portal:show-list"), {"status": status})
        assert response.status_code == 200
        return [row["show"].title for row in response.context["rows"]]

    assert titles("upcoming") == [draft.title, on_sale.title] or titles("upcoming") == [on_sale.title, draft.title]
    assert titles("draft") == [draft.title]
    assert titles("on_sale") == [on_sale.title]
    assert titles("past") == [past.title]
    assert titles("deleted") == [deleted.title]


def test_list_row_shows_local_date_venue_sold_and_revenue(owner_client, producer):
    start = datetime(2030, 3, 8, 20, 0, tzinfo=NEW_YORK)
    venue = VenueFactory(producer=producer, name="The Cellar", city="Brooklyn")
    show = ShowFactory(
        producer=producer,
        venue=venue,
        time_zone="America/New_York",
        start_time=start,
        end_time=start + timedelta(hours=2),
    )
    TicketFactory(show=show, quantity=100, quantity_sold=30)
    TicketFactory(show=show, quantity=50, quantity_sold=10)
    OrderFactory(
        show=show,
        success=True,
        time_of_purchase=timezone.now(),
        total=Decimal("250.00"),
        refunded_amount=Decimal("50.00"),
    )
    OrderFactory(show=show, success=False, total=Decimal("999.00"))

    response = owner_client.get(reverse("portal:show-list"))

    row = response.context["rows"][0]
    assert row["when"] == "Fri 8 Mar 2030 · 8:00 PM EST"
    assert row["venue"] == "The Cellar, Brooklyn"
    assert (row["sold"], row["capacity"], row["sold_percent"]) == (40, 150, 27)
    assert row["revenue"] == "$200.00"
    assert row["status"] == "On sale"
    assert f'aria-label="{show.title}: 40 of 150 tickets sold"' in response.content.decode()


def test_list_search_by_title_or_venue(owner_client, producer):
    ShowFactory(producer=producer, title="Friday Laughs")
    ShowFactory(producer=producer, title="Open mic", venue=VenueFactory(name="Laughing Goat"))
    ShowFactory(producer=producer, title="Poetry")

    response = owner_client.get(reverse("portal:show-list"), {"q": "laugh"})

    assert sorted(row["show"].title for row in response.context["rows"]) == ["Friday Laughs", "Open mic"]


def test_list_query_count_is_the_same_for_one_and_many_shows(owner_client, producer, django_assert_num_queries):
    show = ShowFactory(producer=producer)
    TicketFactory(show=show)
    url = reverse("portal:show-list")
    owner_client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as one:
        owner_client.get(url)
    for _ in range(6):
        other = ShowFactory(producer=producer, venue=VenueFactory())
        TicketFactory(show=other)
        OrderFactory(show=other, success=True, time_of_purchase=timezone.now(), total=Decimal("10"))
    with django_assert_num_queries(len(one.captured_queries)):
        response = owner_client.get(url)
    assert len(response.context["rows"]) == 7


def test_restore_from_the_deleted_tab(owner_client, producer):
    show = ShowFactory(producer=producer, title="Gone", is_deleted=True, deleted_at=timezone.now(), published=False)

    response = owner_client.post(reverse("portal:show-restore", args=[show.slug]))

    assert response.status_code == 303
    assert response["Location"] == reverse("portal:show", args=[show.slug])
    show.refresh_from_db()
    assert (show.is_deleted, show.deleted_at, show.published) == (False, None, False)
    assert _messages(response) == ["“Gone” is restored as a draft."]


def test_restore_of_a_live_show_is_404(owner_client, producer):
    show = ShowFactory(producer=producer)
    assert owner_client.post(reverse("portal:show-restore", args=[show.slug])).status_code == 404


# --- creating and editing --------------------------------------------------------------------------------


def test_create_a_show_with_local_times_venue_and_performers(owner_client, producer, owner):
    venue = VenueFactory(producer=producer)
    performer = PerformerFactory(producer=producer)
    data = _show_data(venue=venue.pk, performers=[performer.pk])

    response = owner_client.post(reverse("portal:show-create"), data)

    assert response.status_code == 303
    show = Show.objects.get()
    assert response["Location"] == reverse("portal:show", args=[show.slug])
    assert (show.title, show.producer, show.author, show.venue, show.published) == (
        "Friday Laughs",
        producer,
        owner,
        venue,
        False,
    )
    assert show.time_zone == "America/New_York"
    assert show.start_time == _aware(data["start_time"])
    assert show.door_time == _aware(data["door_time"])
    assert show.end_time == _aware(data["end_time"])
    assert show.description == "<p>Stand-up <strong>all night</strong></p>"  # sanitised on save
    assert (show.age_restriction, show.refund_policy) == ("18+", "until_24h")
    assert list(show.performers.all()) == [performer]
    assert _messages(response) == ["“Friday Laughs” is saved as a draft. Add its ticket types, then publish it."]


def test_create_refuses_by_field_keeps_input_and_writes_nothing(owner_client):
    data = _show_data(title="", start_time="not a date")

    response = owner_client.post(reverse("portal:show-create"), data)

    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["title"] == ["Enter the show's title."]
    assert form.errors["start_time"] == ["Enter a date and time like 2026-03-06 19:30."]
    html = response.content.decode()
    assert 'value="https://www.youtube.com/watch?v=abc"' in html
    assert "<title>Error: " in html
    assert Show.all_objects.count() == 0


def test_create_refuses_an_end_before_the_start_from_the_model(owner_client):
    response = owner_client.post(reverse("portal:show-create"), _show_data(end_time=_local(10, 18)))

    assert response.status_code == 422
    assert response.context["form"].errors == {"end_time": ["The show must end after it starts."]}
    assert 'href="#id_end_time">The show must end after it starts.</a>' in response.content.decode()
    assert Show.all_objects.count() == 0


def test_create_refuses_a_start_in_the_past_by_field(owner_client):
    data = _show_data(door_time=None, start_time=_local(-3, 20), end_time=_local(-3, 22))

    response = owner_client.post(reverse("portal:show-create"), data)

    assert response.status_code == 422
    assert response.context["form"].errors["start_time"] == ["The show can't start in the past."]
    assert Show.all_objects.count() == 0


def test_create_with_a_new_venue_inline(owner_client, producer):
    data = _show_data(
        new_venue_name="Basement Bar",
        new_venue_address="12 Elm St",
        new_venue_city="Albany",
        new_venue_time_zone="America/New_York",
    )

    response = owner_client.post(reverse("portal:show-create"), data)

    assert response.status_code == 303
    venue = Venue.objects.get(name="Basement Bar")
    assert (venue.producer, venue.city, venue.time_zone) == (producer, "Albany", "America/New_York")
    assert Show.objects.get().venue == venue


def test_a_half_filled_new_venue_is_refused_by_field(owner_client):
    response = owner_client.post(reverse("portal:show-create"), _show_data(new_venue_name="Basement Bar"))

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["new_venue_address"] == ["Enter the new venue's street address, or leave all three empty."]
    assert errors["new_venue_city"] == ["Enter the new venue's city, or leave all three empty."]
    assert (Show.all_objects.count(), Venue.objects.count()) == (0, 0)


def test_another_producers_venue_and_performer_cant_be_chosen(owner_client):
    venue = VenueFactory(producer=ProducerFactory())
    performer = PerformerFactory(producer=venue.producer)

    response = owner_client.post(reverse("portal:show-create"), _show_data(venue=venue.pk, performers=[performer.pk]))

    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"venue", "performers"}
    assert Show.all_objects.count() == 0


def test_create_with_images(owner_client):
    response = owner_client.post(
        reverse("portal:show-create"), {**_show_data(), "image": upload(), "square_image": upload("sq.png")}
    )

    assert response.status_code == 303
    show = Show.objects.get()
    assert show.image.name.startswith("shows/poster-")
    assert show.square_image.name.startswith("shows/square/sq-")
    assert not show.banner_image


def test_a_file_that_is_not_an_image_is_refused_by_field_and_nothing_is_written(owner_client):
    not_image = upload("notes.png", content=b"just some text, not a picture at all")

    response = owner_client.post(reverse("portal:show-create"), {**_show_data(), "banner_image": not_image})

    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["banner_image"]
    assert Show.all_objects.count() == 0


def test_a_form_sent_back_with_errors_says_which_chosen_images_to_choose_again(owner_client):
    data = {**_show_data(end_time=_local(10, 18)), "image": upload("poster.png"), "square_image": upload("sq.png")}

    response = owner_client.post(reverse("portal:show-create"), data)
    clean = owner_client.post(reverse("portal:show-create"), _show_data(end_time=_local(10, 18)))

    assert response.status_code == 422
    assert "Choose again: Main image, Square image. A chosen image isn't kept" in response.content.decode()
    assert "Choose again" not in clean.content.decode()
    assert Show.all_objects.count() == 0


def test_one_submit_tells_every_error_the_form_has(owner_client):
    """Empty title, the end before the start, a start in the past and a file that is not an image: all
    by their fields at once, not one stage per submit."""
    data = {
        **_show_data(title="", start_time=_local(-3, 20), end_time=_local(-3, 18), door_time=None),
        "banner_image": upload("notes.png", content=b"just some text, not a picture at all"),
    }

    response = owner_client.post(reverse("portal:show-create"), data)

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["title"] == ["Enter the show's title."]
    assert errors["end_time"] == ["The show must end after it starts."]
    assert errors["start_time"] == ["The show can't start in the past."]
    assert errors["banner_image"] == ["This file is not an image we can use."]
    assert Show.all_objects.count() == 0


def test_edit_shows_local_times_and_saves_changes(owner_client, producer):
    start = datetime(2030, 7, 4, 21, 0, tzinfo=NEW_YORK)
    show = ShowFactory(
        producer=producer,
        time_zone="America/New_York",
        start_time=start,
        end_time=start + timedelta(hours=2),
        door_time=None,
        published=False,
    )
    url = reverse("portal:show-edit", args=[show.slug])

    page = owner_client.get(url)
    assert 'value="2030-07-04T21:00"' in page.content.decode()

    response = owner_client.post(url, _show_data(title="Renamed", venue=show.venue_id))
    assert response.status_code == 303
    show.refresh_from_db()
    assert show.title == "Renamed"
    assert _messages(response) == ["“Renamed” is saved."]


def test_a_published_show_cant_lose_its_venue(owner_client, producer):
    show = ShowFactory(producer=producer, title="Live")

    response = owner_client.post(reverse("portal:show-edit", args=[show.slug]), _show_data(title="Changed"))

    assert response.status_code == 422
    assert response.context["form"].errors == {"venue": ["A published show needs a venue."]}
    show.refresh_from_db()
    assert (show.title, show.venue_id is not None) == ("Live", True)


def test_another_producers_show_is_404_and_unchanged(owner_client):
    show = ShowFactory(title="Theirs")

    assert owner_client.get(reverse("portal:show", args=[show.slug])).status_code == 404
    response = owner_client.post(reverse("portal:show-edit", args=[show.slug]), _show_data(title="Mine now"))
    assert response.status_code == 404
    show.refresh_from_db()
    assert show.title == "Theirs"


# --- ticket types --------------------------------------------------------------------------------------


def _ticket_data(**changes) -> dict:
    data = {
        "name": "VIP",
        "description": "Front row",
        "price": "35.00",
        "quantity": "20",
        "max_per_order": "4",
        "sort_order": "2",
        "is_active": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_add_a_ticket_type(owner_client, producer, owner):
    show = ShowFactory(producer=producer, time_zone="America/New_York", published=False)
    data = _ticket_data(is_donation_based="on", sales_start=_local(1, 10), sales_end=_local(5, 10))

    response = owner_client.post(reverse("portal:show-ticket-create", args=[show.slug]), data)

    assert response.status_code == 303
    ticket = Ticket.objects.get(show=show)
    assert (ticket.name, ticket.price, ticket.quantity, ticket.max_per_order, ticket.sort_order) == (
        "VIP",
        Decimal("35.00"),
        20,
        4,
        2,
    )
    assert (ticket.is_donation_based, ticket.is_active, ticket.author) == (True, True, owner)
    assert ticket.sales_start == _aware(data["sales_start"])
    assert _messages(response) == ["Ticket type “VIP” added."]


def test_ticket_type_errors_by_field_and_nothing_written(owner_client, producer):
    show = ShowFactory(producer=producer)

    response = owner_client.post(
        reverse("portal:show-ticket-create", args=[show.slug]), _ticket_data(name="", price="-1", quantity="lots")
    )

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["name"] == ["Enter the ticket type's name."]
    assert errors["price"] == ["Ensure this value is greater than or equal to 0."]
    assert errors["quantity"] == ["Enter a whole number."]
    assert 'value="Front row"' not in response.content.decode()  # a textarea keeps it as text
    assert "Front row" in response.content.decode()
    assert Ticket.objects.count() == 0


def test_absurd_quantities_are_refused_by_their_field_in_words(owner_client, producer):
    show = ShowFactory(producer=producer)
    url = reverse("portal:show-ticket-create", args=[show.slug])
    data = {"name": "GA", "price": "10", "quantity": "3000000000", "max_per_order": "99999999999999999999",
            "sort_order": "0", "is_active": "on"}  # fmt: skip

    response = owner_client.post(url, data)

    assert response.status_code == 422
    html = response.content.decode()
    assert "At most 1,000,000 of one ticket type." in html
    assert "At most 100 per order." in html
    assert "9223372036854775807" not in html
    assert not show.tickets.exists()


def test_a_ticket_types_errors_come_in_one_submit(owner_client, producer):
    show = ShowFactory(producer=producer)
    data = {"name": "GA", "price": "-5", "quantity": "-1", "sales_start": "2030-05-02T20:00",
            "sales_end": "2030-05-01T20:00", "sort_order": "0", "is_active": "on"}  # fmt: skip

    response = owner_client.post(reverse("portal:show-ticket-create", args=[show.slug]), data)

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) == {"price", "quantity", "sales_end"}
    assert errors["sales_end"] == ["Sales must end after they start."]
    assert not show.tickets.exists()


def test_sales_window_in_the_wrong_order_is_refused(owner_client, producer):
    show = ShowFactory(producer=producer)

    response = owner_client.post(
        reverse("portal:show-ticket-create", args=[show.slug]),
        _ticket_data(sales_start=_local(5, 10), sales_end=_local(1, 10)),
    )

    assert response.status_code == 422
    assert response.context["form"].errors == {"sales_end": ["Sales must end after they start."]}
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("when", ["9999-12-31T23:59", "1999-12-31T20:00", "3000-01-01T00:00"])
def test_times_in_far_off_years_are_refused_by_their_field(owner_client, producer, when):
    show = ShowFactory(producer=producer)

    ticket = owner_client.post(
        reverse("portal:show-ticket-create", args=[show.slug]), _ticket_data(sales_start=when, sales_end=when)
    )
    edited = owner_client.post(
        reverse("portal:show-edit", args=[show.slug]),
        {"title": "Renamed", "time_zone": "America/Chicago", "start_time": when, "end_time": when},
    )

    message = ["Enter a date between 2000 and 2999."]
    assert ticket.status_code == 422
    assert ticket.context["form"].errors == {"sales_start": message, "sales_end": message}
    assert f'value="{when}"' in ticket.content.decode()
    assert edited.status_code == 422
    assert edited.context["form"].errors["start_time"] == message
    assert edited.context["form"].errors["end_time"] == message
    assert Ticket.objects.count() == 0
    show.refresh_from_db()
    assert show.title != "Renamed"


def test_quantity_never_below_sold_and_held_shown_by_the_field(owner_client, producer):
    show = ShowFactory(producer=producer)
    ticket = TicketFactory(show=show, quantity=50, quantity_sold=10)
    HoldFactory(ticket=ticket, quantity=3)
    url = reverse("portal:show-ticket-edit", args=[show.slug, ticket.pk])

    page = owner_client.get(url)
    assert "10 sold and 3 held in checkouts right now: the quantity can't go below 13." in page.content.decode()

    response = owner_client.post(url, _ticket_data(quantity="12"))

    assert response.status_code == 422
    assert response.context["form"].errors["quantity"] == [
        "Quantity can't be lower than 13: 10 sold and 3 held in checkouts."
    ]
    ticket.refresh_from_db()
    assert (ticket.quantity, ticket.name) == (50, "General admission")

    assert owner_client.post(url, _ticket_data(quantity="13")).status_code == 303
    ticket.refresh_from_db()
    assert (ticket.quantity, ticket.name) == (13, "VIP")


def test_show_page_lists_ticket_types_with_sold_and_held(owner_client, producer):
    show = ShowFactory(producer=producer)
    ticket = TicketFactory(show=show, name="Standing", quantity=80, quantity_sold=5)
    HoldFactory(ticket=ticket, quantity=2)

    response = owner_client.get(reverse("portal:show", args=[show.slug]))

    row = response.context["tickets"][0]
    assert (row["ticket"].name, row["ticket"].quantity_sold, row["held"]) == ("Standing", 5, 2)
    assert "5 of 80" in response.content.decode()


def test_a_ticket_type_with_orders_is_taken_off_sale_not_deleted(owner_client, producer):
    show = ShowFactory(producer=producer)
    sold = TicketFactory(show=show, name="Sold one", quantity_sold=1)
    unsold = TicketFactory(show=show, name="Unsold one")

    first = owner_client.post(reverse("portal:show-ticket-remove", args=[show.slug, sold.pk]))
    second = owner_client.post(reverse("portal:show-ticket-remove", args=[show.slug, unsold.pk]))

    assert (first.status_code, second.status_code) == (303, 303)
    sold.refresh_from_db()
    assert sold.is_active is False
    assert not Ticket.objects.filter(pk=unsold.pk).exists()


def test_a_ticket_type_of_another_show_is_404(owner_client, producer):
    show = ShowFactory(producer=producer)
    foreign = TicketFactory()

    response = owner_client.post(reverse("portal:show-ticket-edit", args=[show.slug, foreign.pk]), _ticket_data())

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "General admission"


# --- promo codes ---------------------------------------------------------------------------------------


def test_add_a_promo_code_for_some_ticket_types(owner_client, producer):
    show = ShowFactory(producer=producer)
    vip = TicketFactory(show=show, name="VIP")
    TicketFactory(show=show, name="General")

    response = owner_client.post(
        reverse("portal:show-promo-create", args=[show.slug]),
        {"code": " FRIENDS ", "discount_type": "percent", "discount": "25", "max_uses": "10", "tickets": [vip.pk]},
    )

    assert response.status_code == 303
    promo = TicketPromoCode.objects.get()
    assert (promo.code, promo.discount_type, promo.discount, promo.max_uses, promo.is_active) == (
        "FRIENDS",
        "percent",
        Decimal("25.00"),
        10,
        False,
    )
    assert list(promo.tickets.all()) == [vip]


def test_promo_code_refusals_are_shown_and_nothing_written(owner_client, producer):
    show = ShowFactory(producer=producer)
    PromoCodeFactory(show=show, code="TAKEN")
    url = reverse("portal:show-promo-create", args=[show.slug])

    too_much = owner_client.post(url, {"code": "BIG", "discount_type": "percent", "discount": "150"})
    taken = owner_client.post(url, {"code": "taken", "discount_type": "fixed", "discount": "5"})
    empty = owner_client.post(url, {"code": "", "discount_type": "fixed", "discount": ""})

    assert (too_much.status_code, taken.status_code, empty.status_code) == (422, 422, 422)
    assert too_much.context["form"].errors == {"discount": ["A percentage discount can't exceed 100."]}
    assert taken.context["form"].errors == {"code": ["This show already has a promo code with that name."]}
    assert empty.context["form"].errors["code"] == ["Enter the code buyers will type."]
    assert 'value="BIG"' in too_much.content.decode()
    assert TicketPromoCode.objects.count() == 1


@pytest.mark.parametrize("code", ["bad code!!", "TWO WORDS", "semi;colon", "-LEADING"])
def test_a_promo_code_buyers_could_not_type_reliably_is_refused(owner_client, producer, code):
    show = ShowFactory(producer=producer)

    response = owner_client.post(
        reverse("portal:show-promo-create", args=[show.slug]),
        {"code": code, "discount_type": "percent", "discount": "10"},
    )

    assert response.status_code == 422
    assert "Use letters, digits, - and _ only, without spaces" in response.content.decode()
    assert not TicketPromoCode.objects.exists()


def test_a_fixed_discount_above_every_price_it_applies_to_is_refused(owner_client, producer):
    show = ShowFactory(producer=producer, currency="USD")
    general = TicketFactory(show=show, name="General", price=Decimal("15.00"))
    TicketFactory(show=show, name="VIP", price=Decimal("40.00"))
    url = reverse("portal:show-promo-create", args=[show.slug])

    typo = owner_client.post(url, {"code": "TYPO", "discount_type": "fixed", "discount": "500"})
    on_general = owner_client.post(
        url, {"code": "GEN", "discount_type": "fixed", "discount": "20", "tickets": [general.pk]}
    )
    fine = owner_client.post(url, {"code": "TWENTY", "discount_type": "fixed", "discount": "20"})
    free = owner_client.post(url, {"code": "COMP", "discount_type": "percent", "discount": "100"})

    assert (typo.status_code, on_general.status_code) == (422, 422)
    assert "more than any ticket it applies to costs (at most $40.00)" in typo.content.decode()
    assert "(at most $15.00)" in on_general.content.decode()
    assert 'value="500"' in typo.content.decode()
    assert (fine.status_code, free.status_code) == (303, 303)  # free for $15 tickets, $20 off the VIP: allowed
    assert sorted(TicketPromoCode.objects.values_list("code", flat=True)) == ["COMP", "TWENTY"]
    promo = TicketPromoCode.objects.get(code="TWENTY")
    edit = owner_client.post(
        reverse("portal:show-promo-edit", args=[show.slug, promo.pk]),
        {"code": "TWENTY", "discount_type": "fixed", "discount": "20", "tickets": [general.pk], "is_active": "on"},
    )
    assert edit.status_code == 422
    assert list(TicketPromoCode.objects.get(pk=promo.pk).tickets.all()) == []  # still every type, the VIP too


def test_promo_code_max_uses_not_below_uses_made(owner_client, producer):
    show = ShowFactory(producer=producer)
    promo = PromoCodeFactory(show=show, code="USED", times_used=4)

    response = owner_client.post(
        reverse("portal:show-promo-edit", args=[show.slug, promo.pk]),
        {"code": "USED", "discount_type": "percent", "discount": "10", "max_uses": "2", "is_active": "on"},
    )

    assert response.status_code == 422
    assert response.context["form"].errors["max_uses"] == ["It has been used 4 times already."]
    promo.refresh_from_db()
    assert promo.max_uses is None


def test_edit_pages_of_a_ticket_type_and_a_promo_code_are_filled_in_on_the_shows_clock(owner_client, producer):
    start = datetime(2030, 7, 4, 21, 0, tzinfo=NEW_YORK)
    show = ShowFactory(producer=producer, time_zone="America/New_York", start_time=start, door_time=None)
    ticket = TicketFactory(
        show=show,
        name="VIP",
        description="Front row",
        price=Decimal("25.00"),
        quantity=40,
        max_per_order=4,
        sales_start=datetime(2030, 7, 1, 9, 0, tzinfo=NEW_YORK),
        sort_order=2,
        is_active=False,
    )
    promo = PromoCodeFactory(
        show=show,
        code="FIVE",
        discount_type=TicketPromoCode.DiscountType.FIXED,
        discount=Decimal("5.00"),
        valid_until=datetime(2030, 7, 3, 23, 59, tzinfo=NEW_YORK),
        max_uses=10,
    )
    promo.tickets.set([ticket])

    ticket_page = owner_client.get(reverse("portal:show-ticket-edit", args=[show.slug, ticket.pk]))
    promo_page = owner_client.get(reverse("portal:show-promo-edit", args=[show.slug, promo.pk]))

    assert (ticket_page.status_code, promo_page.status_code) == (200, 200)
    assert ticket_page.context["form"].initial == {
        "name": "VIP",
        "description": "Front row",
        "price": Decimal("25.00"),
        "is_donation_based": False,
        "quantity": 40,
        "max_per_order": 4,
        "sales_start": datetime(2030, 7, 1, 9, 0),
        "sales_end": None,
        "sort_order": 2,
        "is_active": False,
    }
    assert promo_page.context["form"].initial == {
        "code": "FIVE",
        "discount_type": "fixed",
        "discount": Decimal("5.00"),
        "valid_from": None,
        "valid_until": datetime(2030, 7, 3, 23, 59),
        "max_uses": 10,
        "tickets": [ticket.pk],
        "is_active": True,
    }


def test_show_page_says_a_code_with_no_ticket_types_applies_to_all(owner_client, producer):
    show = ShowFactory(producer=producer)
    PromoCodeFactory(show=show, code="ALL", times_used=2, max_uses=5)

    response = owner_client.get(reverse("portal:show", args=[show.slug]))

    row = response.context["promos"][0]
    assert row["applies_to"] == "Every ticket type"
    assert "2 of 5" in response.content.decode()


# --- publishing ----------------------------------------------------------------------------------------


@pytest.fixture
def publisher(owner):
    owner.profile.can_publish_shows = True
    owner.profile.save()
    return owner


def test_publish_refused_with_the_reasons(owner_client, producer, publisher):
    show = ShowFactory(producer=producer, venue=None, published=False)

    page = owner_client.get(reverse("portal:show", args=[show.slug]))
    assert page.context["problems"] == ["Add a venue.", "Add at least one ticket type that is on sale."]
    response = owner_client.post(reverse("portal:show-publish", args=[show.slug]))

    assert response.status_code == 400
    assert response.context["reasons"] == ["Add a venue.", "Add at least one ticket type that is on sale."]
    assert "It can't be published yet" in response.content.decode()
    show.refresh_from_db()
    assert show.published is False


def test_publish_refused_without_the_right(owner_client, producer):
    show = ShowFactory(producer=producer, published=False)
    TicketFactory(show=show)

    page = owner_client.get(reverse("portal:show", args=[show.slug]))
    assert 'action="{}"'.format(reverse("portal:show-publish", args=[show.slug])) not in page.content.decode()
    response = owner_client.post(reverse("portal:show-publish", args=[show.slug]))

    assert response.status_code == 403
    assert response.context["refusal"].code == "publishing_not_allowed"
    show.refresh_from_db()
    assert show.published is False


def test_publish_and_unpublish(owner_client, producer, publisher):
    show = ShowFactory(producer=producer, published=False, title="Ready")
    TicketFactory(show=show)

    response = owner_client.post(reverse("portal:show-publish", args=[show.slug]))
    assert response.status_code == 303
    show.refresh_from_db()
    assert show.published is True
    assert _messages(response) == ["“Ready” is published: buyers can find it and buy tickets."]

    response = owner_client.post(reverse("portal:show-unpublish", args=[show.slug]))
    assert response.status_code == 303
    show.refresh_from_db()
    assert show.published is False


def test_unpublishing_a_show_with_tickets_sold_asks_first_and_says_what_happens(owner_client, producer):
    show = ShowFactory(producer=producer, published=True, title="Sold Some")
    TicketFactory(show=show, quantity_sold=2)
    unsold = ShowFactory(producer=producer, published=True, title="Sold None")
    TicketFactory(show=unsold)

    page = owner_client.get(reverse("portal:show", args=[show.slug])).content.decode()
    quiet = owner_client.get(reverse("portal:show", args=[unsold.slug])).content.decode()

    assert '<summary class="btn btn--secondary">Unpublish…</summary>' in page
    assert "2 tickets are sold. Unpublished, the show is off sale" in page
    assert "nobody is told or refunded" in page
    assert "Unpublish “Sold Some”</button>" in page
    assert "Unpublish…" not in quiet
    assert "tickets are sold" not in quiet
    assert ">Unpublish</button>" in quiet


def test_the_show_page_warns_when_tickets_on_sale_are_more_than_the_room_holds(owner_client, producer):
    from tests.factories import VenueFactory

    room = VenueFactory(producer=producer, name="The Basement Room", capacity=120)
    show = ShowFactory(producer=producer, venue=room, title="Packed")
    TicketFactory(show=show, quantity=100)
    extra = TicketFactory(show=show, quantity=30)
    TicketFactory(show=show, quantity=500, is_active=False)  # off sale: not counted

    over = owner_client.get(reverse("portal:show", args=[show.slug])).content.decode()
    extra.quantity = 20
    extra.save()
    fits = owner_client.get(reverse("portal:show", args=[show.slug])).content.decode()

    warning = "The ticket types on sale add up to 130 tickets, and The Basement Room holds 120."
    assert f'<p class="alert alert--warning">{warning}' in over
    assert '<td class="hide-sm">Not on sale</td>' in over  # the type off sale, not "While published"
    assert over.count("While published") == 2
    assert "alert--warning" not in fits


def test_the_preview_gives_the_doors_time_alone_on_the_shows_date(owner_client, producer):
    from zoneinfo import ZoneInfo

    start = datetime(2026, 12, 12, 22, 0, tzinfo=ZoneInfo("America/Chicago"))
    show = ShowFactory(producer=producer, start_time=start, door_time=start - timedelta(minutes=30),
                       end_time=start + timedelta(hours=2), time_zone="America/Chicago")  # fmt: skip
    late = ShowFactory(producer=producer, start_time=start.replace(hour=0, minute=15), time_zone="America/Chicago",
                       door_time=start.replace(hour=0, minute=15) - timedelta(minutes=30),
                       end_time=start.replace(hour=2))  # fmt: skip

    page = owner_client.get(reverse("portal:show-preview", args=[show.slug])).content.decode()
    after_midnight = owner_client.get(reverse("portal:show-preview", args=[late.slug])).content.decode()

    assert "<strong>Sat 12 Dec 2026 · 10:00 PM CST</strong> · doors 9:30 PM</p>" in page
    assert " · doors Fri 11 Dec 2026 · 11:45 PM CST</p>" in after_midnight


def test_preview_of_a_draft(owner_client, producer):
    show = ShowFactory(producer=producer, published=False, title="Secret", description="<h1>Big</h1><p>Fun</p>")
    TicketFactory(show=show, name="Door", price=Decimal("12.00"))

    response = owner_client.get(reverse("portal:show-preview", args=[show.slug]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h3>Big</h3><p>Fun</p>" in html
    assert "<span>Door</span><span>$12.00</span>" in html
    assert "Buyers can't see it yet." in html


# --- duplicating ---------------------------------------------------------------------------------------


def test_duplicate_copies_ticket_types_and_design_on_new_dates(producer, owner):
    start = timezone.now() + timedelta(days=10)
    show = ShowFactory(
        producer=producer, start_time=start, end_time=start + timedelta(hours=2), refund_policy="any_time"
    )
    show.performers.set([PerformerFactory(producer=producer)])
    TicketFactory(show=show, name="GA", quantity=100, quantity_sold=40, sales_end=start - timedelta(hours=1))
    TicketFactory(show=show, name="VIP", quantity=10, quantity_sold=10, sort_order=1)
    PromoCodeFactory(show=show, code="ONLYHERE")
    TicketPageDesign.objects.create(show=show, primary_color="#112233", secondary_color="#445566")
    new_start = start + timedelta(days=7)

    copy = show_duplicate(
        show=show, author=owner, title="Again", start_time=new_start, end_time=new_start + timedelta(hours=2)
    )

    assert (copy.title, copy.published, copy.venue_id, copy.refund_policy, copy.author) == (
        "Again",
        False,
        show.venue_id,
        "any_time",
        owner,
    )
    assert list(copy.performers.all()) == list(show.performers.all())
    tickets = list(copy.tickets.order_by("sort_order"))
    assert [(t.name, t.quantity, t.quantity_sold) for t in tickets] == [("GA", 100, 0), ("VIP", 10, 0)]
    assert tickets[0].sales_end == new_start - timedelta(hours=1)
    assert (copy.page_design.primary_color, copy.page_design.secondary_color) == ("#112233", "#445566")
    assert copy.promo_codes.count() == 0
    assert show.tickets.get(name="GA").quantity_sold == 40


def test_duplicate_page_starts_from_the_shows_title_and_times_on_its_clock(owner_client, producer):
    start = datetime(2030, 7, 4, 21, 0, tzinfo=NEW_YORK)
    show = ShowFactory(producer=producer, title="Friday Laughs", time_zone="America/New_York", start_time=start)

    response = owner_client.get(reverse("portal:show-duplicate", args=[show.slug]))

    assert response.status_code == 200
    assert response.context["form"].initial == {
        "title": "Friday Laughs",
        "door_time": datetime(2030, 7, 4, 20, 30),
        "start_time": datetime(2030, 7, 4, 21, 0),
        "end_time": datetime(2030, 7, 4, 23, 0),
    }


def test_duplicate_page_refuses_an_end_before_the_start(owner_client, producer):
    show = ShowFactory(producer=producer, time_zone="America/New_York")
    TicketFactory(show=show)

    response = owner_client.post(
        reverse("portal:show-duplicate", args=[show.slug]),
        {"title": "Again", "start_time": _local(20, 20), "end_time": _local(20, 19)},
    )

    assert response.status_code == 422
    assert response.context["form"].errors == {"end_time": ["The show must end after it starts."]}
    assert Show.all_objects.count() == 1
    assert Ticket.objects.count() == 1


def test_duplicate_page_makes_a_draft(owner_client, producer):
    show = ShowFactory(producer=producer, time_zone="America/New_York")
    TicketFactory(show=show)
    data = {"title": "Again", "start_time": _local(20, 20), "end_time": _local(20, 22)}

    response = owner_client.post(reverse("portal:show-duplicate", args=[show.slug]), data)

    assert response.status_code == 303
    copy = Show.objects.get(title="Again")
    assert response["Location"] == reverse("portal:show", args=[copy.slug])
    assert copy.start_time == _aware(data["start_time"])
    assert copy.tickets.count() == 1


# --- deleting ------------------------------------------------------------------------------------------


def test_delete_asks_first_then_deletes(owner_client, producer):
    show = ShowFactory(producer=producer, title="Doomed")
    url = reverse("portal:show-delete", args=[show.slug])

    confirm = owner_client.get(url)
    assert confirm.status_code == 200
    assert "Delete the show" in confirm.content.decode()
    show.refresh_from_db()
    assert show.is_deleted is False

    response = owner_client.post(url)
    assert response.status_code == 303
    assert response["Location"] == f"{reverse('portal:show-list')}?status=deleted"
    show.refresh_from_db()
    assert (show.is_deleted, show.published) == (True, False)
    assert owner_client.get(reverse("portal:show", args=[show.slug])).status_code == 404


def test_every_constraint_placed_by_a_field_exists_and_the_field_is_on_its_form():
    from piquetickets.portal.forms.shows import CONSTRAINT_FIELDS, PromoCodeForm, ShowForm, TicketForm

    forms_by_model = {Show: ShowForm, Ticket: TicketForm, TicketPromoCode: PromoCodeForm}
    placed = {}
    for model, form in forms_by_model.items():
        for constraint in model._meta.constraints:
            if constraint.name in CONSTRAINT_FIELDS:
                assert CONSTRAINT_FIELDS[constraint.name] in form.base_fields, constraint.name
                placed[constraint.name] = model
    assert set(placed) == set(CONSTRAINT_FIELDS)


def test_show_page_query_count_is_the_same_for_one_and_many_ticket_types_and_codes(owner_client, producer):
    show = ShowFactory(producer=producer)
    first = TicketFactory(show=show)
    PromoCodeFactory(show=show, code="ONE").tickets.set([first])
    url = reverse("portal:show", args=[show.slug])
    owner_client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as one:
        owner_client.get(url)
    for n in range(5):
        ticket = TicketFactory(show=show, name=f"Type {n}")
        HoldFactory(ticket=ticket, quantity=1)
        PromoCodeFactory(show=show, code=f"CODE{n}").tickets.set([ticket, first])

    with CaptureQueriesContext(connection) as many:
        response = owner_client.get(url)

    assert len(many.captured_queries) == len(one.captured_queries)
    assert (len(response.context["tickets"]), len(response.context["promos"])) == (6, 6)


def test_the_time_zone_select_offers_the_common_zones_first(owner_client):
    html = owner_client.get(reverse("portal:show-create")).content.decode()

    common = html.index('<optgroup label="Common">')
    every = html.index('<optgroup label="Every time zone">')
    assert common < html.index("US Eastern (New York)") < html.index("Australia Eastern (Sydney)") < every
    assert '<option value="America/Chicago" selected>US Central (Chicago)</option>' in html
    assert html.count('<option value="America/Chicago" selected>') == 2  # the show's and the new venue's select
    assert '<option value="America/Chicago">America/Chicago</option>' in html  # in the full list, not selected
    assert '<option value="America/Argentina/Buenos_Aires">America/Argentina/Buenos Aires</option>' in html
