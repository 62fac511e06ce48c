"""Door links (check-in sessions) added in the admin get the API's default expiry when left empty."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from piquetickets.checkin import services
from piquetickets.checkin.models import CheckInSession
from tests.factories import ShowFactory

pytestmark = pytest.mark.django_db

ADD = "admin:checkin_checkinsession_add"


@pytest.fixture
def show():
    start = datetime(2031, 3, 14, 1, 0, tzinfo=UTC)  # 8:00 PM the evening before in Chicago (CDT)
    return ShowFactory(title="Pi Night", start_time=start, end_time=start + timedelta(hours=2))


def add_form(show, **overrides) -> dict:
    data = {"show": show.pk if show else "", "label": "Front door", "expires_at_0": "", "expires_at_1": ""}
    data.update(overrides)
    return data


def test_the_add_form_opened_for_a_show_starts_with_its_default_expiry(admin_client, show):
    response = admin_client.get(reverse(ADD) + f"?show={show.pk}")

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.initial["expires_at"] == show.end_time + timedelta(hours=6)
    html = response.content.decode()
    # the end (03:00 UTC) + 6 hours = 09:00 UTC, shown in the admin's time zone: 04:00 CDT
    assert 'name="expires_at_0" value="2031-03-14"' in html
    assert 'name="expires_at_1" value="04:00:00"' in html
    assert "Leave empty for the default: 6 hours after the show ends." in html


def test_the_add_form_without_a_show_leaves_the_expiry_empty_and_says_what_empty_means(admin_client):
    response = admin_client.get(reverse(ADD))

    assert response.status_code == 200
    assert "expires_at" not in response.context["adminform"].form.initial
    assert "Leave empty for the default: 6 hours after the show ends." in response.content.decode()


def test_a_door_link_saved_without_expiry_gets_the_default_from_its_show(admin_client, show, superuser):
    response = admin_client.post(reverse(ADD), add_form(show))

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    session = CheckInSession.objects.get()
    assert session.expires_at == datetime(2031, 3, 14, 9, 0, tzinfo=UTC)
    assert (session.show, session.label, session.created_by) == (show, "Front door", superuser)


def test_the_admin_and_the_api_share_one_default(admin_client, show, monkeypatch):
    monkeypatch.setattr(services, "SESSION_MARGIN", timedelta(hours=2))

    admin_client.post(reverse(ADD), add_form(show, label="Admin"))
    made_by_service = services.checkin_session_create(show=show, label="API")

    from_admin = CheckInSession.objects.get(label="Admin")
    assert from_admin.expires_at == made_by_service.expires_at == show.end_time + timedelta(hours=2)


def test_an_expiry_given_is_kept(admin_client, show):
    later = timezone.localtime(show.end_time + timedelta(days=1))
    data = add_form(show, expires_at_0=later.strftime("%Y-%m-%d"), expires_at_1=later.strftime("%H:%M:%S"))

    assert admin_client.post(reverse(ADD), data).status_code == 302

    assert CheckInSession.objects.get().expires_at == show.end_time + timedelta(days=1)


def test_without_a_show_only_the_show_is_asked_for_and_nothing_is_saved(admin_client):
    response = admin_client.post(reverse(ADD), add_form(None))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"show"}
    assert not CheckInSession.objects.exists()


def test_clearing_the_expiry_of_a_door_link_sets_it_back_to_the_default(admin_client, show):
    session = services.checkin_session_create(show=show, expires_at=show.end_time + timedelta(days=3))
    url = reverse("admin:checkin_checkinsession_change", args=[session.pk])

    response = admin_client.post(url, add_form(show, label="Back door"))

    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.label, session.expires_at) == ("Back door", show.end_time + timedelta(hours=6))


# --- through the service's rules ------------------------------------------------------------------


@pytest.fixture
def ended_show():
    """A show that ended seven hours ago: its default door link expiry (end + 6 h) has passed."""
    end = timezone.now() - timedelta(hours=7)
    return ShowFactory(title="Last Week", start_time=end - timedelta(hours=2), end_time=end)


def field_errors(response, name: str) -> list[str]:
    return response.context["adminform"].form.errors.get(name, [])


def test_a_show_that_ended_gets_no_door_link_that_expired_already(admin_client, ended_show):
    response = admin_client.post(reverse(ADD), add_form(ended_show))

    assert response.status_code == 200
    assert field_errors(response, "expires_at") == [
        "This show ended more than 6 hours ago, so a link with the default expiry would not work. "
        "Choose a time in the future."
    ]
    assert list(response.context["adminform"].form.errors) == ["expires_at"]
    assert not CheckInSession.objects.exists()


def test_an_expiry_in_the_past_is_refused_by_the_field(admin_client, show):
    past = timezone.localtime(timezone.now() - timedelta(hours=1))
    data = add_form(show, expires_at_0=past.strftime("%Y-%m-%d"), expires_at_1=past.strftime("%H:%M:%S"))

    response = admin_client.post(reverse(ADD), data)

    assert response.status_code == 200
    assert field_errors(response, "expires_at") == ["Choose a time in the future."]
    html = response.content.decode()
    errors_at = html.index("Choose a time in the future.")
    assert html.rindex('name="expires_at_0"', 0, errors_at) > html.rindex('name="label"', 0, errors_at)
    assert not CheckInSession.objects.exists()


def test_the_api_refuses_the_same_door_link_with_the_same_message(ended_show):
    from rest_framework.test import APIClient

    from tests.factories import MembershipFactory

    api = APIClient()
    api.force_authenticate(MembershipFactory(producer=ended_show.producer).user)

    response = api.post("/api/v1/checkin-sessions/", {"show": ended_show.slug}, format="json")

    assert response.status_code == 400
    assert response.json()["extra"]["fields"] == {
        "expires_at": [
            "This show ended more than 6 hours ago, so a link with the default expiry would not work. "
            "Choose a time in the future."
        ]
    }
    assert not CheckInSession.objects.exists()


def test_a_new_door_link_is_made_by_the_check_in_service(admin_client, show, superuser, monkeypatch):
    from piquetickets.checkin import admin as checkin_admin

    made = []

    def create(**kwargs):
        session = services.checkin_session_create(**kwargs)
        made.append((kwargs, session))
        return session

    monkeypatch.setattr(checkin_admin, "checkin_session_create", create, raising=False)

    response = admin_client.post(reverse(ADD), add_form(show))

    session = CheckInSession.objects.get()
    assert [kwargs for kwargs, _ in made] == [
        {"show": show, "label": "Front door", "expires_at": show.end_time + timedelta(hours=6), "by": superuser}
    ]
    assert made[0][1] == session
    assert (response.status_code, response["Location"]) == (302, reverse("admin:checkin_checkinsession_changelist"))
    assert admin_client.get(reverse("admin:checkin_checkinsession_change", args=[session.pk])).status_code == 200


def test_the_add_form_does_not_offer_switching_a_link_off(admin_client):
    form = admin_client.get(reverse(ADD)).context["adminform"].form

    assert "revoked_at" not in form.fields


def test_an_ended_shows_link_keeps_its_expiry_when_its_label_changes(admin_client, ended_show):
    expires = (ended_show.end_time + timedelta(hours=1)).replace(microsecond=0)  # the form has whole seconds
    session = CheckInSession.objects.create(show=ended_show, label="Front", expires_at=expires)
    local = timezone.localtime(session.expires_at)
    data = add_form(
        ended_show, label="Front door", expires_at_0=local.strftime("%Y-%m-%d"), expires_at_1=local.strftime("%H:%M:%S")
    )

    response = admin_client.post(reverse("admin:checkin_checkinsession_change", args=[session.pk]), data)

    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.label, session.expires_at) == ("Front door", expires)  # expired already: left as it was


def test_clearing_an_ended_shows_link_expiry_is_refused(admin_client, ended_show):
    expires = ended_show.end_time + timedelta(days=2)
    session = CheckInSession.objects.create(show=ended_show, label="Front", expires_at=expires)

    response = admin_client.post(
        reverse("admin:checkin_checkinsession_change", args=[session.pk]), add_form(ended_show)
    )

    assert response.status_code == 200
    assert field_errors(response, "expires_at")[0].startswith("This show ended more than 6 hours ago")
    session.refresh_from_db()
    assert (session.label, session.expires_at) == ("Front", expires)
