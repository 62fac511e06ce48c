"""The portal's Check-in pages: door links (make, label, expiry, revoke, copy, QR) and live counts
(authorization of every URL is in the matrix, ``tests/portal/matrix_areas/checkin.py``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from piquetickets.checkin.models import CheckInScan, CheckInSession
from piquetickets.checkin.services import SESSION_LONGEST_AFTER_SHOW, check_in_attendee, checkin_session_create
from piquetickets.orders.models import TicketAttendee
from piquetickets.orders.tickets import clock_time
from tests.factories import (
    AttendeeFactory,
    CheckInSessionFactory,
    ProducerFactory,
    ShowFactory,
    TicketFactory,
    TicketOrderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")


def _local(moment: datetime) -> str:
    return moment.astimezone(CHICAGO).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def show(producer):
    start = (timezone.now() + timedelta(days=3)).astimezone(CHICAGO).replace(hour=20, minute=0, second=0, microsecond=0)
    return ShowFactory(
        producer=producer, title="Friday Laughs", time_zone="America/Chicago", start_time=start,
        end_time=start + timedelta(hours=2), venue__name="The Lantern",
    )  # fmt: skip


def _attendees(show, ticket, n: int, **kwargs) -> list[TicketAttendee]:
    return [
        AttendeeFactory(
            ticket_order=TicketOrderFactory(order__show=show, ticket=ticket), first_name=f"Guest{i}", **kwargs
        )
        for i in range(n)
    ]


def _url(name: str, *args) -> str:
    return reverse(f"portal:{name}", args=args)


# --- the overview --------------------------------------------------------------------------------------


def test_overview_lists_shows_not_over_with_counts_and_working_links(owner_client, producer, show):
    general = TicketFactory(show=show, name="General")
    first, *_ = _attendees(show, general, 3)
    _attendees(show, general, 1, status=TicketAttendee.Status.REFUNDED)  # not counted
    session = CheckInSessionFactory(show=show)
    CheckInSessionFactory(show=show, revoked_at=timezone.now())  # switched off: not counted
    check_in_attendee(session=session, code=str(first.uuid))
    ShowFactory(producer=producer, title="Long gone", start_time=timezone.now() - timedelta(days=3))
    ShowFactory(title="Someone else's show")

    response = owner_client.get(_url("checkin-overview"))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(row["show"].title, row["checked_in"], row["total"], row["links"]) for row in rows] == [
        ("Friday Laughs", 1, 3, 1)
    ]
    assert "1 of 3 (33%)" in response.content.decode()
    assert "1 door link" in response.content.decode()


def test_overview_takes_the_same_queries_for_one_show_as_for_many(owner_client, producer, show):
    TicketFactory(show=show)
    owner_client.get(_url("checkin-overview"))  # warm the session
    with CaptureQueriesContext(connection) as one:
        owner_client.get(_url("checkin-overview"))
    for n in range(6):
        other = ShowFactory(producer=producer, title=f"Show {n}")
        _attendees(other, TicketFactory(show=other), 2)
        CheckInSessionFactory(show=other)
    with CaptureQueriesContext(connection) as many:
        response = owner_client.get(_url("checkin-overview"))
    assert len(response.context["rows"]) == 7
    assert len(many) == len(one)


# --- a show's check-in page ----------------------------------------------------------------------------


def test_show_page_lists_links_with_state_scans_and_last_use_but_no_tokens(owner_client, owner, show):
    ticket = TicketFactory(show=show, name="General")
    guest, _ = _attendees(show, ticket, 2)
    front = CheckInSessionFactory(show=show, label="Front door", created_by=owner)
    check_in_attendee(session=front, code=str(guest.uuid))
    check_in_attendee(session=front, code="nonsense")
    old = CheckInSessionFactory(show=show, label="Old phone")
    CheckInSession.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    CheckInSessionFactory(show=show, label="Lost phone", revoked_at=timezone.now())

    response = owner_client.get(_url("checkin-show", show.slug))

    assert response.status_code == 200
    links = {row["label"]: row for row in response.context["links"]}
    assert {label: (row["state"], row["scans"]) for label, row in links.items()} == {
        "Front door": ("Active", 2),
        "Old phone": ("Expired", 0),
        "Lost phone": ("Revoked", 0),
    }
    assert links["Front door"]["created_by"] == (owner.get_full_name() or owner.username)
    assert links["Old phone"]["created_by"] == "PiqueTickets staff"  # made without a person (the API's or admin's)
    assert links["Front door"]["last_used"]
    assert links["Old phone"]["last_used"] == ""
    page = response.content.decode()
    for session in CheckInSession.objects.all():
        assert session.token not in page  # the tokens are only on each link's own page
    assert 'hx-trigger="every 5s, checkin:refresh"' in page
    assert response["Vary"].count("HX-Request") == 1
    assert response["Cache-Control"].startswith("max-age=0")


def test_live_counts_by_ticket_type_and_latest_scans_as_an_htmx_fragment(owner_client, show):
    general = TicketFactory(show=show, name="General", sort_order=1)
    vip = TicketFactory(show=show, name="VIP", sort_order=0)
    g1, _g2, _g3 = _attendees(show, general, 3)
    (v1,) = _attendees(show, vip, 1)
    session = CheckInSessionFactory(show=show, label="Side door")
    for attendee in (g1, v1):
        check_in_attendee(session=session, code=str(attendee.uuid))
    check_in_attendee(session=session, code=str(g1.uuid))  # twice: already checked in

    response = owner_client.get(_url("checkin-show", show.slug), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["portal/checkin/_live.html"]
    live = response.context["live"]
    assert (live["checked_in"], live["total"], live["percent"]) == (2, 4, 50)
    assert [(r["ticket"], r["checked_in"], r["total"]) for r in live["by_ticket"]] == [
        ("VIP", 1, 1),
        ("General", 1, 3),
    ]
    assert [(row["scan"].result, row["name"], row["door"]) for row in live["scans"]] == [
        ("already_checked_in", "Guest0 Morgan", "Side door"),
        ("checked_in", "Guest0 Morgan", "Side door"),
        ("checked_in", "Guest0 Morgan", "Side door"),
    ]
    assert "<html" not in response.content.decode()
    assert "2</span> of 4 checked in" in response.content.decode()


def test_show_page_takes_the_same_queries_for_one_link_as_for_many(owner_client, show):
    ticket = TicketFactory(show=show)
    guests = _attendees(show, ticket, 8)
    first = CheckInSessionFactory(show=show)
    check_in_attendee(session=first, code=str(guests[0].uuid))
    owner_client.get(_url("checkin-show", show.slug))
    with CaptureQueriesContext(connection) as one:
        owner_client.get(_url("checkin-show", show.slug))
    for i, guest in enumerate(guests[1:]):
        session = CheckInSessionFactory(show=show, label=f"Door {i}", created_by=UserFactory())
        check_in_attendee(session=session, code=str(guest.uuid))
    with CaptureQueriesContext(connection) as many:
        response = owner_client.get(_url("checkin-show", show.slug))
    assert len(response.context["links"]) == 8
    assert len(response.context["live"]["scans"]) == 8
    assert len(many) == len(one)


# --- making a link -------------------------------------------------------------------------------------


def test_make_a_link_with_the_default_expiry_then_see_it_with_its_qr_code(owner_client, owner, show, settings):
    settings.SITE_URL = "https://tickets.example"
    response = owner_client.post(_url("checkin-create", show.slug), {"new-label": " Front door ", "new-expires_at": ""})

    session = CheckInSession.objects.get()
    assert response.status_code == 303
    assert response["Location"] == _url("checkin-link", show.slug, session.session_id)
    assert (session.label, session.created_by, session.expires_at) == (
        "Front door",
        owner,
        show.end_time + timedelta(hours=6),
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "“Front door” made. Give door staff the link below, or let them scan its QR code."
    ]

    page = owner_client.get(response["Location"])
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "no-referrer"
    html = page.content.decode()
    assert f'value="{settings.SITE_URL}/checkin/?token={session.token}" readonly' in html
    assert f'href="/checkin/?token={session.token}"' in html  # Open the door app
    assert _url("checkin-link-qr", show.slug, session.session_id) in html
    assert "Copy link" in html
    assert "data-copy-button hidden" in html


def test_make_a_link_with_an_expiry_on_the_shows_clock(owner_client, show):
    until = show.end_time + timedelta(hours=1)
    response = owner_client.post(_url("checkin-create", show.slug), {"new-label": "", "new-expires_at": _local(until)})
    assert response.status_code == 303
    session = CheckInSession.objects.get()
    assert (session.label, session.expires_at) == ("", until)


def test_an_expiry_in_the_past_is_refused_by_the_field_with_the_input_kept(owner_client, show):
    past = _local(timezone.now() - timedelta(hours=1))
    response = owner_client.post(_url("checkin-create", show.slug), {"new-label": "Front door", "new-expires_at": past})
    assert response.status_code == 422
    assert response.context["form"].errors == {"expires_at": ["Choose a time in the future."]}
    html = response.content.decode()
    assert "Error: Check-in" in html
    assert 'value="Front door"' in html
    assert f'value="{past}"' in html
    assert not CheckInSession.objects.exists()


def test_a_show_long_over_needs_an_expiry(owner_client, producer):
    show = ShowFactory(producer=producer, start_time=timezone.now() - timedelta(days=2))
    response = owner_client.post(_url("checkin-create", show.slug), {"new-label": "", "new-expires_at": ""})
    assert response.status_code == 422
    assert response.context["form"].errors["expires_at"][0].startswith("This show ended more than 6 hours ago")
    assert not CheckInSession.objects.exists()


def test_a_label_too_long_is_refused(owner_client, show):
    response = owner_client.post(_url("checkin-create", show.slug), {"new-label": "x" * 101})
    assert response.status_code == 422
    assert response.context["form"].errors == {"label": ["Ensure this value has at most 100 characters (it has 101)."]}
    assert not CheckInSession.objects.exists()


@pytest.mark.parametrize("until", ["2999-12-31T23:59", "LATEST+1"])
def test_an_expiry_too_long_after_the_show_is_refused_by_the_field_never_a_500(owner_client, show, until):
    latest = show.end_time + SESSION_LONGEST_AFTER_SHOW
    if until == "LATEST+1":
        until = _local(latest + timedelta(minutes=1))
    local = latest.astimezone(CHICAGO)
    expected = f"A door link works at most 30 days after the show ends: choose a time up to {local.day} {local:%b} {local.year}, {clock_time(local)}."  # noqa: E501

    response = owner_client.post(_url("checkin-create", show.slug), {"new-label": "Door", "new-expires_at": until})

    assert response.status_code == 422
    assert response.context["form"].errors == {"expires_at": [expected]}
    assert response.context["form"]["expires_at"].value() == until
    assert not CheckInSession.objects.exists()


def test_an_expiry_in_a_far_off_year_is_refused_by_the_field_never_a_500(owner_client, show):
    response = owner_client.post(
        _url("checkin-create", show.slug), {"new-label": "Door", "new-expires_at": "9999-12-31T23:59"}
    )

    assert response.status_code == 422
    assert response.context["form"].errors == {"expires_at": ["Enter a date between 2000 and 2999."]}
    assert not CheckInSession.objects.exists()


def test_an_expiry_at_the_latest_is_allowed(owner_client, show):
    latest = show.end_time + SESSION_LONGEST_AFTER_SHOW
    response = owner_client.post(_url("checkin-create", show.slug), {"new-expires_at": _local(latest)})
    assert response.status_code == 303
    assert CheckInSession.objects.get().expires_at == latest.replace(second=0, microsecond=0)


def test_changing_to_a_far_expiry_is_refused_and_nothing_changes(owner_client, show):
    session = checkin_session_create(show=show, label="Front")
    before = session.expires_at
    response = owner_client.post(
        _url("checkin-link", show.slug, session.session_id), {"label": "Renamed", "expires_at": "9999-12-31T23:59"}
    )
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["expires_at"]
    session.refresh_from_db()
    assert (session.label, session.expires_at) == ("Front", before)


# --- one link: label, expiry, revoke, QR ---------------------------------------------------------------


def test_change_the_label_and_expiry(owner_client, show):
    session = checkin_session_create(show=show, label="Front")
    until = show.end_time + timedelta(hours=2)
    url = _url("checkin-link", show.slug, session.session_id)
    form = owner_client.get(url).context["form"]
    assert form.initial == {
        "label": "Front",
        "expires_at": (show.end_time + timedelta(hours=6)).astimezone(CHICAGO).replace(tzinfo=None),
    }

    response = owner_client.post(url, {"label": "Box office", "expires_at": _local(until)})

    assert response.status_code == 303
    assert response["Location"] == url
    session.refresh_from_db()
    assert (session.label, session.expires_at, session.token) == ("Box office", until, session.token)


def test_changing_to_a_past_expiry_is_refused(owner_client, show):
    session = checkin_session_create(show=show, label="Front")
    before = session.expires_at
    response = owner_client.post(
        _url("checkin-link", show.slug, session.session_id),
        {"label": "Renamed", "expires_at": _local(timezone.now() - timedelta(hours=2))},
    )
    assert response.status_code == 422
    assert response.context["form"].errors == {"expires_at": ["Choose a time in the future."]}
    session.refresh_from_db()
    assert (session.label, session.expires_at) == ("Front", before)


def test_a_revoked_link_cant_be_changed(owner_client, show):
    session = CheckInSessionFactory(show=show, label="Lost phone", revoked_at=timezone.now())
    response = owner_client.post(
        _url("checkin-link", show.slug, session.session_id),
        {"label": "Found phone", "expires_at": _local(show.end_time)},
    )
    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == [
        "This link was switched off, so it can't be changed. Make a new one."
    ]
    session.refresh_from_db()
    assert session.label == "Lost phone"
    page = owner_client.get(_url("checkin-link", show.slug, session.session_id)).content.decode()
    assert "This link no longer works" in page
    assert session.token not in page  # a link that no longer works is not shown


def test_revoking_makes_the_door_refuse_the_link(owner_client, client, show):
    session = checkin_session_create(show=show, label="Front door")
    (guest,) = _attendees(show, TicketFactory(show=show), 1)
    door = client.__class__()
    assert door.get("/api/v1/checkin/show/", headers={"X-Checkin-Token": session.token}).status_code == 200

    response = owner_client.post(_url("checkin-link-revoke", show.slug, session.session_id))

    assert response.status_code == 303
    assert response["Location"] == _url("checkin-show", show.slug)
    session.refresh_from_db()
    assert session.revoked_at is not None
    scan = door.post(
        "/api/v1/checkin/", {"attendee_uuid": str(guest.uuid)}, content_type="application/json",
        headers={"X-Checkin-Token": session.token},
    )  # fmt: skip
    assert scan.status_code == 403
    assert scan.json()["code"] == "session_revoked"
    guest.refresh_from_db()
    assert not guest.is_checked_in
    assert not CheckInScan.objects.exists()
    assert door.get(f"/checkin/?token={session.token}").status_code == 403
    # revoking again keeps the first time
    first = session.revoked_at
    owner_client.post(_url("checkin-link-revoke", show.slug, session.session_id))
    session.refresh_from_db()
    assert session.revoked_at == first


def test_the_qr_code_is_an_svg_of_the_link_never_cached(owner_client, show):
    session = checkin_session_create(show=show, label="Front door")
    response = owner_client.get(_url("checkin-link-qr", show.slug, session.session_id))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    body = response.content.decode()
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')
    assert "Check-in link for Front door" in body
    assert session.token not in body  # the link is drawn, not written


def test_another_producers_link_answers_404_and_shows_nothing(owner_client, show):
    other_show = ShowFactory(producer=ProducerFactory(), title="Theirs")
    theirs = CheckInSessionFactory(show=other_show)
    for name in ("checkin-link", "checkin-link-qr"):
        response = owner_client.get(_url(name, other_show.slug, theirs.session_id))
        assert response.status_code == 404
        assert theirs.token not in response.content.decode()
    # their link under one of our shows' address is not found either
    assert owner_client.get(_url("checkin-link", show.slug, theirs.session_id)).status_code == 404
    assert owner_client.post(_url("checkin-link-revoke", show.slug, theirs.session_id)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_the_shows_page_leads_to_its_door_links(owner_client, show):
    html = owner_client.get(_url("show", show.slug)).content.decode()
    assert f'href="{_url("checkin-show", show.slug)}">Door links &amp; check-in</a>' in html


def test_reloading_the_new_link_forms_address_goes_back_to_the_door_links(owner_client, producer):
    show = ShowFactory(producer=producer)

    response = owner_client.get(reverse("portal:checkin-create", args=[show.slug]))

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:checkin-show", args=[show.slug])
    assert not CheckInSession.objects.exists()
