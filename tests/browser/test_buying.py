"""Buying as a person does, in Chromium: from the home page to a show, two tickets and a promo code, the
test payment page, the QR codes on the order page, and one of them scanned at the door; the same with
the keyboard alone and with JavaScript off; axe and screenshots of the show page and the checkout."""

import re
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from piquetickets.core.demo import poster_image
from piquetickets.core.images import image_make_variants
from piquetickets.orders.models import Order, TicketAttendee
from piquetickets.shows.models import FeaturedShow, TicketPageDesign
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, new_context, open_page, screenshot
from tests.factories import (
    CheckInSessionFactory,
    PerformerFactory,
    ProducerFactory,
    PromoCodeFactory,
    ShowFactory,
    TicketFactory,
    VenueFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def night(db, settings, live_server):
    """A published show as the demo makes them: a poster in WebP sizes, a lineup, the producer's colours,
    three ticket types (one nearly gone, one pay-what-you-can) and a 10 % promo code, featured on /."""
    settings.SITE_URL = live_server.url
    producer = ProducerFactory(name="Laugh Track Comedy", support_email="maya@laughtrack.example")
    venue = VenueFactory(
        name="The Basement Room", address="1520 N Milwaukee Ave", city="Chicago", state="IL", zip_code="60622"
    )
    start = (timezone.now() + timedelta(days=9)).replace(hour=2, minute=0, second=0, microsecond=0)
    show = ShowFactory(
        title="Friday Night Stand-Up",
        producer=producer,
        venue=venue,
        start_time=start,
        end_time=start + timedelta(hours=2),
        door_time=start - timedelta(minutes=30),
        description="<p>Chicago's sharpest new voices, six comics, one loud room. Two-drink minimum.</p>"
        "<ul><li>Doors 30 minutes before</li><li>Seating first come, first served</li></ul>",
        featured_video="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        age_restriction="21+",
        refund_policy="until_24h",
        published_at=timezone.now(),
    )
    show.image.save("friday.png", poster_image(show.title, ("#B3125B", "#1F1A2E")), save=True)
    image_make_variants(instance=show, field="image")
    show.performers.set([PerformerFactory(name="Dana Reyes", city="Chicago"), PerformerFactory(name="Sam Whitfield")])
    TicketPageDesign.objects.create(show=show, primary_color="#B3125B", secondary_color="#1F1A2E")
    FeaturedShow.objects.create(show=show, order=0)
    general = TicketFactory(show=show, name="General admission", price=Decimal("20.00"), quantity=100, sort_order=0)
    front = TicketFactory(
        show=show,
        name="Front row",
        price=Decimal("35.00"),
        quantity=16,
        quantity_sold=12,
        sort_order=1,
        description="<p>The first two rows, closest to the mic.</p>",
    )
    donation = TicketFactory(
        show=show,
        name="Pay what you can",
        price=Decimal("5.00"),
        quantity=20,
        sort_order=2,
        is_donation_based=True,
        description="<p>Suggested $10; pay what you can.</p>",
    )
    PromoCodeFactory(show=show, code="EARLYBIRD", discount=Decimal("20"))
    return SimpleNamespace(show=show, general=general, front=front, donation=donation, url=live_server.url)


def show_url(night) -> str:
    return f"{night.url}/shows/{night.show.slug}/"


def qr_codes(page, tmp_path) -> set[str]:
    """What the QR codes of the order page's tickets decode to."""
    codes = set()
    for index, ticket in enumerate(page.locator(".ticket__qr").all()):
        path = tmp_path / f"ticket-{index}.png"
        ticket.screenshot(path=str(path))
        codes |= {result.text for result in zxingcpp.read_barcodes(Image.open(path))}
    return codes


# --- the whole seed flow ----------------------------------------------------------------------------


def test_from_the_home_page_to_a_ticket_scanned_at_the_door(browser, night, tmp_path):
    context = new_context(browser, **PHONE)
    page = open_page(context)

    # the storefront: home, then the show
    page.goto(f"{night.url}/")
    page.get_by_role("link", name="Friday Night Stand-Up").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Friday Night Stand-Up")
    screenshot(page, "buying-1-show-phone")

    # two general admission tickets with the stepper, then the checkout
    tickets = page.locator("#tickets")
    plus = tickets.get_by_role("button", name="One more General admission")
    plus.click()
    plus.click()
    expect(tickets.get_by_label("Quantity of General admission")).to_have_value("2")
    tickets.get_by_role("button", name="Check out").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Tickets for Friday Night Stand-Up")
    summary = page.locator("#checkout-summary")
    # 2 × $20.00; platform $1.20 + $1.98; processing 2.9 % of $43.18 + $0.30 = $1.55
    expect(summary.locator("tfoot")).to_contain_text("$44.73")
    page.get_by_label("Promo code (optional)").fill("earlybird")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#promo-slot")).to_contain_text("EARLYBIRD: 20% off.")
    # $40.00 − $8.00 = $32.00; platform $0.96 + $1.98; processing 2.9 % of $34.94 + $0.30 = $1.31
    expect(summary.locator("tfoot")).to_contain_text("$36.25")
    expect(page.locator("#checkout-announce")).to_have_text("Promo code applied. Total $36.25 for 2 tickets.")
    page.get_by_label("First name", exact=True).first.fill("Alex")
    page.get_by_label("Last name", exact=True).first.fill("Morgan")
    page.get_by_label("Email address").fill("alex@example.com")
    screenshot(page, "buying-2-checkout-phone")
    page.get_by_role("button", name="Pay $36.25").click()

    # the test provider's payment page, then the order page with the tickets
    expect(page.get_by_role("heading", name="Pay for Friday Night Stand-Up")).to_be_visible()
    page.get_by_role("button", name="Approve payment").click()
    expect(page.get_by_role("status").first).to_contain_text("You're in!")
    order = Order.objects.get()
    assert (order.status, order.total, order.promo_code.code) == ("paid", Decimal("36.25"), "EARLYBIRD")
    attendees = {str(a.uuid): a for a in TicketAttendee.objects.filter(ticket_order__order=order)}
    expect(page.get_by_role("article")).to_have_count(2)
    assert qr_codes(page, tmp_path) == set(attendees)
    screenshot(page, "buying-3-order-phone")
    expect(page.get_by_role("link", name="The show's page: venue, map and lineup")).to_have_attribute(
        "href", f"/shows/{night.show.slug}/"
    )

    # at the door: the check-in app, the code typed into its field
    door = CheckInSessionFactory(show=night.show, label="Front door")
    staff = open_page(new_context(browser, **PHONE))
    staff.goto(f"{night.url}/checkin/?token={door.token}")
    code = next(iter(attendees))
    field = staff.get_by_label("Ticket code")
    field.fill(code)
    field.press("Enter")
    expect(staff.locator("[data-result]")).to_contain_text("Checked in")
    expect(staff.locator("[data-result]")).to_contain_text("Alex Morgan")
    attendee = attendees[code]
    attendee.refresh_from_db()
    assert attendee.is_checked_in
    screenshot(staff, "buying-4-door-phone")
    staff.context.close()
    context.close()


# --- the keyboard alone -------------------------------------------------------------------------------


# Roughly the focused element's accessible name: its label's or its own text, without what is
# hidden from assistive technology (aria-hidden).
FOCUSED_NAME = """() => {
  const e = document.activeElement;
  const words = (node) => {
    const copy = node.cloneNode(true);
    copy.querySelectorAll('[aria-hidden="true"]').forEach((hidden) => hidden.remove());
    return copy.textContent;
  };
  const text = e.getAttribute("aria-label") || (e.labels && e.labels[0] ? words(e.labels[0]) : words(e));
  return (text || e.value || "").replace(/\\s+/g, " ").trim();
}"""


def tab_to(page, name: str, *, limit: int = 80) -> None:
    """Press Tab until the focused element's accessible text starts with ``name``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_NAME)
        if focused.startswith(name):
            return
    pytest.fail(f"Tab never reached {name!r}")


def test_the_whole_purchase_with_the_keyboard_alone(browser, night):
    context = new_context(browser, **DESKTOP)
    page = open_page(context)
    page.goto(show_url(night))

    tab_to(page, "One more General admission")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Quantity of General admission")).to_have_value("3")
    tab_to(page, "Check out")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Tickets for Friday Night Stand-Up")
    tab_to(page, "One fewer General admission")
    page.keyboard.press("Space")
    expect(page.locator("#checkout-summary tfoot")).to_contain_text("$44.73")
    tab_to(page, "First name")
    page.keyboard.type("Sam")
    page.keyboard.press("Tab")
    page.keyboard.type("Lee")
    page.keyboard.press("Tab")
    page.keyboard.type("sam@example.com")
    # Enter in a field updates the total (the form's default button), it never pays by itself
    checkout_url = page.url
    with page.expect_response(lambda r: r.request.method == "POST" and "/checkout/" in r.url) as posted:
        page.keyboard.press("Enter")
    assert posted.value.request.headers.get("hx-request") == "true"
    assert "action=update" in posted.value.request.post_data
    expect(page.locator("#checkout-announce")).to_have_text("Total $44.73 for 2 tickets.")
    assert page.url == checkout_url
    assert Order.objects.count() == 0
    tab_to(page, "Pay $44.73")
    focus_ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focus_ring == "solid"
    page.keyboard.press("Enter")

    expect(page.get_by_role("button", name="Approve payment")).to_be_visible()
    tab_to(page, "Approve payment")
    page.keyboard.press("Enter")
    expect(page.get_by_role("article")).to_have_count(2)
    assert Order.objects.get().email == "sam@example.com"
    context.close()


# --- JavaScript off -----------------------------------------------------------------------------------


def test_the_whole_purchase_with_javascript_off(browser, night):
    context = new_context(browser, **PHONE, java_script_enabled=False)
    page = open_page(context)
    page.goto(show_url(night))

    # the stepper's buttons and Copy link need the script: without it they are not there
    expect(page.get_by_role("button", name="One more Front row")).to_be_hidden()
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    page.get_by_label("Quantity of Front row").fill("2")
    page.get_by_role("button", name="Check out").click()
    expect(page.locator("#checkout-summary tfoot")).to_contain_text("$76.53")
    # the promo code without htmx: Apply posts the form and the page comes back
    page.get_by_label("Promo code (optional)").fill("nope")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#id_promo_code_error")).to_have_text("Error: We don't know this promo code.")
    assert page.title().startswith("Error: ")
    screenshot(page, "buying-nojs-promo-error-phone")
    page.get_by_label("Promo code (optional)").fill("EARLYBIRD")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#checkout-summary tfoot")).to_contain_text("$61.69")
    page.get_by_label("Quantity of General admission").fill("1")
    page.get_by_label("First name", exact=True).first.fill("Jo")
    page.get_by_label("Last name", exact=True).first.fill("Rivera")
    page.get_by_label("Email address").fill("jo@example.com")
    page.get_by_role("button", name="Pay $61.69").click()

    # the quantity changed after the total was shown: the page shows the new total before buying
    expect(page.locator(".checkout__review")).to_contain_text("Check your total: $79.67 for 3 tickets")
    assert Order.objects.count() == 0
    page.get_by_role("button", name="Pay $79.67").click()
    page.get_by_role("button", name="Approve payment").click()
    expect(page.get_by_role("article")).to_have_count(3)
    assert Order.objects.get().total == Decimal("79.67")
    context.close()


# --- looks and accessibility ----------------------------------------------------------------------------


def test_the_show_page_at_390_and_1280_passes_axe(any_page, night):
    any_page.goto(show_url(night))
    expect(any_page.get_by_role("heading", level=1)).to_have_text("Friday Night Stand-Up")
    width = any_page.viewport_size["width"]
    assert any_page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(any_page, what=f"the show page at {width}px")
    screenshot(any_page, f"show-page-{width}")


def test_the_checkout_and_its_error_state_at_390_and_1280_pass_axe(any_page, night):
    width = any_page.viewport_size["width"]
    any_page.goto(f"{show_url(night)}checkout/?qty_{night.general.pk}=2&qty_{night.donation.pk}=1")
    expect(any_page.locator("#checkout-summary tfoot")).to_be_visible()
    assert any_page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(any_page, what=f"the checkout at {width}px")
    screenshot(any_page, f"checkout-{width}")

    any_page.get_by_label("Email address").fill("not an email")
    any_page.get_by_role("button", name=re.compile(r"^Pay \$")).click()
    summary = any_page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        ["Enter your first name.", "Enter your last name.", "Enter an email address like name@example.com."]
    )
    assert any_page.title().startswith("Error: ")
    assert_accessible(any_page, what=f"the checkout's error state at {width}px")
    screenshot(any_page, f"checkout-errors-{width}")
    summary.get_by_role("link", name="Enter your first name.").click()
    expect(any_page.get_by_label("First name", exact=True).first).to_be_focused()
    assert Order.objects.count() == 0


def test_a_producer_palette_stays_readable_on_the_page(page, night):
    TicketPageDesign.objects.filter(show=night.show).update(primary_color="#FFFF00", secondary_color="#FFFFFF")
    page.goto(show_url(night))
    hero = page.locator(".show-hero")

    assert hero.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 255, 255)"
    assert hero.evaluate("e => getComputedStyle(e.querySelector('h1')).color") == "rgb(29, 27, 34)"
    button = page.get_by_role("link", name="Get tickets")
    assert button.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 255, 0)"
    assert_accessible(page, what="the show page in yellow on white")
    screenshot(page, "show-page-yellow-1280")


def test_resend_page_at_390_passes_axe(phone_page, night):
    phone_page.goto(f"{night.url}/orders/resend/")
    phone_page.get_by_label("Email address").fill("alex@example.com")
    phone_page.get_by_role("button", name="Email me my tickets").click()
    expect(phone_page.get_by_role("status")).to_contain_text("Check your inbox.")
    assert_accessible(phone_page, what="the resend page")
    screenshot(phone_page, "resend-390")


def test_naming_each_ticket_with_the_first_one_mine(page, night):
    page.goto(f"{show_url(night)}checkout/?qty_{night.general.pk}=2")
    page.get_by_label("First name", exact=True).first.fill("Alex")
    page.get_by_label("Last name", exact=True).first.fill("Morgan")
    page.get_by_label("Email address").fill("alex@example.com")
    page.get_by_text("Name each ticket").click()
    page.get_by_label("The first ticket is mine: use my name").check()

    first_ticket = page.get_by_role("group", name="General admission, ticket 1")
    expect(first_ticket.get_by_label("First name")).to_have_value("Alex")
    expect(first_ticket.get_by_label("First name")).not_to_be_editable()
    second_ticket = page.get_by_role("group", name="General admission, ticket 2")
    second_ticket.get_by_label("First name").fill("Sam")
    second_ticket.get_by_label("Last name").fill("Lee")
    # a third ticket adds a row and keeps the names typed so far
    page.get_by_role("button", name="One more General admission").click()
    expect(page.get_by_role("group", name="General admission, ticket 3")).to_be_visible()
    expect(second_ticket.get_by_label("First name")).to_have_value("Sam")
    expect(first_ticket.get_by_label("Last name")).to_have_value("Morgan")
    expect(first_ticket.get_by_label("Last name")).not_to_be_editable()
    assert_accessible(page, what="the checkout with ticket holders' names")
    screenshot(page, "checkout-names-1280")
    page.get_by_role("button", name=re.compile(r"^Pay \$")).click()

    expect(page.get_by_role("button", name="Approve payment")).to_be_visible()
    assert Order.objects.get().ticket_orders.get().attendee_names == [  # the third is in the buyer's name
        {"first_name": "Alex", "last_name": "Morgan"},
        {"first_name": "Sam", "last_name": "Lee"},
    ]
