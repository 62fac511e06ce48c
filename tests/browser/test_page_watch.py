"""The watch every browser test runs under (``conftest.py``) sees what it is meant to see."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pump_until(page, found, attempts: int = 50):
    """Let Playwright deliver the page's events to Python until ``found()`` or the attempts run out."""
    for _ in range(attempts):
        if found():
            return
        page.wait_for_timeout(100)


def test_an_inline_style_is_a_csp_violation_the_watch_records(page, live_server, page_problems):
    page.goto(f"{live_server.url}/no-such-page/")
    page.evaluate("""document.body.insertAdjacentHTML("beforeend", '<p style="color: red">x</p>')""")

    pump_until(page, lambda: len(page_problems.csp) >= 2)
    recorded = list(page_problems.csp)
    page_problems.csp.clear()  # or this test would fail at teardown, as a page with a violation should

    assert any(entry.startswith("/no-such-page/: style-src-attr blocked inline") for entry in recorded)
    assert any(entry.startswith("console: Applying inline style violates") for entry in recorded)


def test_an_uncaught_error_is_recorded(page, live_server, page_problems):
    page.goto(f"{live_server.url}/no-such-page/")
    page.evaluate("setTimeout(() => { throw new Error('boom in the page'); })")

    pump_until(page, lambda: page_problems.errors)
    recorded = list(page_problems.errors)
    page_problems.errors.clear()

    assert recorded == ["boom in the page"]


def test_a_clean_page_records_nothing(page, live_server, page_problems):
    page.goto(f"{live_server.url}/no-such-page/")
    page.wait_for_load_state("load")

    assert page_problems.csp == []
    assert page_problems.errors == []
