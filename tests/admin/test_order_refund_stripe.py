"""The admin's refund page for a Stripe-paid order: the official SDK talks HTTP to the local
Stripe-compatible server, as the refund API's path does."""

from decimal import Decimal

import pytest
from django.urls import reverse

from piquetickets.orders.models import Order, Refund, TicketAttendee
from piquetickets.producers.models import ProducerFinancial
from piquetickets.shows.models import Ticket
from tests.admin.refunding import attendees_of, confirm, confirmation_fields, review
from tests.api.conftest import client_for
from tests.payments.flow import deliver
from tests.selling import cart

# Real commits: the refund service calls Stripe after its transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)


def stripe_paid_order(api, client, sale, server, quantity: int) -> Order:
    """The producer onboards through the API, a buyer checks out, and Stripe reports the payment."""
    owner = client_for(sale.owner)
    owner.post(
        f"/api/v1/producers/{sale.show.producer.slug}/payouts/onboarding/",
        {"return_url": "https://tickets.example/back/", "refresh_url": "https://tickets.example/retry/"},
        format="json",
    )
    account = ProducerFinancial.objects.get(producer=sale.show.producer).stripe_account_id
    deliver(client, server.complete_onboarding(account))
    response = api.post(
        "/api/v1/checkout/create-session/", cart(sale, {"ticket": sale.general.pk, "quantity": quantity}), format="json"
    )
    order = Order.objects.get(uuid=response.json()["order"])
    deliver(client, server.complete_session(order.session_id))
    order.refresh_from_db()
    assert (order.provider, order.success) == ("stripe", True)
    return order


def test_refunding_chosen_tickets_of_a_stripe_order_refunds_their_share_at_stripe(
    api, client, sale, stripe_on, admin_client
):
    order = stripe_paid_order(api, client, sale, stripe_on, quantity=3)
    first = attendees_of(order)[0]
    fields = confirmation_fields(review(admin_client, order, what="tickets", attendees=[first.uuid]).content.decode())

    response = confirm(admin_client, order, fields)

    assert response.status_code == 303
    refund_calls = [r for r in stripe_on.requests if r.path == "/v1/refunds"]
    assert len(refund_calls) == 1
    assert refund_calls[0].params["amount"] == "2000"
    refund = Refund.objects.get(order=order)
    assert (refund.amount, refund.status) == (Decimal("20.00"), "succeeded")
    assert refund.provider_refund_id.startswith("re_")
    assert TicketAttendee.objects.get(pk=first.pk).status == "refunded"
    assert Ticket.objects.get(pk=sale.general.pk).quantity_sold == 2


def test_a_refund_stripe_refuses_is_shown_on_the_page_and_undone(api, client, sale, stripe_on, admin_client):
    order = stripe_paid_order(api, client, sale, stripe_on, quantity=2)
    fields = confirmation_fields(review(admin_client, order, what="whole", reason="Cancelled").content.decode())
    stripe_on.fail_next(
        "POST", "/v1/refunds", status=402, error_type="invalid_request_error", message="Charge ch_1 is disputed."
    )

    response = confirm(admin_client, order, fields)

    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == ["Charge ch_1 is disputed."]
    html = response.content.decode()
    assert "<li>Charge ch_1 is disputed.</li>" in html
    assert "Cancelled</textarea>" in html
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("paid", Decimal("0.00"))
    assert Refund.objects.get(order=order).status == "failed"  # the service keeps the failed attempt
    assert TicketAttendee.objects.filter(ticket_order__order=order, status="valid").count() == 2
    assert Ticket.objects.get(pk=sale.general.pk).quantity_sold == 2
    assert reverse("admin:orders_order_change", args=[order.pk]) in response.content.decode()
