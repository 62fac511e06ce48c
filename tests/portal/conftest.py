import pytest

from piquetickets.producers.models import UserProducerAssociation
from tests.factories import MembershipFactory, ProducerFactory


@pytest.fixture
def producer(db):
    return ProducerFactory(name="Laugh Track")


@pytest.fixture
def owner(producer):
    return MembershipFactory(producer=producer, role=UserProducerAssociation.Role.OWNER, user__username="olivia").user


@pytest.fixture
def manager(producer):
    return MembershipFactory(producer=producer, role=UserProducerAssociation.Role.MANAGER, user__username="max").user


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client
