import pytest
from django.db import IntegrityError, transaction

from piquetickets.subscribers.models import Subscriber, SubscriberMetaData
from tests.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def test_subscriber_email_is_unique_ignoring_case():
    SubscriberFactory(email="Fan@Example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        SubscriberFactory(email="fan@example.com")
    assert Subscriber.objects.count() == 1


def test_metadata_coordinates_must_be_on_earth():
    subscriber = SubscriberFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SubscriberMetaData.objects.create(subscriber=subscriber, ip_latitude=91)
    with pytest.raises(IntegrityError), transaction.atomic():
        SubscriberMetaData.objects.create(subscriber=subscriber, ip_longitude=-181)
    SubscriberMetaData.objects.create(subscriber=subscriber, ip_latitude=41.9, ip_longitude=-87.6)
    assert subscriber.metadata.count() == 1
