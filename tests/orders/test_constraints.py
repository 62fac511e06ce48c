from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from piquetickets.orders.models import Order, TicketAttendee, TicketHold, TicketOrder
from piquetickets.orders.services import holds_release_expired
from tests.factories import AttendeeFactory, HoldFactory, OrderFactory, TicketOrderFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "field",
    [
        "subtotal",
        "promo_code_discount",
        "payment_processing_fees",
        "platform_fees",
        "total",
        "refunded_amount",
    ],
)
def test_negative_order_money_is_refused(field):
    order = OrderFactory(total=Decimal("10.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(**{field: Decimal("-1.00")})
    assert Order.objects.get(pk=order.pk).total == Decimal("10.00")


def test_refunding_more_than_the_total_is_refused():
    order = OrderFactory(total=Decimal("10.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(refunded_amount=Decimal("10.01"))
    Order.objects.filter(pk=order.pk).update(refunded_amount=Decimal("10.00"))


def test_successful_order_needs_a_purchase_time():
    order = OrderFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(success=True)
    Order.objects.filter(pk=order.pk).update(success=True, time_of_purchase=timezone.now())


def test_order_line_needs_a_positive_quantity_and_non_negative_money():
    line = TicketOrderFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketOrder.objects.filter(pk=line.pk).update(quantity=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketOrder.objects.filter(pk=line.pk).update(discount_amount=Decimal("-1"))


def test_attendee_checked_in_needs_a_time_and_uuids_are_unique():
    attendee = AttendeeFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketAttendee.objects.filter(pk=attendee.pk).update(is_checked_in=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        AttendeeFactory(uuid=attendee.uuid)


def test_order_tokens_are_unguessable_and_unique():
    first, second = OrderFactory(), OrderFactory()
    assert len(first.public_token) >= 43  # 256 bits in URL-safe base64
    assert first.public_token != second.public_token
    assert first.uuid != second.uuid


def test_one_hold_per_order_and_ticket_type_with_positive_quantity():
    hold = HoldFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketHold.objects.create(order=hold.order, ticket=hold.ticket, quantity=1, expires_at=hold.expires_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketHold.objects.filter(pk=hold.pk).update(quantity=0)


def test_release_expired_holds_touches_only_expired_active_holds():
    now = timezone.now()
    expired = HoldFactory(expires_at=now - timezone.timedelta(seconds=1))
    live = HoldFactory(expires_at=now + timezone.timedelta(minutes=5))
    converted = HoldFactory(expires_at=now - timezone.timedelta(minutes=5), status=TicketHold.Status.CONVERTED)

    assert holds_release_expired(now=now) == 1
    assert holds_release_expired(now=now) == 0
    statuses = dict(TicketHold.objects.values_list("pk", "status"))
    assert statuses == {expired.pk: "released", live.pk: "active", converted.pk: "converted"}
