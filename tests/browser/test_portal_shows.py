"""The portal's Shows pages in Chromium, as a producer uses them: from an empty list, create a show (with its
venue created inline), add two ticket types and a promo code, publish it and find it on the storefront.
axe-core on every page and its error states at 390 and 1280 px, under the CSP watch of ``conftest.py``;
screenshots in ``tests/artifacts/portal-shows-*.png``."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from piquetickets.producers.models import UserProducerAssociation
from piquetickets.shows.models import Show
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

NEW_YORK = ZoneInfo("America/New_York")


def _local(days: int, hour: int, minute: int = 0) -> str:
    day = (timezone.now() + timedelta(days=days)).astimezone(NEW_YORK).date()
    return f"{day:%Y-%m-%d}T{hour:02d}:{minute:02d}"


def a_producer_who_may_publish():
    producer = ProducerFactory(name="Laugh Track")
    owner = MembershipFactory(producer=producer, role=UserProducerAssociation.Role.OWNER, user__username="olivia").user
    owner.profile.can_publish_shows = True
    owner.profile.save()
    PerformerFactory(producer=producer, name="Dana Quip")
    return producer


def add_ticket_type(page, name: str, price: str, quantity: str, position: str):
    page.get_by_role("link", name="Add a ticket type").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New ticket type")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Price", exact=True).fill(price)
    page.get_by_label("Quantity for sale").fill(quantity)
    page.get_by_label("Order on the page").fill(position)
    page.get_by_role("button", name="Add ticket type").click()
    expect(page.locator(".site-messages")).to_contain_text(f"Ticket type “{name}” added.")


def test_create_a_show_with_tickets_and_a_promo_code_then_publish_it(any_page, live_server):
    page = any_page
    width = page.viewport_size["width"]
    a_producer_who_may_publish()
    sign_in(page, live_server.url, "olivia")

    page.goto(f"{live_server.url}/dashboard/shows/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Shows")
    expect(page.get_by_text("You have no shows yet")).to_be_visible()
    assert_accessible(page, what="the empty list of shows")
    screenshot(page, f"portal-shows-empty-{width}")

    page.locator(".panel__empty").get_by_role("link", name="New show").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New show")
    assert_accessible(page, what="the new show form")

    # Sent without a title and with the end before the start: the errors, by field and at the top.
    page.get_by_label("Show starts").fill(_local(14, 20))
    page.get_by_label("Show ends").fill(_local(14, 22))
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.locator(".error-summary")).to_contain_text("Enter the show's title.")
    expect(page).to_have_title("Error: New show · Laugh Track · PiqueTickets")
    expect(page.get_by_label("Show starts")).to_have_value(_local(14, 20))
    assert_accessible(page, what="the new show form with errors")
    screenshot(page, f"portal-shows-form-errors-{width}")

    page.get_by_label("Title", exact=True).fill("Friday Laughs")
    page.get_by_label("Description").fill("<p>Stand-up all night.</p>")
    page.get_by_label("Time zone", exact=True).select_option("America/New_York")
    page.get_by_label("Doors open").fill(_local(14, 19, 30))
    page.get_by_text("Add a new venue").click()
    page.get_by_label("Name", exact=True).fill("The Basement Room")
    page.get_by_label("Street address").fill("12 Elm St")
    page.get_by_label("City").fill("Brooklyn")
    page.get_by_label("Venue's time zone").select_option("America/New_York")
    page.get_by_label("Dana Quip").check()
    poster = {"name": "poster.png", "mimeType": "image/png", "buffer": image_bytes()}
    page.get_by_label("Main image").set_input_files(poster)
    preview = page.locator('img[data-image-preview="id_image"]')
    expect(preview).to_be_visible()
    expect(preview).to_have_attribute("alt", "Preview of poster.png")
    assert preview.get_attribute("src").startswith("data:image/png;base64,")
    page.get_by_role("button", name="Save as a draft").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Friday Laughs")
    expect(page.locator(".site-messages")).to_contain_text("“Friday Laughs” is saved as a draft.")
    expect(page.locator(".show-problems")).to_contain_text("Add at least one ticket type that is on sale.")
    show = Show.objects.get()
    assert (show.venue.name, show.time_zone, show.published) == ("The Basement Room", "America/New_York", False)
    assert show.image.name.startswith("shows/poster-")

    add_ticket_type(page, "General admission", "20", "80", "0")
    assert_accessible(page, what="the show's page with a ticket type")
    add_ticket_type(page, "Front row", "35", "12", "1")

    page.get_by_role("link", name="Add a promo code").click()
    page.get_by_label("Code", exact=True).fill("LAUGHS20")
    page.get_by_label("Percentage").check()
    page.get_by_label("Discount", exact=True).fill("20")
    page.get_by_label("Front row").check()
    assert_accessible(page, what="the new promo code form")
    page.get_by_role("button", name="Add promo code").click()
    expect(page.locator(".site-messages")).to_contain_text("Promo code LAUGHS20 added.")
    expect(page.get_by_role("row", name="LAUGHS20")).to_contain_text("20%")

    page.get_by_role("link", name="Preview as a buyer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Friday Laughs")
    expect(page.locator(".preview-tickets")).to_contain_text("Front row")
    assert_accessible(page, what="the preview of a draft")
    page.go_back()

    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".site-messages")).to_contain_text("“Friday Laughs” is published")
    assert_accessible(page, what="the published show's page in the portal")
    screenshot(page, f"portal-shows-show-{width}")

    page.get_by_role("link", name="View on the storefront").click()
    show.refresh_from_db()
    assert page.url.endswith(f"/shows/{show.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Friday Laughs")
    expect(page.get_by_text("Front row").first).to_be_visible()

    page.goto(f"{live_server.url}/dashboard/shows/")
    expect(page.get_by_role("row", name="Friday Laughs")).to_contain_text("On sale")
    assert_accessible(page, what="the list of shows")
    screenshot(page, f"portal-shows-list-{width}")


def test_a_ticket_quantity_below_what_is_sold_is_refused_by_the_field(page, live_server):
    producer = a_producer_who_may_publish()
    show = ShowFactory(producer=producer, venue=VenueFactory(producer=producer), title="Sold well")
    ticket = TicketFactory(show=show, name="General admission", quantity=50, quantity_sold=30)
    sign_in(page, live_server.url, "olivia")

    page.goto(f"{live_server.url}/dashboard/shows/{show.slug}/tickets/{ticket.pk}/")
    page.get_by_label("Quantity for sale").fill("20")
    page.get_by_role("button", name="Save changes").click()

    expect(page.locator("#id_quantity_error")).to_contain_text("Quantity can't be lower than 30")
    expect(page.get_by_label("Quantity for sale")).to_have_value("20")
    assert_accessible(page, what="the ticket type form with the quantity refused")

    page.goto(f"{live_server.url}/dashboard/shows/{show.slug}/duplicate/")
    page.get_by_label("Show ends").fill("")
    page.get_by_role("button", name="Create the copy").click()
    expect(page.locator("#id_end_time_error")).to_contain_text("Enter a date and time.")
    assert_accessible(page, what="the duplicate form with an error")

    page.goto(f"{live_server.url}/dashboard/shows/{show.slug}/delete/")
    assert_accessible(page, what="the delete confirmation")
    page.get_by_role("button", name="Delete the show").click()
    expect(page.get_by_role("row", name="Sold well")).to_contain_text("Deleted")
    page.get_by_role("button", name="Restore Sold well").click()
    expect(page.locator(".site-messages")).to_contain_text("“Sold well” is restored as a draft.")


def test_without_javascript_a_show_and_a_ticket_type_are_created(browser, live_server):
    a_producer_who_may_publish()
    context = new_context(browser, java_script_enabled=False, **DESKTOP)
    page = open_page(context)
    sign_in(page, live_server.url, "olivia")

    page.goto(f"{live_server.url}/dashboard/shows/new/")
    page.get_by_label("Title", exact=True).fill("No-script night")
    page.get_by_label("Time zone", exact=True).select_option("America/New_York")
    page.get_by_label("Show starts").fill(_local(9, 20))
    page.get_by_label("Show ends").fill(_local(9, 19))
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.locator(".error-summary")).to_contain_text("The show must end after it starts.")
    expect(page.get_by_label("Title", exact=True)).to_have_value("No-script night")

    page.get_by_label("Show ends").fill(_local(9, 22))
    page.get_by_text("Add a new venue").click()
    page.get_by_label("Name", exact=True).fill("Back Room")
    page.get_by_label("Street address").fill("3 Oak St")
    page.get_by_label("City").fill("Queens")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("No-script night")

    add_ticket_type(page, "Door", "10", "30", "0")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".site-messages")).to_contain_text("“No-script night” is published")
    context.close()
