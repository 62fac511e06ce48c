"""The browse pages in Chromium, on a phone (390 px) and a desktop (1280 px), on the demo data.

A buyer goes from the home page to a search, the list, and a venue's page; the filters work from the
keyboard alone and update the results in place (the address follows, the count is read out); without
JavaScript the same forms work as plain forms. Every page and its error states pass axe, fit the
screen and are screenshot (tests/artifacts/browse-*.png); the CSP watch of conftest.py fails a test
on any violation.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from piquetickets.producers.models import ProducerInterest
from piquetickets.shows.models import Show
from piquetickets.subscribers.models import Subscriber
from piquetickets.venues.models import Venue
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, new_context, open_page, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, live_server):
    """The demo platform (ten upcoming shows with posters, three featured), on the live server."""
    settings.SITE_URL = live_server.url
    call_command("seed_demo", stdout=StringIO())


def width_of(page) -> int:
    return page.viewport_size["width"]


def assert_fits(page, what: str) -> None:
    """Nothing sticks out sideways: the page is no wider than the screen."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width_of(page), f"{what} is {scroll_width} px wide on a {width_of(page)} px screen"


def check(page, name: str, what: str, *, axe: bool = True) -> None:
    """axe, the width, and a full-page screenshot once every image has loaded.

    Without JavaScript axe cannot run (it waits on timers the page may not run), and browsers load
    every image at once (lazy loading needs scripting): the page is only measured and screenshot."""
    page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach((img) => { img.loading = 'eager'; })")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("Array.from(document.images).every((img) => img.complete && img.naturalWidth > 0)"), what
    assert_fits(page, what)
    if axe:
        assert_accessible(page, what=what)
    screenshot(page, f"browse-{name}-{width_of(page)}")


def test_home_to_search_to_list_to_a_venue(any_page, live_server, demo):
    page, width = any_page, width_of(any_page)
    page.goto(f"{live_server.url}/")
    expect(page).to_have_title("PiqueTickets — tickets for comedy, music and independent shows")
    featured = page.locator(".feature-lead .show-card__link, .feature-more .show-card__link")
    expect(featured).to_have_text(["Headliner: Dana Reyes", "The Quiet Hours — Album Release", "Friday Night Stand-Up"])
    expect(page.get_by_text("Only 3 left")).to_be_visible()
    check(page, "home", f"home page, {width} px")

    page.get_by_label("Search", exact=True).fill("songwriters")
    page.get_by_role("button", name="Find shows").click()

    expect(page).to_have_url(f"{live_server.url}/shows/?q=songwriters&city=")
    expect(page.get_by_role("heading", name="1 show")).to_be_visible()
    expect(page.locator(".show-card__link")).to_have_text(["Songwriters in the Round"])
    expect(page.get_by_role("link", name="“songwriters” (remove this filter)")).to_be_visible()
    check(page, "list-search", f"show list with a search, {width} px")

    page.get_by_role("link", name="Riverside Listening Room").click()

    expect(page).to_have_url(f"{live_server.url}/venues/{Venue.objects.get(name='Riverside Listening Room').slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverside Listening Room")
    expect(page.get_by_role("link", name="View map of Riverside Listening Room on OpenStreetMap")).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/search\?query=201\+E\+Hennepin\+Ave")
    )
    expect(page.locator(".show-card__link")).to_have_text(["Songwriters in the Round", "Jazz on the River"])
    check(page, "venue", f"venue page, {width} px")


def test_every_browse_page_and_its_states(any_page, live_server, demo):
    page, width = any_page, width_of(any_page)
    show = Show.objects.get(title="Friday Night Stand-Up")

    page.goto(f"{live_server.url}/shows/")
    expect(page.locator(".show-card")).to_have_count(10)
    check(page, "list", f"show list, {width} px")

    page.goto(f"{live_server.url}/shows/?q=no+such+show+anywhere")
    expect(page.get_by_text("No upcoming shows match")).to_be_visible()
    check(page, "list-empty", f"show list, nothing found, {width} px")

    page.goto(f"{live_server.url}/shows/?starts_after=31-12-2030")
    expect(page).to_have_title("Error: Upcoming shows — PiqueTickets")
    expect(page.locator(".error-summary")).to_be_focused()
    check(page, "list-error", f"show list, a date that does not parse, {width} px")

    page.goto(f"{live_server.url}/performers/{show.performers.get(name='Dana Reyes').slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dana Reyes")
    check(page, "performer", f"performer page, {width} px")

    page.goto(f"{live_server.url}/producers/{show.producer.slug}/")
    expect(page.get_by_role("link", name="Email maya@laughtrack.example")).to_be_visible()
    check(page, "producer", f"producer page, {width} px")

    page.goto(f"{live_server.url}/sell/")
    check(page, "sell", f"sell page, {width} px")
    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Send my details").click()
    expect(page).to_have_title("Error: Sell tickets with PiqueTickets")
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary li")).to_have_text(
        ["Enter your name.", "Enter an email address like name@example.com."]
    )
    check(page, "sell-errors", f"sell page with errors, {width} px")
    page.get_by_role("link", name="Enter your name.").click()
    expect(page.get_by_label("Your name")).to_be_focused()

    page.get_by_label("Your name").fill("Robin Ortiz")
    page.get_by_label("Email address").fill("robin@comedyco.example")
    page.get_by_label("Stand-up comedy").check()
    page.get_by_label("6–20").check()
    page.get_by_role("button", name="Send my details").click()
    expect(page.get_by_role("heading", name="Thanks! We've got your details")).to_be_visible()
    lead = ProducerInterest.objects.get()
    assert (lead.name, lead.show_types, lead.events_per_year) == ("Robin Ortiz", ["Stand-up comedy"], "6-20")
    check(page, "sell-thanks", f"sell thank-you page, {width} px")


def test_the_404_page(any_page, live_server, settings):
    settings.DEBUG = False
    page, width = any_page, width_of(any_page)
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We can't find that page")
    check(page, "404", f"404 page, {width} px")
    page.get_by_label("Search for a show").fill("jazz")
    page.get_by_label("Search for a show").press("Enter")
    expect(page).to_have_url(f"{live_server.url}/shows/?q=jazz")


def test_filters_by_keyboard_alone_update_the_results_in_place(page, live_server, demo):
    page.goto(f"{live_server.url}/shows/")
    page.evaluate("window.sameDocument = true")  # gone if the page reloads

    city = page.get_by_label("City")
    for _ in range(20):
        page.keyboard.press("Tab")
        if city.evaluate("(element) => element === document.activeElement"):
            break
    expect(city).to_be_focused()
    page.keyboard.type("Min")  # picks Minneapolis, as anyone typing on a closed menu does

    expect(page).to_have_url(f"{live_server.url}/shows/?city=Minneapolis")
    expect(page.get_by_role("heading", name="5 shows")).to_be_visible()
    expect(page.locator("#results-status")).to_have_text("5 shows found.")
    expect(city).to_be_focused()  # the form stays; only the results change
    assert page.evaluate("window.sameDocument") is True

    page.keyboard.press("Tab")  # venue
    page.keyboard.type("Cedar")
    expect(page.get_by_role("heading", name="3 shows")).to_be_visible()
    expect(page.locator("#results-status")).to_have_text("3 shows found.")

    page.get_by_role("link", name="Minneapolis (remove this filter)", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="3 shows")).to_be_visible()
    expect(page.locator("#results-title")).to_be_focused()  # the chip went with the old results
    expect(page).to_have_url(re.compile(r"/shows/\?venue=cedar-street-hall$"))
    assert page.evaluate("window.sameDocument") is True
    assert_accessible(page, what="show list after filtering in place")

    page.go_back()  # the address followed the filters, so Back returns to the last one
    expect(page).to_have_url(re.compile(r"city=Minneapolis&venue=cedar-street-hall"))


def test_subscribing_in_place_with_javascript(page, live_server, demo):
    page.goto(f"{live_server.url}/")
    page.evaluate("window.sameDocument = true")
    page.get_by_label("Email address").fill("nope")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_text("Enter an email address like name@example.com.")).to_be_visible()
    expect(page.get_by_label("Email address")).to_be_focused()
    assert_accessible(page, what="home page, newsletter error")

    page.get_by_label("Email address").fill("fan@listeners.example")  # already on the demo's list
    page.get_by_role("button", name="Subscribe").click()
    thanks = page.locator(".subscribe__thanks")
    expect(thanks).to_have_text("✓ Thanks! You're on the list. We'll email you when new shows go on sale.")
    expect(thanks).to_be_focused()
    assert page.evaluate("window.sameDocument") is True
    assert Subscriber.objects.filter(email__iexact="fan@listeners.example").count() == 1
    assert_accessible(page, what="home page, subscribed")
    screenshot(page, "browse-home-subscribed-1280")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_without_javascript_the_filters_and_forms_still_work(browser, live_server, demo, viewport):
    context = new_context(browser, java_script_enabled=False, **viewport)
    page = open_page(context)
    width = viewport["viewport"]["width"]

    page.goto(f"{live_server.url}/shows/")
    if width < 960:
        page.get_by_text("Filters").click()  # a phone folds the filters away
    page.get_by_label("City").select_option("Chicago")
    page.get_by_label("Performer").select_option(label="Dana Reyes")
    page.get_by_role("button", name="Show results").click()
    expect(page).to_have_url(re.compile(r"city=Chicago.*performer=dana-reyes"))
    expect(page.get_by_role("heading", name="3 shows")).to_be_visible()
    expect(page.locator(".show-card__link")).to_have_text(
        ["Friday Night Stand-Up", "Comedy Brunch", "Headliner: Dana Reyes"]
    )
    check(page, "list-filtered-nojs", f"show list filtered without JavaScript, {width} px", axe=False)

    page.goto(f"{live_server.url}/")
    page.get_by_label("Email address").fill("new-fan@example.com")
    page.get_by_role("button", name="Subscribe").click()
    expect(page).to_have_url(f"{live_server.url}/#subscribe")
    expect(page.get_by_role("status")).to_have_text(
        "Thanks! You're on the list. We'll email you when new shows go on sale."
    )
    assert Subscriber.objects.filter(email="new-fan@example.com").exists()

    page.get_by_label("Email address").fill("nope")
    page.get_by_role("button", name="Subscribe").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_text("Enter an email address like name@example.com.")).to_be_visible()
    check(page, "home-subscribe-error-nojs", f"home page, newsletter error without JavaScript, {width} px", axe=False)
    context.close()


def test_another_page_of_results_takes_the_focus_to_the_results_heading(page, live_server, demo):
    from tests.factories import ShowFactory, TicketFactory

    venue = Venue.objects.first()
    for n in range(8):  # 18 shows: two pages
        TicketFactory(show=ShowFactory(title=f"Extra night {n}", venue=venue))
    page.goto(f"{live_server.url}/shows/")
    page.evaluate("window.sameDocument = true")
    next_page = page.get_by_role("link", name=re.compile("Next"))
    next_page.focus()
    page.keyboard.press("Enter")
    heading = page.locator("#results-title")
    expect(heading).to_have_text(re.compile(r"page 2 of 2"))
    expect(heading).to_be_focused()
    expect(page).to_have_url(f"{live_server.url}/shows/?page=2")
    assert page.evaluate("window.sameDocument") is True
    page.keyboard.press("Tab")  # on from the heading: into page 2's first show
    assert page.evaluate("document.activeElement.closest('#results') !== null")
    assert_accessible(page, what="show list, page 2 after an htmx page change")
    page.locator("#results-title").focus()
    screenshot(page, "browse-list-page-2-focused-1280")
