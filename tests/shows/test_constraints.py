"""The database itself refuses bad show, ticket-type and promo-code rows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from piquetickets.shows.models import Show, Ticket, TicketPromoCode
from tests.factories import PromoCodeFactory, ShowFactory, TicketFactory

pytestmark = pytest.mark.django_db


def refused(model_update) -> str:
    """Run a write that must fail at the database, return the error text; nothing is written."""
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        model_update()
    return str(excinfo.value)


def test_negative_ticket_price_is_refused():
    ticket = TicketFactory()
    refused(lambda: Ticket.objects.filter(pk=ticket.pk).update(price=Decimal("-0.01")))
    ticket.refresh_from_db()
    assert ticket.price == Decimal("20.00")


def test_negative_ticket_quantity_is_refused():
    ticket = TicketFactory()
    refused(lambda: Ticket.objects.filter(pk=ticket.pk).update(quantity=-1))
    assert Ticket.objects.get(pk=ticket.pk).quantity == 100


def test_selling_more_than_the_quantity_is_refused():
    ticket = TicketFactory(quantity=10)
    Ticket.objects.filter(pk=ticket.pk).update(quantity_sold=10)
    refused(lambda: Ticket.objects.filter(pk=ticket.pk).update(quantity_sold=11))
    refused(lambda: Ticket.objects.filter(pk=ticket.pk).update(quantity=9))
    ticket.refresh_from_db()
    assert (ticket.quantity, ticket.quantity_sold) == (10, 10)


def test_zero_price_and_zero_quantity_are_allowed():
    ticket = TicketFactory(price=Decimal("0.00"), quantity=0)
    assert Ticket.objects.filter(pk=ticket.pk, price=0, quantity=0).exists()


def test_sales_window_must_be_ordered():
    ticket = TicketFactory()
    start = ticket.show.start_time - timedelta(days=3)
    refused(lambda: Ticket.objects.filter(pk=ticket.pk).update(sales_start=start, sales_end=start))


def test_doors_after_start_are_refused():
    show = ShowFactory()
    refused(lambda: Show.objects.filter(pk=show.pk).update(door_time=show.start_time + timedelta(minutes=1)))
    Show.objects.filter(pk=show.pk).update(door_time=show.start_time)  # equal is fine
    assert Show.objects.get(pk=show.pk).door_time == show.start_time


def test_end_not_after_start_is_refused():
    show = ShowFactory()
    refused(lambda: Show.objects.filter(pk=show.pk).update(end_time=show.start_time))
    refused(lambda: Show.objects.filter(pk=show.pk).update(end_time=show.start_time - timedelta(hours=1)))


def test_invalid_time_zone_is_refused_at_the_database_and_by_validation():
    show = ShowFactory()
    message = refused(lambda: Show.objects.filter(pk=show.pk).update(time_zone="Mars/Olympus_Mons"))
    assert "show_time_zone_iana" in message or "CHECK" in message.upper()
    show.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError) as excinfo:
        show.full_clean()
    assert "time_zone" in excinfo.value.message_dict
    Show.objects.filter(pk=show.pk).update(time_zone="Europe/Berlin")
    assert Show.objects.get(pk=show.pk).time_zone == "Europe/Berlin"


def test_published_show_needs_a_venue():
    show = ShowFactory(published=False, venue=None)
    refused(lambda: Show.objects.filter(pk=show.pk).update(published=True))


def test_unsupported_currency_is_refused():
    show = ShowFactory()
    refused(lambda: Show.objects.filter(pk=show.pk).update(currency="XXX"))


def test_hold_minutes_out_of_range_are_refused():
    show = ShowFactory()
    refused(lambda: Show.objects.filter(pk=show.pk).update(hold_minutes=0))
    refused(lambda: Show.objects.filter(pk=show.pk).update(hold_minutes=121))


def test_promo_codes_are_unique_per_show_ignoring_case():
    promo = PromoCodeFactory(code="EarlyBird")
    refused(lambda: TicketPromoCode.objects.create(show=promo.show, code="EARLYBIRD", discount=Decimal("5")))
    other_show_promo = PromoCodeFactory(code="earlybird")  # another show may reuse it
    assert other_show_promo.show_id != promo.show_id
    assert TicketPromoCode.objects.filter(code__iexact="earlybird").count() == 2


def test_promo_code_uniqueness_is_reported_by_validation_too():
    promo = PromoCodeFactory(code="SAVE10")
    duplicate = TicketPromoCode(show=promo.show, code="save10", discount=Decimal("5"))
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "This show already has a promo code with that name." in str(excinfo.value)


def test_percentage_discount_over_100_is_refused():
    show = ShowFactory()
    refused(lambda: TicketPromoCode.objects.create(show=show, code="TOOMUCH", discount=Decimal("100.01")))
    fixed = TicketPromoCode.objects.create(show=show, code="BIGFIXED", discount_type="fixed", discount=Decimal("150"))
    assert fixed.pk is not None


def test_promo_code_discount_must_be_positive():
    show = ShowFactory()
    refused(lambda: TicketPromoCode.objects.create(show=show, code="ZERO", discount=Decimal("0")))


def test_promo_code_uses_cannot_exceed_limit():
    promo = PromoCodeFactory(max_uses=2)
    TicketPromoCode.objects.filter(pk=promo.pk).update(times_used=2)
    refused(lambda: TicketPromoCode.objects.filter(pk=promo.pk).update(times_used=3))
    assert TicketPromoCode.objects.get(pk=promo.pk).times_used == 2
