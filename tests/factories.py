"""factory_boy factories for every model the tests build."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.db.models import F
from django.utils import timezone

from piquetickets.accounts.models import User, UserProfile
from piquetickets.checkin.models import CheckInSession
from piquetickets.orders.models import Order, TicketAttendee, TicketHold, TicketOrder
from piquetickets.performers.models import Performer
from piquetickets.producers.models import Producer, UserProducerAssociation
from piquetickets.shows.models import Show, Ticket, TicketPromoCode
from piquetickets.subscribers.models import Subscriber
from piquetickets.venues.models import Venue


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")
    profile = factory.RelatedFactory("tests.factories.UserProfileFactory", factory_related_name="user")


class UserProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserProfile

    user = factory.SubFactory(UserFactory, profile=None)
    can_publish_shows = False


class ProducerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Producer

    name = factory.Sequence(lambda n: f"Producer {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserProducerAssociation

    user = factory.SubFactory(UserFactory)
    producer = factory.SubFactory(ProducerFactory)


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Venue {n}")
    address = "1 Main St"
    city = "Chicago"
    state = "IL"


class PerformerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Performer

    name = factory.Sequence(lambda n: f"Performer {n}")


class ShowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Show

    title = factory.Sequence(lambda n: f"Show {n}")
    producer = factory.SubFactory(ProducerFactory)
    venue = factory.SubFactory(VenueFactory)
    start_time = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    end_time = factory.LazyAttribute(lambda s: s.start_time + timedelta(hours=2))
    door_time = factory.LazyAttribute(lambda s: s.start_time - timedelta(minutes=30))
    published = True


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    show = factory.SubFactory(ShowFactory)
    name = "General admission"
    quantity = 100
    price = Decimal("20.00")


class PromoCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketPromoCode

    show = factory.SubFactory(ShowFactory)
    code = factory.Sequence(lambda n: f"CODE{n}")
    discount = Decimal("10")


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    show = factory.SubFactory(ShowFactory)
    provider = Order.Provider.TEST
    first_name = "Alex"
    last_name = "Morgan"
    email = factory.Sequence(lambda n: f"buyer{n}@example.com")


class TicketOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketOrder

    order = factory.SubFactory(OrderFactory)
    ticket = factory.SubFactory(TicketFactory, show=factory.SelfAttribute("..order.show"))
    quantity = 1
    price_per_ticket = Decimal("20.00")
    total_price = Decimal("20.00")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """The order's ``ticket_count`` grows by the line's quantity, as checkout sets it."""
        line = super()._create(model_class, *args, **kwargs)
        Order.objects.filter(pk=line.order_id).update(ticket_count=F("ticket_count") + line.quantity)
        line.order.ticket_count += line.quantity
        return line


class AttendeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketAttendee

    ticket_order = factory.SubFactory(TicketOrderFactory)
    show = factory.SelfAttribute("ticket_order.order.show")
    first_name = "Alex"
    last_name = "Morgan"
    email = "alex@example.com"


class HoldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketHold

    order = factory.SubFactory(OrderFactory)
    ticket = factory.SubFactory(TicketFactory, show=factory.SelfAttribute("..order.show"))
    quantity = 2
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=15))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Counts an active hold on its ticket type's held counter, as checkout does."""
        hold = super()._create(model_class, *args, **kwargs)
        if hold.status == TicketHold.Status.ACTIVE:
            Ticket.objects.filter(pk=hold.ticket_id).update(quantity_held=F("quantity_held") + hold.quantity)
        return hold


class CheckInSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckInSession

    show = factory.SubFactory(ShowFactory)
    label = "Front door"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=8))


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"fan{n}@example.com")
