"""axe-core on every page the project serves, at 390 px and at 1280 px, in each of its states.

The buyer's order page (pending, paid, refunded, cancelled) is checked the same way in
``test_order_page.py``. Every page here also runs under the Content-Security-Policy watch of
``conftest.py``: a violation fails the test too.
"""

import re
from datetime import timedelta

import pytest
from django.urls import include, path
from django.utils import timezone
from playwright.sync_api import expect
from rest_framework.test import APIClient

from piquetickets.accounts.services import user_create
from piquetickets.core.demo import seed_demo
from piquetickets.shows.models import Show
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import AttendeeFactory, CheckInSessionFactory, ShowFactory, TicketFactory, TicketOrderFactory
from tests.selling import cart

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def server_fault(request):
    raise RuntimeError("a fault of the server's, for the 500 page")


# This module is also a URLconf (for the 500 page): the site's, with one view that always fails.
urlpatterns = [path("test-server-fault/", server_fault), path("", include("config.urls"))]
handler404 = "piquetickets.core.views.not_found"
handler500 = "piquetickets.core.views.server_error"


def width_of(page) -> int:
    return page.viewport_size["width"]


def scan(page, code: str):
    field = page.get_by_label("Ticket code")
    field.fill(code)
    field.press("Enter")


def test_check_in_app_idle_green_red_and_amber(any_page, live_server):
    show = ShowFactory(title="Friday Laughs")
    attendee = AttendeeFactory(
        ticket_order=TicketOrderFactory(order__show=show, ticket=TicketFactory(show=show, name="General admission")),
        first_name="Alex",
        last_name="Morgan",
    )
    session = CheckInSessionFactory(show=show, label="Front door")
    page, width = any_page, width_of(any_page)
    result = page.locator("[data-result]")

    page.goto(f"{live_server.url}/checkin/?token={session.token}")
    expect(page.locator(".ck-counts__text")).to_have_text("0 / 1 checked in")
    assert_accessible(page, what=f"check-in app, idle, {width} px")

    scan(page, str(attendee.uuid))
    expect(result).to_have_class(re.compile(r"\bck-result--ok\b"))
    assert_accessible(page, what=f"check-in app, checked in (green), {width} px")
    screenshot(page, f"a11y-checkin-green-{width}")

    scan(page, "not-a-ticket")
    expect(result).to_have_class(re.compile(r"\bck-result--no\b"))
    assert_accessible(page, what=f"check-in app, not found (red), {width} px")

    scan(page, str(attendee.uuid))
    expect(result).to_have_class(re.compile(r"\bck-result--warn\b"))
    assert_accessible(page, what=f"check-in app, already checked in (amber), {width} px")
    screenshot(page, f"a11y-checkin-amber-{width}")


def test_check_in_error_pages(any_page, live_server):
    show = ShowFactory()
    expired = CheckInSessionFactory(show=show, expires_at=timezone.now() - timedelta(hours=1))
    revoked = CheckInSessionFactory(show=show, revoked_at=timezone.now())
    page, width = any_page, width_of(any_page)

    for name, token, status in (
        ("unknown", "not-a-real-token-at-all-0000", 404),
        ("revoked", revoked.token, 403),
        ("expired", expired.token, 403),
    ):
        assert page.goto(f"{live_server.url}/checkin/?token={token}").status == status
        assert_accessible(page, what=f"check-in link {name}, {width} px")


def test_test_payment_page(any_page, live_server, sale, settings):
    settings.SITE_URL = live_server.url
    body = cart(sale, {"ticket": sale.general.pk, "quantity": 2})
    started = APIClient().post("/api/v1/checkout/create-session/", body, format="json").json()
    page, width = any_page, width_of(any_page)

    page.goto(started["checkout_url"])
    expect(page.get_by_role("button", name="Approve payment")).to_be_visible()
    assert_accessible(page, what=f"test payment page, {width} px")


def test_api_docs(any_page, live_server):
    page, width = any_page, width_of(any_page)
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.get_by_text("/api/v1/shows/{slug}/", exact=True).first.wait_for()
    # Open an operation, so its code samples and parameter tables are checked too.
    page.locator(".opblock-summary-control").first.click()
    page.locator(".opblock-body").first.wait_for()
    # One rule is waived on Swagger UI's own markup, which the project does not write (its React bundle
    # comes from the drf-spectacular-sidecar package): each operation's summary is a <button> with the
    # path's <a> inside it ("nested-interactive"). The page's language, and the contrast of Swagger
    # UI's colours, are the project's (templates/drf_spectacular/swagger_ui.html,
    # static/css/api-docs.css) and are checked.
    assert_accessible(page, waive={"nested-interactive": ".opblock-summary-control"}, what=f"API docs, {width} px")
    screenshot(page, f"a11y-api-docs-{width}")


@pytest.fixture
def superuser_login(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo()
    user_create(username="ops", email="ops@example.com", password="a-strong-pass-1234", is_superuser=True)
    return "ops", "a-strong-pass-1234"


def staff_sign_in(page, username: str, password: str) -> None:
    """Staff sign in where producers do: the admin sends them to ``/accounts/login/`` and back."""
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_admin_login_change_list_and_change_form(any_page, live_server, superuser_login):
    page, width = any_page, width_of(any_page)
    page.goto(f"{live_server.url}/admin/")  # to the sign-in page, then back here
    assert_accessible(page, what=f"admin sign-in, {width} px")
    staff_sign_in(page, *superuser_login)
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/shows/show/")
    expect(page.locator("tr", has_text="The Late Late Show")).to_be_visible()
    assert_accessible(page, what=f"admin show list, {width} px")

    show = Show.objects.get(title="The Late Late Show")
    page.goto(f"{live_server.url}/admin/shows/show/{show.pk}/change/")
    expect(page.locator("input[name=title]")).to_have_value("The Late Late Show")
    # The tabular inlines' inputs are named by column and row, and select2's search box by its
    # field's label (piquetickets/orders/static/orders/admin/select2-labels.js): nothing is waived.
    expect(page.get_by_role("textbox", name="Name (ticket type 1)")).to_have_count(1)
    expect(page.get_by_role("searchbox", name="Performers")).to_have_count(1)
    assert_accessible(page, what=f"admin show form, {width} px")
    screenshot(page, f"a11y-admin-show-form-{width}")

    # The performers box open, with its search field and results.
    page.get_by_role("searchbox", name="Performers").click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    assert_accessible(page, what=f"admin show form, performers open, {width} px")


def test_admin_pages_for_promo_codes_door_links_and_webhook_events(any_page, live_server, superuser_login):
    from piquetickets.payments.models import WebhookEvent
    from piquetickets.shows.models import TicketPromoCode

    WebhookEvent.objects.create(event_id="evt_1", type="checkout.session.completed", payload={"id": "evt_1"})
    page, width = any_page, width_of(any_page)
    page.goto(f"{live_server.url}/admin/")
    staff_sign_in(page, *superuser_login)
    page.wait_for_url(f"{live_server.url}/admin/")
    promo = TicketPromoCode.objects.order_by("pk").first()

    page.goto(f"{live_server.url}/admin/shows/ticketpromocode/{promo.pk}/change/")
    expect(page.locator("input[name=code]")).to_have_value(promo.code)
    assert_accessible(page, what=f"admin promo code, {width} px")
    screenshot(page, f"a11y-admin-promo-code-{width}")

    page.goto(f"{live_server.url}/admin/shows/ticketpromocode/add/")
    expect(page.get_by_role("button", name="Continue")).to_be_visible()
    assert_accessible(page, what=f"admin promo code, add: the show, {width} px")
    page.goto(f"{live_server.url}/admin/shows/ticketpromocode/add/?show={promo.show_id}")
    expect(page.locator("input[name=tickets]").first).to_be_visible()
    assert_accessible(page, what=f"admin promo code, add: the code, {width} px")

    page.goto(f"{live_server.url}/admin/checkin/checkinsession/add/?show={promo.show_id}")
    expect(page.get_by_label("Label")).to_be_visible()
    assert_accessible(page, what=f"admin door link, add, {width} px")
    screenshot(page, f"a11y-admin-door-link-add-{width}")

    page.goto(f"{live_server.url}/admin/payments/webhookevent/")
    expect(page.locator("tr", has_text="checkout.session.completed")).to_be_visible()
    assert_accessible(page, what=f"admin webhook events, {width} px")
    screenshot(page, f"a11y-admin-webhook-events-{width}")


def test_not_found_page(any_page, live_server):
    page, width = any_page, width_of(any_page)
    assert page.goto(f"{live_server.url}/no-such-page/").status == 404
    assert_accessible(page, what=f"404 page, {width} px")


@pytest.mark.urls(__name__)
def test_server_error_page(any_page, live_server):
    page, width = any_page, width_of(any_page)
    assert page.goto(f"{live_server.url}/test-server-fault/").status == 500
    expect(page.get_by_role("heading", level=1)).to_have_text("Something went wrong on our side")
    assert_accessible(page, what=f"500 page, {width} px")
