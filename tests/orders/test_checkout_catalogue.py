"""The checkout's fast parts: the cached checkout catalogue, forgotten on every change to what it
holds, and the answer built without the serializer but equal to it."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from piquetickets.orders.api import CheckoutSessionSerializer, checkout_session_answer
from piquetickets.orders.models import Order
from piquetickets.orders.selectors import checkout_catalogue_forget, checkout_ticket_types
from piquetickets.producers.models import ProducerFinancial
from piquetickets.shows.models import Ticket
from tests.api.conftest import assert_error
from tests.factories import ShowFactory, TicketFactory
from tests.selling import cart

URL = "/api/v1/checkout/create-session/"


def create(api, body):
    return api.post(URL, body, format="json")


def test_the_catalogue_is_read_once_then_served_from_the_cache(sale, django_assert_num_queries):
    with django_assert_num_queries(2):  # the show with its producer's fees, then its ticket types
        show, found = checkout_ticket_types(show_slug=sale.show.slug, ticket_ids=[sale.vip.pk, sale.general.pk])
    with django_assert_num_queries(0):
        again, found_again = checkout_ticket_types(show_slug=sale.show.slug, ticket_ids=[sale.general.pk, 999999])

    assert show == again == sale.show
    assert list(found) == [sale.vip.pk, sale.general.pk]
    assert (found[sale.vip.pk].name, found[sale.vip.pk].price) == ("VIP", Decimal("45.00"))
    assert list(found_again) == [sale.general.pk]
    with django_assert_num_queries(0):  # the ticket types share the one show, producer and fee settings
        assert found_again[sale.general.pk].show.producer.name == "Laugh Track"


def test_a_missing_or_draft_show_is_none(sale):
    assert checkout_ticket_types(show_slug="no-such-show", ticket_ids=[sale.general.pk]) == (None, {})
    draft = ShowFactory(published=False)
    TicketFactory(show=draft)
    assert checkout_ticket_types(show_slug=draft.slug, ticket_ids=[]) == (None, {})


def test_a_price_change_is_charged_at_once(api, sale):
    assert create(api, cart(sale, {"ticket": sale.general.pk, "quantity": 1})).json()["subtotal"] == "20.00"
    sale.general.price = Decimal("25.00")
    sale.general.save()
    assert create(api, cart(sale, {"ticket": sale.general.pk, "quantity": 1})).json()["subtotal"] == "25.00"


def test_a_new_ticket_type_can_be_bought_at_once(api, sale):
    assert create(api, cart(sale)).status_code == 201
    late = TicketFactory(show=sale.show, name="Late addition", price=Decimal("12.00"))
    response = create(api, cart(sale, {"ticket": late.pk, "quantity": 1}))
    assert response.status_code == 201, response.content
    assert response.json()["lines"][0]["name"] == "Late addition"


def test_unpublishing_stops_sales_at_once(api, sale):
    assert create(api, cart(sale)).status_code == 201
    sale.show.published = False
    sale.show.save()
    error = assert_error(create(api, cart(sale)), 400, "invalid")
    assert error["extra"]["fields"]["show"] == ["There is no show on sale called “friday-laughs”."]
    assert Order.objects.count() == 1


def test_a_deleted_ticket_type_is_gone_at_once(api, sale):
    assert create(api, cart(sale, {"ticket": sale.donation.pk, "quantity": 1, "amount": "5.00"})).status_code == 201
    Ticket.objects.get(pk=sale.vip.pk).delete()
    error = assert_error(create(api, cart(sale, {"ticket": sale.vip.pk, "quantity": 1})), 400, "invalid")
    assert error["extra"]["fields"]["tickets"] == [{"ticket": ["Not a ticket type of this show."]}]


def test_a_producer_fee_override_applies_at_once(api, sale):
    assert create(api, cart(sale, {"ticket": sale.general.pk, "quantity": 1})).json()["platform_fee"] == "1.59"
    ProducerFinancial.objects.create(
        producer=sale.show.producer, platform_fee_percent=Decimal("0"), platform_fee_fixed=Decimal("0")
    )
    assert create(api, cart(sale, {"ticket": sale.general.pk, "quantity": 1})).json()["platform_fee"] == "0.00"


def test_forgetting_something_outside_the_catalogue_is_a_mistake():
    with pytest.raises(TypeError, match="No checkout catalogue holds a Order"):
        checkout_catalogue_forget(Order())


def test_a_change_made_without_saving_is_served_until_forgotten(api, sale):
    """``QuerySet.update`` sends no signal: the catalogue keeps the old price until it is forgotten
    (or its 30 seconds run out), which is why nothing in the code changes prices that way."""
    create(api, cart(sale, {"ticket": sale.general.pk, "quantity": 1}))
    Ticket.objects.filter(pk=sale.general.pk).update(price=Decimal("30.00"))
    assert create(api, cart(sale, {"ticket": sale.general.pk, "quantity": 1})).json()["subtotal"] == "20.00"
    cache.clear()
    assert create(api, cart(sale, {"ticket": sale.general.pk, "quantity": 1})).json()["subtotal"] == "30.00"


def test_the_answer_equals_the_documented_serializer(api, sale):
    body = cart(
        sale,
        {"ticket": sale.general.pk, "quantity": 2},
        {"ticket": sale.donation.pk, "quantity": 1, "amount": "7.50"},
        promo_code="laugh10",
    )
    data = create(api, body).json()
    order = Order.objects.prefetch_related("ticket_orders__ticket").get()
    order.checkout_url, order.order_url = data["checkout_url"], data["order_url"]

    documented = CheckoutSessionSerializer(order).data
    assert checkout_session_answer(order, checkout_url=data["checkout_url"]) == documented
    assert data == documented
    assert [line["name"] for line in data["lines"]] == ["General admission", "Pay what you can"]


def test_a_hold_on_the_hot_path_runs_four_statements(api, sale):
    """With the catalogue cached, a checkout reads nothing: three INSERTs, then the capacity UPDATE
    (the savepoint is the test's own transaction around ``atomic``)."""
    create(api, cart(sale))  # fills the catalogue
    with CaptureQueriesContext(connection) as queries:
        response = create(api, cart(sale))
    assert response.status_code == 201
    statements = [" ".join(query["sql"].split()[:3]) for query in queries.captured_queries]
    assert [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))] == [
        'INSERT INTO "orders_order"',
        'INSERT INTO "orders_ticketorder"',
        'INSERT INTO "orders_tickethold"',
        "UPDATE shows_ticket SET",
    ]
