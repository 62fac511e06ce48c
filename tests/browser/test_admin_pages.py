"""Admin pages in Chromium: they fit a 1280 px screen, a refund is reviewed before it is made, a promo
code is added for a show's ticket types, and a door link that would not work is refused by its field."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from piquetickets.accounts.services import user_create
from piquetickets.checkin.models import CheckInSession
from piquetickets.checkin.services import check_in_attendee
from piquetickets.core.demo import seed_demo
from piquetickets.orders.models import Order, Refund, TicketAttendee
from piquetickets.shows.models import Show, TicketPromoCode
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, new_context, open_page, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo()
    return user_create(username="ops", email="ops@example.com", password="a-strong-pass-1234", is_superuser=True)


@pytest.fixture
def staff(browser, live_server, demo):
    """Open pages as the superuser: a signed-in session's cookie in a watched context of each size."""
    client = Client()
    client.force_login(demo)
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}
    contexts = []

    def open_as_staff(size: dict):
        context = new_context(browser, **size)
        context.add_cookies([cookie])
        contexts.append(context)
        return open_page(context)

    yield open_as_staff
    for context in contexts:
        context.close()


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def an_order_with_a_checked_in_ticket() -> Order:
    order = Order.objects.filter(success=True, show__title="The Late Late Show").order_by("pk").first()
    attendee = TicketAttendee.objects.filter(ticket_order__order=order).order_by("pk").first()
    check_in_attendee(session=CheckInSession.objects.get(show=order.show), code=str(attendee.uuid))
    return order


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_the_promo_code_page_fits_the_screen(staff, live_server, size):
    promo = TicketPromoCode.objects.order_by("pk").first()
    page = staff(size)
    width = size["viewport"]["width"]

    page.goto(live_server.url + reverse("admin:shows_ticketpromocode_change", args=[promo.pk]))

    screenshot(page, f"admin-promo-code-{width}")
    assert page_width(page) <= width
    boxes = page.locator("input[name=tickets]")
    assert boxes.count() == promo.show.tickets.count()  # only this show's ticket types
    first = promo.show.tickets.order_by("sort_order", "pk").first()
    page.get_by_label(first.name, exact=False).first.check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(live_server.url + reverse("admin:shows_ticketpromocode_changelist"))
    assert list(promo.tickets.all()) == [first]


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_the_order_page_fits_and_shows_local_check_in_times(staff, live_server, size):
    order = an_order_with_a_checked_in_ticket()
    page = staff(size)

    page.goto(live_server.url + reverse("admin:orders_order_change", args=[order.pk]))
    width = size["viewport"]["width"]
    screenshot(page, f"admin-order-{width}")

    table = page.locator(".pq-attendees table")
    assert table.locator("thead th").all_inner_texts() == [
        "Name",
        "Code",
        "Ticket type",
        "Status",
        "Checked in at",
        "Door",
    ]
    first_row = table.locator("tbody tr").first.locator("td").all_inner_texts()
    assert first_row[4].endswith(("CST", "CDT"))
    assert first_row[5] == "Front door (demo)"
    assert_accessible(page, what=f"order page at {width} px")
    assert page_width(page) <= width


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_staff_review_a_ticket_refund_then_confirm_it(staff, live_server, size):
    order = Order.objects.filter(success=True, refunded_amount=0).order_by("pk").first()
    first = TicketAttendee.objects.filter(ticket_order__order=order).order_by("ticket_order_id", "pk").first()
    page = staff(size)
    width = size["viewport"]["width"]
    page.goto(live_server.url + reverse("admin:orders_order_change", args=[order.pk]))

    if size is PHONE:  # the page's actions sit behind the header's "more" button on a phone
        page.get_by_role("link", name="more_horiz").click()
    page.get_by_role("link", name="Refund…").click()
    tickets = page.locator("[data-refund-part=tickets]")
    expect(tickets).to_be_hidden()  # the whole order is chosen until told otherwise
    page.get_by_label("Chosen tickets").check()
    expect(tickets).to_be_visible()
    page.locator(f"input[name=attendees][value='{first.uuid}']").check()
    page.get_by_label("Reason (optional)").fill("Could not come")
    screenshot(page, f"admin-refund-choose-{width}")
    assert_accessible(page, what="refund page")
    page.get_by_role("button", name="Review refund").click()

    assert page.locator("[data-refund-stopping]").inner_text().count("·") == 2  # one ticket: name · type · code
    share = order.ticket_orders.get(pk=first.ticket_order_id)
    amount = (share.total_price / share.quantity).quantize(Decimal("0.01"))
    assert page.locator("h2", has_text="Refund $").inner_text() == f"Refund ${amount}?"
    screenshot(page, f"admin-refund-confirm-{width}")
    assert page_width(page) <= width
    assert_accessible(page, what="refund confirmation")
    assert not Refund.objects.exists()

    page.get_by_role("button", name="Confirm refund").click()

    page.wait_for_url(live_server.url + reverse("admin:orders_order_change", args=[order.pk]))
    expect(page.get_by_text(f"Refunded ${amount} of order")).to_be_visible()
    refund = Refund.objects.get()
    assert (refund.amount, refund.reason, list(refund.attendees.all())) == (amount, "Could not come", [first])


def test_a_bad_amount_is_shown_in_a_summary_and_at_the_field(staff, live_server):
    order = Order.objects.filter(success=True, refunded_amount=0).order_by("pk").first()
    page = staff(PHONE)
    page.goto(live_server.url + reverse("admin:orders_order_refund_order", args=[order.pk]))

    page.get_by_label("An amount of money").check()
    page.get_by_label(f"Amount ({order.currency})").fill("-3")
    page.get_by_role("button", name="Review refund").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    assert summary.get_by_role("link").all_inner_texts() == ["Ensure this value is greater than or equal to 0."]
    expect(page.locator("#amount-error")).to_have_text("Ensure this value is greater than or equal to 0.")
    expect(page.get_by_label(f"Amount ({order.currency})")).to_have_value("-3")
    screenshot(page, "admin-refund-error-390")
    assert page_width(page) <= 390
    assert_accessible(page, what="refund page with an error")
    assert not Refund.objects.exists()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_a_promo_code_is_added_for_its_shows_ticket_types(staff, live_server, size):
    show = Show.objects.get(title="The Late Late Show")
    first = show.tickets.order_by("sort_order", "pk").first()
    page = staff(size)
    width = size["viewport"]["width"]
    page.goto(live_server.url + reverse("admin:shows_ticketpromocode_add"))

    expect(page.locator("input[name=code]")).to_have_count(0)  # the show first
    page.get_by_role("combobox", name="Show").click()
    page.get_by_role("searchbox", name="Show").fill("Late Late")
    page.get_by_role("option", name=str(show)).click()
    screenshot(page, f"admin-promo-code-add-show-{width}")
    assert_accessible(page, what=f"promo code add, the show, {width} px")
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url(live_server.url + reverse("admin:shows_ticketpromocode_add") + f"?show={show.pk}")
    expect(page.locator("input[name=tickets]")).to_have_count(show.tickets.count())
    expect(page.get_by_text("None ticked: it applies to every ticket type of the show")).to_be_visible()
    page.locator("input[name=code]").fill("LATE5")
    page.locator("input[name=discount]").fill("5")
    page.get_by_label(first.name, exact=False).first.check()
    screenshot(page, f"admin-promo-code-add-code-{width}")
    assert page_width(page) <= width
    assert_accessible(page, what=f"promo code add, the code, {width} px")
    page.get_by_role("button", name="Save", exact=True).click()

    page.wait_for_url(live_server.url + reverse("admin:shows_ticketpromocode_changelist"))
    code = TicketPromoCode.objects.get(code="LATE5")
    assert (code.show, list(code.tickets.all())) == (show, [first])


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_a_door_link_for_a_show_that_ended_is_refused_by_its_field(staff, live_server, size):
    show = Show.objects.get(title="The Late Late Show")
    start = timezone.now() - timedelta(hours=10)
    Show.objects.filter(pk=show.pk).update(door_time=start, start_time=start, end_time=start + timedelta(hours=2))
    page = staff(size)
    width = size["viewport"]["width"]
    page.goto(live_server.url + reverse("admin:checkin_checkinsession_add") + f"?show={show.pk}")
    page.locator("input[name=expires_at_0]").fill("")
    page.locator("input[name=expires_at_1]").fill("")
    page.get_by_label("Label").fill("Late door")

    page.get_by_role("button", name="Save", exact=True).click()

    error = page.get_by_text("This show ended more than 6 hours ago")
    expect(error).to_be_visible()
    field = page.locator(".field-expires_at")
    expect(field.get_by_text("This show ended more than 6 hours ago")).to_be_visible()
    screenshot(page, f"admin-door-link-ended-{width}")
    assert page_width(page) <= width
    assert_accessible(page, what=f"door link refused, {width} px")
    assert not CheckInSession.objects.filter(label="Late door").exists()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_several_orders_are_refunded_after_a_confirmation_that_shows_each(staff, live_server, size):
    orders = list(Order.objects.filter(success=True, refunded_amount=0).order_by("pk")[:2])
    page = staff(size)
    width = size["viewport"]["width"]
    page.goto(live_server.url + reverse("admin:orders_order_changelist"))
    for order in orders:
        page.locator(f"input[name=_selected_action][value='{order.pk}']").check()
    page.locator("select[name=action]").select_option("refund_selected")
    page.locator("button[name=index]").click()

    expect(page.get_by_role("heading", name="Refund these orders in full?")).to_be_visible()
    rows = page.locator("[data-refund-order]")
    expect(rows).to_have_count(2)
    screenshot(page, f"admin-refund-selected-{width}")
    assert page_width(page) <= width
    assert_accessible(page, what=f"refund selected orders, {width} px")
    assert not Refund.objects.exists()

    page.get_by_label("Reason (optional)").fill("Show cancelled")
    page.get_by_role("button", name="Confirm refunds").click()

    expect(page.get_by_text("Refunded 2 order(s) in full.")).to_be_visible()
    assert sorted(Refund.objects.values_list("order_id", flat=True)) == [o.pk for o in orders]
