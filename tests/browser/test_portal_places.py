"""The portal's Venues, Performers, Profile and page design pages in Chromium: edit a venue (its errors,
then a photo with its preview), change a show's colours and watch the preview and the contrast note
follow, copy the embed line, and the design saved without JavaScript. axe-core on every page and its
error states at 390 and 1280 px, under the CSP watch of ``conftest.py``; screenshots in
``tests/artifacts/portal-places-*.png``."""

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from piquetickets.producers.models import UserProducerAssociation
from piquetickets.shows.models import TicketPageDesign
from tests.browser.conftest import DESKTOP, assert_accessible, new_context, open_page, screenshot
from tests.browser.test_portal_onboarding import sign_in
from tests.factories import (
    MembershipFactory,
    PerformerFactory,
    ProducerFactory,
    ShowFactory,
    TicketFactory,
    VenueFactory,
)
from tests.images import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-places")


def _shot(page, name: str) -> None:
    path = screenshot(page, f"portal-places-{name}")
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def a_producer():
    producer = ProducerFactory(name="Laugh Track", bio="<p>Comedy nights in <strong>Brooklyn</strong>.</p>")
    MembershipFactory(producer=producer, role=UserProducerAssociation.Role.OWNER, user__username="olivia")
    venue = VenueFactory(producer=producer, name="The Cellar", city="Brooklyn", state="NY", capacity=120)
    PerformerFactory(producer=producer, name="Dana Quip", city="Chicago")
    show = ShowFactory(producer=producer, venue=venue, title="Friday Laughs")
    TicketFactory(show=show, name="General admission")
    return producer, venue, show


def test_edit_a_venue_and_see_the_other_pages(any_page, live_server):
    page = any_page
    width = page.viewport_size["width"]
    _, venue, _ = a_producer()
    sign_in(page, live_server.url, "olivia")

    page.goto(f"{live_server.url}/dashboard/venues/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Venues")
    assert_accessible(page, what="the venue list")
    _shot(page, f"venues-{width}")

    page.get_by_role("link", name="The Cellar", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit The Cellar")
    assert_accessible(page, what="the venue form")

    page.get_by_label("Name", exact=True).fill("")
    page.get_by_label("Website").fill("not a web address")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".error-summary")).to_contain_text("Enter the venue's name.")
    expect(page).to_have_title("Error: Edit The Cellar · Laugh Track · PiqueTickets")
    expect(page.get_by_label("Website")).to_have_value("not a web address")
    assert_accessible(page, what="the venue form with errors")
    _shot(page, f"venue-errors-{width}")

    page.get_by_label("Name", exact=True).fill("The Cellar Bar")
    page.get_by_label("Website").fill("https://thecellar.example")
    page.get_by_label("Capacity").fill("140")
    photo = {"name": "room.png", "mimeType": "image/png", "buffer": image_bytes()}
    page.get_by_label("Photo").set_input_files(photo)
    preview = page.locator('img[data-image-preview="id_venue_image"]')
    expect(preview).to_be_visible()
    expect(preview).to_have_attribute("alt", "Preview of room.png")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".site-messages")).to_contain_text("“The Cellar Bar” is saved.")
    expect(page.get_by_role("link", name="The Cellar Bar", exact=True)).to_be_visible()
    venue.refresh_from_db()
    assert venue.capacity == 140
    assert venue.venue_image.name.startswith("venues/room-")

    page.goto(f"{live_server.url}/dashboard/performers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Performers")
    assert_accessible(page, what="the performer list")
    page.get_by_role("link", name="New performer").first.click()
    assert_accessible(page, what="the new performer form")
    _shot(page, f"performer-new-{width}")

    page.goto(f"{live_server.url}/dashboard/profile/")
    expect(page.get_by_role("heading", level=2, name="What buyers see")).to_be_visible()
    expect(page.locator(".profile-card")).to_contain_text("Comedy nights in Brooklyn.")
    assert_accessible(page, what="the profile page")
    _shot(page, f"profile-{width}")


def test_change_the_design_and_see_the_preview_change(any_page, live_server):
    page = any_page
    width = page.viewport_size["width"]
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    _, _, show = a_producer()
    sign_in(page, live_server.url, "olivia")

    page.goto(f"{live_server.url}/dashboard/shows/{show.slug}/")
    panel = page.locator("section", has=page.get_by_role("heading", name="Embed on your site"))
    expect(panel.get_by_label("Code for Friday Laughs")).to_have_value(
        f'<script src="{_site()}/static/storefront/widget.js" data-show="{show.slug}" async></script>'
    )
    panel.get_by_role("button", name="Copy the code").click()
    expect(panel.get_by_role("status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("navigator.clipboard.readText()").endswith(f'data-show="{show.slug}" async></script>')
    assert_accessible(page, what="the show page with its embed panel")
    _shot(page, f"show-embed-{width}")

    page.get_by_role("link", name="Page design").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Page design")
    expect(page.locator(".design-button").first).to_have_css("background-color", "rgb(179, 18, 91)")
    expect(page.locator(".design-notes__warning")).to_have_count(0)
    assert_accessible(page, what="the design page")
    _shot(page, f"design-{width}")

    # A light primary colour, typed: the preview's button takes it, the notes warn and say what the page does.
    page.get_by_label("Primary colour", exact=True).fill("#ffd700")
    expect(page.locator(".design-notes__warning")).to_contain_text("too light to read as text")
    expect(page.locator("[data-design-status]")).to_contain_text("too light to read as text")
    expect(page.locator("[data-design-preview]")).to_have_attribute("data-primary", "#ffd700")
    expect(page.locator(".design-button").first).to_have_css("background-color", "rgb(255, 215, 0)")
    assert page.get_by_label("Primary colour: picker").input_value() == "#ffd700"
    assert_accessible(page, what="the design page with a contrast warning")
    _shot(page, f"design-warning-{width}")

    # The picker moves the hex code and the band.
    page.get_by_label("Secondary colour: picker").fill("#0a6e4f")
    expect(page.get_by_label("Secondary colour", exact=True)).to_have_value("#0a6e4f")
    expect(page.locator(".design-hero")).to_have_css("background-color", "rgb(10, 110, 79)")

    page.get_by_role("button", name="Save design").click()
    expect(page.locator(".site-messages")).to_contain_text("The page design of “Friday Laughs” is saved.")
    design = TicketPageDesign.objects.get(show=show)
    assert (design.primary_color, design.secondary_color) == ("#ffd700", "#0a6e4f")


def _site() -> str:
    from django.conf import settings

    return settings.SITE_URL


def test_the_design_without_javascript_updates_on_save(browser, live_server):
    context = new_context(browser, java_script_enabled=False, **DESKTOP)
    page = open_page(context)
    _, _, show = a_producer()
    sign_in(page, live_server.url, "olivia")

    page.goto(f"{live_server.url}/dashboard/shows/{show.slug}/design/")
    expect(page.get_by_role("button", name="Copy the code")).to_have_count(0)
    page.get_by_label("Primary colour", exact=True).fill("nope")
    page.get_by_role("button", name="Save design").click()
    expect(page.locator(".error-summary")).to_contain_text("Enter a colour as 6 hex digits after a #")
    expect(page.get_by_label("Primary colour", exact=True)).to_have_value("nope")

    page.get_by_label("Primary colour", exact=True).fill("#224488")
    page.get_by_role("button", name="Save design").click()
    expect(page.locator(".site-messages")).to_contain_text("is saved")
    preview = page.locator("[data-design-preview]")
    expect(preview).to_have_attribute("data-primary", "#224488")
    expect(preview.locator("link[rel=stylesheet]")).to_have_attribute("href", re.compile(r"primary_color=%23224488"))
    expect(page.locator("[data-design-hint]")).to_have_text("The top of the show page and its tickets, as saved.")
    context.close()
