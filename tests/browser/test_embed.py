"""The "Buy tickets" widget on a producer's own site, in Chromium: a host page served by a local
``http.server`` on another port carries the one-line snippet; its button opens the show's checkout in
an overlay frame, a purchase completes from there (the payment in a new tab), Escape closes it. On a
phone the button opens the checkout in a new tab; a site that may not frame it gets the new tab too."""

from __future__ import annotations

import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from piquetickets.orders.models import Order
from piquetickets.orders.services import order_fulfil
from piquetickets.payments.providers import Payment
from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, assert_accessible, new_context, open_page
from tests.storefront.test_embed import buy, frame_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOST_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>The Attic: comedy in Chicago</title>
  <style>
    /* a host page's CSS that would wreck a button living in its DOM */
    body {{ font: 18px/1.6 Georgia, serif; margin: 0; background: #fffdf7; color: #222; }}
    a {{ color: red !important; text-decoration: underline wavy !important; font-size: 40px !important; }}
    * {{ background: none; }}
    header, main {{ max-width: 42rem; margin: 0 auto; padding: 1.5rem; }}
  </style>
</head>
<body>
  <header><h1>The Attic</h1><p>Stand-up every Friday, upstairs at 1 Main St.</p></header>
  <main>
    <h2>Friday Laughs</h2>
    <p>Our monthly showcase with the best of the city's comics.</p>
    {snippet}
    <p>Doors at 7, show at 8.</p>
  </main>
</body>
</html>
"""


class HostSite:
    """A producer's website on 127.0.0.1 (another origin than the live server's localhost)."""

    def __init__(self, body: str):
        payload = body.encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.url = f"{self.origin}/friday-laughs.html"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def host(live_server, sale, settings):
    snippet = (
        f'<script src="{live_server.url}/static/storefront/widget.js" data-show="{sale.show.slug}" async></script>'
    )
    site = HostSite(HOST_PAGE.format(snippet=snippet))
    settings.SITE_URL = live_server.url
    settings.CSP_EMBED_FRAME_ANCESTORS = [site.origin]  # the default, https:, leaves out this http test site
    yield site
    site.stop()


def screenshot(page, name: str) -> None:
    """The page as it looks, caret and all: Playwright hides the caret with an inline style, which the
    embed page's policy refuses (and the test would count) while a field in the frame has focus."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, caret="initial")


def overlay_frame(page):
    return page.frame_locator("iframe[title='Buy tickets']")


def test_buy_in_the_overlay_pay_in_a_new_tab_and_close_it_with_escape(browser, host, live_server, sale):
    context = new_context(browser, **DESKTOP)
    page = open_page(context)
    page.goto(host.url)
    button = page.get_by_role("link", name="Buy tickets")
    expect(button).to_be_visible()
    # the host page's CSS doesn't reach it: the button keeps its own size and colour
    assert button.evaluate("el => getComputedStyle(el).fontSize") == "16px"
    assert button.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(179, 18, 91)"
    screenshot(page, "embed-host-page-1280")

    button.click()
    dialog = page.get_by_role("dialog", name="Buy tickets")
    expect(dialog).to_be_visible()
    frame = overlay_frame(page)
    expect(frame.get_by_role("heading", name="Tickets for Friday Laughs")).to_be_visible()
    # no cookie reaches this third-party frame, and it needs none
    assert context.cookies(live_server.url) == []

    frame.get_by_label("Quantity of General admission").fill("2")
    frame.get_by_label("Promo code (optional)").fill("LAUGH10")
    frame.get_by_role("button", name="Apply").click()
    expect(frame.get_by_text("Applied", exact=True)).to_be_visible()
    frame.get_by_role("textbox", name="First name", exact=True).fill("Alex")
    frame.get_by_role("textbox", name="Last name", exact=True).fill("Morgan")
    frame.get_by_role("textbox", name="Email address").fill("alex@example.com")
    pay_button = frame.get_by_role("button", name="Pay $40.49")
    expect(pay_button).to_be_visible()
    screenshot(page, "embed-overlay-checkout-1280")
    pay_button.click()

    expect(frame.get_by_role("heading", name="Pay to get your tickets")).to_be_visible()
    order = Order.objects.get()
    assert (order.status, order.total) == (Order.Status.PENDING, Decimal("40.49"))
    screenshot(page, "embed-overlay-pay-1280")
    with context.expect_page() as new_tab:
        frame.get_by_role("link", name="Pay $40.49 (opens in a new tab)").click()
    payment = new_tab.value
    expect(payment.get_by_role("heading", name="Pay for Friday Laughs")).to_be_visible()
    payment.get_by_role("button", name="Approve payment").click()
    expect(payment.get_by_role("heading", name="Your tickets 2 valid")).to_be_visible()
    payment.close()

    # the overlay sees the payment by itself
    expect(frame.get_by_role("heading", name="You're in!")).to_be_visible(timeout=20_000)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    expect(frame.get_by_role("link", name="See your tickets (opens in a new tab)")).to_have_attribute(
        "href", f"/orders/{order.public_token}/"
    )
    screenshot(page, "embed-overlay-done-1280")

    # Escape pressed inside the frame closes the overlay, and focus goes back to the button
    frame.get_by_role("link", name="See your tickets (opens in a new tab)").focus()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert button.evaluate("el => el.getRootNode().activeElement === el")
    context.close()


def test_the_close_button_and_escape_on_the_overlay_close_it(browser, host, sale):
    context = new_context(browser, **DESKTOP)
    page = open_page(context)
    page.goto(host.url)
    page.get_by_role("link", name="Buy tickets").click()
    dialog = page.get_by_role("dialog", name="Buy tickets")
    expect(overlay_frame(page).get_by_role("heading", name="Tickets for Friday Laughs")).to_be_visible()
    close = dialog.get_by_role("button", name="Close")
    assert close.evaluate("el => el.getRootNode().activeElement === el")  # focus moved into the overlay
    assert_accessible(page, what="host page with the overlay open")

    close.click()
    expect(dialog).to_be_hidden()

    page.get_by_role("link", name="Buy tickets").click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")  # focus on the overlay's close button, outside the frame
    expect(dialog).to_be_hidden()
    context.close()


def test_on_a_phone_the_button_opens_the_checkout_in_a_new_tab(browser, host, live_server, sale):
    context = new_context(browser, **PHONE)
    page = open_page(context)
    page.goto(host.url)
    screenshot(page, "embed-host-page-390")

    with context.expect_page() as new_tab:
        page.get_by_role("link", name="Buy tickets").click()

    checkout = new_tab.value
    checkout.wait_for_load_state()
    assert checkout.url == f"{live_server.url}/shows/{sale.show.slug}/checkout/"
    expect(checkout.get_by_role("heading", name="Tickets for Friday Laughs")).to_be_visible()
    assert page.get_by_role("dialog").count() == 0
    context.close()


def test_a_site_that_may_not_frame_it_gets_the_new_tab_instead(
    browser, host, live_server, sale, settings, page_problems
):
    settings.CSP_EMBED_FRAME_ANCESTORS = ["https://venue.example"]
    context = new_context(browser, **DESKTOP)
    page = open_page(context)
    page.goto(host.url)

    page.get_by_role("link", name="Buy tickets").click()

    dialog = page.get_by_role("dialog", name="Buy tickets")
    expect(dialog.get_by_text("The checkout can't be shown here.")).to_be_visible()
    link = dialog.get_by_role("link", name="Open the checkout in a new tab")
    expect(link).to_have_attribute("href", f"{live_server.url}/shows/{sale.show.slug}/checkout/")
    assert page.locator("iframe").evaluate("el => el.hidden")
    context.close()
    # what the browser reported is the refusal this test is about, and nothing else
    assert page_problems.csp
    assert all("frame-ancestors" in line for line in page_problems.csp), page_problems.csp
    page_problems.csp.clear()


def test_the_steps_after_the_checkout_pass_axe_and_fit_the_overlay(browser, live_server, sale, settings):
    settings.SITE_URL = live_server.url
    step = buy(frame_client(), sale)["Location"]
    order = Order.objects.get()
    context = new_context(browser, viewport={"width": 700, "height": 844})
    page = open_page(context)

    page.goto(f"{live_server.url}{step}")
    expect(page.get_by_role("heading", name="Pay to get your tickets")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 700
    assert_accessible(page, what="embed payment step")
    screenshot(page, "embed-pay-step-700")

    order_fulfil(order=order, payment=Payment(provider="test", session_id=order.session_id))
    expect(page.get_by_role("heading", name="You're in!")).to_be_visible(timeout=20_000)
    assert_accessible(page, what="embed done step")
    screenshot(page, "embed-done-step-700")
    context.close()


def test_the_embed_page_fits_a_small_overlay_and_passes_axe(browser, host, sale):
    context = new_context(browser, viewport={"width": 700, "height": 844})
    page = open_page(context)
    page.goto(host.url)
    page.get_by_role("link", name="Buy tickets").click()
    frame = overlay_frame(page)
    expect(frame.get_by_role("heading", name="Tickets for Friday Laughs")).to_be_visible()
    screenshot(page, "embed-overlay-checkout-700")
    embed = next(f for f in page.frames if "/embed/shows/" in f.url)
    embed_page = context.new_page()
    embed_page.goto(embed.url)
    assert_accessible(embed_page, what="embed page")
    context.close()
