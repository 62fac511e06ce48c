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

    pump_until(page, lambda: len(page_problems.csp) >= 3)
    recorded = sorted(page_problems.csp)
    page_problems.csp.clear()  # or this test would fail at teardown, as a page with a violation should

    assert len(recorded) == 3
    assert recorded[0].startswith("/no-such-page/: style-src-attr blocked inline")
    assert recorded[1].startswith("console: Applying inline style violates")
    # the browser's report reached /csp-report/ and was logged: the whole way, in a real browser
    assert recorded[2] == (
        f"reported: CSP violation (enforce) on {live_server.url}/no-such-page/: style-src-attr blocked inline"
    )


def test_a_violation_inside_a_worker_is_recorded(page, live_server, page_problems):
    """A worker's violations reach neither the page's events nor its console: its report does."""
    page.goto(f"{live_server.url}/no-such-page/")
    answer = page.evaluate(
        """() => new Promise((resolve) => {
          const worker = new Worker("/static/checkin_app/qr-worker.js");
          worker.onmessage = (event) => resolve(event.data.type);
          worker.postMessage({ type: "init", src: "https://decoder.example/jsQR.js" });
        })"""
    )
    assert answer == "failed"  # the worker's own policy refused the outside script

    pump_until(page, lambda: page_problems.csp)
    recorded = list(page_problems.csp)
    page_problems.csp.clear()

    worker = f"{live_server.url}/static/checkin_app/qr-worker.js"
    assert recorded == [
        f"reported: CSP violation (enforce) on {worker}: script-src-elem blocked https://decoder.example/jsQR.js "
        f"at {worker}:10"
    ]


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
