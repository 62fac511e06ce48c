"""The embed page, /embed/shows/<slug>/: the one page other sites may frame; the show's own checkout
in it, its forms posting back to it with no cookie needed, and the steps after it in the frame."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.test import Client

from piquetickets.orders.models import MetaPurchase, Order
from piquetickets.shows.models import Ticket
from tests.factories import ShowFactory, TicketFactory

pytestmark = pytest.mark.django_db

SITE = "http://testserver"  # the test client's own origin


def embed_url(sale) -> str:
    return f"/embed/shows/{sale.show.slug}/"


def frame_ancestors(response) -> str:
    directives = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if " " in part.strip()
    )
    return directives["frame-ancestors"]


def hidden_inputs(page: str) -> dict[str, str]:
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page)
    }


def frame_client() -> Client:
    """A browser in the producer's page: no cookie reaches the frame, and no CSRF token from one."""
    return Client(enforce_csrf_checks=True)


def buy(client, sale, *, quantity: int = 2, before_paying=None, **extra):
    """Choose tickets, let the page price them (as its script does), then pay: the frame's two POSTs."""
    url = embed_url(sale)
    form = {
        f"qty_{sale.general.pk}": str(quantity),
        "first_name": "Alex",
        "last_name": "Morgan",
        "email": "alex@example.com",
        **extra,
    }
    priced = client.post(url, {**form, "action": "update"}, HTTP_ORIGIN=SITE)
    assert priced.status_code == 200, priced.content.decode()[:2000]
    hidden = hidden_inputs(priced.content.decode())
    if before_paying:
        before_paying()
    return client.post(
        url,
        {**form, **{k: hidden[k] for k in ("idempotency_key", "expected_total", "priced_for")}, "action": "pay"},
        HTTP_ORIGIN=SITE,
    )


# --- framing ----------------------------------------------------------------------------------


def test_the_embed_page_may_be_framed_by_https_sites_by_default(client, sale):
    response = client.get(embed_url(sale))

    assert response.status_code == 200
    assert frame_ancestors(response) == "https:"
    assert "X-Frame-Options" not in response
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_the_embed_page_is_framed_only_by_the_configured_sites(client, sale, settings):
    settings.CSP_EMBED_FRAME_ANCESTORS = ["https://venue.example", "https://*.club.example"]
    assert frame_ancestors(client.get(embed_url(sale))) == "https://venue.example https://*.club.example"

    settings.CSP_EMBED_FRAME_ANCESTORS = []
    response = client.get(embed_url(sale))
    assert frame_ancestors(response) == "'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_every_other_page_may_be_framed_by_no_one(client, sale, api):
    from tests.selling import cart

    started = api.post("/api/v1/checkout/create-session/", cart(sale), format="json").json()
    order = Order.objects.get(uuid=started["order"])
    for url in (
        f"/shows/{sale.show.slug}/",
        f"/shows/{sale.show.slug}/checkout/",
        f"/orders/{order.public_token}/",
        f"/pay/test/{order.public_token}/",
        "/sitemap.xml",
        "/robots.txt",
        "/shows/",
        "/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert frame_ancestors(response) == "'none'", url
        assert response["X-Frame-Options"] == "DENY", url


def test_the_embed_page_is_the_checkout_posting_back_to_itself_without_the_site_chrome(client, sale):
    page = client.get(embed_url(sale)).content.decode()

    assert f'action="{embed_url(sale)}"' in page
    assert f'hx-post="{embed_url(sale)}"' in page
    assert f'action="/shows/{sale.show.slug}/checkout/"' not in page
    assert 'class="site-nav"' not in page
    assert 'role="search"' not in page
    assert "/static/storefront/embed-frame.js" in page
    assert "/static/storefront/embed.css" in page
    assert "pixel.js" not in page
    assert page.count("<h1") == 1


def test_the_widgets_promo_code_is_filled_in(client, sale):
    page = client.get(f"{embed_url(sale)}?promo=LAUGH10").content.decode()

    assert "LAUGH10: 10% off." in page


def test_drafts_deleted_and_unknown_shows_have_no_embed_page(client, sale):
    draft = ShowFactory(published=False)
    TicketFactory(show=draft)

    assert client.get(f"/embed/shows/{draft.slug}/").status_code == 404
    assert client.get("/embed/shows/no-such-show/").status_code == 404


# --- checkout in the frame --------------------------------------------------------------------


def test_checkout_in_the_frame_works_without_a_csrf_cookie_and_then_waits_for_the_payment(sale):
    client = frame_client()

    response = buy(client, sale, promo_code="LAUGH10")

    assert response.status_code == 303
    order = Order.objects.get()
    assert (order.status, order.total, order.email) == (Order.Status.PENDING, Decimal("40.49"), "alex@example.com")
    location = urlsplit(response["Location"])
    assert location.path == embed_url(sale)
    query = parse_qs(location.query)
    assert query["order"] == [order.public_token]
    assert signing.loads(query["pay"][0], salt="storefront.embed.pay").endswith(f"/pay/test/{order.public_token}/")

    step = client.get(response["Location"])
    assert step.status_code == 200
    assert frame_ancestors(step) == "https:"
    assert step["Referrer-Policy"] == "no-referrer"
    page = step.content.decode()
    assert "Pay to get your tickets" in page
    assert re.search(
        rf'<a class="btn btn--primary embed-step__pay" href="http://[^"]+/pay/test/{order.public_token}/" '
        r'target="_blank" rel="noopener">Pay \$40\.49',
        page,
    )
    assert 'hx-trigger="every 3s"' in page


def test_the_waiting_step_answers_htmx_with_itself_and_says_youre_in_once_paid(sale):
    client = frame_client()
    step_url = buy(client, sale)["Location"]
    order = Order.objects.get()

    pending = client.get(step_url, HTTP_HX_REQUEST="true")
    assert pending.status_code == 200
    assert pending.content.decode().lstrip().startswith('<section class="card embed-step" id="embed-order-status"')
    assert "<html" not in pending.content.decode()
    assert pending["Vary"] == "HX-Request"

    assert Client().post(f"/pay/test/{order.public_token}/", {"decision": "approve"}).status_code == 302

    paid = client.get(step_url, HTTP_HX_REQUEST="true").content.decode()
    assert "You're in!" in paid
    assert "We've emailed your tickets to <strong>alex@example.com</strong>." in paid
    assert f'href="/orders/{order.public_token}/" target="_blank"' in paid
    assert "hx-trigger" not in paid  # the frame stops checking


def test_a_free_order_goes_straight_to_youre_in(sale):
    free = TicketFactory(show=sale.show, name="Guest list", price=Decimal("0.00"), quantity=10)
    client = frame_client()
    url = embed_url(sale)
    form = {f"qty_{free.pk}": "1", "first_name": "Alex", "last_name": "Morgan", "email": "alex@example.com"}
    hidden = hidden_inputs(client.post(url, {**form, "action": "update"}, HTTP_ORIGIN=SITE).content.decode())

    response = client.post(url, {**form, **hidden, "action": "pay"}, HTTP_ORIGIN=SITE)

    assert response.status_code == 303
    assert "pay=" not in response["Location"]
    assert "You're in!" in client.get(response["Location"]).content.decode()


def test_a_refusal_is_shown_in_the_frame_with_nothing_written(sale):
    client = frame_client()

    def sell_all_but_one():
        Ticket.objects.filter(pk=sale.general.pk).update(quantity_sold=49)

    response = buy(client, sale, before_paying=sell_all_but_one)

    assert response.status_code == 422
    page = response.content.decode()
    assert f'action="{embed_url(sale)}"' in page
    assert 'class="error-summary"' in page
    assert f'<li><a href="#id_qty_{sale.general.pk}">Only 1 left of General admission.</a></li>' in page
    assert "Nothing has been bought or charged." in page
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {},  # neither header: not a browser posting one of our forms
    ],
    ids=["another-site", "opaque-origin", "cross-site-fetch", "no-origin"],
)
def test_a_post_from_another_site_is_refused_and_writes_nothing(sale, headers):
    response = frame_client().post(
        embed_url(sale),
        {f"qty_{sale.general.pk}": "2", "first_name": "A", "last_name": "B", "email": "a@example.com", "action": "pay"},
        **headers,
    )

    assert response.status_code == 403
    assert "This form can't be sent from here" in response.content.decode()
    assert not Order.objects.exists()


def test_a_post_without_origin_but_from_the_same_origin_by_fetch_metadata_is_taken(sale):
    response = frame_client().post(
        embed_url(sale), {f"qty_{sale.general.pk}": "1", "action": "update"}, HTTP_SEC_FETCH_SITE="same-origin"
    )

    assert response.status_code == 200


def test_a_forged_pay_link_is_not_shown(sale):
    client = frame_client()
    step_url = buy(client, sale)["Location"]
    order = Order.objects.get()
    forged = signing.dumps("https://phish.example/pay", salt="not-the-embed-salt")

    page = client.get(f"{embed_url(sale)}?order={order.public_token}&pay={forged}").content.decode()

    assert "phish.example" not in page
    assert "Waiting for your payment" in page
    assert step_url != f"{embed_url(sale)}?order={order.public_token}&pay={forged}"


def test_an_order_of_another_show_is_not_found_here(sale):
    client = frame_client()
    buy(client, sale)
    order = Order.objects.get()
    other = ShowFactory()

    assert client.get(f"/embed/shows/{other.slug}/?order={order.public_token}").status_code == 404
    assert client.get(f"{embed_url(sale)}?order=not-a-token").status_code == 404


def test_with_the_conversions_api_on_the_frame_remembers_the_buyers_browser(sale, settings):
    settings.META_PIXEL_ID = "1234567890"
    settings.META_CONVERSIONS_API_TOKEN = "token"
    client = frame_client()

    client.defaults["HTTP_USER_AGENT"] = "Frame/1.0"
    buy(client, sale)

    row = MetaPurchase.objects.get(order=Order.objects.get())
    assert (row.user_agent, row.ip_address, row.status, row.next_attempt_at) == (
        "Frame/1.0",
        "127.0.0.1",
        "waiting",
        None,
    )
