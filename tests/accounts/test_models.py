import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from piquetickets.accounts.models import User, UserProfile
from piquetickets.accounts.services import user_create, user_profile_ensure
from piquetickets.producers.models import ProducerFinancial, UserProducerAssociation
from tests.factories import MembershipFactory, ProducerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_user_create_makes_the_profile_in_the_same_transaction():
    user = user_create(username="maya", email="maya@example.com", password="a-long-password-1", can_publish_shows=True)
    assert user.check_password("a-long-password-1")
    assert UserProfile.objects.get(user=user).can_publish_shows is True
    assert user.display_name == "maya"


def test_user_create_without_password_cannot_log_in():
    user = user_create(username="nopass", email="", password=None, first_name="No", last_name="Pass")
    assert not user.has_usable_password()
    assert user.display_name == "No Pass"


def test_user_create_rejects_a_bad_username_and_writes_nothing():
    with pytest.raises(ValidationError) as excinfo:
        user_create(username="not valid!", email="x@example.com", password="a-long-password-1")
    assert "username" in excinfo.value.message_dict
    assert not User.objects.filter(email="x@example.com").exists()
    assert UserProfile.objects.count() == 0


def test_emails_are_unique_ignoring_case_but_blank_is_allowed_twice():
    UserFactory(email="Sam@Example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="sam@example.com")
    UserFactory(email="")
    UserFactory(email="")
    assert User.objects.filter(email="").count() == 2


def test_profile_is_ensured_for_users_made_elsewhere():
    user = User.objects.create_superuser("root2", "root2@example.com", "pw-long-enough-1")
    assert not UserProfile.objects.filter(user=user).exists()
    profile = user_profile_ensure(user=user)
    assert profile.can_publish_shows is False
    assert user_profile_ensure(user=user).pk == profile.pk


def test_one_association_per_user_and_producer():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        UserProducerAssociation.objects.create(user=membership.user, producer=membership.producer)
    assert list(membership.producer.members.all()) == [membership.user]


def test_fee_override_must_be_a_sane_percentage():
    producer = ProducerFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProducerFinancial.objects.create(producer=producer, platform_fee_percent=101)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProducerFinancial.objects.create(producer=producer, platform_fee_fixed=-1)
    assert ProducerFinancial.objects.create(producer=producer, platform_fee_percent=5).pk


def test_producer_country_must_be_iso_code():
    producer = ProducerFactory.build(name="Somewhere", country="us")
    with pytest.raises(ValidationError) as excinfo:
        producer.full_clean()
    assert excinfo.value.message_dict["country"] == ["Use a two-letter ISO country code, e.g. US."]
