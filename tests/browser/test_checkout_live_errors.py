"""The checkout's live update keeps the ticket inputs' error state right for assistive technology:
an input gets aria-invalid (and its message in aria-describedby) when htmx brings an error for it,
and loses both when the error goes away, though the input itself is never swapped."""

import pytest
from playwright.sync_api import expect

from piquetickets.shows.models import Ticket
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_quantity_error_from_a_live_update_marks_the_input_and_unmarks_it_when_fixed(page, live_server, sale):
    Ticket.objects.filter(pk=sale.general.pk).update(max_per_order=4)
    page.goto(f"{live_server.url}/shows/{sale.show.slug}/checkout/")
    field = f"id_qty_{sale.general.pk}"
    quantity = page.locator(f"#{field}")
    expect(quantity).not_to_have_attribute("aria-invalid", "true")

    quantity.fill("6")  # more than this ticket type allows in one order
    quantity.press("Tab")
    error = page.locator(f"#{field}_error")
    expect(error).to_be_visible()
    expect(quantity).to_have_attribute("aria-invalid", "true")
    expect(quantity).to_have_attribute("aria-describedby", f"{field}_error")
    assert_accessible(page, what="checkout with a live quantity error")

    quantity.fill("2")
    quantity.press("Tab")
    expect(error).to_have_count(0)
    expect(quantity).not_to_have_attribute("aria-invalid", "true")
    assert quantity.get_attribute("aria-describedby") is None
    expect(page.locator("#checkout-summary")).to_contain_text("2 × General admission")


def test_a_donation_below_the_minimum_marks_the_amount_and_keeps_its_hint(page, live_server, sale):
    page.goto(f"{live_server.url}/shows/{sale.show.slug}/checkout/")
    donation = sale.donation.pk
    page.locator(f"#id_qty_{donation}").fill("1")
    amount = page.locator(f"#id_amount_{donation}")
    amount.fill("1.00")
    amount.press("Tab")
    expect(page.locator(f"#id_amount_{donation}_error")).to_be_visible()
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(amount).to_have_attribute("aria-describedby", f"id_amount_{donation}_hint id_amount_{donation}_error")
    amount.fill("6.00")
    amount.press("Tab")
    expect(page.locator(f"#id_amount_{donation}_error")).to_have_count(0)
    expect(amount).not_to_have_attribute("aria-invalid", "true")
    expect(amount).to_have_attribute("aria-describedby", f"id_amount_{donation}_hint")
