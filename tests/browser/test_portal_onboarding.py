"""The producer portal's front door in Chromium, as a producer goes through it: accept an invitation, set a
password, land on the dashboard; sign out and in; set up two-factor authentication; the menu on a phone;
the pages without JavaScript. axe-core on every page (and its error states) at 390 and 1280 px, under the
CSP watch of ``conftest.py``; screenshots in ``tests/artifacts/portal-*.png``."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from piquetickets.producers.models import UserProducerAssociation
from piquetickets.producers.services import producer_invite
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, new_context, open_page, screenshot
from tests.factories import (
    AttendeeFactory,
    MembershipFactory,
    OrderFactory,
    ProducerFactory,
    ShowFactory,
    TicketFactory,
    TicketOrderFactory,
    UserFactory,
    VenueFactory,
)
from tests.portal.otp import totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
NEW_PASSWORD = "stage-lights-and-laughs-26"


def width_of(page) -> int:
    return page.viewport_size["width"]


def a_producer_with_sales():
    """Laugh Track with an owner, two upcoming shows (one tonight) and paid orders."""
    producer = ProducerFactory(name="Laugh Track")
    MembershipFactory(producer=producer, role=UserProducerAssociation.Role.OWNER, user__username="olivia")
    venue = VenueFactory(name="The Basement Room")
    now = timezone.now()
    for title, hours in (("Friday Night Stand-Up", 3), ("The Late Late Show", 72)):
        show = ShowFactory(producer=producer, title=title, venue=venue, start_time=now + timedelta(hours=hours))
        ticket = TicketFactory(show=show, quantity=60, price=Decimal("20.00"))
        for days_ago in (0, 2, 6):
            order = OrderFactory(
                show=show,
                status="paid",
                success=True,
                total=Decimal("40.00"),
                time_of_purchase=now - timedelta(days=days_ago),
            )
            line = TicketOrderFactory(order=order, ticket=ticket, quantity=2)
            for _ in range(2):
                AttendeeFactory(ticket_order=line)
        ticket.quantity_sold = 6
        ticket.save(update_fields=["quantity_sold"])
    return producer


def sign_in(page, base: str, login: str, password: str = PASSWORD):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username or email").fill(login)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page):
    menu = page.locator(".portal-user")
    menu.locator("summary").click()
    menu.get_by_role("button", name="Sign out").click()


def test_accept_an_invitation_then_sign_out_and_in_again(any_page, live_server):
    producer = a_producer_with_sales()
    _, token = producer_invite(producer=producer, email="nia@example.com")
    page, width = any_page, width_of(any_page)
    base = live_server.url

    page.goto(f"{base}/dashboard/join/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Laugh Track")
    assert_accessible(page, what=f"invitation, {width} px")
    screenshot(page, f"portal-join-{width}")

    page.get_by_label("First name").fill("Nia")
    page.get_by_role("button", name="Create my account and join").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page).to_have_title("Error: Join Laugh Track · PiqueTickets")
    expect(page.get_by_label("First name")).to_have_value("Nia")
    assert_accessible(page, what=f"invitation with errors, {width} px")
    screenshot(page, f"portal-join-errors-{width}")

    page.get_by_label("Last name").fill("Okoro")
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("Password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create my account and join").click()

    expect(page).to_have_url(f"{base}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.get_by_role("status").first).to_contain_text("Welcome to Laugh Track! You're on the team as manager.")
    expect(page.get_by_text("Friday Night Stand-Up").first).to_be_visible()
    assert_accessible(page, what=f"dashboard, {width} px")
    screenshot(page, f"portal-dashboard-{width}")

    page.goto(f"{base}/dashboard/team/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Team")
    assert_accessible(page, what=f"team page (manager), {width} px")

    sign_out(page)
    expect(page).to_have_url(f"{base}/accounts/login/")
    assert_accessible(page, what=f"sign in, {width} px")
    screenshot(page, f"portal-sign-in-{width}")

    sign_in(page, base, "nia@example.com", "not the password")
    expect(page.locator(".error-summary")).to_contain_text("not correct")
    expect(page.get_by_label("Username or email")).to_have_value("nia@example.com")
    assert_accessible(page, what=f"sign in with an error, {width} px")

    sign_in(page, base, "nia@example.com", NEW_PASSWORD)
    expect(page).to_have_url(f"{base}/dashboard/")
    expect(page.locator(".portal-user__name")).to_contain_text("Nia Okoro")


def test_the_menu_folds_away_on_a_phone_and_the_switcher_changes_producer(browser, live_server):
    producer = a_producer_with_sales()
    user = UserFactory(username="two", first_name="Tam", last_name="Two")
    UserProducerAssociation.objects.create(user=user, producer=producer, role="owner")
    UserProducerAssociation.objects.create(user=user, producer=ProducerFactory(name="Zebra Music"), role="manager")
    context = new_context(browser, **PHONE)
    page = open_page(context)
    base = live_server.url

    sign_in(page, base, "two")
    menu = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Portal")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Team")).to_be_visible()
    assert_accessible(page, what="dashboard with the menu open, 390 px")
    screenshot(page, "portal-menu-open-390")
    page.keyboard.press("Escape")
    expect(menu).to_be_focused()
    expect(nav).to_be_hidden()

    page.locator(".portal-switcher > summary").click()
    assert_accessible(page, what="producer switcher open, 390 px")
    screenshot(page, "portal-switcher-390")
    page.get_by_role("button", name="Zebra Music").click()
    expect(page.get_by_role("status").first).to_contain_text("You are now working on Zebra Music.")
    expect(page.locator(".portal-switcher__name")).to_have_text("Zebra Music")
    context.close()


def test_without_javascript_the_navigation_stays_open_and_menus_still_work(browser, live_server):
    a_producer_with_sales()
    context = new_context(browser, **PHONE, java_script_enabled=False)
    page = open_page(context)
    base = live_server.url

    sign_in(page, base, "olivia")
    expect(page).to_have_url(f"{base}/dashboard/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Portal").get_by_role("link", name="Team")).to_be_visible()
    page.locator(".portal-user > summary").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{base}/accounts/login/")
    context.close()


def test_two_factor_set_up_and_sign_in_with_a_code(any_page, live_server):
    a_producer_with_sales()
    page, width = any_page, width_of(any_page)
    base = live_server.url

    sign_in(page, base, "olivia")
    page.locator(".portal-user > summary").click()
    page.get_by_role("link", name="Two-factor authentication").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor authentication")
    assert_accessible(page, what=f"two-factor, off, {width} px")

    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    assert_accessible(page, what=f"confirm it's you, {width} px")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert_accessible(page, what=f"two-factor set-up, {width} px")
    screenshot(page, f"portal-two-factor-setup-{width}")
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_role("textbox", name="Code").fill("000000")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page, what=f"two-factor set-up with a wrong code, {width} px")
    page.get_by_role("textbox", name="Code").fill(totp(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    assert_accessible(page, what=f"recovery codes, {width} px")
    page.goto(f"{base}/accounts/2fa/")
    expect(page.locator(".badge--success")).to_have_text("On")
    assert_accessible(page, what=f"two-factor, on, {width} px")

    sign_out(page)
    cache.clear()  # a code counts once; signing in again may fall in the same 30 seconds
    sign_in(page, base, "olivia")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    assert_accessible(page, what=f"two-factor code at sign-in, {width} px")
    screenshot(page, f"portal-two-factor-code-{width}")
    page.get_by_role("textbox", name="Code").fill(totp(secret))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/dashboard/")


PAGES_SIGNED_OUT = [
    ("/accounts/password/reset/", "Reset your password"),
    ("/accounts/password/reset/done/", "Check your email"),
    ("/accounts/signup/", "Joining is by invitation"),
    ("/dashboard/join/not-a-real-invitation/", "This invitation link isn't valid"),
]


def test_the_other_account_pages_are_accessible(any_page, live_server):
    a_producer_with_sales()
    UserFactory(username="staffer", is_staff=True)
    UserFactory(username="lonely")
    page, width = any_page, width_of(any_page)
    base = live_server.url

    for path, heading in PAGES_SIGNED_OUT:
        page.goto(f"{base}{path}")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page, what=f"{path}, {width} px")
    page.goto(f"{base}/accounts/password/reset/")
    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page, what=f"password reset with an error, {width} px")

    sign_in(page, base, "olivia")
    page.goto(f"{base}/accounts/password/change/")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page, what=f"change password with errors, {width} px")
    page.goto(f"{base}/dashboard/team/")
    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page, what=f"team (owner) with an invitation error, {width} px")
    page.get_by_label("Email address").fill("booker@example.com")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status").first).to_contain_text("Invitation sent to booker@example.com.")
    assert_accessible(page, what=f"team (owner) with an invitation waiting, {width} px")
    screenshot(page, f"portal-team-{width}")
    sign_out(page)

    sign_in(page, base, "lonely")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account isn't part of a producer yet")
    assert_accessible(page, what=f"no producer yet, {width} px")
    sign_out(page)

    sign_in(page, base, "staffer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a producer")
    assert_accessible(page, what=f"choose a producer (staff), {width} px")
    page.get_by_role("button", name="Laugh Track").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")


def test_a_demo_producer_signs_in_to_a_lively_dashboard(browser, live_server):
    from piquetickets.core.demo import DEMO_PASSWORD, seed_demo

    seed_demo()
    context = new_context(browser, **DESKTOP)
    page = open_page(context)

    sign_in(page, live_server.url, "laughs", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    upcoming = page.get_by_role("region", name="Upcoming shows")
    expect(upcoming.locator(".show-row")).not_to_have_count(0)
    expect(page.get_by_role("region", name="Recent orders").locator("tbody tr")).not_to_have_count(0)
    expect(page.locator(".stat").first.locator("dd")).not_to_have_text("$0.00")
    screenshot(page, "portal-demo-dashboard-1280")
    context.close()
