"""A show on sale, for the selling tests: fixtures and the checkout request body."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from config.celery import app as celery_app
from piquetickets.shows.models import Show, Ticket, TicketPromoCode
from tests.factories import MembershipFactory, ProducerFactory, PromoCodeFactory, ShowFactory, TicketFactory


@dataclass
class Sale:
    show: Show
    general: Ticket
    vip: Ticket
    donation: Ticket
    promo: TicketPromoCode
    owner: object


@pytest.fixture
def sale(db):
    """A published show with three ticket types (one pay-what-you-can) and a 10% promo code."""
    producer = ProducerFactory(name="Laugh Track", support_email="help@laughtrack.example")
    owner = MembershipFactory(producer=producer, user__username="owner").user
    show = ShowFactory(
        producer=producer,
        title="Friday Laughs",
        start_time=timezone.now() + timedelta(days=10),
        end_time=timezone.now() + timedelta(days=10, hours=2),
    )
    return Sale(
        show=show,
        general=TicketFactory(show=show, name="General admission", price=Decimal("20.00"), quantity=50),
        vip=TicketFactory(show=show, name="VIP", price=Decimal("45.00"), quantity=10),
        donation=TicketFactory(
            show=show, name="Pay what you can", price=Decimal("5.00"), quantity=20, is_donation_based=True
        ),
        promo=PromoCodeFactory(show=show, code="LAUGH10", discount=Decimal("10")),
        owner=owner,
    )


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def eager():
    """Celery tasks (the emails) run in-process when queued (the Celery app reads its settings once)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def cart(sale: Sale, *lines: dict, **overrides) -> dict:
    body = {
        "show": sale.show.slug,
        "tickets": list(lines) or [{"ticket": sale.general.pk, "quantity": 2}],
        "first_name": "Alex",
        "last_name": "Morgan",
        "email": "alex@example.com",
    }
    body.update(overrides)
    return body
