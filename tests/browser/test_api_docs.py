import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_page_renders_offline(page, live_server):
    """Swagger UI loads every asset from the app itself: no request leaves the server."""
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "PiqueTickets API" in page.locator(".swagger-ui .info .title").inner_text()
    page.get_by_text("/api/v1/shows/{slug}/", exact=True).first.wait_for()
    outside = [url for url in requested if not url.startswith(live_server.url) and not url.startswith("data:")]
    assert outside == []
    screenshot(page, "api-docs")
