"""The checkout's fast parts: the cached checkout catalogue, forgotten on every change to what it
holds, and the answer built without the serializer but equal to it."""

import threading
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, transaction
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


@pytest.fixture(autouse=True)
def catalogue_cached(settings):
    settings.CHECKOUT_CATALOGUE_SECONDS = 30


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
        checkout_catalogue_forget(Order(pk=1))


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


def test_a_ticket_type_moved_to_another_show_leaves_the_old_shows_catalogue(api, sale):
    assert create(api, cart(sale, {"ticket": sale.vip.pk, "quantity": 1})).status_code == 201
    elsewhere = ShowFactory(producer=sale.show.producer)
    moved = Ticket.objects.get(pk=sale.vip.pk)
    moved.show = elsewhere
    moved.save()

    error = assert_error(create(api, cart(sale, {"ticket": sale.vip.pk, "quantity": 1})), 400, "invalid")
    assert error["extra"]["fields"]["tickets"] == [{"ticket": ["Not a ticket type of this show."]}]
    assert checkout_ticket_types(show_slug=elsewhere.slug, ticket_ids=[sale.vip.pk])[1] == {sale.vip.pk: moved}


def test_without_a_cache_the_catalogue_is_read_every_time(sale, settings, django_assert_num_queries):
    settings.CHECKOUT_CATALOGUE_SECONDS = 0
    for _ in range(2):
        with django_assert_num_queries(2):
            assert checkout_ticket_types(show_slug=sale.show.slug, ticket_ids=[sale.general.pk])[0] == sale.show
    with django_assert_num_queries(0):  # and saving forgets nothing, so costs nothing extra
        checkout_catalogue_forget(sale.general)


@pytest.mark.django_db(transaction=True)
def test_a_catalogue_read_during_a_change_is_forgotten_again_at_commit():
    """A checkout that reads the old rows after the change forgot the catalogue but before the change
    commits caches the old show again; the commit forgets it once more."""
    show = ShowFactory(published=True)
    ticket = TicketFactory(show=show)
    read_during = []

    with transaction.atomic():
        show.published = False
        show.save()  # forgets the catalogue (nothing cached yet)
        reader = threading.Thread(
            target=lambda: (
                read_during.append(checkout_ticket_types(show_slug=show.slug, ticket_ids=[ticket.pk])[0]),
                connection.close(),
            )
        )
        reader.start()
        reader.join()
        assert cache.get(f"checkout:catalogue:{show.slug}") is not None  # the old, published show

    assert read_during == [show]  # another connection saw the committed, published show
    assert cache.get(f"checkout:catalogue:{show.slug}") is None
    assert checkout_ticket_types(show_slug=show.slug, ticket_ids=[ticket.pk]) == (None, {})
