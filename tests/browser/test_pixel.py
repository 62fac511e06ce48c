"""The Meta Pixel in Chromium, with Meta's origins answered by Playwright (``route``, no real network):
the events a buyer's browser sends, and one Purchase per order however often the order page loads.

Meta's script is replaced by a stub that hands each ``fbq`` call to Python the way the real one sends
events: as an image request to www.facebook.com. So every event, from the stub or from the order
page's own image pixel, is one recorded request to https://www.facebook.com/tr.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect
from rest_framework.test import APIClient

from piquetickets.orders.models import Order
from piquetickets.orders.services import order_fulfil
from piquetickets.payments.providers import Payment
from piquetickets.storefront.tracking import meta_pixel_policy
from piquetickets.storefront.views import orders as order_views
from tests.browser.conftest import DESKTOP, new_context, open_page
from tests.selling import cart

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PIXEL_ID = "1234567890"

# What connect.facebook.net/en_US/fbevents.js answers here: it takes over the queue pixel.js made (as
# Meta's does) and reports each call to www.facebook.com/tr as a beacon, which survives the page
# being left (the checkout's submit), as Meta's script sends events.
FBEVENTS_STUB = """
(() => {
  const fbq = window.fbq;
  const send = (args) => {
    const url = new URL("https://www.facebook.com/tr/");
    url.searchParams.set("stub", JSON.stringify(args));
    navigator.sendBeacon(url.href);
  };
  fbq.callMethod = (...args) => send(args);
  for (const args of fbq.queue.splice(0)) send(Array.from(args));
})();
"""


class Meta:
    """Meta's two origins as the browser sees them: the script it loads and the events it sends."""

    def __init__(self, context):
        self.scripts: list[str] = []
        self.events: list[dict] = []
        context.route("https://connect.facebook.net/**", self._script)
        context.route("https://www.facebook.com/**", self._event)

    def _script(self, route):
        self.scripts.append(route.request.url)
        route.fulfill(status=200, content_type="application/javascript", body=FBEVENTS_STUB)

    def _event(self, route):
        query = parse_qs(urlsplit(route.request.url).query)
        if "stub" in query:  # through fbevents.js: ["track", "Purchase", {...}, {"eventID": ...}]
            call = json.loads(query["stub"][0])
            event = {"via": "fbevents", "call": call[0], "name": call[1], "data": call[2] if len(call) > 2 else {}}
            if len(call) > 3 and call[3]:
                event["options"] = call[3]
        else:  # the image pixel of a private page
            event = {"via": "image", "name": query["ev"][0], "id": query["id"][0], "dl": query["dl"][0]}
            event |= {"eid": query["eid"][0]} if "eid" in query else {}
            event |= {key: values[0] for key, values in query.items() if key.startswith("cd[")}
            event |= {"referer": route.request.headers.get("referer")}
        self.events.append(event)
        route.fulfill(status=200, content_type="image/gif", body=b"GIF89a")

    def named(self, name: str) -> list[dict]:
        return [event for event in self.events if event["name"] == name]

    def wait_for(self, page, count: int) -> None:
        """Until ``count`` events have arrived (they are requests, sent after the page's code ran)."""
        for _ in range(100):
            if len(self.events) >= count:
                return
            page.wait_for_timeout(50)
        raise AssertionError(f"{len(self.events)} events arrived, not {count}: {self.events}")


def wait_until_stored(page) -> None:
    """Until the page has noted a Purchase as sent. (Polled through ``evaluate``: ``wait_for_function``
    polls with an ``eval`` inside the page, which its policy refuses.)"""
    for _ in range(100):
        if page.evaluate("localStorage.getItem('piquetickets:pixel:purchases') !== null"):
            return
        page.wait_for_timeout(50)
    raise AssertionError("The page never noted its Purchase as sent.")


@pytest.fixture
def pixel(settings):
    settings.META_PIXEL_ID = PIXEL_ID
    settings.CONTENT_SECURITY_POLICY = meta_pixel_policy(settings.CONTENT_SECURITY_POLICY)


@pytest.fixture
def browser_with_meta(browser, pixel):
    context = new_context(browser, **DESKTOP)
    meta = Meta(context)
    yield context, meta
    context.close()


def paid_order(sale, settings, live_server, *, pay: bool = True) -> Order:
    settings.SITE_URL = live_server.url
    body = cart(sale, {"ticket": sale.general.pk, "quantity": 2}, promo_code="LAUGH10")
    response = APIClient().post("/api/v1/checkout/create-session/", body, format="json")
    assert response.status_code == 201
    order = Order.objects.get(uuid=response.json()["order"])
    if pay:
        order = order_fulfil(order=order, payment=Payment(provider="test", session_id=order.session_id))
    return order


def test_the_order_page_sends_one_purchase_across_reloads_without_its_address(
    browser_with_meta, live_server, sale, settings
):
    context, meta = browser_with_meta
    order = paid_order(sale, settings, live_server)
    page = open_page(context)

    page.goto(f"{live_server.url}/orders/{order.public_token}/")
    expect(page.get_by_role("heading", name="Your tickets 2 valid")).to_be_visible()
    wait_until_stored(page)
    for _ in range(2):
        page.reload()
        expect(page.get_by_role("heading", name="Your tickets 2 valid")).to_be_visible()

    assert meta.named("Purchase") == [
        {
            "via": "image",
            "name": "Purchase",
            "id": PIXEL_ID,
            "dl": f"{live_server.url}/shows/{sale.show.slug}/",
            "eid": str(order.uuid),
            "cd[value]": "40.49",
            "cd[currency]": "USD",
            "cd[content_ids]": json.dumps([sale.show.slug]),
            "cd[content_type]": "product",
            "referer": None,
        }
    ]
    # the order page never loads Meta's script, sends no page view, and its address goes nowhere
    assert meta.scripts == []
    assert meta.events == meta.named("Purchase")
    assert order.public_token not in json.dumps(meta.events)
    assert json.loads(page.evaluate("localStorage.getItem('piquetickets:pixel:purchases')")) == [str(order.uuid)]


def test_a_pending_order_page_sends_its_purchase_once_the_payment_shows(
    browser_with_meta, live_server, sale, settings, monkeypatch
):
    monkeypatch.setattr(order_views, "POLL_DELAYS", (1,))
    context, meta = browser_with_meta
    order = paid_order(sale, settings, live_server, pay=False)
    page = open_page(context)
    page.goto(f"{live_server.url}/orders/{order.public_token}/")
    expect(page.get_by_text("Waiting for your payment to be confirmed.")).to_be_visible()
    assert meta.events == []

    order_fulfil(order=order, payment=Payment(provider="test", session_id=order.session_id))

    expect(page.get_by_role("heading", name="Your tickets 2 valid")).to_be_visible()
    wait_until_stored(page)
    page.reload()
    expect(page.get_by_role("heading", name="Your tickets 2 valid")).to_be_visible()
    assert [(event["name"], event["eid"]) for event in meta.events] == [("Purchase", str(order.uuid))]


def test_a_buyer_journey_sends_page_views_view_content_initiate_checkout_and_one_purchase(
    browser_with_meta, live_server, sale, settings
):
    settings.SITE_URL = live_server.url
    context, meta = browser_with_meta
    page = open_page(context)
    slug = sale.show.slug

    page.goto(f"{live_server.url}/shows/{slug}/")
    expect(page.get_by_role("heading", name="Friday Laughs", level=1)).to_be_visible()
    meta.wait_for(page, 3)
    assert meta.scripts == ["https://connect.facebook.net/en_US/fbevents.js"]
    assert [(e["call"], e["name"]) for e in meta.events if e["via"] == "fbevents"][:1] == [("init", PIXEL_ID)]
    expect_events = [("PageView", {}), ("ViewContent", None)]
    tracked = [(e["name"], e["data"]) for e in meta.events if e["call"] == "track"]
    assert [name for name, _ in tracked] == [name for name, _ in expect_events]
    view = tracked[1][1]
    assert (view["content_ids"], view["content_type"], view["currency"]) == ([slug], "product", "USD")
    assert view["content_name"] == "Friday Laughs"
    assert view["value"] > 0

    page.goto(f"{live_server.url}/shows/{slug}/checkout/")
    page.get_by_label("Quantity of General admission").fill("2")
    page.get_by_label("Promo code (optional)").fill("LAUGH10")
    page.get_by_role("button", name="Apply").click()  # an htmx button: not the checkout being sent
    expect(page.get_by_text("Applied", exact=True)).to_be_visible()
    page.get_by_role("textbox", name="First name", exact=True).fill("Alex")
    page.get_by_role("textbox", name="Last name", exact=True).fill("Morgan")
    page.get_by_role("textbox", name="Email address").fill("alex@example.com")
    assert meta.named("InitiateCheckout") == []
    page.get_by_role("button", name="Pay $40.49").click()
    expect(page.get_by_role("heading", name="Pay for Friday Laughs")).to_be_visible()
    meta.wait_for(page, 6)  # and the checkout page's init and PageView
    (started,) = meta.named("InitiateCheckout")
    assert (started["data"]["content_ids"], started["data"]["currency"]) == ([slug], "USD")

    page.get_by_role("button", name="Approve payment").click()  # the payment page has no pixel
    expect(page.get_by_role("heading", name="Your tickets 2 valid")).to_be_visible()
    wait_until_stored(page)
    page.reload()
    expect(page.get_by_role("heading", name="Your tickets 2 valid")).to_be_visible()

    order = Order.objects.get()
    assert [(e["via"], e["eid"], e["cd[value]"]) for e in meta.named("Purchase")] == [
        ("image", str(order.uuid), "40.49")
    ]
    assert [e["name"] for e in meta.events if e["name"] == "PageView"] == ["PageView", "PageView"]  # show, checkout
    assert len(meta.scripts) == 2  # the show page and the checkout; never the payment or order page


def test_no_pixel_and_nothing_sent_when_it_is_not_configured(browser, live_server, sale, settings):
    context = new_context(browser, **DESKTOP)
    meta = Meta(context)
    order = paid_order(sale, settings, live_server)
    page = open_page(context)

    page.goto(f"{live_server.url}/orders/{order.public_token}/")
    expect(page.get_by_role("heading", name="Your tickets 2 valid")).to_be_visible()

    assert page.locator("script[data-meta-pixel-id]").count() == 0
    assert meta.scripts == []
    assert meta.events == []
    context.close()
