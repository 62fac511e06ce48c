"""The door's API: every answer code, exactly-once under concurrency, sessions and token guessing."""

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from piquetickets.checkin.models import CheckInScan, CheckInSession
from piquetickets.orders.models import TicketAttendee
from tests.api.conftest import assert_error, client_for
from tests.factories import (
    AttendeeFactory,
    CheckInSessionFactory,
    MembershipFactory,
    OrderFactory,
    ShowFactory,
    TicketOrderFactory,
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def door(db):
    """A show with three valid tickets (two in one order), a refunded and a cancelled one, and a door link."""
    show = ShowFactory(title="Friday Laughs", time_zone="America/Chicago")
    order = OrderFactory(show=show)
    line = TicketOrderFactory(order=order, quantity=2, ticket__name="General admission")
    alex = AttendeeFactory(ticket_order=line, first_name="Alex", last_name="Morgan", email="alex@example.com")
    sam = AttendeeFactory(ticket_order=line, first_name="Sam", last_name="Lee", email="sam@example.com")
    vip = AttendeeFactory(
        ticket_order=TicketOrderFactory(order=OrderFactory(show=show), ticket__name="VIP"),
        first_name="Zoë",
        last_name="Quinn",
        email="zoe@example.com",
    )
    refunded = AttendeeFactory(
        ticket_order=line, first_name="Rae", last_name="Refund", status=TicketAttendee.Status.REFUNDED
    )
    cancelled = AttendeeFactory(
        ticket_order=line, first_name="Cal", last_name="Cancel", status=TicketAttendee.Status.CANCELLED
    )
    session = CheckInSessionFactory(show=show, label="Front door")
    return {
        "show": show,
        "alex": alex,
        "sam": sam,
        "vip": vip,
        "refunded": refunded,
        "cancelled": cancelled,
        "session": session,
        "order": order,
    }


def scan(session, code, client=None):
    return (client or APIClient()).post(
        f"/api/v1/checkin/?token={session.token}", {"attendee_uuid": str(code)}, format="json"
    )


def test_the_door_link_shows_the_show_and_counts(door):
    response = APIClient().get(f"/api/v1/checkin/show?token={door['session'].token}")  # the original spelling

    assert response.status_code == 200
    body = response.json()
    assert body["show"]["title"] == "Friday Laughs"
    assert body["show"]["time_zone"] == "America/Chicago"
    assert body["session"]["label"] == "Front door"
    assert body["counts"] == {"checked_in": 0, "total": 3}
    header = APIClient().get("/api/v1/checkin/show/", HTTP_X_CHECKIN_TOKEN=door["session"].token)
    assert header.json()["counts"] == {"checked_in": 0, "total": 3}


def test_a_first_scan_checks_in_and_a_second_is_refused_with_when_and_where(door):
    first = scan(door["session"], door["alex"].uuid)

    assert first.status_code == 200
    body = first.json()
    assert (body["code"], body["detail"]) == ("checked_in", "Checked in")
    assert body["extra"]["attendee"] == {
        "uuid": str(door["alex"].uuid),
        "name": "Alex Morgan",
        "ticket": "General admission",
        "order": str(door["order"].uuid)[:8].upper(),
    }
    assert body["extra"]["counts"] == {"checked_in": 1, "total": 3}
    alex = TicketAttendee.objects.get(pk=door["alex"].pk)
    assert alex.is_checked_in
    assert alex.checked_in_session == door["session"]

    other_door = CheckInSessionFactory(show=door["show"], label="Side door")
    second = scan(other_door, door["alex"].uuid)

    assert second.status_code == 409
    body = second.json()
    assert body["code"] == "already_checked_in"
    local = alex.checked_in_at.astimezone(ZoneInfo("America/Chicago"))
    clock = f"{local.hour % 12 or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"
    assert body["detail"] == f"Already checked in at {clock} by Front door."
    assert body["extra"]["checked_in_by"] == "Front door"
    assert TicketAttendee.objects.get(pk=door["alex"].pk).checked_in_session == door["session"]


@pytest.mark.parametrize(
    ("who", "status", "code", "detail"),
    [
        ("refunded", 409, "refunded", "This ticket was refunded. Don't let it in."),
        ("cancelled", 409, "cancelled", "This ticket was cancelled. Don't let it in."),
        ("unknown", 404, "not_found", "This code isn't a ticket we know."),
        ("garbage", 404, "not_found", "This code isn't a ticket we know."),
        ("other_show", 409, "wrong_show", "This ticket is for another show: Elsewhere."),
        ("other_producer", 409, "wrong_show", "This ticket is for another show."),
    ],
)
def test_refused_scans_say_why_and_are_logged(door, who, status, code, detail):
    codes = {
        "unknown": "00000000-0000-4000-8000-000000000000",
        "garbage": "https://example.com/not-a-ticket",
        "other_show": AttendeeFactory(
            ticket_order__order__show=ShowFactory(title="Elsewhere", producer=door["show"].producer)
        ).uuid,
        "other_producer": AttendeeFactory(ticket_order__order__show=ShowFactory(title="Rival Night")).uuid,
    }
    value = codes.get(who) or door[who].uuid

    response = scan(door["session"], value)

    assert response.status_code == status
    body = response.json()
    assert (body["code"], body["detail"]) == (code, detail)
    assert not TicketAttendee.objects.filter(is_checked_in=True).exists()
    logged = CheckInScan.objects.get()
    assert (logged.session, logged.code, logged.result) == (door["session"], str(value), code)


def test_another_producers_ticket_reveals_nothing_of_its_buyer_order_or_show(door):
    stranger = AttendeeFactory(
        first_name="Priya",
        last_name="Secret",
        email="priya@example.com",
        ticket_order__order__show=ShowFactory(title="Rival Night"),
    )
    reference = str(stranger.ticket_order.order.uuid)[:8].upper()

    response = scan(door["session"], stranger.uuid)

    assert response.status_code == 409
    assert response.json() == {
        "code": "wrong_show",
        "detail": "This ticket is for another show.",
        "extra": {"counts": {"checked_in": 0, "total": 3}},
    }
    recent = APIClient().get(f"/api/v1/checkin/scans/?token={door['session'].token}").content.decode()
    for secret in ("Priya", "Secret", "priya@example.com", reference, "Rival Night"):
        assert secret not in response.content.decode()
        assert secret not in recent
    assert CheckInScan.objects.get().attendee is None
    assert not TicketAttendee.objects.filter(is_checked_in=True).exists()


def test_every_scan_is_logged_in_order_and_listed_for_the_door(door):
    scan(door["session"], door["alex"].uuid)
    scan(door["session"], door["alex"].uuid)
    scan(door["session"], "nonsense")

    response = APIClient().get(f"/api/v1/checkin/scans/?token={door['session'].token}")

    assert [(row["result"], row["name"]) for row in response.json()["results"]] == [
        ("not_found", None),
        ("already_checked_in", "Alex Morgan"),
        ("checked_in", "Alex Morgan"),
    ]


@pytest.mark.parametrize("typed", ["{short}", "{short_lower}", " #{short} "])
def test_the_short_code_on_the_email_and_door_list_checks_in_this_shows_ticket(door, typed):
    short = str(door["alex"].uuid)[:8]
    code = typed.format(short=short.upper(), short_lower=short)

    response = scan(door["session"], code)

    assert response.status_code == 200, response.content
    assert response.json()["extra"]["attendee"]["uuid"] == str(door["alex"].uuid)
    assert TicketAttendee.objects.get(pk=door["alex"].pk).is_checked_in
    assert scan(door["session"], code).json()["code"] == "already_checked_in"


def test_a_short_code_finds_no_ticket_of_another_show(door):
    elsewhere = AttendeeFactory(first_name="Other", last_name="Show")

    response = scan(door["session"], str(elsewhere.uuid)[:8].upper())

    assert_error(response, 404, "not_found")
    assert "Other" not in response.content.decode()
    assert not TicketAttendee.objects.get(pk=elsewhere.pk).is_checked_in


def test_two_tickets_sharing_a_short_code_ask_for_the_whole_code(door):
    import uuid

    line = door["alex"].ticket_order
    twins = [
        AttendeeFactory(ticket_order=line, uuid=uuid.UUID("abcdef12-0000-4000-8000-000000000001")),
        AttendeeFactory(ticket_order=line, uuid=uuid.UUID("abcdef12-ffff-4fff-8fff-ffffffffffff")),
    ]

    shared = scan(door["session"], "ABCDEF12")
    whole = scan(door["session"], twins[1].uuid)

    assert shared.status_code == 404
    assert shared.json()["detail"] == "Two tickets start with this code: scan the QR code or type the whole code."
    assert whole.json()["code"] == "checked_in"
    assert [t.is_checked_in for t in TicketAttendee.objects.filter(pk__in=[t.pk for t in twins]).order_by("uuid")] == [
        False,
        True,
    ]


def test_undo_takes_the_short_code_too(door):
    scan(door["session"], door["sam"].uuid)
    url = f"/api/v1/checkin/undo/?token={door['session'].token}"

    response = APIClient().post(url, {"attendee_uuid": str(door["sam"].uuid)[:8].upper()}, format="json")

    assert response.json()["code"] == "undone"
    assert not TicketAttendee.objects.get(pk=door["sam"].pk).is_checked_in


def test_undo_lets_the_ticket_in_again_and_is_logged(door):
    scan(door["session"], door["sam"].uuid)
    url = f"/api/v1/checkin/undo/?token={door['session'].token}"

    response = APIClient().post(url, {"attendee_uuid": str(door["sam"].uuid)}, format="json")

    assert response.status_code == 200
    assert response.json()["code"] == "undone"
    assert response.json()["extra"]["counts"] == {"checked_in": 0, "total": 3}
    sam = TicketAttendee.objects.get(pk=door["sam"].pk)
    assert (sam.is_checked_in, sam.checked_in_at, sam.checked_in_session) == (False, None, None)
    assert CheckInScan.objects.filter(result="undone").count() == 1
    assert_error(APIClient().post(url, {"attendee_uuid": str(door["sam"].uuid)}, format="json"), 409, "not_checked_in")
    assert scan(door["session"], door["sam"].uuid).json()["code"] == "checked_in"
    stranger = AttendeeFactory(is_checked_in=True, checked_in_at=timezone.now())
    assert_error(APIClient().post(url, {"attendee_uuid": str(stranger.uuid)}, format="json"), 409, "not_checked_in")
    assert TicketAttendee.objects.get(pk=stranger.pk).is_checked_in


def test_search_finds_this_shows_attendees_by_name_email_or_order(door):
    AttendeeFactory(first_name="Alex", last_name="Morgan")  # another show's Alex Morgan
    token = door["session"].token

    def names(q):
        response = APIClient().get("/api/v1/checkin/search/", {"token": token, "q": q})
        assert response.status_code == 200, response.content
        return [row["name"] for row in response.json()["results"]]

    assert names("morgan") == ["Alex Morgan"]
    assert names("sam lee") == ["Sam Lee"]
    assert names("zoe@") == ["Zoë Quinn"]
    assert names(str(door["order"].uuid)[:8].upper()) == ["Cal Cancel", "Sam Lee", "Alex Morgan", "Rae Refund"]
    assert names("nobody") == []
    assert_error(APIClient().get("/api/v1/checkin/search/", {"token": token, "q": "a"}), 400, "invalid")


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"revoked_at": timezone.now()}, 403, "session_revoked"),
        ({"expires_at": timezone.now() - timedelta(seconds=1)}, 403, "session_expired"),
    ],
)
def test_expired_and_revoked_links_are_refused_everywhere(door, change, status, code):
    CheckInSession.objects.filter(pk=door["session"].pk).update(**change)
    token = door["session"].token
    client = APIClient()

    assert_error(client.get(f"/api/v1/checkin/show/?token={token}"), status, code)
    assert_error(scan(door["session"], door["alex"].uuid), status, code)
    assert_error(client.get(f"/api/v1/checkin/search/?token={token}&q=alex"), status, code)
    assert_error(client.get(f"/api/v1/checkin/scans/?token={token}"), status, code)
    assert not TicketAttendee.objects.filter(is_checked_in=True).exists()
    assert not CheckInScan.objects.exists()


def test_unknown_and_missing_tokens_are_refused(door):
    client = APIClient()
    assert_error(client.get("/api/v1/checkin/show/"), 401, "invalid_session", "This check-in link isn't valid.")
    assert_error(client.get("/api/v1/checkin/show/?token=" + "x" * 43), 401, "invalid_session")
    assert_error(client.get("/api/v1/checkin/show/?token=" + "x" * 500), 401, "invalid_session")
    assert_error(client.post("/api/v1/checkin/", {"attendee_uuid": str(door["alex"].uuid)}, format="json"), 401,
                 "invalid_session")  # fmt: skip
    assert not TicketAttendee.objects.filter(is_checked_in=True).exists()


def test_guessing_tokens_is_cut_off_per_address(door, settings):
    settings.THROTTLE_CHECKIN_BAD_TOKENS = "3/hour"
    client = APIClient()
    for n in range(3):
        assert_error(client.get(f"/api/v1/checkin/show/?token=guess{n}"), 401, "invalid_session")

    refused = client.get("/api/v1/checkin/show/?token=guess3")

    body = assert_error(refused, 429, "throttled")
    assert body["extra"]["retry_after_seconds"] == 3601
    assert_error(client.get("/api/v1/checkin/show/?token=guess4"), 429, "throttled")
    other_address = APIClient(REMOTE_ADDR="10.0.0.9")
    assert_error(other_address.get("/api/v1/checkin/show/?token=guess5"), 401, "invalid_session")


def test_a_valid_link_keeps_working_from_an_address_that_sent_many_unknown_ones(door, settings):
    """A venue's phones share one address: a bad QR code scanned again and again must not lock the door out."""
    settings.THROTTLE_CHECKIN_BAD_TOKENS = "3/hour"
    client = APIClient()
    for n in range(40):
        client.get(f"/api/v1/checkin/show/?token=typo{n}")
    assert_error(client.get("/api/v1/checkin/show/?token=typo-again"), 429, "throttled")

    token = door["session"].token
    assert client.get(f"/api/v1/checkin/show/?token={token}").status_code == 200
    scan = client.post(f"/api/v1/checkin/?token={token}", {"attendee_uuid": str(door["alex"].uuid)}, format="json")
    assert scan.status_code == 200
    assert scan.json()["code"] == "checked_in"


def test_a_scan_body_must_name_a_code(door):
    response = APIClient().post(f"/api/v1/checkin/?token={door['session'].token}", {}, format="json")
    error = assert_error(response, 400, "invalid")
    assert error["extra"]["fields"] == {"attendee_uuid": ["This field is required."]}
    assert not CheckInScan.objects.exists()


# --- exactly once, with real threads --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_threads_scanning_one_ticket_admit_it_once():
    show = ShowFactory()
    attendee = AttendeeFactory(ticket_order=TicketOrderFactory(order=OrderFactory(show=show)))
    doors = [CheckInSessionFactory(show=show, label=f"Door {n}") for n in range(2)]
    barrier = threading.Barrier(20)
    answers = []

    def scan_once(n):
        try:
            barrier.wait()
            answers.append(scan(doors[n % 2], attendee.uuid).json()["code"])
        finally:
            connection.close()

    threads = [threading.Thread(target=scan_once, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == ["already_checked_in"] * 19 + ["checked_in"]
    assert CheckInScan.objects.filter(result="checked_in").count() == 1
    assert CheckInScan.objects.count() == 20
    attendee.refresh_from_db()
    assert attendee.is_checked_in


# --- producers' door links ------------------------------------------------------------------------


def test_a_producer_makes_lists_and_revokes_door_links(door, settings):
    owner = MembershipFactory(producer=door["show"].producer).user
    client = client_for(owner)

    created = client.post(
        "/api/v1/checkin-sessions/", {"show": door["show"].slug, "label": "Box office"}, format="json"
    )

    assert created.status_code == 201, created.content
    body = created.json()
    session = CheckInSession.objects.get(session_id=body["id"])
    assert body["link"] == f"{settings.SITE_URL}/checkin/?token={session.token}"
    assert len(session.token) >= 43  # 256 bits, URL-safe
    assert body["qr_svg"].startswith("<svg")
    assert session.expires_at == door["show"].end_time + timedelta(hours=6)
    assert session.created_by == owner
    listed = client.get(f"/api/v1/checkin-sessions/?show={door['show'].slug}").json()["results"]
    assert {row["label"] for row in listed} == {"Box office", "Front door"}

    revoked = client.post(f"/api/v1/checkin-sessions/{session.session_id}/revoke/")

    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert_error(APIClient().get(f"/api/v1/checkin/show/?token={session.token}"), 403, "session_revoked")


def test_door_links_are_private_to_the_shows_producer(door):
    stranger = client_for(MembershipFactory().user)

    assert stranger.get("/api/v1/checkin-sessions/").json()["results"] == []
    assert_error(stranger.get(f"/api/v1/checkin-sessions/{door['session'].session_id}/"), 404, "not_found")
    assert_error(stranger.post(f"/api/v1/checkin-sessions/{door['session'].session_id}/revoke/"), 404, "not_found")
    response = stranger.post("/api/v1/checkin-sessions/", {"show": door["show"].slug}, format="json")
    assert response.status_code in (400, 403)
    assert CheckInSession.objects.count() == 1
    assert CheckInSession.objects.get().revoked_at is None
    assert_error(APIClient().get("/api/v1/checkin-sessions/"), 401, "not_authenticated")


def test_a_door_link_cannot_expire_in_the_past(door):
    owner = client_for(MembershipFactory(producer=door["show"].producer).user)
    response = owner.post(
        "/api/v1/checkin-sessions/",
        {"show": door["show"].slug, "expires_at": (timezone.now() - timedelta(hours=1)).isoformat()},
        format="json",
    )
    error = assert_error(response, 400, "invalid")
    assert error["extra"]["fields"] == {"expires_at": ["Choose a time in the future."]}
    assert CheckInSession.objects.count() == 1


def test_scans_have_a_budget_per_door_link_not_per_address(door, settings):
    settings.THROTTLE_CHECKIN = "3/min"
    client = APIClient()
    codes = [scan(door["session"], door["alex"].uuid, client).status_code for _ in range(4)]
    assert codes == [200, 409, 409, 429]
    second_door = CheckInSessionFactory(show=door["show"], label="Side door")
    assert scan(second_door, door["sam"].uuid, client).status_code == 200  # same address, another link
