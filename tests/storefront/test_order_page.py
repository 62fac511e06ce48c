"""The buyer's order page, /orders/<token>/: each state says what happened in words.

A pending page checks its own status without reloading itself (``storefront/order-status.js``
polls the same URL with ``HX-Request`` and gets only the status region back); refunded pages say
how much went back, when (in the show's time zone), why, and which tickets still get in.
"""

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.test.html import Element, parse_html
from django.utils import timezone

from piquetickets.orders.models import Order, Refund, TicketAttendee, TicketHold
from piquetickets.orders.services import order_refund, orders_expire_pending
from tests.selling import cart

CHECKOUT = "/api/v1/checkout/create-session/"
# 03:30 UTC on 1 March is still 28 February in Chicago (the shows' default time zone, UTC-6 then).
MARCH_1_0330_UTC = datetime(2026, 3, 1, 3, 30, tzinfo=UTC)


def pending_order(api, sale, *lines) -> Order:
    response = api.post(CHECKOUT, cart(sale, *lines), format="json")
    assert response.status_code == 201
    return Order.objects.get(uuid=response.json()["order"])


def paid_order(api, client, sale, *lines) -> Order:
    order = pending_order(api, sale, *lines)
    assert client.post(f"/pay/test/{order.public_token}/", {"decision": "approve"}).status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    return order


def refund(order: Order, *, attendees=None, reason: str = "", at: datetime) -> Refund:
    made = order_refund(order=order, attendee_uuids=[str(a.uuid) for a in attendees or []] or None, reason=reason)
    Refund.objects.filter(pk=made.pk).update(created_at=at)
    return made


def attendees_of(order: Order) -> list[TicketAttendee]:
    return list(TicketAttendee.objects.filter(ticket_order__order=order).order_by("pk"))


def _find(element, **attributes) -> Element | None:
    """The first element under ``element`` with these attributes (``data_x=""`` for a bare ``data-x``)."""
    if not isinstance(element, Element):
        return None
    if all((name.replace("_", "-"), value) in element.attributes for name, value in attributes.items()):
        return element
    for child in element.children:
        found = _find(child, **attributes)
        if found is not None:
            return found
    return None


def find(response, **attributes) -> Element | None:
    return _find(parse_html(response.content.decode()), **attributes)


class _Words(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, attributes: dict):
        super().__init__()
        self.wanted = [(name.replace("_", "-"), value) for name, value in attributes.items()]
        self.depth, self.found, self.parts = 0, False, []

    BLOCKS = {"p", "div", "li", "td", "th", "dt", "dd", "h1", "h2", "h3", "br"}  # words on either side are apart

    def handle_starttag(self, tag, attrs):
        if self.depth and tag in self.BLOCKS:
            self.parts.append(" ")
        if tag in self.VOID:
            return
        if self.depth:
            self.depth += 1
        elif not self.found and all(item in attrs for item in self.wanted):
            self.depth, self.found = 1, True

    def handle_endtag(self, tag):
        if self.depth and tag in self.BLOCKS:
            self.parts.append(" ")
        if self.depth and tag not in self.VOID:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def text_of(response, **attributes) -> str:
    """The words of the first element of ``response`` with these attributes (``id="x"``), spaces squeezed."""
    words = _Words(attributes)
    words.feed(response.content.decode())
    assert words.found, f"no element with {attributes}"
    return re.sub(r"\s+", " ", "".join(words.parts)).strip()


def assert_no_inline_code(html: str) -> None:
    """What a strict Content-Security-Policy would block: inline scripts, styles and handlers."""
    assert "style=" not in html
    assert "<style" not in html
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == []
    assert re.findall(r"\son[a-z]+=", html) == []


# --- pending ---------------------------------------------------------------------------------------


def test_a_pending_page_checks_its_status_without_reloading_itself(api, client, sale):
    order = pending_order(api, sale)
    Order.objects.filter(pk=order.pk).update(hold_expires_at=datetime(2026, 7, 1, 0, 42, tzinfo=UTC))
    url = f"/orders/{order.public_token}/"

    page = client.get(url)

    assert page.status_code == 200
    html = page.content.decode()
    assert 'http-equiv="refresh"' not in html
    assert '<meta name="robots" content="noindex">' in html
    assert "no-store" in page["Cache-Control"]
    assert page["Vary"] == "HX-Request"
    assert_no_inline_code(html)
    assert '<script type="module" src="/static/storefront/order-status.js"></script>' in html
    root = find(page, data_order_status="")
    assert [item for item in root.attributes if item[0].startswith("data-")] == [
        ("data-order-state", "pending"),
        ("data-order-status", ""),
        ("data-poll-delays", "3 3 3 5 5 5 5 5 5 10"),
        ("data-poll-for", "300"),
    ]
    live = _find(root, data_order_announce="")
    assert (live.name, live.attributes, live.children) == (
        "p",
        [("aria-atomic", "true"), ("aria-live", "polite"), ("class", "visually-hidden"), ("data-order-announce", "")],
        [],
    )
    assert text_of(page, id="order-status") == (
        "Waiting for your payment to be confirmed. Your tickets will appear on this page as soon as it is, and"
        " we'll email them to alex@example.com. We're holding your tickets until 7:42 PM CDT; if the payment"
        " isn't completed by then, the reservation ends and nothing is charged. This page checks by itself every"
        " few seconds. We've stopped checking automatically. If you paid, your tickets will still arrive by email;"
        " use Check again to look now. Check again"
    )
    check_again = find(page, data_order_check="")
    assert (check_again.name, check_again.attributes) == (
        "a",
        [("class", "btn btn--secondary"), ("data-order-check", ""), ("href", url)],
    )
    # the sentences about checking by itself are the script's to show
    assert ("hidden", None) in _find(root, data_order_polling="").attributes
    assert ("hidden", None) in _find(root, data_order_stopped="").attributes
    assert find(page, id="tickets") is None
    assert "Download PDF tickets" not in html
    assert client.get(f"{url}tickets.pdf").status_code == 404


def test_back_from_the_payment_page_the_pending_page_says_confirmation_takes_seconds(api, client, sale):
    order = pending_order(api, sale)

    page = client.get(f"/orders/{order.public_token}/?paid=1")

    assert text_of(page, id="order-status").startswith(
        "Waiting for your payment to be confirmed. Thanks: you're back from the payment page. Confirming a"
        " payment usually takes a few seconds. Your tickets will appear"
    )
    assert ("href", f"/orders/{order.public_token}/?paid=1") in find(page, data_order_check="").attributes


def test_the_status_region_answers_alone_to_htmx(api, client, sale, django_assert_num_queries):
    order = pending_order(api, sale)
    url = f"/orders/{order.public_token}/"

    with django_assert_num_queries(1):
        fragment = client.get(url, headers={"HX-Request": "true"})

    assert fragment.status_code == 200
    assert fragment["Vary"] == "HX-Request"
    assert "no-store" in fragment["Cache-Control"]
    assert fragment["Content-Type"] == "text/html; charset=utf-8"
    html = fragment.content.decode().strip()
    region = parse_html(html)
    assert (region.name, region.attributes[:3]) == (
        "div",
        [("class", "order-status"), ("data-order-state", "pending"), ("data-order-status-region", "")],
    )
    assert html.startswith('<div class="order-status"')
    assert html.endswith("</div>")
    assert "<html" not in html
    assert "Order summary" not in html
    assert text_of(fragment, id="order-status").startswith("Waiting for your payment to be confirmed.")

    client.post(f"/pay/test/{order.public_token}/", {"decision": "approve"})
    fragment = client.get(url, headers={"HX-Request": "true"})

    region = parse_html(fragment.content.decode())
    assert region.attributes[:4] == [
        ("class", "order-status"),
        ("data-order-state", "paid"),
        ("data-order-status-region", ""),
        ("data-order-success", ""),
    ]


# --- paid ------------------------------------------------------------------------------------------


def test_a_paid_page_shows_each_ticket_with_its_qr_code(api, client, sale):
    order = paid_order(api, client, sale, {"ticket": sale.general.pk, "quantity": 2})

    page = client.get(f"/orders/{order.public_token}/?paid=1")

    assert page.status_code == 200
    html = page.content.decode()
    assert_no_inline_code(html)
    assert text_of(page, id="order-status") == (
        "You're in! Payment received. We've emailed your tickets to alex@example.com."
    )
    tickets = text_of(page, id="tickets")
    assert tickets.startswith("Your tickets 2 valid Show each code at the door")
    assert html.count('<svg role="img"') == 2
    for attendee in attendees_of(order):
        assert str(attendee.uuid) in html
    assert f'href="/orders/{order.public_token}/tickets.pdf"' in html
    assert f'href="/orders/{order.public_token}/calendar.ics"' in html
    assert "order-status.js" not in html
    assert "data-order-announce" not in html
    assert find(page, id="void-tickets") is None
    assert find(page, id="refunds") is None
    assert "Check again" not in html


# --- refunded --------------------------------------------------------------------------------------


def test_a_partially_refunded_page_says_which_tickets_still_get_in(api, client, sale):
    order = paid_order(api, client, sale, {"ticket": sale.general.pk, "quantity": 2})
    kept, refunded = attendees_of(order)
    refund(order, attendees=[refunded], reason="Sam can't make it.", at=MARCH_1_0330_UTC)

    page = client.get(f"/orders/{order.public_token}/")

    html = page.content.decode()
    assert text_of(page, id="order-status") == (
        "Part of this order was refunded. 1 of 2 tickets is still valid; the refunded ticket will not be accepted"
        " at the door."
    )
    assert text_of(page, id="refunds") == (
        "Refunds $20.00 refunded on Saturday 28 February 2026 Ticket no longer valid: Alex Morgan, General"
        f" admission ({str(refunded.uuid)[:8].upper()}) Reason: Sam can't make it. Refunds go back to the card or"
        " account you paid with. Depending on your bank, it can take 5–10 business days to show on your statement."
    )
    assert text_of(page, id="tickets").startswith("Your tickets 1 valid")
    assert text_of(page, id="void-tickets") == (
        "No longer valid 1 These tickets were refunded and their QR codes will not be accepted at the door."
        f" Alex Morgan General admission Refunded {str(refunded.uuid)[:8].upper()}"
    )
    assert html.count('<svg role="img"') == 1
    assert str(kept.uuid) in html
    assert str(refunded.uuid) not in html
    assert "Refunded -$20.00" in text_of(page, id="summary")
    # the status region alone says the same
    fragment = client.get(f"/orders/{order.public_token}/", headers={"HX-Request": "true"})
    assert text_of(fragment, id="order-status") == text_of(page, id="order-status")


def test_a_fully_refunded_page_says_the_tickets_no_longer_get_in(api, client, sale):
    order = paid_order(api, client, sale, {"ticket": sale.general.pk, "quantity": 2})
    first, second = attendees_of(order)
    refund(order, attendees=[first], at=MARCH_1_0330_UTC)
    refund(order, reason="The show was postponed.", at=MARCH_1_0330_UTC + timedelta(days=2))

    page = client.get(f"/orders/{order.public_token}/")

    html = page.content.decode()
    assert Order.objects.get(pk=order.pk).status == Order.Status.REFUNDED
    assert text_of(page, id="order-status") == (
        "This order was refunded in full: $44.73. Its tickets are no longer valid: their QR codes will not be accepted"
        " at the door."
    )
    first_ref, second_ref = (str(a.uuid)[:8].upper() for a in (first, second))
    assert text_of(page, id="refunds") == (
        f"Refunds $20.00 refunded on Saturday 28 February 2026 Ticket no longer valid: Alex Morgan, General"
        f" admission ({first_ref}) $24.73 refunded on Monday 2 March 2026 Ticket no longer valid: Alex Morgan,"
        f" General admission ({second_ref}) Reason: The show was postponed. Refunds go back to the card or"
        " account you paid with. Depending on your bank, it can take 5–10 business days to show on your"
        " statement."
    )
    assert find(page, id="tickets") is None
    assert text_of(page, id="void-tickets").startswith("No longer valid 2 These tickets were refunded")
    assert "<svg" not in html
    assert "tickets.pdf" not in html
    assert "calendar.ics" not in html
    assert "Refunded -$44.73" in text_of(page, id="summary")
    assert "Your tickets" not in html


def test_a_refund_of_money_only_says_the_tickets_still_get_in(api, client, sale):
    order = paid_order(api, client, sale, {"ticket": sale.general.pk, "quantity": 2})
    made = order_refund(order=order, amount="5.00", reason="Sorry about the late start.")
    Refund.objects.filter(pk=made.pk).update(created_at=MARCH_1_0330_UTC)

    page = client.get(f"/orders/{order.public_token}/")

    assert text_of(page, id="order-status") == ("Part of this order was refunded. All your tickets are still valid.")
    assert text_of(page, id="refunds").startswith(
        "Refunds $5.00 refunded on Saturday 28 February 2026 Your tickets stay valid. Reason: Sorry about the late"
        " start."
    )
    assert page.content.decode().count('<svg role="img"') == 2


def test_a_late_payment_refund_says_no_tickets_were_issued(api, client, sale, django_capture_on_commit_callbacks):
    late = pending_order(api, sale, {"ticket": sale.vip.pk, "quantity": 4})
    TicketHold.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    Order.objects.update(hold_expires_at=timezone.now() - timedelta(seconds=1))
    paid_order(api, client, sale, {"ticket": sale.vip.pk, "quantity": 7})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/pay/test/{late.public_token}/", {"decision": "approve"})
    Refund.objects.filter(order=late).update(created_at=MARCH_1_0330_UTC)
    late.refresh_from_db()
    assert (late.status, late.success) == (Order.Status.REFUNDED, False)

    page = client.get(f"/orders/{late.public_token}/")

    assert text_of(page, id="order-status") == (
        "We couldn't issue your tickets, so we refunded your payment in full. Payment arrived after the"
        " reservation expired and VIP sold out. $195.15 was refunded on Saturday 28 February 2026. It goes back"
        " to the card or account you paid with; depending on your bank, it can take 5–10 business days to show"
        " on your statement. No tickets were issued for this order."
    )
    assert f"${late.total}" == "$195.15"
    html = page.content.decode()
    assert find(page, id="refunds") is None
    assert "<svg" not in html
    assert "order-status.js" not in html


# --- payment never completed ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "words"),
    [
        (
            "decline",
            "This order was cancelled. The payment was declined or not completed, so nothing was charged and the"
            " tickets were released. To try again, start a new order on Laugh Track's website.",
        ),
        (
            "expire",
            "This reservation expired before the payment was completed. Nothing was charged and the tickets were"
            " released. To try again, start a new order on Laugh Track's website.",
        ),
    ],
)
def test_an_order_never_paid_says_nothing_was_charged_and_links_back(api, client, sale, end, words):
    sale.show.producer.website = "https://laughtrack.example/"
    sale.show.producer.save()
    order = pending_order(api, sale)
    if end == "decline":
        client.post(f"/pay/test/{order.public_token}/", {"decision": "decline"})
    else:
        Order.objects.filter(pk=order.pk).update(hold_expires_at=timezone.now() - timedelta(seconds=1))
        assert orders_expire_pending() == 1

    page = client.get(f"/orders/{order.public_token}/")

    html = page.content.decode()
    assert text_of(page, id="order-status") == words
    assert '<a href="https://laughtrack.example/">Laugh Track\'s website</a>' in html
    assert "Check again" not in html
    assert "order-status.js" not in html
    assert find(page, id="tickets") is None
    assert_no_inline_code(html)
    assert "Ordered by Alex Morgan (alex@example.com)." in text_of(page, id="summary")


def test_an_order_never_paid_without_a_producer_website_gives_the_support_address(api, client, sale):
    order = pending_order(api, sale)
    client.post(f"/pay/test/{order.public_token}/", {"decision": "decline"})

    page = client.get(f"/orders/{order.public_token}/")

    assert text_of(page, id="order-status") == (
        "This order was cancelled. The payment was declined or not completed, so nothing was charged and the"
        " tickets were released. Questions? Write to help@laughtrack.example."
    )
