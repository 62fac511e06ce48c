"""Selling through Stripe: the official SDK talks HTTP to the local Stripe-compatible server, and
webhooks arrive signed with Stripe's scheme."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from piquetickets.orders.models import Order, Refund, TicketAttendee, TicketHold
from piquetickets.orders.services import order_refund, payments_reconcile
from piquetickets.payments.models import WebhookEvent
from piquetickets.producers.models import ProducerFinancial
from piquetickets.shows.models import Ticket
from tests.api.conftest import assert_error, client_for
from tests.payments.flow import CHECKOUT, SECRET, WEBHOOK, checkout, deliver, onboard
from tests.selling import cart
from tests.stripe_server import stripe_signature

# Real commits: fulfilment queues its email after commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def test_onboarding_creates_one_express_account_and_the_webhook_enables_payouts(client, sale, stripe_on):
    account = onboard(client, sale, stripe_on)

    financial = ProducerFinancial.objects.get(producer=sale.show.producer)
    assert (financial.charges_enabled, financial.payouts_enabled, financial.onboarding_completed) == (True, True, True)
    created = [r for r in stripe_on.requests if r.method == "POST" and r.path == "/v1/accounts"]
    assert len(created) == 1
    assert created[0].params["type"] == "express"
    assert created[0].params["metadata"] == {"producer": sale.show.producer.slug}
    # a second onboarding link reuses the account
    owner = client_for(sale.owner)
    again = owner.post(
        f"/api/v1/producers/{sale.show.producer.slug}/payouts/onboarding/",
        {"return_url": "https://tickets.example/a/", "refresh_url": "https://tickets.example/b/"},
        format="json",
    )
    assert again.status_code == 200
    assert len([r for r in stripe_on.requests if r.path == "/v1/accounts"]) == 1
    status = owner.get(f"/api/v1/producers/{sale.show.producer.slug}/payouts/?refresh=1").json()
    assert status["stripe_account_id"] == account
    assert status["charges_enabled"] is True


def test_an_older_account_update_arriving_late_does_not_roll_back(client, sale, stripe_on):
    account = onboard(client, sale, stripe_on)
    stale = stripe_on.update_account(account, charges_enabled=False)
    stale["created"] -= 3600

    assert deliver(client, stale).status_code == 200
    assert ProducerFinancial.objects.get(producer=sale.show.producer).charges_enabled is True


def test_someone_else_cannot_onboard_or_read_a_producers_payouts(client, sale, stripe_on):
    from tests.factories import MembershipFactory

    stranger = client_for(MembershipFactory(user__username="stranger").user)
    slug = sale.show.producer.slug
    body = {"return_url": "https://x.example/", "refresh_url": "https://x.example/"}
    assert_error(stranger.post(f"/api/v1/producers/{slug}/payouts/onboarding/", body, format="json"), 403,
                 "permission_denied")  # fmt: skip
    assert_error(stranger.get(f"/api/v1/producers/{slug}/payouts/"), 403, "permission_denied")
    assert not stripe_on.requests
    assert_error(client_for(sale.owner).post(f"/api/v1/producers/{slug}/payouts/onboarding/", {}, format="json"),
                 400, "invalid")  # fmt: skip


def test_checkout_creates_a_destination_charge_session_that_matches_the_hold(api, client, sale, stripe_on):
    account = onboard(client, sale, stripe_on)

    order = checkout(api, sale, {"ticket": sale.general.pk, "quantity": 2}, promo_code="LAUGH10")

    session_calls = [r for r in stripe_on.requests if r.path == "/v1/checkout/sessions" and r.method == "POST"]
    assert len(session_calls) == 1
    params = session_calls[0].params
    assert session_calls[0].idempotency_key == f"checkout-session-{order.uuid}"
    assert params["mode"] == "payment"
    assert params["customer_email"] == "alex@example.com"
    assert params["metadata"] == {"order": str(order.uuid), "show": str(sale.show.pk)}
    assert params["line_items"] == [
        {
            "price_data": {
                "currency": "usd",
                "unit_amount": "1800",
                "product_data": {"name": "General admission — Friday Laughs"},
            },
            "quantity": "2",
        },
        {"price_data": {"currency": "usd", "unit_amount": "449", "product_data": {"name": "Booking fee"}},
         "quantity": "1"},
    ]  # fmt: skip
    assert order.total == Decimal("40.49")
    assert params["payment_intent_data"]["application_fee_amount"] == "449"
    assert params["payment_intent_data"]["transfer_data"] == {"destination": account}
    # Stripe needs 30 minutes at least; the hold is shorter and the session is expired when it ends
    expires = int(params["expires_at"])
    assert expires >= int((timezone.now() + timedelta(minutes=30)).timestamp())
    assert order.session_id.startswith("cs_test_")
    assert order.status == "pending"


def test_completed_payment_fulfils_once_despite_duplicates_and_reversed_order(api, client, sale, stripe_on):
    onboard(client, sale, stripe_on)
    order = checkout(api, sale, {"ticket": sale.general.pk, "quantity": 3})
    completed = stripe_on.complete_session(order.session_id)

    answers = [deliver(client, completed).json()["result"] for _ in range(3)]

    assert answers == ["processed", "duplicate", "duplicate"]
    order.refresh_from_db()
    assert (order.status, order.success) == ("paid", True)
    assert order.payment_intent_id.startswith("pi_")
    assert TicketAttendee.objects.filter(ticket_order__order=order).count() == 3
    assert Ticket.objects.get(pk=sale.general.pk).quantity_sold == 3
    assert len(mail.outbox) == 1
    # an expiry event for the same session arriving after its completion changes nothing
    expired = dict(completed, id="evt_late_expiry", type="checkout.session.expired")
    assert deliver(client, expired).json()["result"] == "processed"
    order.refresh_from_db()
    assert order.status == "paid"
    assert WebhookEvent.objects.filter(processed_at__isnull=False).count() == 3  # account + completed + expired


def test_expiry_then_completion_delivered_in_reverse_is_a_late_payment(api, client, sale, stripe_on):
    onboard(client, sale, stripe_on)
    order = checkout(api, sale, {"ticket": sale.general.pk, "quantity": 1})
    completed = stripe_on.complete_session(order.session_id)
    expired = dict(completed, id="evt_expired_first", type="checkout.session.expired")

    deliver(client, expired)
    assert Order.objects.get(pk=order.pk).status == "expired"
    deliver(client, completed)

    order.refresh_from_db()
    assert (order.status, order.success) == ("paid", True)  # the tickets were still there
    assert TicketAttendee.objects.filter(ticket_order__order=order).count() == 1


def test_a_bad_signature_is_refused_and_changes_nothing(api, client, sale, stripe_on):
    onboard(client, sale, stripe_on)
    order = checkout(api, sale)
    event = stripe_on.complete_session(order.session_id)
    body = json.dumps(event).encode()
    before = WebhookEvent.objects.count()

    wrong_secret = client.post(
        WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=stripe_signature(body, "whsec_wrong")
    )
    tampered = client.post(
        WEBHOOK,
        body.replace(b'"paid"', b'"PAID"'),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(body, SECRET),
    )
    missing = client.post(WEBHOOK, body, content_type="application/json")
    stale = client.post(
        WEBHOOK,
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_signature(body, SECRET, timestamp=int(timezone.now().timestamp()) - 3600),
    )

    for response in (wrong_secret, tampered, missing, stale):
        assert_error(response, 400, "invalid_signature", "The webhook signature is missing or not valid.")
    assert WebhookEvent.objects.count() == before
    assert Order.objects.get(pk=order.pk).status == "pending"
    assert not TicketAttendee.objects.exists()


def test_a_session_expiring_releases_the_hold(api, client, sale, stripe_on):
    onboard(client, sale, stripe_on)
    order = checkout(api, sale, {"ticket": sale.vip.pk, "quantity": 10})

    deliver(client, stripe_on.expire_session(order.session_id))

    order.refresh_from_db()
    assert order.status == "expired"
    assert TicketHold.objects.get(order=order).status == "released"
    checkout(api, sale, {"ticket": sale.vip.pk, "quantity": 10})


def test_a_declined_card_keeps_the_order_pending_for_another_try(api, client, sale, stripe_on):
    onboard(client, sale, stripe_on)
    order = checkout(api, sale)

    response = deliver(client, stripe_on.fail_payment(order.session_id))

    assert response.json() == {"result": "processed"}
    assert Order.objects.get(pk=order.pk).status == "pending"
    deliver(client, stripe_on.complete_session(order.session_id))
    assert Order.objects.get(pk=order.pk).status == "paid"


def test_a_late_payment_without_tickets_left_is_refunded_through_stripe(api, client, sale, stripe_on):
    onboard(client, sale, stripe_on)
    late = checkout(api, sale, {"ticket": sale.vip.pk, "quantity": 6})
    Order.objects.filter(pk=late.pk).update(hold_expires_at=timezone.now() - timedelta(seconds=1))
    TicketHold.objects.filter(order=late).update(expires_at=timezone.now() - timedelta(seconds=1))
    other = checkout(api, sale, {"ticket": sale.vip.pk, "quantity": 5})
    deliver(client, stripe_on.complete_session(other.session_id))
    mail.outbox.clear()

    deliver(client, stripe_on.complete_session(late.session_id))

    late.refresh_from_db()
    assert (late.status, late.success, late.refunded_amount) == ("refunded", False, late.total)
    refunds = [r for r in stripe_on.requests if r.path == "/v1/refunds"]
    assert len(refunds) == 1
    assert refunds[0].params["payment_intent"] == late.payment_intent_id
    assert refunds[0].params["amount"] == str(int(late.total * 100))
    assert refunds[0].params["reverse_transfer"] == "true"
    refund = Refund.objects.get(order=late)
    assert (refund.status, refund.provider_refund_id[:3]) == ("succeeded", "re_")
    assert Ticket.objects.get(pk=sale.vip.pk).quantity_sold == 5
    assert len(mail.outbox) == 1
    assert "refund" in mail.outbox[0].subject.lower()


def test_reconciliation_fulfils_a_payment_whose_webhook_never_came(api, client, sale, stripe_on):
    onboard(client, sale, stripe_on)
    order = checkout(api, sale, {"ticket": sale.general.pk, "quantity": 2})
    untouched = checkout(api, sale, {"ticket": sale.general.pk, "quantity": 1})
    stripe_on.complete_session(order.session_id)  # paid at Stripe, event lost
    later = timezone.now() + timedelta(minutes=20)

    assert payments_reconcile(now=later) == 1
    assert payments_reconcile(now=later) == 0

    order.refresh_from_db()
    assert (order.status, order.success) == ("paid", True)
    assert TicketAttendee.objects.filter(ticket_order__order=order).count() == 2
    assert Order.objects.get(pk=untouched.pk).success is False


def test_a_producer_without_payouts_cannot_sell_and_nothing_is_held(api, sale, stripe_on):
    response = api.post(CHECKOUT, cart(sale), format="json")

    assert_error(
        response,
        409,
        "payments_not_ready",
        "This producer hasn't finished setting up payouts, so tickets can't be sold yet.",
    )
    assert not Order.objects.exists()
    assert not TicketHold.objects.exists()
    assert not stripe_on.requests


def test_stripe_refusing_the_session_cancels_the_order_and_frees_the_tickets(api, client, sale, stripe_on):
    onboard(client, sale, stripe_on)
    stripe_on.fail_next("POST", "/v1/checkout/sessions", status=500)

    response = api.post(CHECKOUT, cart(sale, {"ticket": sale.vip.pk, "quantity": 10}), format="json")

    assert_error(response, 502, "payment_provider_error")
    order = Order.objects.get()
    assert order.status == "cancelled"
    assert TicketHold.objects.get().status == "released"
    checkout(api, sale, {"ticket": sale.vip.pk, "quantity": 10})


def test_producer_refunds_go_through_stripe(api, client, sale, stripe_on):
    onboard(client, sale, stripe_on)
    order = checkout(api, sale, {"ticket": sale.general.pk, "quantity": 3})
    deliver(client, stripe_on.complete_session(order.session_id))
    first = TicketAttendee.objects.filter(ticket_order__order=order).order_by("pk").first()
    owner = client_for(sale.owner)

    partial = owner.post(f"/api/v1/orders/{order.uuid}/refund/", {"attendees": [str(first.uuid)]}, format="json")

    assert partial.status_code == 201, partial.content
    assert partial.json()["amount"] == "20.00"
    assert partial.json()["status"] == "succeeded"
    refund_call = [r for r in stripe_on.requests if r.path == "/v1/refunds"][-1]
    assert refund_call.params["amount"] == "2000"
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("partially_refunded", Decimal("20.00"))
    assert TicketAttendee.objects.get(pk=first.pk).status == "refunded"
    assert Ticket.objects.get(pk=sale.general.pk).quantity_sold == 2

    # Stripe's charge.refunded for our own refund changes nothing more
    refund_id = refund_call and Refund.objects.get(order=order).provider_refund_id
    assert deliver(client, stripe_on.refund_event(refund_id)).status_code == 200
    assert Refund.objects.filter(order=order).count() == 1

    rest = owner.post(f"/api/v1/orders/{order.uuid}/refund/", {"reason": "Show moved"}, format="json")
    assert rest.status_code == 201
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("refunded", order.total)
    assert not TicketAttendee.objects.filter(ticket_order__order=order, status="valid").exists()
    assert Ticket.objects.get(pk=sale.general.pk).quantity_sold == 0


def test_a_refund_stripe_refuses_is_undone(api, client, sale, stripe_on):
    onboard(client, sale, stripe_on)
    order = checkout(api, sale, {"ticket": sale.general.pk, "quantity": 2})
    deliver(client, stripe_on.complete_session(order.session_id))
    stripe_on.fail_next("POST", "/v1/refunds", status=402, error_type="invalid_request_error")

    response = client_for(sale.owner).post(f"/api/v1/orders/{order.uuid}/refund/", {}, format="json")

    assert_error(response, 502, "payment_provider_error")
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("paid", Decimal("0.00"))
    assert Refund.objects.get(order=order).status == "failed"
    assert TicketAttendee.objects.filter(ticket_order__order=order, status="valid").count() == 2
    assert Ticket.objects.get(pk=sale.general.pk).quantity_sold == 2


def test_a_refund_made_in_stripes_dashboard_is_recorded(api, client, sale, stripe_on):
    import stripe

    onboard(client, sale, stripe_on)
    order = checkout(api, sale, {"ticket": sale.general.pk, "quantity": 2})
    deliver(client, stripe_on.complete_session(order.session_id))
    order.refresh_from_db()
    sdk = stripe.StripeClient("sk_test_dashboard", base_addresses={"api": stripe_on.url}, max_network_retries=0)
    refund = sdk.v1.refunds.create(params={"payment_intent": order.payment_intent_id})

    deliver(client, stripe_on.refund_event(refund.id))
    deliver(client, stripe_on.refund_event(refund.id) | {"id": "evt_retry_with_new_id"})

    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("refunded", order.total)
    recorded = Refund.objects.get(order=order)  # one refund, though two events told of it
    assert (recorded.amount, recorded.status) == (order.total, "succeeded")
    assert refund.amount == int(order.total * 100)
    assert not TicketAttendee.objects.filter(ticket_order__order=order, status="valid").exists()


def test_a_refund_through_the_model_service_checks_amounts(api, client, sale, stripe_on):
    from piquetickets.orders.errors import RefundInvalid

    onboard(client, sale, stripe_on)
    order = checkout(api, sale, {"ticket": sale.general.pk, "quantity": 1})
    with pytest.raises(RefundInvalid, match="never paid"):
        order_refund(order=order)
    deliver(client, stripe_on.complete_session(order.session_id))
    with pytest.raises(RefundInvalid, match="At most"):
        order_refund(order=order, amount=order.total + 1)
    with pytest.raises(RefundInvalid, match="more than zero"):
        order_refund(order=order, amount=Decimal("0"))
    order_refund(order=order)
    with pytest.raises(RefundInvalid, match="already been refunded in full"):
        order_refund(order=order)


def test_the_same_completion_delivered_by_eight_threads_at_once_fulfils_once(api, client, sale, stripe_on):
    import threading

    from django.db import connection
    from django.test import Client

    onboard(client, sale, stripe_on)
    order = checkout(api, sale, {"ticket": sale.general.pk, "quantity": 2})
    completed = stripe_on.complete_session(order.session_id)
    copies = [dict(completed, id=f"evt_copy_{n}") if n % 2 else completed for n in range(8)]
    barrier = threading.Barrier(len(copies))
    statuses = []

    def deliver_one(event):
        try:
            barrier.wait()
            statuses.append(deliver(Client(), event).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver_one, args=(event,)) for event in copies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * 8
    order.refresh_from_db()
    assert (order.status, order.success) == ("paid", True)
    assert TicketAttendee.objects.filter(ticket_order__order=order).count() == 2
    assert Ticket.objects.get(pk=sale.general.pk).quantity_sold == 2
    assert len(mail.outbox) == 1


def test_reconciliation_goes_on_when_stripe_fails_for_one_order(api, client, sale, stripe_on):
    onboard(client, sale, stripe_on)
    first = checkout(api, sale, {"ticket": sale.general.pk, "quantity": 1})
    second = checkout(api, sale, {"ticket": sale.general.pk, "quantity": 1})
    for order in (first, second):
        stripe_on.complete_session(order.session_id)
    stripe_on.fail_next("GET", f"/v1/checkout/sessions/{first.session_id}", status=500)
    later = timezone.now() + timedelta(minutes=20)

    assert payments_reconcile(now=later) == 1
    assert (Order.objects.get(pk=first.pk).success, Order.objects.get(pk=second.pk).success) == (False, True)
    assert payments_reconcile(now=later) == 1
    assert Order.objects.get(pk=first.pk).success is True
