"""The portal's Analytics page and help centre in Chromium: figures, charts and tables for a producer
with sales, the filter used with the keyboard alone (and without JavaScript it is a plain GET form),
a filter error by its field, a CSV download; the help centre's topics, an article and a search.
axe-core at 390 and 1280 px under the CSP watch of ``conftest.py``; screenshots in
``tests/artifacts/portal-analytics-*.png`` and ``portal-help-*.png``."""

from datetime import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from piquetickets.flags.models import Flag
from piquetickets.knowledge.models import KnowledgeArticle, KnowledgeCategory
from piquetickets.orders.models import Refund
from piquetickets.portal.flags import ANALYTICS
from piquetickets.producers.models import UserProducerAssociation
from tests.browser.conftest import DESKTOP, assert_accessible, new_context, open_page, screenshot
from tests.browser.test_portal_onboarding import sign_in
from tests.factories import MembershipFactory, ProducerFactory, PromoCodeFactory, ShowFactory, TicketFactory
from tests.portal.test_analytics import local, order, refund

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def a_producer_with_sales():
    producer = ProducerFactory(name="Laugh Track")
    MembershipFactory(producer=producer, role=UserProducerAssociation.Role.OWNER, user__username="olivia")
    Flag.objects.create(name=ANALYTICS).producers.add(producer)
    show = ShowFactory(producer=producer, title="Friday Laughs", time_zone="America/New_York")
    ga = TicketFactory(show=show, name="General admission", price=Decimal("20.00"))
    vip = TicketFactory(show=show, name="VIP", price=Decimal("50.00"))
    early = PromoCodeFactory(show=show, code="EARLY", discount_type="percent", discount=Decimal("20"))
    for days in range(1, 25, 3):
        order(show, [(ga, 2, "40.00", "0")], when=local(days), total="42.00")
    order(show, [(ga, 2, "32.00", "8.00")], when=local(2), total="34.00", promo=early, discount="8.00")
    refunded = order(show, [(vip, 1, "50.00", "0")], when=local(4), total="52.00", refunded="52.00")
    refund(refunded, "52.00", when=local(3), status=Refund.Status.SUCCEEDED)
    past = ShowFactory(producer=producer, title="Tuesday Open Mic", start_time=local(5, time(20, 0)))
    order(past, [(TicketFactory(show=past, name="Entry", price=Decimal("10.00")), 3, "30.00", "0")],
          when=local(20), total="30.00")  # fmt: skip
    return show


def test_analytics_figures_the_keyboard_filter_and_a_filter_error(any_page, live_server):
    page = any_page
    width = page.viewport_size["width"]
    show = a_producer_with_sales()
    sign_in(page, live_server.url, "olivia")

    page.goto(f"{live_server.url}/dashboard/analytics/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Analytics")
    expect(page.locator(".stats")).to_contain_text("$400.00")  # 8 × 42 + 34 + 52 − 52 + 30
    expect(page.get_by_role("img", name="Revenue per day; the table below has the numbers")).to_be_visible()
    expect(page.get_by_role("region", name="Promo codes, table")).to_contain_text("EARLY")
    expect(page.get_by_role("region", name="Check-in by show, table")).to_contain_text("Tuesday Open Mic")
    assert_accessible(page, what="the analytics page")
    screenshot(page, f"portal-analytics-{width}")

    page.get_by_text("Sales by day as a table").click()
    expect(page.get_by_role("region", name="Sales by day, table")).to_be_visible()
    assert_accessible(page, what="the analytics page with the day table open")

    # The keyboard alone: to the show, choose it, on to the button, Enter.
    show_field = page.get_by_label("Show", exact=True)
    show_field.focus()
    page.keyboard.press("ArrowDown")
    expect(show_field).to_have_value(str(show.pk))
    button = page.get_by_role("button", name="Show figures")
    for _ in range(10):  # past From and To (a date field is several stops: month, day, year)
        page.keyboard.press("Tab")
        if button.evaluate("element => element === document.activeElement"):
            break
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".page-head__lede")).to_contain_text("Friday Laughs:")
    expect(page.get_by_role("region", name="Check-in by show, table")).to_contain_text("Friday Laughs")
    assert "show=" in page.url

    # A CSV of the chosen show's ticket types.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV of sales by ticket type").click()
    assert download.value.suggested_filename.startswith("analytics-ticket-types-friday-laughs-")
    with open(download.value.path(), encoding="utf-8-sig") as csv_file:
        content = csv_file.read()
    assert "Friday Laughs,General admission,9,18,0,8.00,352.00" in content

    # The end before the start: said by the field, the input kept, the summary focused.
    page.goto(f"{live_server.url}/dashboard/analytics/?start=2026-03-10&end=2026-03-01")
    expect(page).to_have_title("Error: Analytics · Laugh Track · PiqueTickets")
    expect(page.locator("#id_end_error")).to_contain_text("Enter a date on or after the “From” date.")
    expect(page.get_by_label("From")).to_have_value("2026-03-10")
    expect(page.locator(".error-summary")).to_be_focused()
    assert_accessible(page, what="the analytics page with a filter error")
    screenshot(page, f"portal-analytics-error-{width}")


def test_without_javascript_the_filter_is_a_plain_form(browser, live_server):
    context = new_context(browser, **DESKTOP, java_script_enabled=False)
    page = open_page(context)
    show = a_producer_with_sales()
    sign_in(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/dashboard/analytics/")
    page.get_by_label("Show", exact=True).select_option(str(show.pk))
    page.get_by_role("button", name="Show figures").click()
    expect(page.locator(".page-head__lede")).to_contain_text("Friday Laughs:")
    context.close()


def test_the_help_centre(any_page, live_server):
    page = any_page
    width = page.viewport_size["width"]
    producer = ProducerFactory(name="Laugh Track")
    MembershipFactory(producer=producer, role=UserProducerAssociation.Role.OWNER, user__username="olivia")
    selling = KnowledgeCategory.objects.create(name="Selling tickets", order=1, description="Shows and prices.")
    paid = KnowledgeCategory.objects.create(name="Getting paid", order=2)
    for category, title, summary, body in [
        (
            selling,
            "Creating your first show",
            "From a draft to on sale.",
            "<h1>Steps</h1><ol><li>Add it.</li><li>Publish.</li></ol>",
        ),
        (selling, "Promo codes", "Discounts for some tickets.", "<p>A code buyers type.</p>"),
        (paid, "How payouts work", "Stripe pays you.", "<p>Connect Stripe under <strong>Payouts</strong>.</p>"),
        (paid, "Refunding an order", "Whole order, tickets or an amount.", "<p>Open the order, Refund.</p>"),
    ]:
        KnowledgeArticle.objects.create(
            category=category, title=title, summary=summary, body=body, audience="producers", is_published=True
        )
    sign_in(page, live_server.url, "olivia")

    page.goto(f"{live_server.url}/dashboard/help/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Help centre")
    expect(page.get_by_role("heading", name="Getting paid")).to_be_visible()
    assert_accessible(page, what="the help centre")
    screenshot(page, f"portal-help-{width}")

    page.get_by_role("link", name="Creating your first show").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Creating your first show")
    expect(page.get_by_role("heading", level=2, name="Steps")).to_be_visible()
    expect(page.get_by_role("link", name="Promo codes")).to_be_visible()  # related
    assert_accessible(page, what="a help article")
    screenshot(page, f"portal-help-article-{width}")

    search = page.get_by_label("Search the help centre")
    search.fill("refunding")
    search.press("Enter")
    expect(page.get_by_role("heading", level=2, name="Results for “refunding”")).to_be_visible()
    expect(page.get_by_role("link", name="Refunding an order")).to_be_visible()
    assert_accessible(page, what="help search results")
    screenshot(page, f"portal-help-search-{width}")


def test_staff_turn_the_flag_on_for_a_producer_in_the_admin(browser, live_server):
    from django.test import Client

    from piquetickets.accounts.services import user_create
    from tests.browser.conftest import PHONE

    producer = ProducerFactory(name="Laugh Track")
    flag = Flag.objects.create(name=ANALYTICS, note="The portal's Analytics page.")
    staff = user_create(username="ops", email="ops@example.com", password="a-strong-pass-1234", is_superuser=True)
    client = Client()
    client.force_login(staff)
    for size, name in ((DESKTOP, "1280"), (PHONE, "390")):
        context = new_context(browser, **size)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = open_page(context)
        page.goto(f"{live_server.url}/admin/flags/flag/{flag.pk}/change/")
        expect(page.get_by_text("Who sees it")).to_be_visible()
        expect(page.locator("label[for=id_producers]")).to_be_visible()
        screenshot(page, f"portal-flag-admin-{name}")
        context.close()
    assert list(flag.producers.all()) == []
    assert producer.feature_flags.count() == 0
