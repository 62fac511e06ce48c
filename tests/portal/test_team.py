"""The Team page: invitations (sent, again, withdrawn) and members (roles, removal, leaving), owners only,
never without an owner."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from piquetickets.emails.models import EmailTracking
from piquetickets.producers.models import OnboardingSession, UserProducerAssociation
from piquetickets.producers.selectors import invitation_token_hash
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

Role = UserProducerAssociation.Role


def link_token(message) -> str:
    return re.search(r"/dashboard/join/([\w-]+)/", message.body).group(1)


def rows():
    return (
        list(OnboardingSession.objects.order_by("pk").values()),
        list(UserProducerAssociation.objects.order_by("pk").values()),
        EmailTracking.objects.count(),
    )


def test_the_team_page_lists_members_and_waiting_invitations(owner_client, producer, manager):
    OnboardingSession.objects.create(
        producer=producer, email="soon@example.com", token="x" * 64, expires_at=timezone.now() + timedelta(days=3)
    )

    page = owner_client.get("/dashboard/team/").content.decode()

    assert "olivia@example.com" in page
    assert "max@example.com" in page
    assert "soon@example.com" in page
    assert "Invite someone" in page


def test_an_owner_invites_by_email_and_the_link_works_once_for_seven_days(
    owner_client, producer, owner, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post("/dashboard/team/invite/", {"email": "New.Person@Example.COM"})

    assert response.status_code == 303
    assert response["Location"] == "/dashboard/team/"
    invitation = OnboardingSession.objects.get()
    assert (invitation.producer, invitation.email, invitation.is_used) == (producer, "New.Person@example.com", False)
    assert abs(invitation.expires_at - invitation.created_at - timedelta(days=7)) < timedelta(seconds=1)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["New.Person@example.com"]
    assert message.subject == f"{owner.display_name} invited you to Laugh Track on PiqueTickets"
    token = link_token(message)
    assert f"http://localhost:8080/dashboard/join/{token}/" in message.body
    assert invitation.token == invitation_token_hash(token) != token  # only the hash is kept
    assert "Invitation sent to New.Person@example.com." in owner_client.get("/dashboard/team/").content.decode()


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("", "Enter the email address to invite."),
        ("not-an-address", "Enter an email address like name@example.com."),
        ("olivia@example.com", "This person is already on the team."),
    ],
)
def test_a_bad_invitation_is_shown_by_its_field_with_the_input_kept_and_nothing_sent(owner_client, email, error):
    before = rows()

    response = owner_client.post("/dashboard/team/invite/", {"email": email})

    assert response.status_code == 422
    page = response.content.decode()
    assert (
        f'<p class="field__error" id="id_email_error"><span class="visually-hidden">Error:</span> {error}</p>' in page
    )
    assert f'value="{email}"' in page if email else 'name="email"' in page
    assert "<title>Error: Team" in page
    assert rows() == before


def test_inviting_an_address_again_renews_its_invitation_and_the_old_link_stops_working(
    owner_client, eager, django_capture_on_commit_callbacks, client
):
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post("/dashboard/team/invite/", {"email": "again@example.com"})
        owner_client.post("/dashboard/team/invite/", {"email": "AGAIN@example.com"})

    assert OnboardingSession.objects.count() == 1
    first, second = (link_token(message) for message in mail.outbox)
    assert first != second
    assert OnboardingSession.objects.get().token == invitation_token_hash(second)
    client.logout()
    assert client.get(f"/dashboard/join/{first}/").status_code == 404
    assert client.get(f"/dashboard/join/{second}/").status_code == 200


def test_send_again_makes_a_new_link_and_expiry(owner_client, producer, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post("/dashboard/team/invite/", {"email": "late@example.com"})
    invitation = OnboardingSession.objects.get()
    OnboardingSession.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=9), expires_at=timezone.now() - timedelta(days=2)
    )
    assert "Expired" in owner_client.get("/dashboard/team/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/dashboard/team/invitations/{invitation.pk}/resend/")

    assert response.status_code == 303
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + timedelta(days=6)
    assert len(mail.outbox) == 2
    assert invitation.token == invitation_token_hash(link_token(mail.outbox[1]))


def test_withdrawing_an_invitation_kills_its_link(owner_client, eager, django_capture_on_commit_callbacks, client):
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post("/dashboard/team/invite/", {"email": "gone@example.com"})
    invitation = OnboardingSession.objects.get()

    response = owner_client.post(f"/dashboard/team/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 303
    assert not OnboardingSession.objects.exists()
    client.logout()
    assert client.get(f"/dashboard/join/{link_token(mail.outbox[0])}/").status_code == 404


def test_an_accepted_invitation_is_no_longer_on_the_page_nor_revocable(owner_client, producer):
    used = OnboardingSession.objects.create(
        producer=producer,
        email="in@example.com",
        token="y" * 64,
        expires_at=timezone.now() + timedelta(days=3),
        is_used=True,
        used_at=timezone.now(),
    )

    assert "in@example.com" not in owner_client.get("/dashboard/team/").content.decode()
    assert owner_client.post(f"/dashboard/team/invitations/{used.pk}/revoke/").status_code == 404
    assert OnboardingSession.objects.filter(pk=used.pk).exists()


def test_an_owner_promotes_a_manager_and_demotes_them_again(owner_client, manager):
    membership = UserProducerAssociation.objects.get(user=manager)

    assert owner_client.post(f"/dashboard/team/members/{membership.pk}/role/", {"role": "owner"}).status_code == 303
    membership.refresh_from_db()
    assert membership.role == Role.OWNER
    assert owner_client.post(f"/dashboard/team/members/{membership.pk}/role/", {"role": "manager"}).status_code == 303
    membership.refresh_from_db()
    assert membership.role == Role.MANAGER


def test_a_role_that_is_not_one_is_refused(owner_client, manager):
    membership = UserProducerAssociation.objects.get(user=manager)

    response = owner_client.post(f"/dashboard/team/members/{membership.pk}/role/", {"role": "admin"})

    assert response.status_code == 422
    assert "Choose owner or manager." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.MANAGER


def test_the_last_owner_can_not_be_demoted_removed_or_leave(owner_client, owner, manager):
    membership = UserProducerAssociation.objects.get(user=owner)
    before = rows()

    demoted = owner_client.post(f"/dashboard/team/members/{membership.pk}/role/", {"role": "manager"})
    removed = owner_client.post(f"/dashboard/team/members/{membership.pk}/remove/")
    left = owner_client.post("/dashboard/team/leave/")

    for response in (demoted, removed, left):
        assert response.status_code == 409
        assert "A producer needs at least one owner" in response.content.decode() or "only owner" in (
            response.content.decode()
        )
    assert rows() == before


def test_with_two_owners_one_may_leave(client, owner, producer):
    second = MembershipFactory(producer=producer, role=Role.OWNER).user
    client.force_login(second)

    response = client.post("/dashboard/team/leave/")

    assert response.status_code == 303
    assert response["Location"] == "/dashboard/"
    assert not UserProducerAssociation.objects.filter(user=second).exists()
    assert client.get("/dashboard/").status_code == 403  # no producer left


def test_an_owner_removes_a_manager_whose_account_stays(owner_client, manager):
    membership = UserProducerAssociation.objects.get(user=manager)

    response = owner_client.post(f"/dashboard/team/members/{membership.pk}/remove/")

    assert response.status_code == 303
    assert not UserProducerAssociation.objects.filter(pk=membership.pk).exists()
    manager.refresh_from_db()
    assert manager.is_active


def test_a_manager_sees_the_team_read_only_and_may_leave(client, manager, owner):
    client.force_login(manager)

    page = client.get("/dashboard/team/").content.decode()
    assert "Invite someone" not in page
    assert "team/members/" not in page
    assert "Leave this team" in page

    assert client.post("/dashboard/team/leave/").status_code == 303
    assert not UserProducerAssociation.objects.filter(user=manager).exists()


def test_a_member_of_another_producer_is_not_found(owner_client):
    stranger = MembershipFactory()

    assert owner_client.post(f"/dashboard/team/members/{stranger.pk}/remove/").status_code == 404
    assert owner_client.post(f"/dashboard/team/members/{stranger.pk}/role/", {"role": "owner"}).status_code == 404
    assert UserProducerAssociation.objects.filter(pk=stranger.pk, role=Role.MANAGER).exists()


def test_staff_acting_for_a_producer_can_not_leave_it(client, producer, owner):
    from piquetickets.portal.access import SESSION_KEY

    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    session = client.session
    session[SESSION_KEY] = producer.pk
    session.save()

    assert client.post("/dashboard/team/leave/").status_code == 404


def test_invitations_per_producer_are_limited_per_hour(owner_client, monkeypatch):
    from piquetickets.portal.views import team

    monkeypatch.setattr(team, "INVITATIONS_PER_HOUR", 2)
    for number in range(2):
        assert owner_client.post("/dashboard/team/invite/", {"email": f"p{number}@example.com"}).status_code == 303
    invitation = OnboardingSession.objects.first()
    before = rows()

    refused = owner_client.post("/dashboard/team/invite/", {"email": "p3@example.com"})
    again = owner_client.post(f"/dashboard/team/invitations/{invitation.pk}/resend/")

    assert refused.status_code == 429
    assert "a lot of invitations for one hour" in refused.content.decode()
    assert 'value="p3@example.com"' in refused.content.decode()
    assert again.status_code == 429
    assert rows() == before
