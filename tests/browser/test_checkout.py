"""A buyer pays on the test provider's page and sees their tickets, on a phone."""

import pytest
import zxingcpp
from PIL import Image
from rest_framework.test import APIClient

from piquetickets.orders.models import Order, TicketAttendee
from tests.browser.conftest import screenshot
from tests.selling import cart

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pay_on_the_test_page_then_scan_the_tickets_off_the_order_page(phone_page, live_server, sale, settings):
    settings.SITE_URL = live_server.url
    body = cart(
        sale,
        {"ticket": sale.general.pk, "quantity": 2, "attendees": [{"first_name": "Sam", "last_name": "Lee"}]},
        promo_code="LAUGH10",
    )
    started = APIClient().post("/api/v1/checkout/create-session/", body, format="json").json()

    phone_page.goto(started["checkout_url"])
    assert phone_page.get_by_role("heading", name="Pay for Friday Laughs").is_visible()
    assert phone_page.get_by_role("row", name="Total").inner_text().split()[-1] == "$40.49"
    screenshot(phone_page, "checkout-test-payment-phone")
    phone_page.get_by_role("button", name="Approve payment").click()

    phone_page.wait_for_url(f"{started['order_url']}?paid=1")
    assert "You're in!" in phone_page.get_by_role("status").first.inner_text()
    tickets = phone_page.get_by_role("article")
    assert tickets.count() == 2
    assert sorted(t.get_by_role("paragraph").first.inner_text() for t in tickets.all()) == ["Alex Morgan", "Sam Lee"]
    shot = screenshot(phone_page, "order-page-phone")

    # the QR codes on the page decode to the attendees' UUIDs
    codes = set()
    for index, ticket in enumerate(tickets.all()):
        path = shot.with_name(f"order-ticket-{index}.png")
        ticket.locator(".ticket__qr").screenshot(path=str(path))
        codes |= {result.text for result in zxingcpp.read_barcodes(Image.open(path))}
    order = Order.objects.get(uuid=started["order"])
    assert codes == {str(a.uuid) for a in TicketAttendee.objects.filter(ticket_order__order=order)}

    # keyboard: the download links are reachable and labelled
    phone_page.keyboard.press("Tab")
    assert phone_page.evaluate("document.activeElement.textContent").strip() == "Skip to content"
