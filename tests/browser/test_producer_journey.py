"""A producer's whole journey in Chromium, against the local Stripe-compatible server: accept the
invitation staff sent, connect payouts, create a show with two ticket types and a promo code, publish it,
see it on the storefront where a buyer pays for two tickets, find the order in the portal, refund one
ticket, export the orders as CSV and check its rows, make a door link and scan the other ticket on a phone.

Stripe's hosted pages (onboarding, Checkout) are the local server's stand-ins: the test plays the part of
Stripe there (``complete_onboarding``, ``complete_session`` and the signed webhook it sends), as the
real Stripe would after the person filled them in."""

import copy
import csv
import http.client
import io
import json
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from piquetickets.accounts.models import User
from piquetickets.orders.models import Order, TicketAttendee
from piquetickets.producers.models import ProducerFinancial
from piquetickets.producers.services import producer_invite
from piquetickets.shows.models import Show
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, new_context, open_page, screenshot
from tests.browser.test_portal_shows import add_ticket_type
from tests.factories import PerformerFactory, ProducerFactory
from tests.payments.flow import SECRET, WEBHOOK
from tests.stripe_server import stripe_signature

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_YORK = ZoneInfo("America/New_York")
PASSWORD = "stage-lights-and-laughs-26"


def _local(days: int, hour: int, minute: int = 0) -> str:
    day = (timezone.now() + timedelta(days=days)).astimezone(NEW_YORK).date()
    return f"{day:%Y-%m-%d}T{hour:02d}:{minute:02d}"


def stripe_sends(base: str, event: dict) -> dict:
    """Stripe delivers a signed webhook to the running site."""
    body = json.dumps(event).encode()
    host = urlsplit(base)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    connection.request(
        "POST",
        WEBHOOK,
        body=body,
        headers={"Content-Type": "application/json", "Stripe-Signature": stripe_signature(body, SECRET)},
    )
    response = connection.getresponse()
    assert response.status == 200, response.read()
    return json.loads(response.read())


def test_a_producer_from_invitation_to_a_refund_an_export_and_the_door(browser, live_server, settings, stripe_on):
    settings.SITE_URL = base = live_server.url
    stripe = stripe_on
    # Forms that send people on to Stripe may lead there (Checkout, Connect): here the local server stands in.
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], stripe.url]
    settings.CONTENT_SECURITY_POLICY = policy
    producer = ProducerFactory(name="Laugh Track")
    PerformerFactory(producer=producer, name="Dana Quip")
    _, token = producer_invite(producer=producer, email="olivia@laughtrack.example")  # what staff's admin action does

    portal = open_page(new_context(browser, **DESKTOP))

    # 1. the invitation: a name and a password, then the dashboard with its checklist
    portal.goto(f"{base}/dashboard/join/{token}/")
    portal.get_by_label("First name").fill("Olivia")
    portal.get_by_label("Last name").fill("Reyes")
    portal.get_by_label("Choose a password").fill(PASSWORD)
    portal.get_by_label("Password again").fill(PASSWORD)
    portal.get_by_role("button", name="Create my account and join").click()
    expect(portal).to_have_url(f"{base}/dashboard/")
    expect(portal.get_by_role("status").first).to_contain_text("You're on the team as owner.")
    owner = User.objects.get(email="olivia@laughtrack.example")
    owner.profile.can_publish_shows = True  # staff grant the right to publish in the admin
    owner.profile.save()

    # 2. payouts: Stripe's onboarding, then back to the portal with the account ready
    portal.get_by_role("link", name="Payouts").first.click()
    expect(portal.get_by_role("heading", level=1)).to_have_text("Payouts")
    portal.get_by_role("button", name="Connect Stripe").click()
    account = ProducerFinancial.objects.get(producer=producer).stripe_account_id
    expect(portal).to_have_url(f"{stripe.url}/connect/onboard/{account}")
    stripe_sends(base, stripe.complete_onboarding(account))
    portal.goto(f"{base}/dashboard/payouts/return/")
    expect(portal.get_by_role("status").first).to_contain_text("Your Stripe account is connected")
    expect(portal.locator(".badge", has_text="Connected")).to_be_visible()
    assert_accessible(portal, what="payouts, connected")

    # 3. a show with two ticket types and a promo code, published
    portal.get_by_role("link", name="Shows").first.click()
    portal.locator(".panel__empty").get_by_role("link", name="New show").click()
    portal.get_by_label("Title", exact=True).fill("Friday Laughs")
    portal.get_by_label("Description").fill("<p>Stand-up all night.</p>")
    portal.get_by_label("Time zone", exact=True).select_option("America/New_York")
    portal.get_by_label("Show starts").fill(_local(14, 20))
    portal.get_by_label("Show ends").fill(_local(14, 22))
    portal.get_by_text("Add a new venue").click()
    portal.get_by_label("Name", exact=True).fill("The Basement Room")
    portal.get_by_label("Street address").fill("12 Elm St")
    portal.get_by_label("City").fill("Brooklyn")
    portal.get_by_label("Venue's time zone").select_option("America/New_York")
    portal.get_by_label("Dana Quip").check()
    portal.get_by_role("button", name="Save as a draft").click()
    expect(portal.locator(".site-messages")).to_contain_text("“Friday Laughs” is saved as a draft.")
    add_ticket_type(portal, "General admission", "20", "80", "0")
    add_ticket_type(portal, "Front row", "35", "12", "1")
    portal.get_by_role("link", name="Add a promo code").click()
    portal.get_by_label("Code", exact=True).fill("LAUGHS20")
    portal.get_by_label("Percentage").check()
    portal.get_by_label("Discount", exact=True).fill("20")
    portal.get_by_role("button", name="Add promo code").click()
    expect(portal.locator(".site-messages")).to_contain_text("Promo code LAUGHS20 added.")
    portal.get_by_role("button", name="Publish").click()
    expect(portal.locator(".site-messages")).to_contain_text("“Friday Laughs” is published")
    show = Show.objects.get()

    # 4. on the storefront, a buyer pays for two general admission tickets with the promo code
    buyer = open_page(new_context(browser, **PHONE))
    buyer.goto(f"{base}/shows/")
    buyer.get_by_role("link", name="Friday Laughs").first.click()
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Friday Laughs")
    plus = buyer.locator("#tickets").get_by_role("button", name="One more General admission")
    plus.click()
    plus.click()
    buyer.locator("#tickets").get_by_role("button", name="Check out").click()
    buyer.get_by_label("Promo code (optional)").fill("LAUGHS20")
    buyer.get_by_role("button", name="Apply").click()
    expect(buyer.locator("#promo-slot")).to_contain_text("LAUGHS20: 20% off.")
    buyer.get_by_label("First name", exact=True).first.fill("Alex")
    buyer.get_by_label("Last name", exact=True).first.fill("Morgan")
    buyer.get_by_label("Email address").fill("alex@example.com")
    buyer.get_by_role("button", name="Pay").click()
    order = Order.objects.get()
    session_id = order.session_id
    expect(buyer).to_have_url(f"{stripe.url}/pay/{session_id}")
    assert stripe_sends(base, stripe.complete_session(session_id)) == {"result": "processed"}
    buyer.goto(f"{base}/orders/{order.public_token}/?paid=1")
    expect(buyer.get_by_role("status").first).to_contain_text("You're in!")
    expect(buyer.get_by_role("article")).to_have_count(2)
    order.refresh_from_db()
    assert (order.status, order.promo_code.code) == ("paid", "LAUGHS20")

    # 5. the order in the portal, then one ticket refunded through the confirmation step
    portal.get_by_role("link", name="Orders").first.click()
    expect(portal.get_by_role("heading", level=1)).to_have_text("Orders")
    portal.get_by_label("Search").fill("alex@example.com")
    portal.get_by_label("Search").press("Enter")
    portal.get_by_role("row", name="Alex Morgan").get_by_role("link").first.click()
    expect(portal.get_by_role("heading", level=1)).to_contain_text("Order")
    expect(portal.get_by_text("0 of 2 checked in")).to_be_visible()
    assert_accessible(portal, what="an order in the portal")
    portal.get_by_role("link", name="Refund…").click()
    portal.get_by_label("Some tickets: they stop admitting, and their price is given back").check()
    portal.get_by_role("group", name="Tickets to refund").get_by_role("checkbox").first.check()
    portal.get_by_role("button", name="Review the refund").click()
    expect(portal.get_by_role("heading", level=1)).to_have_text("Confirm the refund")
    portal.get_by_label("Reason").fill("Can't make it after all")
    screenshot(portal, "journey-refund-confirm-desktop")
    portal.get_by_role("button", name="Refund").click()
    expect(portal.get_by_role("status").first).to_contain_text("Refunded")
    refunded = TicketAttendee.objects.filter(ticket_order__order=order).exclude(status=TicketAttendee.Status.VALID)
    assert refunded.count() == 1
    valid = TicketAttendee.objects.get(ticket_order__order=order, status=TicketAttendee.Status.VALID)
    assert [(refund.reason, refund.amount > Decimal("0")) for refund in order.refunds.all()] == [
        ("Can't make it after all", True)
    ]

    # 6. the orders as CSV: the one order, its buyer and what is left of it
    portal.get_by_role("link", name="Orders").first.click()
    with portal.expect_download() as download:
        portal.get_by_role("link", name="Export CSV").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    assert "alex@example.com" in rows[0].values()

    # 7. a door link, opened on a phone, scans the ticket that is still valid; the refunded one is refused
    portal.goto(f"{base}/dashboard/shows/{show.slug}/checkin/")
    portal.get_by_label("Label").fill("Front door")
    portal.get_by_role("button", name="Make the link").click()
    link = portal.get_by_label("The link").input_value()
    assert link.startswith(f"{base}/checkin/")
    door = open_page(new_context(browser, **PHONE))
    door.goto(link)
    field = door.get_by_label("Ticket code")
    field.fill(str(valid.uuid))
    field.press("Enter")
    expect(door.locator("[data-result]")).to_contain_text("Checked in")
    field.fill(str(refunded.get().uuid))
    field.press("Enter")
    expect(door.locator("[data-result]")).to_contain_text("Refunded")
    screenshot(door, "journey-door-phone")
    portal.goto(f"{base}/dashboard/shows/{show.slug}/checkin/")
    expect(portal.get_by_text("1 of 1")).to_be_visible()
    valid.refresh_from_db()
    assert valid.is_checked_in
