"""Stripe webhooks are checked before anything moves: the payment must be the order's (checkout
session, amount, currency), the body must be shaped like a Stripe event, and the signature must be
no more than five minutes old or ahead."""

import copy
import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from piquetickets.emails.models import EmailTracking
from piquetickets.orders.models import Order, Refund, TicketAttendee, TicketHold
from piquetickets.orders.services import payments_reconcile
from piquetickets.payments.models import WebhookEvent
from piquetickets.shows.models import Ticket
from tests.api.conftest import assert_error
from tests.factories import UserFactory
from tests.payments.flow import SECRET, WEBHOOK, checkout, deliver, onboard
from tests.stripe_server import stripe_signature

# Real commits: fulfilment queues its email after commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

LOGGER = "piquetickets.payments.services"
CHANGELIST = "/admin/payments/webhookevent/"


@pytest.fixture
def pending(api, client, sale, stripe_on):
    """A pending Stripe order for two general admission tickets (USD 44.73) and the
    ``checkout.session.completed`` event Stripe sends once the buyer has paid it."""
    onboard(client, sale, stripe_on)
    order = checkout(api, sale, {"ticket": sale.general.pk, "quantity": 2})
    assert (order.total, order.currency) == (Decimal("44.73"), "USD")
    return order, stripe_on.complete_session(order.session_id)


def altered(event: dict, event_id: str, **session_fields) -> dict:
    """A copy of ``event`` under another event id, with fields of its ``data.object`` changed."""
    changed = copy.deepcopy(event)
    changed["id"] = event_id
    changed["data"]["object"].update(session_fields)
    return changed


def errors_logged(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelname == "ERROR"]


def assert_nothing_fulfilled(order: Order, sale) -> None:
    order.refresh_from_db()
    assert (order.status, order.success, order.time_of_purchase) == ("pending", False, None)
    assert order.payment_intent_id == ""
    assert not TicketAttendee.objects.exists()
    general = Ticket.objects.get(pk=sale.general.pk)
    assert (general.quantity_sold, general.quantity_held) == (0, 2)
    assert TicketHold.objects.get(order=order).status == "active"
    assert mail.outbox == []
    assert not EmailTracking.objects.exists()


MISMATCHES = [
    pytest.param({"amount_total": 50}, "Paid $0.50, but the order's total is $44.73.", id="amount"),
    pytest.param({"currency": "eur"}, "Paid in EUR, but the order is in USD.", id="currency"),
    pytest.param(
        {"currency": "sek", "amount_total": 4473}, "Paid in SEK, but the order is in USD.", id="unknown-currency"
    ),
    pytest.param(
        {"id": "cs_test_someone_else"},
        "Checkout session cs_test_someone_else is not the order's ({session}).",
        id="session",
    ),
]


@pytest.mark.parametrize(("changes", "reason"), MISMATCHES)
def test_a_payment_that_does_not_match_its_order_is_not_fulfilled_but_recorded(
    client, sale, pending, changes, reason, caplog
):
    order, completed = pending
    reason = reason.format(session=order.session_id)
    wrong = altered(completed, "evt_wrong", **changes)

    response = deliver(client, wrong)

    assert response.status_code == 200
    assert response.json() == {"result": "needs_attention"}
    assert_nothing_fulfilled(order, sale)
    event = WebhookEvent.objects.get(event_id="evt_wrong")
    assert (event.status, event.attention_reason, event.order_id, event.error) == (
        "needs_attention",
        reason,
        order.pk,
        "",
    )
    assert event.processed_at is not None
    assert errors_logged(caplog) == [
        f"Stripe event evt_wrong (checkout.session.completed) does not match order {order.uuid}: {reason} "
        "Nothing was fulfilled; settle it in the admin (Webhook events, needs attention)."
    ]
    # delivered again, it is a duplicate and still changes nothing
    assert deliver(client, wrong).json() == {"result": "duplicate"}
    assert_nothing_fulfilled(order, sale)

    # the payment Stripe really took for the order still fulfils it
    assert deliver(client, completed).json() == {"result": "processed"}
    order.refresh_from_db()
    assert (order.status, order.success) == ("paid", True)
    assert TicketAttendee.objects.filter(ticket_order__order=order).count() == 2
    assert Ticket.objects.get(pk=sale.general.pk).quantity_sold == 2
    assert len(mail.outbox) == 1
    assert WebhookEvent.objects.get(event_id=completed["id"]).status == "processed"


def test_a_second_payment_for_an_order_already_paid_needs_attention(client, sale, pending, caplog):
    order, completed = pending
    deliver(client, completed)
    mail.outbox.clear()

    response = deliver(client, altered(completed, "evt_second_session", id="cs_test_second", payment_intent="pi_2"))

    assert response.json() == {"result": "needs_attention"}
    order.refresh_from_db()
    assert (order.status, order.success, order.session_id) == ("paid", True, completed["data"]["object"]["id"])
    assert TicketAttendee.objects.filter(ticket_order__order=order).count() == 2
    assert Ticket.objects.get(pk=sale.general.pk).quantity_sold == 2
    assert mail.outbox == []
    event = WebhookEvent.objects.get(event_id="evt_second_session")
    assert event.attention_reason == f"Checkout session cs_test_second is not the order's ({order.session_id})."
    assert len(errors_logged(caplog)) == 1


def test_the_admin_lists_events_that_need_attention_and_staff_settle_them(admin_client, superuser, sale, pending):
    order, completed = pending
    deliver(admin_client, altered(completed, "evt_short", amount_total=50))
    deliver(admin_client, completed)

    listed = admin_client.get(f"{CHANGELIST}?needs_attention=yes")

    assert listed.status_code == 200
    html = listed.content.decode()
    assert "evt_short" in html
    assert "Paid $0.50, but the order&#x27;s total is $44.73." in html
    assert reverse("admin:orders_order_change", args=[order.pk]) in html
    assert completed["id"] not in html  # processed, nothing to settle
    assert completed["id"] in admin_client.get(f"{CHANGELIST}?needs_attention=no").content.decode()
    page = admin_client.get(
        reverse("admin:payments_webhookevent_change", args=[WebhookEvent.objects.get(event_id="evt_short").pk])
    )
    assert reverse("admin:orders_order_change", args=[order.pk]) in page.content.decode()

    selected = WebhookEvent.objects.filter(event_id__in=["evt_short", completed["id"]]).values_list("pk", flat=True)
    response = admin_client.post(CHANGELIST, {"action": "settle", "_selected_action": list(selected)}, follow=True)

    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "1 event(s) marked settled.",
        "1 event(s) skipped: only events that need attention can be settled.",
    ]
    settled = WebhookEvent.objects.get(event_id="evt_short")
    assert (settled.status, settled.settled_by) == ("settled", superuser)
    assert settled.settled_at is not None
    assert settled.attention_reason == "Paid $0.50, but the order's total is $44.73."
    assert WebhookEvent.objects.get(event_id=completed["id"]).status == "processed"
    assert "evt_short" not in admin_client.get(f"{CHANGELIST}?needs_attention=yes").content.decode()


def test_staff_who_may_only_view_webhook_events_cannot_settle_them(client, sale, pending):
    _order, completed = pending
    deliver(client, altered(completed, "evt_short", amount_total=50))
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_webhookevent"))
    client.force_login(viewer)
    event = WebhookEvent.objects.get(event_id="evt_short")

    assert client.get(f"{CHANGELIST}?needs_attention=yes").status_code == 200
    client.post(CHANGELIST, {"action": "settle", "_selected_action": [event.pk]})

    event.refresh_from_db()
    assert (event.status, event.settled_at, event.settled_by) == ("needs_attention", None, None)


def test_the_needs_attention_list_reads_the_same_number_of_rows_for_one_event_or_many(admin_client, sale, pending):
    _order, completed = pending
    deliver(admin_client, altered(completed, "evt_wrong_0", amount_total=50))
    url = f"{CHANGELIST}?needs_attention=yes"
    with CaptureQueriesContext(connection) as one:
        assert admin_client.get(url).status_code == 200
    for n in range(1, 4):
        deliver(admin_client, altered(completed, f"evt_wrong_{n}", amount_total=50 + n))
    with CaptureQueriesContext(connection) as many:
        assert admin_client.get(url).status_code == 200

    assert len(many) == len(one)


def test_an_expiry_of_another_session_does_not_end_the_order(client, sale, stripe_on, api):
    onboard(client, sale, stripe_on)
    order = checkout(api, sale, {"ticket": sale.general.pk, "quantity": 2})
    other = checkout(api, sale, {"ticket": sale.general.pk, "quantity": 1})
    expired = stripe_on.expire_session(other.session_id)
    expired["data"]["object"]["metadata"]["order"] = str(order.uuid)  # an expiry that names the wrong order

    assert deliver(client, expired).json() == {"result": "ignored"}

    order.refresh_from_db()
    assert order.status == "pending"
    assert TicketHold.objects.get(order=order).status == "active"
    assert WebhookEvent.objects.get(event_id=expired["id"]).status == "ignored"


def test_a_refund_in_another_currency_is_not_recorded_and_needs_attention(client, sale, pending, stripe_on, caplog):
    import stripe

    order, completed = pending
    deliver(client, completed)
    order.refresh_from_db()
    sdk = stripe.StripeClient("sk_test_dashboard", base_addresses={"api": stripe_on.url}, max_network_retries=0)
    refund = sdk.v1.refunds.create(params={"payment_intent": order.payment_intent_id})
    refunded = stripe_on.refund_event(refund.id)

    response = deliver(client, altered(refunded, "evt_refund_eur", currency="eur"))

    assert response.json() == {"result": "needs_attention"}
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("paid", Decimal("0.00"))
    assert not Refund.objects.exists()
    assert TicketAttendee.objects.filter(ticket_order__order=order, status="valid").count() == 2
    event = WebhookEvent.objects.get(event_id="evt_refund_eur")
    assert (event.status, event.attention_reason, event.order_id) == (
        "needs_attention",
        "Paid in EUR, but the order is in USD.",
        order.pk,
    )
    assert len(errors_logged(caplog)) == 1
    # the refund as Stripe really reported it is recorded
    assert deliver(client, refunded).json() == {"result": "processed"}
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("refunded", Decimal("44.73"))


def test_reconciliation_does_not_fulfil_a_payment_that_does_not_match(api, client, sale, stripe_on, caplog):
    onboard(client, sale, stripe_on)
    order = checkout(api, sale, {"ticket": sale.general.pk, "quantity": 2})
    stripe_on.complete_session(order.session_id)  # paid at Stripe (USD 44.73), event lost
    Order.objects.filter(pk=order.pk).update(total=Decimal("54.73"))  # the order no longer says what was paid
    later = timezone.now() + timedelta(minutes=20)

    assert payments_reconcile(now=later) == 1

    order.refresh_from_db()
    assert (order.status, order.success, order.payment_intent_id) == ("pending", False, "")
    assert not TicketAttendee.objects.exists()
    assert Ticket.objects.get(pk=sale.general.pk).quantity_sold == 0
    assert mail.outbox == []
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == [
        f"Reconciling order {order.uuid}: the payment does not match the order, so it was not fulfilled: "
        "Paid $44.73, but the order's total is $54.73. Settle it in the admin (Webhook events, needs attention)."
    ]
    # Recorded for a person, like a webhook's mismatch, and not asked about (nor logged) again.
    record = WebhookEvent.objects.get(order=order)
    assert (record.provider, record.status, record.type) == (
        "reconciliation",
        "needs_attention",
        "reconciliation.payment_mismatch",
    )
    assert record.attention_reason == "Paid $44.73, but the order's total is $54.73."
    assert record.payload["amount"] == "44.73"
    caplog.clear()
    assert payments_reconcile(now=later) == 0
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert WebhookEvent.objects.filter(order=order).count() == 1


def test_reconciliation_leaves_an_order_whose_payment_needs_attention_to_staff(client, sale, pending):
    order, completed = pending
    deliver(client, altered(completed, "evt_short", amount_total=50))
    later = timezone.now() + timedelta(minutes=20)

    assert payments_reconcile(now=later) == 0

    assert_nothing_fulfilled(order, sale)


# --- bodies that are signed but not shaped like a Stripe event -----------------------------------

SESSION = {"id": "cs_test_1", "object": "checkout.session"}
ODD_BODIES = [
    pytest.param(b"not json", "The event is not JSON.", None, id="not-json"),
    pytest.param([], "The event must be a JSON object.", None, id="array"),
    pytest.param(
        {"type": "checkout.session.completed", "created": 1, "data": {"object": SESSION}},
        "The event has no id.",
        None,
        id="no-id",
    ),
    pytest.param(
        {"id": 7, "type": "x", "created": 1, "data": {"object": SESSION}}, "The event has no id.", None, id="number-id"
    ),
    pytest.param(
        {"id": "evt_no_type", "created": 1, "data": {"object": SESSION}},
        "The event has no type.",
        "evt_no_type",
        id="no-type",
    ),
    pytest.param(
        {"id": "evt_no_created", "type": "checkout.session.completed", "data": {"object": SESSION}},
        "The event has no created time.",
        "evt_no_created",
        id="no-created",
    ),
    pytest.param(
        {"id": "evt_no_data", "type": "checkout.session.completed", "created": 1},
        "The event has no data.object.",
        "evt_no_data",
        id="no-data",
    ),
    pytest.param(
        {"id": "evt_no_object", "type": "checkout.session.completed", "created": 1, "data": {}},
        "The event has no data.object.",
        "evt_no_object",
        id="no-object",
    ),
    pytest.param(
        {
            "id": "evt_string_object",
            "type": "checkout.session.completed",
            "created": 1,
            "data": {"object": "cs_test_1"},
        },
        "The event's data.object must be a JSON object.",
        "evt_string_object",
        id="string-object",
    ),
    pytest.param(
        {"id": "evt_no_session_id", "type": "checkout.session.completed", "created": 1, "data": {"object": {}}},
        "The event's data.object.id is missing.",
        "evt_no_session_id",
        id="object-without-id",
    ),
    pytest.param(
        {
            "id": "evt_string_metadata",
            "type": "checkout.session.completed",
            "created": 1,
            "data": {"object": SESSION | {"metadata": "order"}},
        },
        "The event's data.object.metadata must be a JSON object.",
        "evt_string_metadata",
        id="string-metadata",
    ),
    pytest.param(
        {
            "id": "evt_text_amount",
            "type": "charge.refunded",
            "created": 1,
            "data": {"object": {"id": "ch_1", "amount_refunded": "100"}},
        },
        "The event's data.object.amount_refunded must be a whole number.",
        "evt_text_amount",
        id="text-amount",
    ),
]


def post_signed(client, body: bytes, timestamp: int | None = None):
    signature = stripe_signature(body, SECRET, timestamp=timestamp)
    return client.post(WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)


@pytest.mark.parametrize(("body", "detail", "stored_as"), ODD_BODIES)
def test_a_signed_body_not_shaped_like_an_event_is_refused_with_400(client, stripe_on, body, detail, stored_as, caplog):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()

    first = post_signed(client, raw)
    again = post_signed(client, raw)  # Stripe retries: the same answer, still one row

    for response in (first, again):
        assert_error(response, 400, "invalid_event", detail)
    if stored_as is None:
        assert not WebhookEvent.objects.exists()
    else:
        event = WebhookEvent.objects.get()
        assert (event.event_id, event.status, event.error, event.processed_at) == (stored_as, "failed", detail, None)
        assert event.payload == body
    logged = [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelname == "ERROR"]
    stored = f"stored as failed event {stored_as}" if stored_as else "not stored: it has no id"
    assert logged == [f"Refused a signed Stripe webhook ({stored}): {detail}"] * 2


def test_the_openapi_description_lists_the_webhook_answers(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    webhook = schema["paths"]["/api/v1/stripe/webhook/"]["post"]["responses"]

    assert "invalid_event" in webhook["400"]["description"]
    assert "invalid_signature" in webhook["400"]["description"]
    assert webhook["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/WebhookResult"}
    result = schema["components"]["schemas"]["WebhookResultResultEnum"]
    assert result["enum"] == ["processed", "duplicate", "ignored", "needs_attention"]


# --- signature timestamps ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "status"),
    [(6 * 60, 400), (-6 * 60, 400), (4 * 60, 200), (-4 * 60, 200)],
    ids=["6-min-ahead", "6-min-old", "4-min-ahead", "4-min-old"],
)
def test_a_signature_is_accepted_only_within_five_minutes_either_side(client, sale, pending, offset, status):
    order, completed = pending
    before = WebhookEvent.objects.count()

    response = post_signed(client, json.dumps(completed).encode(), timestamp=int(time.time()) + offset)

    order.refresh_from_db()
    if status == 400:
        assert_error(response, 400, "invalid_signature", "The webhook signature is missing or not valid.")
        assert WebhookEvent.objects.count() == before
        assert_nothing_fulfilled(order, sale)
    else:
        assert response.json() == {"result": "processed"}
        assert (order.status, order.success) == ("paid", True)
