"""The test Stripe server, driven only through the official SDK (stripe 16.x, ``client.v1.*``)."""

import json
import time

import pytest
import stripe

from tests.stripe_server import signed_event, stripe_signature
from tests.stripe_server import stripe_server as stripe_server_fixture  # noqa: F401  (registers the fixture)

WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture
def client(stripe_server):
    return stripe.StripeClient(api_key="sk_test_123", base_addresses={"api": stripe_server.url}, max_network_retries=0)


@pytest.fixture
def producer_account(stripe_server, client):
    """A connected account that finished onboarding, so it can receive transfers."""
    account = client.v1.accounts.create(params={"type": "express", "capabilities": {"transfers": {"requested": True}}})
    stripe_server.complete_onboarding(account.id)
    return account.id


def session_params(destination=None, **overrides):
    params = {
        "mode": "payment",
        "line_items": [
            {"price_data": {"currency": "usd", "unit_amount": 1500, "product_data": {"name": "GA"}}, "quantity": 2},
            {"price_data": {"currency": "usd", "unit_amount": 250, "product_data": {"name": "Fee"}}, "quantity": 1},
        ],
        "success_url": "https://tickets.example/orders/abc/success",
        "cancel_url": "https://tickets.example/orders/abc/cancel",
        "customer_email": "alex@example.com",
        "client_reference_id": "order-abc",
        "metadata": {"order": "abc"},
        "expires_at": int(time.time()) + 45 * 60,
        "payment_intent_data": {"metadata": {"order": "abc", "kind": "tickets"}},
    }
    if destination:
        params["payment_intent_data"] |= {"application_fee_amount": 400, "transfer_data": {"destination": destination}}
    return params | overrides


def paid_session(stripe_server, client, destination):
    session = client.v1.checkout.sessions.create(params=session_params(destination))
    stripe_server.complete_session(session.id)
    return client.v1.checkout.sessions.retrieve(session.id)


def test_account_is_created_not_onboarded_and_gets_an_onboarding_link(stripe_server, client):
    account = client.v1.accounts.create(
        params={
            "type": "express",
            "country": "US",
            "email": "producer@example.com",
            "business_type": "individual",
            "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
            "metadata": {"producer": "7"},
        }
    )

    assert account.id.startswith("acct_")
    assert (account.object, account.type, account.email, account.livemode) == (
        "account",
        "express",
        "producer@example.com",
        False,
    )
    assert (account.charges_enabled, account.payouts_enabled, account.details_submitted) == (False, False, False)
    assert account.capabilities.to_dict() == {"card_payments": "inactive", "transfers": "inactive"}
    assert "external_account" in account.requirements.currently_due
    assert account.metadata.to_dict() == {"producer": "7"}
    assert client.v1.accounts.retrieve(account.id).to_dict() == account.to_dict()

    link = client.v1.account_links.create(
        params={
            "account": account.id,
            "refresh_url": "https://tickets.example/producer/stripe/refresh",
            "return_url": "https://tickets.example/producer/stripe/return",
            "type": "account_onboarding",
        }
    )

    assert link.object == "account_link"
    assert link.url == f"{stripe_server.url}/connect/onboard/{account.id}"
    assert link.expires_at == link.created + 300


@pytest.mark.parametrize(
    ("change", "param", "code"),
    [
        ({"account": "acct_missing"}, "account", "resource_missing"),
        ({"return_url": None}, "return_url", "parameter_missing"),
        ({"refresh_url": "/relative"}, "refresh_url", "url_invalid"),
    ],
)
def test_account_link_refuses_unknown_account_and_bad_urls(client, change, param, code):
    account = client.v1.accounts.create(params={"type": "express"})
    params = {
        "account": account.id,
        "refresh_url": "https://tickets.example/refresh",
        "return_url": "https://tickets.example/return",
        "type": "account_onboarding",
    } | change

    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.account_links.create(params=params)

    assert (error.value.http_status, error.value.param, error.value.code) == (400, param, code)


def test_update_account_returns_account_updated_event(stripe_server, client):
    account = client.v1.accounts.create(params={"type": "express"})

    event = stripe_server.update_account(account.id, charges_enabled=True)

    assert (event["type"], event["object"], event["livemode"]) == ("account.updated", "event", False)
    assert event["data"]["object"]["charges_enabled"] is True
    assert event["data"]["previous_attributes"] == {"charges_enabled": False}
    assert client.v1.accounts.retrieve(account.id).charges_enabled is True
    assert stripe_server.events == [event]
    with pytest.raises(KeyError):
        stripe_server.update_account(account.id, chargez_enabled=True)


def test_checkout_session_with_destination_and_fee_reads_back(stripe_server, client, producer_account):
    params = session_params(producer_account)

    session = client.v1.checkout.sessions.create(params=params)

    assert session.id.startswith("cs_test_")
    assert session.object == "checkout.session"
    assert session.url == f"{stripe_server.url}/pay/{session.id}"
    assert (session.status, session.payment_status, session.payment_intent) == ("open", "unpaid", None)
    assert (session.amount_total, session.currency) == (3250, "usd")
    assert session.expires_at == params["expires_at"]
    assert session.metadata["order"] == "abc"
    assert session.client_reference_id == "order-abc"
    assert session.customer_details.email == "alex@example.com"
    assert client.v1.checkout.sessions.retrieve(session.id).to_dict() == session.to_dict()

    sent = stripe_server.requests[-2]  # the create; the last one is the retrieve
    assert (sent.method, sent.path) == ("POST", "/v1/checkout/sessions")
    assert sent.params["line_items"][0] == {
        "price_data": {"currency": "usd", "unit_amount": "1500", "product_data": {"name": "GA"}},
        "quantity": "2",
    }
    assert sent.params["payment_intent_data"]["transfer_data"] == {"destination": producer_account}
    assert sent.idempotency_key
    assert sent.headers["Authorization"] == "Bearer sk_test_123"


@pytest.mark.parametrize(
    ("make_params", "param", "code"),
    [
        (lambda: session_params("acct_missing"), "payment_intent_data[transfer_data][destination]", "resource_missing"),
        (lambda: session_params() | {"mode": None}, "mode", "parameter_missing"),
        (lambda: session_params() | {"success_url": "orders/abc"}, "success_url", "url_invalid"),
        (lambda: session_params() | {"sucess_url": "https://x.example"}, "sucess_url", "parameter_unknown"),
        (
            lambda: session_params() | {"payment_intent_data": {"application_fee_amount": 100}},
            "payment_intent_data[application_fee_amount]",
            None,
        ),
    ],
    ids=["unknown-destination", "no-mode", "relative-url", "typo", "fee-without-destination"],
)
def test_checkout_session_refuses_what_stripe_refuses(client, make_params, param, code):
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.checkout.sessions.create(params=make_params())

    assert (error.value.http_status, error.value.param, error.value.code) == (400, param, code)


def test_checkout_session_refuses_fee_above_total_and_destination_not_onboarded(stripe_server, client):
    account = client.v1.accounts.create(params={"type": "express", "capabilities": {"transfers": {"requested": True}}})
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.checkout.sessions.create(params=session_params(account.id))
    assert error.value.code == "insufficient_capabilities_for_transfer"

    stripe_server.complete_onboarding(account.id)
    params = session_params(account.id)
    params["payment_intent_data"]["application_fee_amount"] = 3251
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.checkout.sessions.create(params=params)
    assert error.value.param == "payment_intent_data[application_fee_amount]"

    params["payment_intent_data"]["application_fee_amount"] = 3250
    assert client.v1.checkout.sessions.create(params=params).amount_total == 3250


@pytest.mark.parametrize(
    ("lifetime", "message"),
    [
        (15 * 60, "must be at least 30 minutes from Checkout Session creation"),
        (25 * 60 * 60, "must be less than 24 hours from Checkout Session creation"),
    ],
)
def test_expires_at_outside_stripe_window_is_invalid_request(client, lifetime, message):
    params = session_params(expires_at=int(time.time()) + lifetime)

    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.checkout.sessions.create(params=params)

    assert (error.value.http_status, error.value.param) == (400, "expires_at")
    assert message in error.value.user_message


def test_expires_at_minimum_is_configurable(stripe_server, client):
    stripe_server.min_session_lifetime = 15 * 60
    expires_at = int(time.time()) + 15 * 60

    session = client.v1.checkout.sessions.create(params=session_params(expires_at=expires_at))

    assert session.expires_at == expires_at
    assert client.v1.checkout.sessions.create(params=session_params(expires_at=None)).expires_at >= expires_at


def test_completed_session_has_payment_intent_and_charge(stripe_server, client, producer_account):
    session = client.v1.checkout.sessions.create(params=session_params(producer_account))

    event = stripe_server.complete_session(session.id)

    assert event["id"].startswith("evt_")
    assert (event["object"], event["type"], event["livemode"]) == ("event", "checkout.session.completed", False)
    assert event["api_version"] == stripe.api_version
    assert abs(event["created"] - time.time()) < 5
    completed = event["data"]["object"]
    assert (completed["id"], completed["status"], completed["payment_status"]) == (session.id, "complete", "paid")
    assert completed["url"] is None

    session = client.v1.checkout.sessions.retrieve(session.id)
    assert (session.status, session.payment_status) == ("complete", "paid")
    intent = client.v1.payment_intents.retrieve(session.payment_intent)
    assert intent.id.startswith("pi_")
    assert (intent.status, intent.amount, intent.amount_received) == ("succeeded", 3250, 3250)
    assert intent.application_fee_amount == 400
    assert intent.transfer_data.destination == producer_account
    assert intent.metadata.to_dict() == {"order": "abc", "kind": "tickets"}  # payment_intent_data[metadata]
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert charge.id.startswith("ch_")
    assert (charge.amount, charge.amount_refunded, charge.refunded, charge.paid) == (3250, 0, False, True)
    assert (charge.payment_intent, charge.application_fee_amount) == (intent.id, 400)

    listed = client.v1.checkout.sessions.list(params={"payment_intent": intent.id})
    assert [s.id for s in listed.data] == [session.id]
    expanded = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent.latest_charge"]})
    assert expanded.payment_intent.latest_charge.id == charge.id
    with pytest.raises(ValueError, match="only open sessions"):
        stripe_server.complete_session(session.id)


def test_refund_part_then_rest_then_nothing_left(stripe_server, client, producer_account):
    session = paid_session(stripe_server, client, producer_account)

    first = client.v1.refunds.create(
        params={"payment_intent": session.payment_intent, "amount": 1000, "reason": "requested_by_customer"}
    )
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create(params={"payment_intent": session.payment_intent, "amount": 2251})
    rest = client.v1.refunds.create(params={"charge": first.charge, "reverse_transfer": True})
    with pytest.raises(stripe.InvalidRequestError) as nothing_left:
        client.v1.refunds.create(params={"payment_intent": session.payment_intent, "amount": 1})

    assert first.id.startswith("re_")
    assert (first.object, first.status, first.amount) == ("refund", "succeeded", 1000)
    assert first.reason == "requested_by_customer"
    assert (rest.amount, rest.payment_intent) == (2250, session.payment_intent)
    assert rest.transfer_reversal.startswith("trr_")
    assert (too_much.value.http_status, too_much.value.param) == (400, "amount")
    assert too_much.value.code == "amount_too_large"
    assert (nothing_left.value.http_status, nothing_left.value.code) == (400, "charge_already_refunded")
    charge = client.v1.charges.retrieve(first.charge)
    assert (charge.amount_refunded, charge.refunded) == (3250, True)
    assert client.v1.refunds.retrieve(rest.id).amount == 2250

    refunded = [e for e in stripe_server.events if e["type"] == "charge.refunded"]
    assert [e["data"]["object"]["amount_refunded"] for e in refunded] == [1000, 3250]
    assert stripe_server.refund_event(first.id) == refunded[0]
    assert refunded[0]["data"]["previous_attributes"] == {"amount_refunded": 0, "refunded": False}


def test_expire_session_by_api_and_by_test_control(stripe_server, client):
    by_api = client.v1.checkout.sessions.create(params=session_params())
    by_control = client.v1.checkout.sessions.create(params=session_params())

    expired = client.v1.checkout.sessions.expire(by_api.id)
    event = stripe_server.expire_session(by_control.id)

    assert (expired.status, expired.url) == ("expired", None)
    assert (event["type"], event["data"]["object"]["id"]) == ("checkout.session.expired", by_control.id)
    assert [e["data"]["object"]["id"] for e in stripe_server.events] == [by_api.id, by_control.id]
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.checkout.sessions.expire(by_api.id)
    assert error.value.http_status == 400
    with pytest.raises(ValueError, match="expired"):
        stripe_server.complete_session(by_control.id)


def test_failed_payment_event_then_buyer_pays(stripe_server, client):
    session = client.v1.checkout.sessions.create(params=session_params())

    event = stripe_server.fail_payment(session.id)

    intent = event["data"]["object"]
    assert event["type"] == "payment_intent.payment_failed"
    assert (intent["object"], intent["status"]) == ("payment_intent", "requires_payment_method")
    assert intent["last_payment_error"]["message"] == "Your card was declined."
    assert intent["metadata"] == {"order": "abc", "kind": "tickets"}
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"

    stripe_server.complete_session(session.id)
    assert client.v1.payment_intents.retrieve(intent["id"]).status == "succeeded"


def test_same_idempotency_key_replays_the_first_response(stripe_server, client):
    options = {"idempotency_key": "order-abc-checkout"}
    params = session_params()

    first = client.v1.checkout.sessions.create(params=params, options=options)
    again = client.v1.checkout.sessions.create(params=params, options=options)

    assert again.to_dict() == first.to_dict()
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert len(client.v1.checkout.sessions.list().data) == 1
    assert [r.idempotency_key for r in stripe_server.requests[:2]] == ["order-abc-checkout"] * 2
    with pytest.raises(stripe.IdempotencyError):
        client.v1.checkout.sessions.create(params=params | {"client_reference_id": "other"}, options=options)


@pytest.mark.parametrize("api_key", ["", "sk_live_123"])
def test_request_without_test_key_is_unauthorized(stripe_server, api_key):
    client = stripe.StripeClient(api_key=api_key, base_addresses={"api": stripe_server.url}, max_network_retries=0)

    with pytest.raises(stripe.AuthenticationError) as error:
        client.v1.accounts.create(params={"type": "express"})

    assert error.value.http_status == 401


@pytest.mark.parametrize(
    ("service", "object_id"),
    [
        ("accounts", "acct_missing"),
        ("payment_intents", "pi_missing"),
        ("charges", "ch_missing"),
        ("refunds", "re_missing"),
    ],
)
def test_unknown_id_is_resource_missing(client, service, object_id):
    with pytest.raises(stripe.InvalidRequestError) as error:
        getattr(client.v1, service).retrieve(object_id)

    assert (error.value.http_status, error.value.code) == (404, "resource_missing")
    assert error.value.user_message == f"No such {service.removesuffix('s')}: '{object_id}'"


def test_unknown_checkout_session_is_resource_missing(client):
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.checkout.sessions.retrieve("cs_test_missing")

    assert (error.value.http_status, error.value.code) == (404, "resource_missing")


def test_fail_next_fails_only_the_next_matching_request(stripe_server, client):
    stripe_server.fail_next("POST", "/v1/checkout/sessions")

    account = client.v1.accounts.create(params={"type": "express"})  # does not match
    with pytest.raises(stripe.APIError) as error:
        client.v1.checkout.sessions.create(params=session_params())
    session = client.v1.checkout.sessions.create(params=session_params())

    assert account.id.startswith("acct_")
    assert error.value.http_status == 500
    assert session.status == "open"
    assert len(client.v1.checkout.sessions.list().data) == 1


def test_fail_next_with_card_error_status(stripe_server, client):
    stripe_server.fail_next("POST", "/v1/refunds", status=402, error_type="card_error", code="card_declined")
    session = paid_session(stripe_server, client, destination=None)

    with pytest.raises(stripe.CardError) as error:
        client.v1.refunds.create(params={"payment_intent": session.payment_intent})

    assert error.value.code == "card_declined"


def test_webhook_signature_is_accepted_by_the_sdk_and_tampering_is_not(stripe_server, client):
    session = client.v1.checkout.sessions.create(params=session_params())
    event = stripe_server.complete_session(session.id)
    body, headers = signed_event(event, WEBHOOK_SECRET)

    verified = stripe.Webhook.construct_event(body, headers["HTTP_STRIPE_SIGNATURE"], WEBHOOK_SECRET)

    assert (verified.id, verified.type) == (event["id"], "checkout.session.completed")
    assert verified.data.object.id == session.id
    assert json.loads(body) == event
    header = headers["HTTP_STRIPE_SIGNATURE"]
    tampered = body.replace(b'"paid"', b'"unpaid"')
    old = stripe_signature(body, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)
    for payload, signature, secret in [
        (tampered, header, WEBHOOK_SECRET),
        (body, header, "whsec_wrong"),
        (body, old, WEBHOOK_SECRET),
    ]:
        with pytest.raises(stripe.SignatureVerificationError):
            stripe.Webhook.construct_event(payload, signature, secret)
