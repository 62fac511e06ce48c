"""The portal's Orders pages in Chromium, as a producer uses them: find an order by the buyer's name, open
it, refund one ticket through the confirmation step, see it on the order's page; the attendees list and
the door list. axe-core on every page and its error state at 390 and 1280 px, under the CSP watch of
``conftest.py``; screenshots in ``tests/artifacts/portal-orders-*.png``."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from piquetickets.orders.models import Order, TicketAttendee
from piquetickets.producers.models import UserProducerAssociation
from tests.browser.conftest import assert_accessible, screenshot
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

SHOTS = Path("/tmp/shots-orders")


def shot(page, name: str) -> None:
    path = screenshot(page, name)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def a_producer_with_orders():
    producer = ProducerFactory(name="Laugh Track")
    MembershipFactory(producer=producer, role=UserProducerAssociation.Role.OWNER, user__username="olivia")
    show = ShowFactory(producer=producer, title="Friday Laughs", time_zone="America/Chicago")
    general = TicketFactory(show=show, name="General admission", price=Decimal("20.00"), quantity_sold=0)
    vip = TicketFactory(show=show, name="VIP", price=Decimal("45.00"), quantity_sold=0)
    people = [("Ada", "Lovelace", general, 2), ("Grace", "Hopper", vip, 1), ("Zoë", "Åberg", general, 1)]
    for first, last, ticket, count in people:
        total = ticket.price * count
        order = OrderFactory(
            show=show, status="paid", success=True, time_of_purchase=timezone.now(), first_name=first, last_name=last,
            email=f"{first.lower()}@example.com", subtotal=total, total=total,
        )  # fmt: skip
        line = TicketOrderFactory(
            order=order, ticket=ticket, quantity=count, price_per_ticket=ticket.price, total_price=total
        )
        for n in range(count):
            AttendeeFactory(ticket_order=line, first_name=first if n == 0 else f"{first}'s friend", last_name=last)
        type(ticket).objects.filter(pk=ticket.pk).update(quantity_sold=ticket.quantity_sold + count)
        ticket.refresh_from_db()
    grace = TicketAttendee.objects.get(first_name="Grace")
    TicketAttendee.objects.filter(pk=grace.pk).update(is_checked_in=True, checked_in_at=timezone.now())
    return show


def test_find_an_order_and_refund_one_ticket(any_page, live_server):
    page = any_page
    width = page.viewport_size["width"]
    show = a_producer_with_orders()
    sign_in(page, live_server.url, "olivia")

    page.goto(f"{live_server.url}/dashboard/orders/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Orders")
    expect(page.locator(".stats")).to_contain_text("$105.00")
    assert_accessible(page, what="the orders list")
    shot(page, f"portal-orders-list-{width}")

    page.get_by_label("Search").fill("lovelace")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".orders-table tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Ada Lovelace").click()

    order = Order.objects.get(last_name="Lovelace")
    reference = str(order.uuid)[:8].upper()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {reference}")
    assert_accessible(page, what="an order's page")
    shot(page, f"portal-orders-detail-{width}")

    page.get_by_role("link", name="Refund…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Refund order {reference}")
    # Only what the chosen refund needs shows: nothing more for the whole order, the tickets for some.
    expect(page.get_by_role("group", name="Tickets to refund")).to_be_hidden()
    expect(page.get_by_label("Amount to give back", exact=False)).to_be_hidden()
    page.get_by_label("Some tickets: they stop admitting, and their price is given back").check()
    expect(page.get_by_role("group", name="Tickets to refund")).to_be_visible()
    page.get_by_label("An amount of money: every ticket stays valid").check()
    expect(page.get_by_role("group", name="Tickets to refund")).to_be_hidden()
    expect(page.get_by_label("Amount to give back", exact=False)).to_be_visible()
    page.get_by_label("Some tickets: they stop admitting, and their price is given back").check()
    page.get_by_role("button", name="Review the refund").click()
    expect(page.locator(".error-summary")).to_contain_text("Choose the tickets to refund.")
    expect(page).to_have_title(f"Error: Refund order {reference} · Laugh Track · PiqueTickets")
    assert_accessible(page, what="the refund form with an error")
    shot(page, f"portal-orders-refund-error-{width}")

    page.get_by_label("Some tickets: they stop admitting, and their price is given back").check()
    page.get_by_label("General admission, Ada's friend Lovelace", exact=False).check()
    page.get_by_role("button", name="Review the refund").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm the refund")
    expect(page.locator(".orders-quote__amount")).to_have_text("$20.00")
    assert_accessible(page, what="the refund's confirmation")
    shot(page, f"portal-orders-refund-confirm-{width}")

    page.get_by_label("Reason").fill("Friend can't make it")
    page.get_by_role("button", name="Refund $20.00").click()
    expect(page.locator(".site-messages")).to_contain_text("Refunded $20.00 to Ada Lovelace.")
    expect(page.locator(".orders-history")).to_contain_text("Reason: Friend can't make it")
    expect(page.get_by_text("Partially refunded").first).to_be_visible()
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("partially_refunded", Decimal("20.00"))
    assert_accessible(page, what="the order after a refund")

    page.goto(f"{live_server.url}/dashboard/orders/attendees/?show={show.slug}")
    expect(page.locator("tbody tr")).to_have_count(3)  # the refunded ticket no longer listed
    assert_accessible(page, what="the attendees list")
    shot(page, f"portal-orders-attendees-{width}")

    page.goto(f"{live_server.url}/dashboard/orders/shows/{show.slug}/door-list/")
    expect(page.locator("tbody th")).to_have_text(["Hopper, Grace", "Lovelace, Ada", "Åberg, Zoë"])
    assert_accessible(page, what="the door list")
    shot(page, f"portal-orders-door-list-{width}")
    if width == 1280:
        page.emulate_media(media="print")
        expect(page.locator(".site-header")).to_be_hidden()
        shot(page, "portal-orders-door-list-print")
