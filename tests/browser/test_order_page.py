"""The buyer's order page in Chromium: a pending page turns into the tickets by itself once paid,
says so in its live region, stops checking after a while, and its "Check again" link works without
JavaScript; every state is screenshot on a phone and a desktop and checked with axe."""

import re

import pytest
from playwright.sync_api import expect
from rest_framework.test import APIClient

from piquetickets.orders.models import Order, TicketAttendee
from piquetickets.orders.services import order_cancel_pending, order_fulfil, order_refund
from piquetickets.payments.providers import Payment
from piquetickets.storefront.views import orders as views
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, new_context, open_page, screenshot
from tests.selling import cart

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE_REGION = "[data-order-announce]"


@pytest.fixture
def quick_checks(monkeypatch):
    """The page checks every second instead of every few (the same script and back-off code)."""
    monkeypatch.setattr(views, "POLL_DELAYS", (1,))


def pending_order(sale, settings, live_server, *lines) -> Order:
    settings.SITE_URL = live_server.url
    response = APIClient().post("/api/v1/checkout/create-session/", cart(sale, *lines), format="json")
    assert response.status_code == 201
    return Order.objects.get(uuid=response.json()["order"])


def pay(order: Order) -> Order:
    """What the payment provider's confirmation does: the one fulfilment service."""
    return order_fulfil(order=order, payment=Payment(provider="test", session_id=order.session_id))


def test_a_pending_page_shows_the_tickets_once_paid_without_a_reload(page, live_server, sale, settings, quick_checks):
    order = pending_order(sale, settings, live_server)
    page.goto(order_url := f"{live_server.url}/orders/{order.public_token}/")
    expect(page.get_by_text("Waiting for your payment to be confirmed.")).to_be_visible()
    expect(page.get_by_text("This page checks by itself every few seconds.")).to_be_visible()
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    assert page.locator(LIVE_REGION).inner_text() == ""
    assert_accessible(page, what="pending order page")
    page.evaluate("window.sameDocument = true")  # gone if the page reloads

    pay(order)

    expect(page.get_by_role("heading", name="Your tickets 2 valid")).to_be_visible()
    expect(page.locator(LIVE_REGION)).to_have_text(
        "You're in! Payment received. We've emailed your tickets to alex@example.com."
    )
    assert page.evaluate("window.sameDocument") is True
    assert page.url == order_url
    assert page.title() == "Your tickets — Friday Laughs"
    assert page.locator(".ticket__qr svg").count() == 2
    expect(page.get_by_role("link", name="Download PDF tickets")).to_be_visible()
    assert page.get_by_role("link", name="Check again").count() == 0
    # the swapped-in alert no longer announces itself: the live region spoke for it
    assert page.get_by_role("status").count() == 0
    assert_accessible(page, what="order page after payment")


def test_a_pending_order_that_ends_unpaid_says_so_in_place(page, live_server, sale, settings, quick_checks):
    order = pending_order(sale, settings, live_server)
    page.goto(f"{live_server.url}/orders/{order.public_token}/")
    page.get_by_role("link", name="Check again").focus()
    page.evaluate("window.sameDocument = true")

    order_cancel_pending(order=order, stop_payment=False)

    expect(page.locator(LIVE_REGION)).to_have_text(re.compile(r"^This order was cancelled\. The payment was declined"))
    assert page.evaluate("window.sameDocument") is True
    assert page.get_by_role("link", name="Check again").count() == 0
    # focus was on the link that went away: it moves to the new status, not to the top of the page
    assert page.evaluate("document.activeElement.id") == "order-status"


def test_the_page_stops_checking_after_a_while_and_says_so(page, live_server, sale, settings, monkeypatch):
    monkeypatch.setattr(views, "POLL_DELAYS", (1,))
    monkeypatch.setattr(views, "POLL_FOR_SECONDS", 2)
    order = pending_order(sale, settings, live_server)
    page.goto(f"{live_server.url}/orders/{order.public_token}/")

    stopped = (
        "We've stopped checking automatically. If you paid, your tickets will still arrive by email;"
        " use Check again to look now."
    )
    expect(page.locator(LIVE_REGION)).to_have_text(stopped)
    expect(page.locator("#order-status").get_by_text(stopped)).to_be_visible()
    expect(page.get_by_text("This page checks by itself every few seconds.")).to_be_hidden()

    pay(order)
    page.get_by_role("link", name="Check again").click()
    expect(page.get_by_role("heading", name="Your tickets 2 valid")).to_be_visible()


def test_without_javascript_check_again_shows_the_tickets(browser, live_server, sale, settings):
    context = new_context(browser, java_script_enabled=False, **PHONE)
    page = open_page(context)
    order = pending_order(sale, settings, live_server)
    page.goto(f"{live_server.url}/orders/{order.public_token}/")
    expect(page.get_by_text("Waiting for your payment to be confirmed.")).to_be_visible()
    # without the script, nothing claims the page checks by itself
    expect(page.get_by_text("This page checks by itself every few seconds.")).to_be_hidden()
    page.get_by_role("link", name="Check again").click()
    expect(page.get_by_text("Waiting for your payment to be confirmed.")).to_be_visible()

    pay(order)
    page.get_by_role("link", name="Check again").click()

    expect(page.get_by_role("heading", name="Your tickets 2 valid")).to_be_visible()
    assert page.locator(".ticket__qr svg").count() == 2
    context.close()


def test_each_state_at_phone_and_desktop_widths(browser, live_server, sale, settings):
    """Screenshots of the pending, paid, partly and fully refunded and cancelled pages at 390 and 1280 px (look at
    them in tests/artifacts), none wider than the screen, and none with a serious axe problem."""
    pending = pending_order(sale, settings, live_server)
    paid = pay(pending_order(sale, settings, live_server, {"ticket": sale.general.pk, "quantity": 2}))
    partly = pay(
        pending_order(
            sale,
            settings,
            live_server,
            {"ticket": sale.general.pk, "quantity": 2, "attendees": [{"first_name": "Sam", "last_name": "Lee"}]},
            {"ticket": sale.vip.pk, "quantity": 1},
        )
    )
    sam = TicketAttendee.objects.get(ticket_order__order=partly, first_name="Sam")
    order_refund(order=partly, attendee_uuids=[str(sam.uuid)], reason="Sam can't make it after all.")
    fully = pay(pending_order(sale, settings, live_server, {"ticket": sale.general.pk, "quantity": 2}))
    order_refund(order=fully, reason="The show was postponed; a new date will be announced.")
    cancelled = order_cancel_pending(order=pending_order(sale, settings, live_server), stop_payment=False)
    pages = {"pending": pending, "paid": paid, "partly-refunded": partly, "refunded": fully, "cancelled": cancelled}

    for width, options in (("390", PHONE), ("1280", DESKTOP)):
        context = new_context(browser, **options)
        page = open_page(context)
        for name, order in pages.items():
            page.goto(f"{live_server.url}/orders/{order.public_token}/")
            expect(page.get_by_role("heading", level=1, name="Friday Laughs")).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
                f"{name} scrolls sideways"
            )
            assert_accessible(page, what=f"{name} order page at {width} px")
            screenshot(page, f"order-page-{name}-{width}")
        context.close()
