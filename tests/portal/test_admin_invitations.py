"""Staff invite people from the admin: to a producer's team, or a lead as a new producer's owner."""

import re

import pytest
from django.core import mail
from django.test import Client

from piquetickets.producers.models import OnboardingSession, Producer, ProducerInterest
from piquetickets.producers.selectors import invitation_token_hash

pytestmark = pytest.mark.django_db


def test_staff_invite_someone_to_a_producer(admin_client, producer, eager, django_capture_on_commit_callbacks):
    url = f"/admin/producers/producer/{producer.pk}/invite/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Who should join?" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"email": "booker@example.com"})

    assert response.status_code == 303
    assert response["Location"] == f"/admin/producers/producer/{producer.pk}/change/"
    invitation = OnboardingSession.objects.get()
    assert (invitation.producer, invitation.email) == (producer, "booker@example.com")
    assert mail.outbox[0].subject == "Your invitation to Laugh Track on PiqueTickets"  # staff aren't named
    token = re.search(r"/dashboard/join/([\w-]+)/", mail.outbox[0].body).group(1)
    assert invitation.token == invitation_token_hash(token)
    change_page = admin_client.get(response["Location"]).content.decode()
    assert f"http://localhost:8080/dashboard/join/{token}/" in change_page  # the link, for staff to pass on


def test_a_bad_address_stays_on_the_invite_page(admin_client, producer):
    response = admin_client.post(f"/admin/producers/producer/{producer.pk}/invite/", {"email": "nope"})

    assert response.status_code == 422
    assert 'value="nope"' in response.content.decode()
    assert not OnboardingSession.objects.exists()


def test_a_lead_becomes_a_producer_and_its_email_is_invited_as_owner(
    admin_client, client, eager, django_capture_on_commit_callbacks
):
    lead = ProducerInterest.objects.create(name="Dana Reyes", email="dana@example.com", company_name="Reyes Comedy")
    done = ProducerInterest.objects.create(
        name="Old", email="old@example.com", producer=Producer.objects.create(name="Old")
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/producers/producerinterest/",
            {"action": "make_producer_and_invite", "_selected_action": [lead.pk, done.pk]},
            follow=True,
        )

    page = response.content.decode()
    assert "Reyes Comedy created and dana@example.com invited as its owner." in page
    assert "This lead is already a producer." in page
    lead.refresh_from_db()
    assert lead.producer.name == "Reyes Comedy"
    assert lead.producer.support_email == "dana@example.com"
    assert lead.status == "contacted"
    assert [message.to for message in mail.outbox] == [["dana@example.com"]]

    token = re.search(r"/dashboard/join/([\w-]+)/", mail.outbox[0].body).group(1)
    joined = Client().post(  # Dana, in her own browser (``client`` is the admin's)
        f"/dashboard/join/{token}/",
        {
            "first_name": "Dana",
            "last_name": "Reyes",
            "password1": "stage-lights-2026",
            "password2": "stage-lights-2026",
        },
    )
    assert joined.status_code == 303
    membership = lead.producer.user_associations.get()
    assert (membership.role, membership.user.email) == ("owner", "dana@example.com")
    lead.refresh_from_db()
    assert lead.status == "onboarded"
