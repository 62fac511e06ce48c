"""rows_insert: the checkout's plain INSERT writes what the ORM would, and refuses what it can't do."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.utils import timezone

from piquetickets.core.db import rows_insert
from piquetickets.orders.models import Order, TicketHold, TicketOrder
from piquetickets.shows.models import Show
from tests.factories import OrderFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_it_writes_every_field_as_the_orm_would_and_sets_the_keys():
    ticket = TicketFactory()
    order = OrderFactory(show=ticket.show)
    lines = [
        TicketOrder(
            order=order,
            ticket=ticket,
            quantity=2,
            price_per_ticket=Decimal("12.50"),
            total_price=Decimal("25.00"),
            attendee_names=[{"first_name": "Sam", "last_name": "Lee"}],
        ),
        TicketOrder(order=order, ticket=ticket, quantity=1, price_per_ticket=Decimal("7.00"), total_price=Decimal("7")),
    ]
    before = timezone.now()

    rows_insert(lines)

    assert all(line.pk and not line._state.adding and line._state.db == "default" for line in lines)
    first, second = TicketOrder.objects.order_by("pk")
    assert [first.pk, second.pk] == [lines[0].pk, lines[1].pk]
    assert (first.uuid, first.quantity, first.price_per_ticket, first.total_price) == (
        lines[0].uuid,
        2,
        Decimal("12.50"),
        Decimal("25.00"),
    )
    assert first.attendee_names == [{"first_name": "Sam", "last_name": "Lee"}]
    assert (second.attendee_names, second.donation_amount, second.promo_code) == ([], Decimal("0"), "")
    assert before <= first.created_at <= timezone.now()  # auto_now_add, filled by pre_save


def test_it_sends_no_signals_like_bulk_create():
    ticket = TicketFactory()
    order = OrderFactory(show=ticket.show)
    seen = []

    def receiver(sender, **kwargs):
        seen.append(sender)

    post_save.connect(receiver, sender=TicketHold)
    try:
        rows_insert([TicketHold(order=order, ticket=ticket, quantity=1, expires_at=timezone.now() + timedelta(1))])
    finally:
        post_save.disconnect(receiver, sender=TicketHold)
    assert seen == []
    assert TicketHold.objects.filter(order=order).count() == 1


def test_nothing_to_insert_is_nothing():
    rows_insert([])
    assert not TicketOrder.objects.exists()


def test_an_unsaved_related_object_is_refused():
    ticket = TicketFactory()
    unsaved = Order(show=ticket.show, email="a@example.com")
    with pytest.raises(ValueError, match="unsaved related object 'order'"):
        rows_insert([TicketHold(order=unsaved, ticket=ticket, quantity=1, expires_at=timezone.now())])
    assert not TicketHold.objects.exists()


def test_mixed_models_are_refused():
    ticket = TicketFactory()
    with pytest.raises(TypeError, match="new instances of one model"):
        rows_insert([ticket.show, ticket])
    assert Show.objects.count() == 1


def _same_rows(model, orm_pk, lean_pk, *, differ=("id", "created_at", "updated_at", "uuid", "public_token")):
    orm = model.objects.filter(pk=orm_pk).values().get()
    lean = model.objects.filter(pk=lean_pk).values().get()
    return {k: v for k, v in orm.items() if k not in differ} == {k: v for k, v in lean.items() if k not in differ}


@pytest.mark.parametrize("model", [Order, TicketOrder, TicketHold])
def test_each_checkout_row_reads_back_the_same_as_one_the_orm_wrote(model):
    from tests.factories import PromoCodeFactory

    ticket = TicketFactory()
    promo = PromoCodeFactory(show=ticket.show, code="SAME")
    order = OrderFactory(show=ticket.show, promo_code=promo)
    expires = timezone.now() + timedelta(minutes=15)

    def build():
        if model is Order:
            return Order(
                show=ticket.show,
                status="pending",
                provider="test",
                session_id="test_1",
                first_name="Zoë",
                last_name="Ng",
                email="z@example.com",
                currency="USD",
                subtotal=Decimal("40.00"),
                promo_code=promo,
                promo_code_discount=Decimal("4.00"),
                platform_fees=Decimal("3.06"),
                payment_processing_fees=Decimal("1.43"),
                total=Decimal("40.49"),
                hold_expires_at=expires,
            )
        if model is TicketOrder:
            return TicketOrder(
                order=order,
                ticket=ticket,
                quantity=2,
                price_per_ticket=Decimal("20.00"),
                donation_amount=Decimal("0"),
                discount_amount=Decimal("4.00"),
                total_price=Decimal("36.00"),
                promo_code="SAME",
                attendee_names=[{"first_name": "Sam", "last_name": ""}],
            )
        # one hold per order and ticket type: each of the two holds gets its own order
        return TicketHold(order=OrderFactory(show=ticket.show), ticket=ticket, quantity=2, expires_at=expires)

    orm, lean = build(), build()
    model.objects.bulk_create([orm])
    rows_insert([lean])

    assert orm.pk
    assert lean.pk == orm.pk + 1
    differ = {"id", "created_at", "updated_at", "uuid", "public_token"} | (
        {"order_id"} if model is TicketHold else set()
    )
    assert _same_rows(model, orm.pk, lean.pk, differ=differ)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's session settings")
@pytest.mark.django_db
def test_postgresql_sessions_wait_for_locks_5_seconds_and_compile_no_query():
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        lock_timeout = cursor.fetchone()[0]
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]

    assert (lock_timeout, jit) == ("5s", "off")
