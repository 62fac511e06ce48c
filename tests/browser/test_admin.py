import pytest

from piquetickets.accounts.services import user_create
from piquetickets.core.demo import seed_demo
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff_login(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo()
    user_create(username="ops", email="ops@example.com", password="a-strong-pass-1234", is_superuser=True)
    return "ops", "a-strong-pass-1234"


def log_in(page, live_server, username, password):
    """Staff sign in where producers do: the admin sends them to ``/accounts/login/`` and back."""
    page.goto(f"{live_server.url}/admin/")
    page.wait_for_url(f"{live_server.url}/accounts/login/?next=%2Fadmin%2F")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_staff_log_in_and_browse_shows(page, live_server, staff_login):
    log_in(page, live_server, *staff_login)
    page.wait_for_url(f"{live_server.url}/admin/")
    assert page.get_by_role("link", name="Shows").first.is_visible()
    screenshot(page, "admin-dashboard")

    page.goto(f"{live_server.url}/admin/shows/show/")
    row = page.locator("tr", has_text="The Late Late Show")
    assert row.locator("td.field-sold").inner_text().strip() == "47 / 50"
    screenshot(page, "admin-shows")

    page.get_by_role("link", name="The Late Late Show").first.click()
    assert page.locator("input[name=title]").input_value() == "The Late Late Show"
    ticket_row = page.locator("input[name='tickets-0-name']")
    assert ticket_row.input_value() == "General admission"
    screenshot(page, "admin-show-change")


def test_wrong_password_is_refused_with_a_message(page, live_server, staff_login):
    log_in(page, live_server, "ops", "not-the-password")
    assert page.get_by_text("The username and/or password you specified are not correct.").is_visible()
    assert page.url.startswith(f"{live_server.url}/accounts/login/")


def test_admin_login_fits_a_phone(phone_page, live_server, staff_login):
    phone_page.goto(f"{live_server.url}/admin/login/")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(phone_page, "admin-login-phone")
