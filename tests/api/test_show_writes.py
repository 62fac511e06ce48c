"""Producer writes through the API: the business rules, bad input, and nothing half-written."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from piquetickets.shows.models import Show, Ticket, TicketPageDesign, TicketPromoCode
from tests.api.conftest import assert_error, client_for
from tests.factories import HoldFactory, PerformerFactory, ProducerFactory, TicketOrderFactory, VenueFactory

pytestmark = pytest.mark.django_db


def when(days=20, hours=0):
    return (timezone.now() + timedelta(days=days, hours=hours)).isoformat()


def test_owner_drafts_a_show_with_venue_and_performers(world):
    venue = VenueFactory(time_zone="America/New_York")
    comic = PerformerFactory()
    response = client_for(world.owner).post(
        "/api/v1/shows/",
        {
            "title": "Late Night Jokes",
            "description": '<p onclick="x()">Funny</p><script>bad()</script>',
            "start_time": when(),
            "end_time": when(hours=2),
            "venue": venue.slug,
            "performers": [comic.slug],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    slug = body["slug"]
    assert re.fullmatch(r"late-night-jokes-[a-z0-9]{6}", slug)  # a draft's slug says nothing about other titles
    assert body["status"] == "draft"
    assert body["time_zone"] == "America/New_York"  # taken from the venue
    assert body["description"] == "<p>Funny</p>"
    assert [p["slug"] for p in body["performers"]] == [comic.slug]
    show = Show.objects.get(slug=slug)
    assert (show.producer, show.author, show.published) == (world.producer, world.owner, False)
    assert show.draft_created_at is not None
    # A draft is visible to its producer, not to the public.
    assert client_for(None).get(f"/api/v1/shows/{slug}/").status_code == 404
    mine = client_for(world.owner).get("/api/v1/shows/?mine=true").json()["results"]
    assert {s["slug"] for s in mine} == {slug, world.show.slug}


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"title": ""}, "title", "This field may not be blank."),
        ({"start_time": "tomorrow"}, "start_time", None),
        ({"end_time": None}, "end_time", "This field may not be null."),
        ({"time_zone": "Mars/Base"}, "time_zone", '"Mars/Base" is not a valid choice.'),
        ({"currency": "XXX"}, "currency", '"XXX" is not a valid choice.'),
        ({"hold_minutes": 0}, "hold_minutes", "Ensure this value is greater than or equal to 1."),
        ({"venue": "no-such-venue"}, "venue", "Object with slug=no-such-venue does not exist."),
        ({"performers": ["nobody"]}, "performers", "Object with slug=nobody does not exist."),
        ({"age_restriction": "99+"}, "age_restriction", '"99+" is not a valid choice.'),
    ],
)
def test_bad_show_input_is_refused_field_by_field(world, payload, field, message):
    data = {"title": "Bad", "start_time": when(), "end_time": when(hours=2), **payload}
    response = client_for(world.owner).post("/api/v1/shows/", data, format="json")
    body = assert_error(response, 400, "invalid", "Some fields are not valid.")
    assert field in body["extra"]["fields"]
    if message:
        assert body["extra"]["fields"][field] == [message]
    assert Show.all_objects.count() == 2  # only the fixture's shows


def test_time_rules_are_checked_against_each_other(world):
    response = client_for(world.owner).post(
        "/api/v1/shows/",
        {"title": "Backwards", "start_time": when(hours=2), "end_time": when(), "door_time": when(hours=3)},
        format="json",
    )
    body = assert_error(response, 400, "invalid")
    assert body["extra"]["fields"]["non_field_errors"] == [
        "The show must end after it starts.",
        "Doors must open at or before the start time.",
    ]
    assert not Show.all_objects.filter(title="Backwards").exists()


def test_user_of_several_producers_must_say_which(world):
    from piquetickets.producers.models import UserProducerAssociation

    UserProducerAssociation.objects.create(user=world.owner, producer=ProducerFactory())
    response = client_for(world.owner).post(
        "/api/v1/shows/", {"title": "Which", "start_time": when(), "end_time": when(hours=2)}, format="json"
    )
    body = assert_error(response, 400, "invalid")
    assert body["extra"]["fields"] == {"producer": ["Choose which producer this is for."]}


def test_user_without_producer_cannot_create(db):
    from tests.factories import UserFactory

    response = client_for(UserFactory()).post(
        "/api/v1/shows/", {"title": "Nobody's", "start_time": when(), "end_time": when(hours=2)}, format="json"
    )
    assert_error(response, 403, "permission_denied", "You are not a member of any producer.")


def test_show_cannot_move_to_another_producer(world):
    response = client_for(world.staff).patch(
        f"/api/v1/shows/{world.show.slug}/", {"producer": world.other_producer.slug}, format="json"
    )
    assert_error(response, 400, "invalid")
    assert Show.objects.get(pk=world.show.pk).producer == world.producer


def test_rename_keeps_the_slug(world):
    response = client_for(world.owner).patch(f"/api/v1/shows/{world.show.slug}/", {"title": "New Name"}, format="json")
    assert response.json()["slug"] == world.show.slug
    assert response.json()["title"] == "New Name"


def test_publishing_needs_permission_venue_and_a_ticket_type(world):
    owner = client_for(world.owner)
    draft = owner.post(
        "/api/v1/shows/", {"title": "To Publish", "start_time": when(), "end_time": when(hours=2)}, format="json"
    ).json()
    url = f"/api/v1/shows/{draft['slug']}/status/"

    body = assert_error(owner.post(url, {"status": "published"}, format="json"), 400, "show_not_ready")
    assert body["extra"]["reasons"] == ["Add a venue.", "Add at least one ticket type that is on sale."]

    owner.patch(f"/api/v1/shows/{draft['slug']}/", {"venue": world.show.venue.slug}, format="json")
    owner.post("/api/v1/tickets/", {"show": draft["slug"], "name": "GA", "quantity": 5, "price": "10"}, format="json")

    world.owner.profile.can_publish_shows = False
    world.owner.profile.save()
    assert_error(owner.post(url, {"status": "published"}, format="json"), 403, "publishing_not_allowed")
    assert Show.objects.get(slug=draft["slug"]).published is False

    world.owner.profile.can_publish_shows = True
    world.owner.profile.save()
    published = owner.post(url, {"status": "published"}, format="json")
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert client_for(None).get(f"/api/v1/shows/{draft['slug']}/").status_code == 200

    assert owner.post(url, {"status": "draft"}, format="json").json()["status"] == "draft"
    assert client_for(None).get(f"/api/v1/shows/{draft['slug']}/").status_code == 404


def test_published_show_cannot_lose_its_venue(world):
    response = client_for(world.owner).patch(f"/api/v1/shows/{world.show.slug}/", {"venue": None}, format="json")
    body = assert_error(response, 400, "invalid")
    assert body["extra"]["fields"]["non_field_errors"] == ["A published show needs a venue."]


def test_delete_is_soft_and_hides_the_show(world):
    response = client_for(world.owner).delete(f"/api/v1/shows/{world.show.slug}/")
    assert response.status_code == 204
    assert Show.all_objects.get(pk=world.show.pk).is_deleted is True
    assert client_for(world.owner).get(f"/api/v1/shows/{world.show.slug}/").status_code == 404


# --- ticket types -------------------------------------------------------------------------------


def test_ticket_quantity_cannot_drop_below_sold_plus_held(world):
    Ticket.objects.filter(pk=world.ticket.pk).update(quantity_sold=10)
    HoldFactory(ticket=world.ticket, order__show=world.show, quantity=5)
    owner = client_for(world.owner)
    body = assert_error(
        owner.patch(f"/api/v1/tickets/{world.ticket.pk}/", {"quantity": 14}, format="json"),
        400,
        "quantity_below_committed",
        "Quantity can't be lower than 15: 10 sold and 5 held in checkouts.",
    )
    assert body["extra"] == {"sold": 10, "held": 5, "minimum": 15}
    assert Ticket.objects.get(pk=world.ticket.pk).quantity == 50
    response = owner.patch(f"/api/v1/tickets/{world.ticket.pk}/", {"quantity": 15}, format="json")
    assert response.status_code == 200
    assert response.json()["sales"] == {"quantity": 15, "sold": 10, "held": 5}
    assert response.json()["remaining"] == 0


def test_ticket_type_with_sales_is_deactivated_not_deleted(world):
    TicketOrderFactory(order__show=world.show, ticket=world.ticket)
    response = client_for(world.owner).delete(f"/api/v1/tickets/{world.ticket.pk}/")
    assert response.status_code == 200
    assert response.json() == {"result": "deactivated"}
    assert Ticket.objects.get(pk=world.ticket.pk).is_active is False
    public = client_for(None).get(f"/api/v1/shows/{world.show.slug}/").json()["tickets"]
    assert public == []


def test_unsold_ticket_type_is_deleted(world):
    assert client_for(world.owner).delete(f"/api/v1/tickets/{world.ticket.pk}/").status_code == 204
    assert not Ticket.objects.filter(pk=world.ticket.pk).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"price": "-1"}, "non_field_errors"),
        ({"quantity": -5}, "quantity"),
        ({"price": "abc"}, "price"),
        ({"name": ""}, "name"),
        ({"max_per_order": 0}, "max_per_order"),
    ],
)
def test_bad_ticket_input(world, payload, field):
    data = {"show": world.show.slug, "name": "X", "quantity": 10, "price": "5.00", **payload}
    body = assert_error(client_for(world.owner).post("/api/v1/tickets/", data, format="json"), 400, "invalid")
    assert field in body["extra"]["fields"]
    assert Ticket.objects.count() == 2


def test_manager_sees_sales_figures_public_does_not(world):
    Ticket.objects.filter(pk=world.ticket.pk).update(quantity_sold=7)
    mine = client_for(world.owner).get(f"/api/v1/tickets/?show={world.show.slug}").json()["results"][0]
    public = client_for(None).get(f"/api/v1/tickets/?show={world.show.slug}").json()["results"][0]
    assert mine["sales"] == {"quantity": 50, "sold": 7, "held": 0}
    assert mine["remaining"] == 43
    assert public["sales"] is None
    assert public["remaining"] == 43


# --- promo codes and design -------------------------------------------------------------------------


def test_promo_codes_are_unique_per_show_ignoring_case(world):
    owner = client_for(world.owner)
    first = owner.post(
        "/api/v1/promo-codes/", {"show": world.show.slug, "code": "Save10", "discount": "10"}, format="json"
    )
    assert first.status_code == 201
    second = owner.post(
        "/api/v1/promo-codes/", {"show": world.show.slug, "code": "SAVE10", "discount": "5"}, format="json"
    )
    body = assert_error(second, 400, "invalid")
    assert body["extra"]["fields"]["non_field_errors"] == ["This show already has a promo code with that name."]
    assert TicketPromoCode.objects.count() == 1


def test_promo_code_rules(world):
    owner = client_for(world.owner)
    body = assert_error(
        owner.post("/api/v1/promo-codes/", {"show": world.show.slug, "code": "HALF", "discount": "150"}, format="json"),
        400,
        "invalid",
    )
    assert body["extra"]["fields"]["non_field_errors"] == ["A percentage discount can't exceed 100."]
    other_ticket = Ticket.objects.get(show=world.other_show)
    body = assert_error(
        owner.post(
            "/api/v1/promo-codes/",
            {"show": world.show.slug, "code": "MIXED", "discount": "10", "tickets": [other_ticket.pk]},
            format="json",
        ),
        400,
        "invalid",
    )
    assert body["extra"]["fields"]["tickets"] == [f"Ticket types [{other_ticket.pk}] belong to another show."]
    body = assert_error(
        owner.post(
            "/api/v1/promo-codes/", {"show": world.show.slug, "code": "no spaces!", "discount": "5"}, format="json"
        ),
        400,
        "invalid",
    )
    assert "code" in body["extra"]["fields"]
    limited = owner.post(
        "/api/v1/promo-codes/",
        {
            "show": world.show.slug,
            "code": "GAONLY",
            "discount_type": "fixed",
            "discount": "5",
            "tickets": [world.ticket.pk],
        },
        format="json",
    )
    assert limited.status_code == 201
    assert limited.json()["tickets"] == [world.ticket.pk]
    assert TicketPromoCode.objects.count() == 1


def test_used_promo_code_is_deactivated_and_limit_stays_above_uses(world):
    promo = TicketPromoCode.objects.create(show=world.show, code="USED", discount=10, max_uses=5)
    TicketPromoCode.objects.filter(pk=promo.pk).update(times_used=3)
    owner = client_for(world.owner)
    body = assert_error(owner.patch(f"/api/v1/promo-codes/{promo.pk}/", {"max_uses": 2}, format="json"), 400, "invalid")
    assert body["extra"]["fields"] == {"max_uses": ["It has been used 3 times already."]}
    assert owner.delete(f"/api/v1/promo-codes/{promo.pk}/").json() == {"result": "deactivated"}
    assert TicketPromoCode.objects.get(pk=promo.pk).is_active is False


def test_page_design_colours(world):
    owner = client_for(world.owner)
    url = f"/api/v1/shows/{world.show.slug}/design/"
    assert_error(client_for(None).get(url), 404, "not_found", "This show has no page design yet.")
    body = assert_error(
        owner.put(url, {"primary_color": "red", "secondary_color": "#000000"}, format="json"), 400, "invalid"
    )
    assert body["extra"]["fields"] == {"primary_color": ["Use a colour like #1A2B3C."]}
    assert not TicketPageDesign.objects.exists()
    response = owner.put(url, {"primary_color": "#AA0000", "secondary_color": "#000000"}, format="json")
    assert response.json() == {"primary_color": "#AA0000", "secondary_color": "#000000", "background_image": None}
    assert owner.patch(url, {"secondary_color": "#FFFFFF"}, format="json").json()["secondary_color"] == "#FFFFFF"
    assert client_for(None).get(url).json()["primary_color"] == "#AA0000"


# --- venues, performers, producer profile ----------------------------------------------------------------


def test_venue_in_use_is_deactivated(world):
    venue = world.show.venue
    venue.producer = world.producer
    venue.save()
    assert client_for(world.owner).delete(f"/api/v1/venues/{venue.slug}/").json() == {"result": "deactivated"}
    assert client_for(None).get(f"/api/v1/venues/{venue.slug}/").status_code == 404
    assert client_for(world.owner).get(f"/api/v1/venues/{venue.slug}/").status_code == 200


def test_platform_venue_is_editable_by_staff_only(world):
    venue = VenueFactory(producer=None)
    assert (
        client_for(world.owner).patch(f"/api/v1/venues/{venue.slug}/", {"capacity": 5}, format="json").status_code
        == 403
    )
    assert (
        client_for(world.staff).patch(f"/api/v1/venues/{venue.slug}/", {"capacity": 5}, format="json").status_code
        == 200
    )


def test_bad_venue_input(world):
    body = assert_error(
        client_for(world.owner).post(
            "/api/v1/venues/",
            {"name": "Room", "address": "1 St", "city": "X", "time_zone": "Nowhere/Land", "country": "usa"},
            format="json",
        ),
        400,
        "invalid",
    )
    assert set(body["extra"]["fields"]) == {"time_zone", "country"}


def test_performer_on_a_bill_cannot_be_deleted(world):
    performer = PerformerFactory(producer=world.producer)
    world.show.performers.add(performer)
    body = assert_error(client_for(world.owner).delete(f"/api/v1/performers/{performer.slug}/"), 409, "in_use")
    assert body["detail"] == "This performer is on the bill of 1 show(s); they can't be deleted."
    assert body["extra"] == {"show_count": 1}  # counts only: other producers' drafts stay unnamed


def test_producer_profile_update_sanitises_bio(world):
    response = client_for(world.owner).patch(
        f"/api/v1/producers/{world.producer.slug}/",
        {"bio": '<p>Hi<img src=x onerror="steal()"></p>', "website": "javascript:alert(1)"},
        format="json",
    )
    body = assert_error(response, 400, "invalid")
    assert body["extra"]["fields"] == {"website": ["Enter a valid URL."]}
    response = client_for(world.owner).patch(
        f"/api/v1/producers/{world.producer.slug}/", {"bio": '<p>Hi<img src=x onerror="steal()"></p>'}, format="json"
    )
    assert response.json()["bio"] == "<p>Hi</p>"


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (timezone.now() - timedelta(hours=1), "The show can't start in the past."),
        (timezone.now() + timedelta(days=365 * 6), "Pick a date within the next 5 years."),
    ],
)
def test_shows_are_scheduled_in_the_next_five_years(world, start, message):
    data = {"title": "When", "start_time": start.isoformat(), "end_time": (start + timedelta(hours=2)).isoformat()}
    body = assert_error(client_for(world.owner).post("/api/v1/shows/", data, format="json"), 400, "invalid")
    assert body["extra"]["fields"] == {"start_time": [message]}
    response = client_for(world.owner).patch(f"/api/v1/shows/{world.show.slug}/", data, format="json")
    assert assert_error(response, 400, "invalid")["extra"]["fields"] == {"start_time": [message]}
    assert Show.objects.get(pk=world.show.pk).title == "Friday Laughs"


def test_creating_a_ticket_type_ignores_list_filters_in_the_url(world):
    response = client_for(world.owner).post(
        "/api/v1/tickets/?show=nope",
        {"show": world.show.slug, "name": "Late", "quantity": 5, "price": "9"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["name"] == "Late"


def test_hidden_drafts_answer_like_missing_shows(world):
    Show.objects.filter(pk=world.other_show.pk).update(published=False)
    owner = client_for(world.owner)
    hidden = owner.post(
        "/api/v1/tickets/", {"show": world.other_show.slug, "name": "X", "quantity": 1, "price": "1"}, format="json"
    )
    missing = owner.post(
        "/api/v1/tickets/", {"show": "no-such-show", "name": "X", "quantity": 1, "price": "1"}, format="json"
    )
    assert assert_error(hidden, 400, "invalid")["extra"]["fields"]["show"] == [
        f"Object with slug={world.other_show.slug} does not exist."
    ]
    assert assert_error(missing, 400, "invalid")["extra"]["fields"]["show"] == [
        "Object with slug=no-such-show does not exist."
    ]
    other_ticket = Ticket.objects.get(show=world.other_show)
    promo = owner.post(
        "/api/v1/promo-codes/",
        {"show": world.show.slug, "code": "PEEK", "discount": "5", "tickets": [other_ticket.pk]},
        format="json",
    )
    assert assert_error(promo, 400, "invalid")["extra"]["fields"]["tickets"] == [
        f'Invalid pk "{other_ticket.pk}" - object does not exist.'
    ]


def test_html_is_never_rendered_by_the_api(world):
    Show.objects.filter(pk=world.other_show.pk).update(published=False)
    response = client_for(world.owner).get("/api/v1/tickets/", HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert world.other_show.title not in response.content.decode()


def test_a_stale_edit_never_undoes_a_delete_or_an_unpublish(world):
    from piquetickets.core.errors import NotFound
    from piquetickets.shows import services

    stale = Show.objects.get(pk=world.show.pk)
    services.show_unpublish(show=Show.objects.get(pk=world.show.pk))
    services.show_update(show=stale, data={"title": "Edited"})
    fresh = Show.all_objects.get(pk=world.show.pk)
    assert (fresh.title, fresh.published) == ("Edited", False)

    services.show_soft_delete(show=Show.objects.get(pk=world.show.pk))
    with pytest.raises(NotFound):
        services.show_update(show=stale, data={"title": "Back from the dead"})
    fresh = Show.all_objects.get(pk=world.show.pk)
    assert (fresh.is_deleted, fresh.title) == (True, "Edited")
