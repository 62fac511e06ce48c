"""The portal's navigation at every width, with all ten entries (Analytics' flag on): one row of words on
a laptop and wider, behind the "Menu" button below that (two columns on a tablet, one on a phone), never
wider than the screen. axe-core at each width; screenshots in ``tests/artifacts/portal-nav-*.png``."""

import pytest
from playwright.sync_api import expect

from piquetickets.flags.models import Flag
from piquetickets.portal.flags import ANALYTICS
from piquetickets.producers.models import UserProducerAssociation
from tests.browser.conftest import assert_accessible, new_context, open_page, screenshot
from tests.browser.test_portal_onboarding import sign_in
from tests.factories import MembershipFactory, ProducerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENTRIES = [
    "Dashboard", "Shows", "Orders", "Check-in", "Venues & performers",
    "Payouts", "Analytics", "Team", "Profile", "Help",
]  # fmt: skip


@pytest.fixture
def producer(db):
    producer = ProducerFactory(name="Laugh Track")
    MembershipFactory(producer=producer, role=UserProducerAssociation.Role.OWNER, user__username="olivia")
    Flag.objects.create(name=ANALYTICS, superusers=False).producers.add(producer)
    return producer


def link_tops(page) -> list[float]:
    return page.locator(".portal-nav__link").evaluate_all("links => links.map(l => l.getBoundingClientRect().top)")


@pytest.mark.parametrize("width", [1024, 1280, 1440])
def test_on_a_laptop_every_entry_is_on_one_row(browser, live_server, producer, width):
    page = open_page(new_context(browser, viewport={"width": width, "height": 800}))
    sign_in(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/dashboard/orders/")

    nav = page.get_by_role("navigation", name="Portal")
    expect(nav.get_by_role("link")).to_have_text(ENTRIES)
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    assert len(set(link_tops(page))) == 1
    expect(nav.get_by_role("link", name="Orders")).to_have_attribute("aria-current", "page")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page, what=f"the navigation at {width} px")
    screenshot(page, f"portal-nav-{width}")
    page.context.close()


@pytest.mark.parametrize(("width", "columns"), [(390, 1), (800, 2)])
def test_below_a_laptop_the_navigation_folds_behind_the_menu_button(browser, live_server, producer, width, columns):
    page = open_page(new_context(browser, viewport={"width": width, "height": 900}))
    sign_in(page, live_server.url, "olivia")
    page.goto(f"{live_server.url}/dashboard/orders/")
    nav = page.get_by_role("navigation", name="Portal")
    menu = page.get_by_role("button", name="Menu")

    expect(nav).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link")).to_have_text(ENTRIES)
    assert len(set(link_tops(page))) == len(ENTRIES) // columns
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page, what=f"the open menu at {width} px")
    screenshot(page, f"portal-nav-open-{width}")
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(menu).to_be_focused()
    page.context.close()


def test_no_portal_page_is_wider_than_a_phone(browser, live_server, producer):
    """Wide tables scroll in their own box; nothing in them (a visually-hidden label in the last column, an
    invitation's long address) widens the page."""
    from piquetickets.producers.services import producer_invite

    producer_invite(producer=producer, email="a.very.long.address.for.a.phone@example.com")
    page = open_page(new_context(browser, viewport={"width": 390, "height": 844}))
    sign_in(page, live_server.url, "olivia")

    for path in ("/dashboard/team/", "/dashboard/shows/", "/dashboard/orders/", "/dashboard/payouts/",
                 "/dashboard/analytics/", "/dashboard/venues/", "/dashboard/checkin/", "/dashboard/"):  # fmt: skip
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    page.context.close()
