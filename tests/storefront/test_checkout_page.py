"""The one-page checkout, /shows/<slug>/checkout/, and what hangs off it: the live total (htmx
fragments), every refusal shown by its field with the buyer's input kept and nothing written, the total
the buyer saw and the idempotency key (also in the API), the seed's aliases, and "email me my tickets
again"."""

import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from piquetickets.emails.models import EmailTracking
from piquetickets.orders.models import Order, TicketHold, TicketOrder
from piquetickets.orders.pricing import CartLine
from piquetickets.orders.services import Buyer, checkout_hold, checkout_order_uuid
from piquetickets.producers.models import ProducerFinancial
from piquetickets.shows.models import Show, Ticket
from piquetickets.subscribers.models import Subscriber
from tests.factories import OrderFactory, ShowFactory, TicketFactory
from tests.payments.flow import SECRET, onboard
from tests.selling import cart
from tests.storefront.test_show_page import Node, assert_no_inline_code, parse

pytestmark = pytest.mark.django_db

API = "/api/v1/checkout/create-session/"
KEY = "k" * 24


def url(sale) -> str:
    return f"/shows/{sale.show.slug}/checkout/"


def nothing_written():
    assert (Order.objects.count(), TicketOrder.objects.count(), TicketHold.objects.count()) == (0, 0, 0)


def form_values(page: Node) -> dict[str, str]:
    """What the browser would post: every named input (checkboxes only when ticked)."""
    form = page.find("form", class_="checkout-form")
    values = {}
    for field in form.find_all("input"):
        if "name" not in field.attrs or (field.attrs.get("type") == "checkbox" and "checked" not in field.attrs):
            continue
        values[field["name"]] = field.attrs.get("value", "")
    return values


def buyer(**overrides) -> dict:
    return {"first_name": "Alex", "last_name": "Morgan", "email": "alex@example.com"} | overrides


def reviewed(client, sale, **quantities_and_more) -> dict:
    """The checkout as the buyer sees it after choosing (``qty_<id>``, ``amount_<id>``, ``promo``),
    with the total shown: the form as the browser would post it, buyer's details filled in."""
    response = client.get(url(sale), quantities_and_more)
    assert response.status_code == 200
    return form_values(parse(response)) | buyer()


def pay(client, sale, data: dict, **headers):
    return client.post(url(sale), data | {"action": "pay"}, **headers)


def error_summary(response) -> list[str]:
    summary = parse(response).find("div", class_="error-summary")
    return [li.text() for li in summary.find_all("li")]


def field_error(response, name: str) -> str:
    page = parse(response)
    return page.find(id=f"id_{name}_error").text()


# --- the page -----------------------------------------------------------------------------------


def test_the_page_lists_what_is_on_sale_with_steppers_and_asks_for_the_buyer(client, sale):
    Ticket.objects.filter(pk=sale.vip.pk).update(quantity_sold=10)
    response = client.get(url(sale))

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "HX-Request" in response["Vary"]
    assert "no-cache" in response["Cache-Control"]
    page = parse(response)
    assert page.find("meta", name="robots")["content"] == "noindex, nofollow"
    assert page.find("h1").text() == "Tickets for Friday Laughs"
    steppers = {i["name"]: i["max"] for i in page.find_all("input", type="number")}
    assert steppers == {f"qty_{sale.general.pk}": "10", f"qty_{sale.donation.pk}": "10"}  # VIP is sold out
    assert "VIP $49.01 incl. $4.01 fees Sold out" in page.find("fieldset", id="checkout-tickets").text()
    assert page.find("input", name=f"amount_{sale.donation.pk}")["value"] == "5.00"
    names = ("first_name", "last_name", "email")
    autocomplete = {name: page.find("input", name=name)["autocomplete"] for name in names}
    assert autocomplete == {"first_name": "given-name", "last_name": "family-name", "email": "email"}
    assert page.find("label", for_="id_promo_code").text() == "Promo code (optional)"
    assert "Choose your tickets to see the total." in page.find(id="checkout-summary").text()
    assert page.find(id="pay-label").text() == "Continue"
    assert page.find("a", href="/orders/resend/").text() == "Email me my tickets again"
    form = page.find("form", class_="checkout-form")
    assert (form["method"], form["action"], form["data-pixel-submit"], form["data-pixel-currency"]) == (
        "post",
        url(sale),
        "InitiateCheckout",
        "USD",
    )
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", page.find("input", name="idempotency_key")["value"])
    assert_no_inline_code(response.content.decode())


def test_quantities_and_a_promo_code_from_a_link_are_priced_by_the_one_pricing_function(client, sale, api):
    response = client.get(url(sale), {f"qty_{sale.general.pk}": "2", "promo": "laugh10"})
    page = parse(response)

    summary = page.find(id="checkout-summary")
    # the API's total for the same cart (tests/orders/test_checkout_flow.py works it out: $40.49)
    assert summary.find("table").text() == (
        "Your tickets, discount, fees and total 2 × General admission $20.00 each $40.00 "
        "Promo code LAUGH10 -$4.00 Fees Booking and card fees $4.49 Total $40.49"
    )
    assert page.find("input", name="expected_total")["value"] == "40.49"
    assert page.find(id="pay-label").text() == "Pay $40.49"
    assert page.find("form", class_="checkout-form")["data-pixel-value"] == "40.49"
    assert "Applied LAUGH10: 10% off." in page.find(id="promo-slot").text()
    assert page.find("input", name="promo_code", type="hidden")["value"] == "LAUGH10"
    assert api.post(API, cart(sale, promo_code="LAUGH10"), format="json").json()["total"] == "40.49"


def test_a_promo_code_link_that_does_not_work_says_why_by_the_field(client, sale):
    sale.promo.valid_until = timezone.now() - timedelta(days=1)
    sale.promo.save()
    response = client.get(url(sale), {"promo": "LAUGH10"})

    assert response.status_code == 200
    assert field_error(response, "promo_code") == "Error: This promo code has expired."
    assert parse(response).find("input", id="id_promo_code")["value"] == "LAUGH10"
    assert not parse(response).find_all("div", class_="error-summary")


# --- the live total (htmx) ------------------------------------------------------------------------


def live(client, sale, data: dict, action: str = "price"):
    return client.post(url(sale), data | {"action": action}, HTTP_HX_REQUEST="true")


def test_changing_a_quantity_answers_htmx_with_only_the_parts_that_change(client, sale):
    data = reviewed(client, sale) | {f"qty_{sale.general.pk}": "3"}
    response = live(client, sale, data)

    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    page = parse(response)
    swapped = {node["id"]: node["hx-swap-oob"] for node in page.children if isinstance(node, Node)}
    assert swapped == {
        "checkout-summary": "innerHTML",
        "pay-label": "innerHTML",
        "checkout-announce": "innerHTML",
        f"error-slot-qty_{sale.general.pk}": "innerHTML",
        f"error-slot-qty_{sale.vip.pk}": "innerHTML",
        f"error-slot-qty_{sale.donation.pk}": "innerHTML",
        "attendee-rows": "innerHTML",
    }
    # 3 × $20.00; platform $1.80 + $2.97 = $4.77; processing 2.9% of $64.77 + $0.30 = $2.18
    assert page.find(id="checkout-summary").find("td", data_checkout_total="66.95").text() == "$66.95"
    assert page.find("input", name="expected_total")["value"] == "66.95"
    assert page.find(id="pay-label").text() == "Pay $66.95"
    assert page.find(id="checkout-announce").text() == "Total $66.95 for 3 tickets."
    rows = [legend.text() for legend in page.find(id="attendee-rows").find_all("legend")]
    assert rows == ["General admission, ticket 1", "General admission, ticket 2", "General admission, ticket 3"]
    nothing_written()


def test_applying_a_promo_code_live_swaps_the_promo_field_too(client, sale):
    data = reviewed(client, sale, **{f"qty_{sale.general.pk}": "2"}) | {"promo_code": "nope"}
    refused = live(client, sale, data, "promo")
    assert parse(refused).find(id="promo-slot").find(id="id_promo_code_error").text() == (
        "Error: We don't know this promo code."
    )
    assert parse(refused).find(id="checkout-announce").text() == "Error: We don't know this promo code."

    applied = live(client, sale, data | {"promo_code": "laugh10"}, "promo")
    page = parse(applied)
    assert "Applied LAUGH10: 10% off." in page.find(id="promo-slot").text()
    assert page.find(id="promo-slot").find("button")["id"] == "promo-button"  # the focus stays on it
    assert page.find(id="checkout-announce").text() == "Promo code applied. Total $40.49 for 2 tickets."

    removed = live(client, sale, data | {"promo_code": "LAUGH10"}, "remove_promo")
    assert parse(removed).find(id="promo-slot").find("input", id="id_promo_code")["value"] == ""
    assert parse(removed).find(id="checkout-announce").text() == "Promo code removed. Total $44.73 for 2 tickets."
    nothing_written()


def test_a_live_mistake_shows_by_its_field_without_a_total(client, sale):
    sale.vip.max_per_order = 2
    sale.vip.save()
    data = reviewed(client, sale) | {f"qty_{sale.vip.pk}": "3"}
    page = parse(live(client, sale, data))

    assert page.find(id=f"error-slot-qty_{sale.vip.pk}").text() == "Error: At most 2 × VIP per order."
    assert page.find(id="pay-label").text() == "Continue"
    assert page.find("input", name="expected_total")["value"] == ""
    nothing_written()


def test_without_javascript_update_total_renders_the_whole_page(client, sale):
    data = reviewed(client, sale) | {f"qty_{sale.general.pk}": "2", "promo_code": "LAUGH10"}
    response = client.post(url(sale), data | {"action": "update"})

    assert response.status_code == 200
    page = parse(response)
    assert page.find(id="pay-label").text() == "Pay $40.49"
    assert page.find("input", name="first_name")["value"] == "Alex"
    nothing_written()


# --- paying ---------------------------------------------------------------------------------------


def test_pay_holds_the_tickets_and_sends_the_buyer_to_the_payment_page(client, sale):
    data = reviewed(client, sale, **{f"qty_{sale.general.pk}": "2", "promo": "LAUGH10"})
    data |= {f"name_{sale.general.pk}_2_first": "Sam", f"name_{sale.general.pk}_2_last": "Lee"}
    response = pay(client, sale, data)

    order = Order.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"http://localhost:8080/pay/test/{order.public_token}/"
    assert (order.status, order.total, order.promo_code) == ("pending", Decimal("40.49"), sale.promo)
    assert order.email == "alex@example.com"
    assert TicketOrder.objects.get().attendee_names == [
        {"first_name": "Alex", "last_name": "Morgan"},  # left empty before a named one: the buyer's
        {"first_name": "Sam", "last_name": "Lee"},
    ]
    assert TicketHold.objects.get().quantity == 2
    assert not Subscriber.objects.exists()


def test_the_first_ticket_is_mine_tick_puts_the_buyer_on_it(client, sale):
    data = reviewed(client, sale, **{f"qty_{sale.general.pk}": "2"}) | {"copy_buyer": "1"}
    data |= {f"name_{sale.general.pk}_1_first": "Typed", f"name_{sale.general.pk}_2_first": "Jo"}
    assert pay(client, sale, data).status_code == 303

    assert TicketOrder.objects.get().attendee_names == [
        {"first_name": "Alex", "last_name": "Morgan"},
        {"first_name": "Jo", "last_name": ""},
    ]


def test_a_donation_and_the_news_opt_in(client, sale):
    data = reviewed(client, sale, **{f"qty_{sale.donation.pk}": "1"}) | {f"amount_{sale.donation.pk}": "$12.50"}
    data = form_values(parse(client.post(url(sale), data | {"action": "update"}))) | buyer() | {"news": "1"}
    assert pay(client, sale, data).status_code == 303

    line = TicketOrder.objects.get()
    assert (line.donation_amount, line.price_per_ticket) == (Decimal("12.50"), Decimal("12.50"))
    assert Subscriber.objects.get().email == "alex@example.com"


def test_a_free_order_goes_straight_to_its_tickets(client, sale):
    free = TicketFactory(show=sale.show, name="Guest list", price=Decimal("0.00"), quantity=5)
    data = reviewed(client, sale, **{f"qty_{free.pk}": "1"})
    assert parse(client.get(url(sale), {f"qty_{free.pk}": "1"})).find(id="pay-label").text() == "Get tickets"
    response = pay(client, sale, data)

    order = Order.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"http://localhost:8080/orders/{order.public_token}/"
    assert (order.status, order.provider) == ("paid", "free")


def test_a_total_the_buyer_has_not_seen_is_shown_before_anything_is_bought(client, sale):
    # Without JavaScript the total can't follow the quantities: the first press of Pay shows it.
    data = reviewed(client, sale) | {f"qty_{sale.general.pk}": "2"}
    response = pay(client, sale, data)

    assert response.status_code == 200
    page = parse(response)
    review = page.find("div", class_="checkout__review")
    assert review.text() == "Check your total: $44.73 for 2 tickets, fees included. If it's right, press Pay $44.73."
    assert page.find("title").text().startswith("Tickets for")
    nothing_written()

    assert pay(client, sale, form_values(page) | buyer()).status_code == 303
    assert Order.objects.get().total == Decimal("44.73")


def test_a_price_that_changed_after_the_buyer_saw_it_is_refused_clearly(client, sale):
    data = reviewed(client, sale, **{f"qty_{sale.general.pk}": "2"})
    Ticket.objects.filter(pk=sale.general.pk).update(price=Decimal("25.00"))
    response = pay(client, sale, data)

    assert response.status_code == 422
    assert error_summary(response) == ["The total is now $55.33, not the $44.73 you saw. Check it and confirm again."]
    assert parse(response).find(id="pay-label").text() == "Pay $55.33"
    nothing_written()
    assert pay(client, sale, form_values(parse(response)) | buyer()).status_code == 303


def test_a_double_submit_buys_once(client, sale):
    data = reviewed(client, sale, **{f"qty_{sale.general.pk}": "2"})
    first, second = pay(client, sale, data), pay(client, sale, data)

    assert (first.status_code, second.status_code) == (303, 303)
    assert first["Location"] == second["Location"]
    assert Order.objects.count() == 1
    assert TicketHold.objects.get().quantity == 2
    Ticket.objects.get(pk=sale.general.pk)
    assert Ticket.objects.get(pk=sale.general.pk).quantity_held == 2


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_at_the_same_moment_buys_once(sale):
    data = reviewed(Client(), sale, **{f"qty_{sale.general.pk}": "2"})
    barrier, answers, lock = threading.Barrier(6), [], threading.Lock()

    def submit():
        try:
            barrier.wait()
            response = pay(Client(), sale, data)
            answer = (response.status_code, response.get("Location"))
        except Exception as exc:  # collected and asserted on by the test
            answer = exc
        finally:
            connection.close()
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    order = Order.objects.get()
    assert answers == [(303, f"http://localhost:8080/pay/test/{order.public_token}/")] * 6
    assert TicketHold.objects.get().quantity == 2
    assert Ticket.objects.get(pk=sale.general.pk).quantity_held == 2


def test_a_double_submit_with_stripe_goes_back_to_the_same_checkout_session(client, sale, settings, stripe_server):
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_pique"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_API_BASE = stripe_server.url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    onboard(client, sale, stripe_server)
    data = reviewed(client, sale, **{f"qty_{sale.general.pk}": "2"})
    first, second = pay(client, sale, data), pay(client, sale, data)

    order = Order.objects.get()
    assert (first.status_code, second.status_code) == (303, 303)
    assert first["Location"] == second["Location"] == f"{stripe_server.url}/pay/{order.session_id}"
    created = [r for r in stripe_server.requests if r.method == "POST" and r.path == "/v1/checkout/sessions"]
    assert len(created) == 1

    stripe_server.expire_session(order.session_id)  # closed at Stripe: a repeat goes to the order page
    assert pay(client, sale, data)["Location"] == f"http://localhost:8080/orders/{order.public_token}/"


def test_a_repeat_while_the_first_request_is_still_starting_stripe_is_asked_to_wait(client, sale, settings):
    settings.PAYMENT_PROVIDER = "stripe"
    ProducerFinancial.objects.create(producer=sale.show.producer, stripe_account_id="acct_1", charges_enabled=True)
    data = reviewed(client, sale, **{f"qty_{sale.general.pk}": "1"})
    lines = [CartLine(ticket=sale.general, quantity=1)]
    buyer = Buyer("Alex", "Morgan", "alex@example.com")
    key = data["idempotency_key"]
    uuid = checkout_order_uuid(idempotency_key=key, show=sale.show, lines=lines, buyer=buyer)
    # the first request has held the tickets and is talking to Stripe: no session on the order yet
    checkout_hold(show=sale.show, lines=lines, buyer=buyer, provider="stripe", order_uuid=uuid)
    response = pay(client, sale, data)

    assert response.status_code == 422
    assert error_summary(response) == ["We're still starting the payment for this order. Try again in a moment."]
    assert parse(response).find("input", name="idempotency_key")["value"] == key  # the retry is the same purchase
    assert Order.objects.count() == 1


def test_a_submit_after_paying_goes_to_the_tickets_and_a_changed_cart_is_another_order(client, sale):
    data = reviewed(client, sale, **{f"qty_{sale.general.pk}": "1"})
    pay(client, sale, data)
    order = Order.objects.get()
    client.post(f"/pay/test/{order.public_token}/", {"decision": "approve"})

    again = pay(client, sale, data)
    assert again["Location"] == f"http://localhost:8080/orders/{order.public_token}/"
    assert Order.objects.count() == 1

    changed = form_values(parse(client.post(url(sale), data | {f"qty_{sale.general.pk}": "2", "action": "update"})))
    assert pay(client, sale, changed | buyer()).status_code == 303
    assert Order.objects.count() == 2


# --- every refusal: by its field, input kept, nothing written ---------------------------------------


def assert_refused(response, *, summary: list[str], field: str | None = None, kept: dict | None = None):
    assert response.status_code == 422
    page = parse(response)
    assert page.find("title").text().startswith("Error: ")
    assert error_summary(response) == summary
    if field:
        assert field_error(response, field) == f"Error: {summary[0]}"
        assert page.find("div", class_="error-summary").find("a")["href"] == f"#id_{field}"
    for name, value in (kept or {}).items():
        assert page.find("input", name=name)["value"] == value
    nothing_written()


def test_sold_out_is_refused_by_the_ticket(client, sale):
    data = reviewed(client, sale, **{f"qty_{sale.general.pk}": "2"})
    Ticket.objects.filter(pk=sale.general.pk).update(quantity_sold=49)
    response = pay(client, sale, data)

    assert_refused(
        response, summary=["Only 1 left of General admission."], field=f"qty_{sale.general.pk}",
        kept={"first_name": "Alex", "email": "alex@example.com", f"qty_{sale.general.pk}": "2"},
    )  # fmt: skip


def test_a_ticket_type_that_sold_out_meanwhile_is_refused_at_the_top(client, sale):
    data = reviewed(client, sale, **{f"qty_{sale.vip.pk}": "1"})
    Ticket.objects.filter(pk=sale.vip.pk).update(quantity_sold=10)
    response = pay(client, sale, data)

    assert_refused(response, summary=["VIP is sold out."], kept={"email": "alex@example.com"})
    assert not parse(response).find_all("input", name=f"qty_{sale.vip.pk}")


def test_too_many_is_refused_by_the_ticket(client, sale):
    sale.vip.max_per_order = 2
    sale.vip.save()
    data = reviewed(client, sale) | {f"qty_{sale.vip.pk}": "3"}
    response = pay(client, sale, data)

    assert_refused(response, summary=["At most 2 × VIP per order."], field=f"qty_{sale.vip.pk}")


def test_more_than_the_show_allows_per_order_is_refused_at_the_top(client, sale):
    Show.objects.filter(pk=sale.show.pk).update(max_tickets_per_order=3)
    data = reviewed(client, sale) | {f"qty_{sale.general.pk}": "2", f"qty_{sale.donation.pk}": "2"}
    response = pay(client, sale, data)

    assert_refused(response, summary=["At most 3 tickets per order."])


def test_a_bad_promo_code_is_refused_by_its_field(client, sale):
    data = reviewed(client, sale, **{f"qty_{sale.general.pk}": "2"}) | {"promo_code": "FREEBIE"}
    response = pay(client, sale, data)

    assert_refused(
        response, summary=["We don't know this promo code."], field="promo_code", kept={"promo_code": "FREEBIE"}
    )


def test_a_used_up_promo_code_is_refused_by_its_field(client, sale):
    data = reviewed(client, sale, **{f"qty_{sale.general.pk}": "2", "promo": "LAUGH10"})
    sale.promo.max_uses = 1
    sale.promo.save()
    sale.promo.__class__.objects.filter(pk=sale.promo.pk).update(times_used=1)
    response = pay(client, sale, data)

    assert_refused(response, summary=["This promo code has been used up."], field="promo_code")


def test_a_donation_below_the_minimum_is_refused_by_its_amount(client, sale):
    data = reviewed(client, sale, **{f"qty_{sale.donation.pk}": "1"}) | {f"amount_{sale.donation.pk}": "2.00"}
    response = pay(client, sale, data)

    assert_refused(
        response, summary=["The minimum for Pay what you can is 5.00 USD."], field=f"amount_{sale.donation.pk}",
        kept={f"amount_{sale.donation.pk}": "2.00"},
    )  # fmt: skip


def test_sales_that_closed_meanwhile_are_refused_at_the_top(client, sale):
    data = reviewed(client, sale, **{f"qty_{sale.general.pk}": "1"})
    Ticket.objects.filter(pk=sale.general.pk).update(sales_end=timezone.now() - timedelta(minutes=1))
    response = pay(client, sale, data)

    assert_refused(response, summary=["General admission is not on sale."], kept={"email": "alex@example.com"})


def test_payments_not_ready_is_refused_at_the_top(client, sale, settings):
    settings.PAYMENT_PROVIDER = "stripe"
    ProducerFinancial.objects.create(producer=sale.show.producer)  # no connected account yet
    data = reviewed(client, sale, **{f"qty_{sale.general.pk}": "1"})
    response = pay(client, sale, data)

    assert_refused(
        response, summary=["This producer hasn't finished setting up payouts, so tickets can't be sold yet."]
    )


def test_no_tickets_and_missing_details_are_refused_together(client, sale):
    data = reviewed(client, sale) | {"first_name": "", "last_name": "", "email": "not-an-email"}
    response = pay(client, sale, data)

    assert_refused(
        response,
        summary=[
            "Choose at least one ticket.",
            "Enter your first name.",
            "Enter your last name.",
            "Enter an email address like name@example.com.",
        ],
        kept={"email": "not-an-email"},
    )
    assert field_error(response, "email") == "Error: Enter an email address like name@example.com."


def test_a_ticket_holder_with_a_last_name_only_is_asked_for_a_first_name(client, sale):
    data = reviewed(client, sale, **{f"qty_{sale.general.pk}": "2"}) | {f"name_{sale.general.pk}_2_last": "Lee"}
    response = pay(client, sale, data)

    field = f"name_{sale.general.pk}_2_first"
    assert_refused(
        response, summary=["Enter a first name for this ticket, or leave both names empty."], field=field,
        kept={f"name_{sale.general.pk}_2_last": "Lee"},
    )  # fmt: skip
    assert "open" in parse(response).find("details").attrs


def test_a_quantity_that_is_not_a_number_is_refused_by_its_field(client, sale):
    data = reviewed(client, sale) | {f"qty_{sale.general.pk}": "two"}
    response = pay(client, sale, data)

    assert_refused(response, summary=["Enter a whole number of tickets."], field=f"qty_{sale.general.pk}")


def test_a_tampered_idempotency_key_or_total_is_out_of_date(client, sale):
    data = reviewed(client, sale, **{f"qty_{sale.general.pk}": "1"}) | {"expected_total": "lots"}
    response = pay(client, sale, data)

    assert_refused(response, summary=[
        "This page was out of date, so nothing was bought. Check your order and press Pay again."
    ])  # fmt: skip


# --- the API: the same service, the same guards ------------------------------------------------------


def test_the_api_with_an_idempotency_key_answers_a_repeat_with_the_same_order(api, sale):
    body = cart(sale, idempotency_key=KEY)
    first, second = api.post(API, body, format="json"), api.post(API, body, format="json")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    order = Order.objects.get()
    assert first.json()["order"] == str(order.uuid)
    lines = [CartLine(ticket=sale.general, quantity=2)]
    assert order.uuid == checkout_order_uuid(
        idempotency_key=KEY, show=sale.show, lines=lines, buyer=Buyer("Alex", "Morgan", "alex@example.com")
    )
    assert TicketHold.objects.count() == 1


def test_the_api_takes_another_request_under_the_same_key_as_another_purchase(api, sale):
    api.post(API, cart(sale, idempotency_key=KEY), format="json")
    other = api.post(API, cart(sale, {"ticket": sale.vip.pk, "quantity": 1}, idempotency_key=KEY), format="json")

    assert other.status_code == 201
    assert Order.objects.count() == 2


def test_the_api_refuses_a_changed_total_with_409_and_writes_nothing(api, sale):
    response = api.post(API, cart(sale, expected_total="40.00"), format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "The total is now $44.73, not the $40.00 you saw. Check it and confirm again.",
        "code": "price_changed",
        "extra": {"total": "44.73", "expected": "40.00"},
    }
    nothing_written()
    assert api.post(API, cart(sale, expected_total="44.73"), format="json").status_code == 201


def test_the_api_refuses_a_short_idempotency_key(api, sale):
    response = api.post(API, cart(sale, idempotency_key="abc"), format="json")

    assert response.status_code == 400
    assert response.json()["extra"]["fields"]["idempotency_key"] == ["Use 16 to 100 letters, digits, - or _."]
    nothing_written()


# --- the seed's addresses ----------------------------------------------------------------------------


def test_the_seed_checkout_address_leads_to_the_show_checkout(client, sale):
    response = client.get("/checkout/", {"show": sale.show.slug, "promo": "LAUGH10"})

    assert response.status_code == 302
    assert response["Location"] == f"/shows/{sale.show.slug}/checkout/?promo=LAUGH10"
    assert client.get("/checkout/", {"show": "nope"}).status_code == 404
    assert client.get("/checkout/")["Location"] == "/shows/"


def test_the_seed_order_confirmation_address_leads_to_a_known_order(client, sale):
    order = OrderFactory(show=sale.show)
    response = client.get("/order-confirmation/", {"order": order.public_token})

    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.public_token}/"
    assert response["Referrer-Policy"] == "no-referrer"
    assert client.get("/order-confirmation/", {"order": "unknown"}).status_code == 404
    assert client.get("/order-confirmation/").status_code == 404


# --- email me my tickets again -------------------------------------------------------------------------

RESEND = "/orders/resend/"


@pytest.fixture
def bought(sale, db):
    """Alex's paid order for the sale, a pending and a cancelled one, and someone else's."""
    now = timezone.now()
    paid = OrderFactory(show=sale.show, email="Alex@Example.com", status="paid", success=True, time_of_purchase=now)
    later = ShowFactory(
        title="Sunday Jazz",
        producer=sale.show.producer,
        start_time=now + timedelta(days=20),
        end_time=now + timedelta(days=20, hours=2),
    )
    also = OrderFactory(
        show=later, email="alex@example.com", status="partially_refunded", success=True, time_of_purchase=now
    )
    OrderFactory(show=sale.show, email="alex@example.com", status="pending")
    OrderFactory(show=sale.show, email="alex@example.com", status="cancelled")
    OrderFactory(show=sale.show, email="sam@example.com", status="paid", success=True, time_of_purchase=timezone.now())
    return paid, also


def answer_words(response) -> str:
    return parse(response).find("div", class_="resend").text()


def test_resend_gives_the_same_answer_whether_or_not_the_address_has_orders(
    client, bought, mailoutbox, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(RESEND, {"email": "alex@example.com"})
        unknown = client.post(RESEND, {"email": "nobody@example.com"})

    assert (known.status_code, unknown.status_code) == (303, 303)
    assert known["Location"] == unknown["Location"] == RESEND
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["Alex@Example.com"]


def test_resend_says_to_check_the_inbox_in_the_same_words(client, bought):
    words = []
    for email in ("alex@example.com", "nobody@example.com"):
        response = client.post(RESEND, {"email": email}, follow=True)
        words.append(answer_words(response).replace(email, "EMAIL"))

    assert words[0] == words[1]
    assert "Check your inbox. If EMAIL has tickets for upcoming shows, we've sent it an email" in words[0]


def test_resend_email_lists_each_paid_order_with_its_link(
    client, bought, mailoutbox, eager, django_capture_on_commit_callbacks
):
    paid, also = bought
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESEND, {"email": "ALEX@example.com"})

    message = mailoutbox[0]
    assert message.subject == "Your tickets on PiqueTickets"
    assert message.body.count("Your tickets: http://localhost:8080/orders/") == 2
    assert f"Your tickets: http://localhost:8080/orders/{paid.public_token}/" in message.body
    assert f"Your tickets: http://localhost:8080/orders/{also.public_token}/" in message.body
    assert message.body.index("Friday Laughs") < message.body.index("Sunday Jazz")  # by date
    html = message.alternatives[0][0]
    assert f'href="http://localhost:8080/orders/{paid.public_token}/"' in html
    tracked = EmailTracking.objects.get()
    assert (tracked.category, tracked.status) == ("order_links", "sent")


def test_resend_sends_one_email_an_hour_per_address(
    client, bought, mailoutbox, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESEND, {"email": "alex@example.com"})
        client.post(RESEND, {"email": "alex@example.com"})

    assert len(mailoutbox) == 1
    assert EmailTracking.objects.count() == 1


def test_resend_is_rate_limited_per_address(client, bought):
    answers = [client.post(RESEND, {"email": "alex@example.com"}).status_code for _ in range(4)]

    assert answers == [303, 303, 303, 429]
    refused = client.post(RESEND, {"email": "alex@example.com"})
    assert "You've asked several times in the last hour." in answer_words(refused)
    assert client.post(RESEND, {"email": "sam@example.com"}).status_code == 303  # another address may


def test_resend_is_rate_limited_per_client(client, db):
    answers = [client.post(RESEND, {"email": f"fan{n}@example.com"}).status_code for n in range(11)]

    assert answers == [303] * 10 + [429]


def test_resend_asks_for_a_real_address(client, db, mailoutbox):
    empty = client.post(RESEND, {"email": ""})
    wrong = client.post(RESEND, {"email": "alex@"})

    assert (empty.status_code, wrong.status_code) == (422, 422)
    assert parse(wrong).find(id="id_email_error").text() == "Error: Enter an email address like name@example.com."
    assert parse(empty).find(id="id_email_error").text() == "Error: Enter your email address."
    assert parse(wrong).find("title").text().startswith("Error: ")
    assert parse(wrong).find("input", name="email")["value"] == "alex@"
    assert not mailoutbox


def test_the_order_page_links_to_the_show_and_to_resending(client, sale, bought):
    paid, _ = bought
    page = parse(client.get(f"/orders/{paid.public_token}/"))

    assert page.find("a", href=f"/shows/{sale.show.slug}/")
    assert page.find("a", href="/orders/resend/")
