"""Accepting an invitation: a new account, or an existing one; once, within 7 days."""

from datetime import timedelta

import pytest
from django.utils import timezone

from piquetickets.accounts.models import User
from piquetickets.portal.access import SESSION_KEY
from piquetickets.producers.errors import InvitationForSomeoneElse, InvitationUsed
from piquetickets.producers.models import OnboardingSession, ProducerInterest, UserProducerAssociation
from piquetickets.producers.services import NewAccount, producer_invitation_accept, producer_invite
from tests.factories import MembershipFactory, ProducerFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "first_name": "Nia",
    "last_name": "Okoro",
    "password1": "laughs-all-night-77",
    "password2": "laughs-all-night-77",
}


@pytest.fixture
def invited(producer):
    invitation, token = producer_invite(producer=producer, email="nia@example.com")
    return invitation, token


def state():
    return (
        list(User.objects.order_by("pk").values("pk", "username", "email", "password")),
        list(UserProducerAssociation.objects.order_by("pk").values()),
        list(OnboardingSession.objects.order_by("pk").values()),
    )


def test_a_new_person_sets_a_name_and_password_and_lands_on_the_dashboard(client, producer, owner, invited):
    invitation, token = invited
    page = client.get(f"/dashboard/join/{token}/")
    assert page.status_code == 200
    assert "Join Laugh Track" in page.content.decode()
    assert "nia@example.com" in page.content.decode()
    session_before = client.cookies.get("sessionid")

    response = client.post(f"/dashboard/join/{token}/", GOOD)

    assert response.status_code == 303
    assert response["Location"] == "/dashboard/"
    user = User.objects.get(email="nia@example.com")
    assert (user.username, user.first_name, user.last_name) == ("nia", "Nia", "Okoro")
    assert user.check_password("laughs-all-night-77")
    assert user.profile.can_publish_shows is False
    membership = UserProducerAssociation.objects.get(user=user)
    assert (membership.producer, membership.role) == (producer, "manager")  # the producer has an owner
    invitation.refresh_from_db()
    assert invitation.is_used
    assert invitation.used_at is not None
    assert client.session[SESSION_KEY] == producer.pk
    assert client.cookies["sessionid"].value != (session_before.value if session_before else None)
    dashboard = client.get("/dashboard/")
    assert dashboard.status_code == 200
    assert "Welcome to Laugh Track! You&#x27;re on the team as manager." in dashboard.content.decode()


def test_the_first_person_of_a_producer_without_owner_becomes_its_owner(client):
    producer = ProducerFactory(name="Brand New")
    _, token = producer_invite(producer=producer, email="first@example.com")

    client.post(f"/dashboard/join/{token}/", GOOD)

    assert UserProducerAssociation.objects.get(producer=producer).role == "owner"


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({**GOOD, "first_name": ""}, "first_name", "Enter your first name."),
        ({**GOOD, "last_name": ""}, "last_name", "Enter your last name."),
        ({**GOOD, "password1": ""}, "password1", "Choose a password."),
        ({**GOOD, "password2": "something-else-99"}, "password2", "The two passwords are not the same."),
        ({**GOOD, "password1": "password", "password2": "password"}, "password1", "This password is too common."),
        (
            {**GOOD, "password1": "83920571640", "password2": "83920571640"},
            "password1",
            "This password is entirely numeric.",
        ),
    ],
)
def test_form_errors_are_shown_by_their_field_with_the_input_kept_and_nothing_written(
    client, invited, data, field, error
):
    _, token = invited
    before = state()

    response = client.post(f"/dashboard/join/{token}/", data)

    assert response.status_code == 422
    page = response.content.decode()
    assert f'id="id_{field}_error"><span class="visually-hidden">Error:</span> {error}' in page
    assert f'href="#id_{field}"' in page  # the error summary links to the field
    if data["first_name"]:
        assert f'value="{data["first_name"]}"' in page
    assert 'value="laughs-all-night-77"' not in page  # passwords are never sent back
    assert state() == before


def test_a_used_link_answers_410_and_changes_nothing(client, invited):
    _, token = invited
    client.post(f"/dashboard/join/{token}/", GOOD)
    client.logout()
    before = state()

    for response in (client.get(f"/dashboard/join/{token}/"), client.post(f"/dashboard/join/{token}/", GOOD)):
        assert response.status_code == 410
        assert "This invitation was already accepted" in response.content.decode()
    assert state() == before


def test_an_expired_link_answers_410_and_changes_nothing(client, invited):
    invitation, token = invited
    OnboardingSession.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=8), expires_at=timezone.now() - timedelta(days=1)
    )
    before = state()

    response = client.post(f"/dashboard/join/{token}/", GOOD)

    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    assert "Ask the person who invited you to send a new one." in response.content.decode()
    assert state() == before


@pytest.mark.parametrize("token", ["nope", "x" * 43, "a" * 500])
def test_a_link_that_is_not_one_answers_404(client, invited, token):
    assert client.get(f"/dashboard/join/{token}/").status_code == 404


def test_the_link_of_an_invitation_sent_again_says_only_the_newest_works(client, producer, invited):
    _, old = invited
    _, new = producer_invite(producer=producer, email="nia@example.com")  # "send again"

    stale = client.get(f"/dashboard/join/{old}/")

    assert stale.status_code == 404
    assert "only the link in the newest email works" in stale.content.decode()
    assert client.get(f"/dashboard/join/{new}/").status_code == 200


def test_the_token_stays_out_of_referrers_and_caches(client, invited):
    _, token = invited

    response = client.get(f"/dashboard/join/{token}/")

    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_someone_signed_in_with_the_invited_address_joins_with_their_account(client, producer, owner, invited):
    _, token = invited
    existing = MembershipFactory(producer__name="Elsewhere", user__email="Nia@Example.com").user
    client.force_login(existing)

    assert (
        "You'll join with the account you're signed in to" in client.get(f"/dashboard/join/{token}/").content.decode()
    )
    response = client.post(f"/dashboard/join/{token}/")

    assert response.status_code == 303
    assert UserProducerAssociation.objects.filter(user=existing, producer=producer, role="manager").exists()
    assert client.session[SESSION_KEY] == producer.pk
    assert User.objects.filter(email__iexact="nia@example.com").count() == 1


@pytest.mark.parametrize("email", ["erik@northernlights.example", ""])
def test_an_account_of_another_address_cannot_use_the_invitation(client, producer, invited, email):
    """A forwarded or leaked link: the account signed in is not the one invited. Nothing is written, the
    invitation still works for the person invited."""
    invitation, token = invited
    stranger = MembershipFactory(producer__name="Northern Lights", user__email=email).user
    client.force_login(stranger)
    before = state()

    page = client.get(f"/dashboard/join/{token}/")
    joined = client.post(f"/dashboard/join/{token}/")

    assert page.status_code == joined.status_code == 403
    html = page.content.decode()
    assert "This invitation is for another address" in html
    assert "n…@example.com" in html
    assert "nia@example.com" not in html
    assert 'action="/accounts/logout/"' in html
    assert f'name="next" value="/dashboard/join/{token}/"' in html
    assert "Join " + producer.name not in html.replace("Join " + producer.name + "</title>", "")
    assert state() == before
    assert not UserProducerAssociation.objects.filter(user=stranger, producer=producer).exists()
    with pytest.raises(InvitationForSomeoneElse):
        producer_invitation_accept(token=token, user=stranger)
    invitation.refresh_from_db()
    assert not invitation.is_used


def test_an_invited_address_that_has_an_account_signs_in_first(client, invited):
    _, token = invited
    UserFactory(email="NIA@example.com")
    before = state()

    page = client.get(f"/dashboard/join/{token}/").content.decode()
    response = client.post(f"/dashboard/join/{token}/", GOOD)

    assert "Sign in to join" in page
    assert response.status_code == 303
    assert response["Location"] == f"/accounts/login/?next=%2Fdashboard%2Fjoin%2F{token}%2F"
    assert state() == before


def test_accepting_marks_the_producers_lead_onboarded(client, producer, invited):
    lead = ProducerInterest.objects.create(name="Nia", email="nia@example.com", producer=producer, status="contacted")
    _, token = invited

    client.post(f"/dashboard/join/{token}/", GOOD)

    lead.refresh_from_db()
    assert lead.status == "onboarded"


def test_an_invitation_is_used_once(producer, invited):
    _, token = invited
    first = UserFactory(email="nia@example.com")

    producer_invitation_accept(token=token, user=first)
    with pytest.raises(InvitationUsed):
        producer_invitation_accept(token=token, user=first)
    with pytest.raises(InvitationUsed):
        producer_invitation_accept(token=token, new_account=NewAccount("Nia", "Again", "laughs-all-night-77"))

    assert list(UserProducerAssociation.objects.filter(producer=producer).values_list("user", flat=True)) == [first.pk]
    assert User.objects.filter(email__iexact="nia@example.com").count() == 1


def test_a_username_taken_already_gets_a_number(client, producer):
    UserFactory(username="sam", email="samuel@example.com")
    _, token = producer_invite(producer=producer, email="sam@example.com")

    client.post(f"/dashboard/join/{token}/", GOOD)

    assert User.objects.get(email="sam@example.com").username == "sam2"


@pytest.mark.django_db(transaction=True)
def test_accepting_is_one_transaction_outside_any_other(producer):
    """The acceptance locks the producer's owners (select_for_update): outside a test's own transaction,
    as in a live server, it must open its own (PostgreSQL refuses a lock outside one)."""
    _, token = producer_invite(producer=producer, email="nia@example.com")

    membership = producer_invitation_accept(token=token, new_account=NewAccount("Nia", "Okoro", "laughs-all-night-77"))

    assert (membership.user.email, membership.producer) == ("nia@example.com", producer)
