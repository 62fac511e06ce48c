"""The portal's Check-in and Payouts pages in Chromium, as a producer uses them.

- Make a door link in the portal, open it on a phone in the door app, scan (type) a ticket's code there,
  and watch the portal's live count move without reloading (htmx polls every 5 seconds); revoke it.
- Connect payouts against the local Stripe server as far as it goes locally: the portal sends the
  producer to Stripe's onboarding page, Stripe (the test server) finishes onboarding, the return page
  asks for the status, and the Express dashboard opens through a login link.

axe-core on every page at 390 and 1280 px, under the CSP watch of ``conftest.py``; screenshots in
``tests/artifacts/portal-door-*.png`` and ``portal-payouts-*.png``."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from piquetickets.checkin.models import CheckInSession
from piquetickets.producers.models import ProducerFinancial, UserProducerAssociation
from tests.browser.conftest import PHONE, assert_accessible, new_context, open_page, screenshot
from tests.browser.test_portal_onboarding import sign_in
from tests.factories import (
    AttendeeFactory,
    MembershipFactory,
    OrderFactory,
    ProducerFactory,
    ShowFactory,
    TicketFactory,
    TicketOrderFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def a_producer_with_a_show():
    producer = ProducerFactory(name="Laugh Track")
    MembershipFactory(producer=producer, role=UserProducerAssociation.Role.OWNER, user__username="olivia")
    start = timezone.now() + timedelta(hours=3)
    show = ShowFactory(producer=producer, title="Friday Laughs", start_time=start, time_zone="America/Chicago")
    general = TicketFactory(show=show, name="General admission", sort_order=0)
    vip = TicketFactory(show=show, name="VIP front row", sort_order=1)
    guests = []
    for first, ticket in (("Alex", general), ("Sam", general), ("Kim", vip)):
        line = TicketOrderFactory(order__show=show, order__first_name=first, ticket=ticket)
        guests.append(AttendeeFactory(ticket_order=line, first_name=first, last_name="Rivera"))
    return show, guests


def test_make_a_door_link_scan_a_ticket_on_a_phone_and_see_the_live_count(any_page, browser, live_server):
    page = any_page
    width = page.viewport_size["width"]
    _show, (alex, *_) = a_producer_with_a_show()
    sign_in(page, live_server.url, "olivia")

    page.goto(f"{live_server.url}/dashboard/checkin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in")
    expect(page.locator(".show-row")).to_contain_text("0 of 3 (0%)")
    assert_accessible(page, what="the check-in overview")
    screenshot(page, f"portal-door-overview-{width}")

    page.get_by_role("link", name="Friday Laughs", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check-in: Friday Laughs")
    expect(page.get_by_text("No door links yet.")).to_be_visible()

    # an expiry in the past: refused by the field, the label kept
    page.get_by_label("Label").fill("Front door")
    page.get_by_label("Works until").fill("2020-01-01T20:00")
    page.get_by_role("button", name="Make the link").click()
    expect(page.locator(".error-summary")).to_contain_text("Choose a time in the future.")
    expect(page.get_by_label("Label")).to_have_value("Front door")
    assert_accessible(page, what="the new door link form with an error")

    page.get_by_label("Works until").fill("")
    page.get_by_role("button", name="Make the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Front door")
    session = CheckInSession.objects.get()
    expect(page.get_by_label("The link")).to_have_value(re.compile(rf"/checkin/\?token={session.token}$"))
    expect(page.get_by_role("img", name="QR code of the door link Front door")).to_be_visible()
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    assert_accessible(page, what="a door link's page")
    screenshot(page, f"portal-door-link-{width}")
    door_app = page.get_by_role("link", name="Open the door app").get_attribute("href")

    # the show's check-in page stays open in the portal while the door scans
    page.get_by_role("link", name="‹ Check-in: Friday Laughs").click()
    live = page.locator("#checkin-live")
    expect(live.locator(".checkin-count")).to_contain_text("0 of 3 checked in")

    # door staff open the link on a phone and type a ticket's code
    phone_context = new_context(browser, **PHONE)
    phone = open_page(phone_context)
    try:
        phone.goto(f"{live_server.url}{door_app}")
        expect(phone.get_by_role("heading", level=1)).to_contain_text("Friday Laughs")
        field = phone.get_by_label("Ticket code")
        field.fill(str(alex.uuid))
        field.press("Enter")
        expect(phone.locator("body")).to_contain_text("Checked in")
    finally:
        phone_context.close()

    # back in the portal: the live count moves by itself (htmx polls every 5 seconds)
    expect(live.locator(".checkin-count")).to_contain_text("1 of 3 checked in", timeout=15_000)
    expect(live.locator(".scan-list")).to_contain_text("Alex Rivera · General admission")
    # the change is read out once, from the live region outside the swapped part
    expect(page.locator("[data-live-announce]")).to_have_text("1 of 3 checked in (33%)")
    expect(page.get_by_role("row", name=re.compile("Front door"))).to_contain_text("Active")
    assert_accessible(page, what="a show's check-in page with a scan")
    screenshot(page, f"portal-door-show-{width}")

    # revoke, with its confirmation
    page.locator("summary", has_text="Revoke").first.click()
    page.get_by_role("button", name="Revoke Front door").click()
    expect(page.locator(".site-messages")).to_contain_text("“Front door” is switched off")
    expect(page.get_by_role("row", name=re.compile("Front door"))).to_contain_text("Revoked")
    session.refresh_from_db()
    assert session.revoked_at is not None


def test_the_live_count_works_without_javascript_by_reloading(browser, live_server):
    show, (alex, *_) = a_producer_with_a_show()
    context = new_context(browser, java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = open_page(context)
    try:
        sign_in(page, live_server.url, "olivia")
        page.goto(f"{live_server.url}/dashboard/shows/{show.slug}/checkin/")
        page.get_by_label("Label").fill("Box office")
        page.get_by_role("button", name="Make the link").click()
        expect(page.get_by_label("The link")).to_have_value(re.compile(r"/checkin/\?token="))
        expect(page.get_by_role("button", name="Copy link")).to_be_hidden()  # the field is there to select
        alex.is_checked_in = True
        alex.checked_in_at = timezone.now()
        alex.save()
        page.goto(f"{live_server.url}/dashboard/shows/{show.slug}/checkin/")
        page.get_by_role("link", name="Refresh").click()
        expect(page.locator(".checkin-count")).to_contain_text("1 of 3 checked in")
    finally:
        context.close()


def _paid(show, subtotal: str, fees: str, total: str):
    fee = Decimal(fees) / 2
    OrderFactory(
        show=show, status="paid", success=True, time_of_purchase=timezone.now(), subtotal=Decimal(subtotal),
        platform_fees=fee, payment_processing_fees=fee, total=Decimal(total),
    )  # fmt: skip


def test_connect_payouts_against_the_local_stripe_server(any_page, live_server, stripe_on):
    page = any_page
    width = page.viewport_size["width"]
    show, _ = a_producer_with_a_show()
    _paid(show, "40.00", "3.00", "43.00")
    _paid(show, "20.00", "1.60", "21.60")

    sign_in(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/dashboard/payouts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Payouts")
    expect(page.get_by_role("row", name=re.compile("Friday Laughs"))).to_contain_text("$60.00")
    assert_accessible(page, what="the payouts page before connecting")
    screenshot(page, f"portal-payouts-new-{width}")

    page.get_by_role("button", name="Connect Stripe").click()
    expect(page.locator("body")).to_contain_text("Onboarding for acct_")  # the local server's onboarding page
    account = ProducerFinancial.objects.get().stripe_account_id
    assert page.url == f"{stripe_on.url}/connect/onboard/{account}"

    # came back before finishing: what Stripe still needs, in words
    page.goto(f"{live_server.url}/dashboard/payouts/return/")
    expect(page.locator(".site-messages")).to_contain_text("It still needs a few details")
    expect(page.locator(".payout-needs")).to_contain_text("A bank account for payouts")
    assert_accessible(page, what="the payouts page with requirements")
    screenshot(page, f"portal-payouts-needs-{width}")

    stripe_on.complete_onboarding(account)
    page.goto(f"{live_server.url}/dashboard/payouts/return/")
    expect(page.locator(".site-messages")).to_contain_text("Your Stripe account is connected")
    expect(page.locator(".payout-status")).to_contain_text("Payouts to your bank")
    expect(page.locator(".payout-needs")).to_have_count(0)
    expect(page.locator("tfoot")).to_contain_text("$60.00")
    assert_accessible(page, what="the payouts page connected")
    screenshot(page, f"portal-payouts-ready-{width}")

    page.get_by_role("button", name="Open the Stripe Express dashboard").click()
    expect(page.locator("body")).to_contain_text(f"Express dashboard for {account}")
