"""Playwright driving Debian's Chromium against the live test server.

Every browser context a test opens through :func:`new_context` (the ``page`` and ``phone_page``
fixtures do) is watched: a Content-Security-Policy violation in any of its pages, or an uncaught
error, fails the test at teardown. :func:`assert_accessible` runs axe-core on the page as it is.
"""

import copy
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

# Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
# between page actions are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"CI must have Chromium at {CHROMIUM} for the browser tests")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, but serving static files the way production does: through the
    middleware (WhiteNoise, inside the CSP middleware), not around it. So the check-in app's worker
    script, like every static file, comes with the site's policy, which then governs the worker."""
    from pytest_django.live_server_helper import LiveServer

    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    server = LiveServer(addr, start=False)
    server.thread.static_handler = lambda application: application
    server.start()
    yield server
    server.stop()


# --- Content-Security-Policy violations fail the test ---------------------------------------

# Runs in every document before its own scripts (init scripts are not subject to the page's CSP) and
# hands each violation to Python, so one survives the page navigating away.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__pqCspViolation({
    page: location.pathname,
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile ? `${event.sourceFile}:${event.lineNumber}` : "",
    sample: event.sample,
  });
}, true);
"""


@dataclass
class PageProblems:
    """What went wrong in the pages of the watched contexts of one test."""

    csp: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def report(self) -> str:
        lines = [f"CSP violation: {line}" for line in dict.fromkeys(self.csp)]
        lines += [f"Uncaught error in the page: {line}" for line in self.errors]
        return "\n".join(lines)


_watching: list[PageProblems] = []


class _ReportedViolations(logging.Handler):
    """The violations browsers report to the live server's ``/csp-report/`` (what the app logs)."""

    def __init__(self, problems: PageProblems):
        super().__init__(level=logging.WARNING)
        self.problems = problems

    def emit(self, record):
        self.problems.csp.append(f"reported: {record.getMessage()}")


@pytest.fixture(autouse=True)
def page_problems(settings):
    """Fails the test at teardown if a watched page broke the CSP or threw an uncaught error.

    Besides what :func:`watch` sees in the pages, the reports browsers post to the live server count
    too: they are the one sign of a violation inside a worker. Chromium posts to ``report-uri`` at
    once but batches ``report-to`` reports for up to a minute (and then ignores ``report-uri``), so
    the browser tests' policy leaves ``report-to`` out; it is otherwise the site's.
    """
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"].pop("report-to")
    settings.CONTENT_SECURITY_POLICY = policy
    problems = PageProblems()
    reported = _ReportedViolations(problems)
    logging.getLogger("piquetickets.csp").addHandler(reported)
    _watching.append(problems)
    yield problems
    _watching.remove(problems)
    logging.getLogger("piquetickets.csp").removeHandler(reported)
    if problems.csp or problems.errors:
        pytest.fail(problems.report(), pytrace=False)


def watch(context):
    """Record the CSP violations (the page's ``securitypolicyviolation`` events and Chromium's console
    messages about them) and the uncaught errors of every page of ``context``."""
    problems = _watching[-1]

    def violation(_source, event):
        detail = f" ({event['source']})" if event["source"] else ""
        sample = f" sample {event['sample']!r}" if event["sample"] else ""
        problems.csp.append(f"{event['page']}: {event['directive']} blocked {event['blocked']}{detail}{sample}")

    def console(message):
        if "Content Security Policy" in message.text:
            problems.csp.append(f"console: {message.text.strip()}")

    context.expose_binding("__pqCspViolation", violation)
    context.add_init_script(CSP_LISTENER)
    context.on("console", console)
    context.on("weberror", lambda web_error: problems.errors.append(str(web_error.error)))
    return context


def new_context(browser, **options):
    """A watched context (see :func:`watch`)."""
    return watch(browser.new_context(**options))


def open_page(context):
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def page(browser):
    context = new_context(browser, **DESKTOP)
    yield open_page(context)
    context.close()


@pytest.fixture
def phone_page(browser):
    context = new_context(browser, **PHONE)
    yield open_page(context)
    context.close()


@pytest.fixture(params=[390, 1280], ids=["390px", "1280px"])
def any_page(request, browser):
    """A phone-sized page, then a desktop one."""
    context = new_context(browser, **(PHONE if request.param == 390 else DESKTOP))
    yield open_page(context)
    context.close()


# --- accessibility ---------------------------------------------------------------------------

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}


def assert_accessible(
    page, *, exclude: tuple[str, ...] = (), waive: dict[str, str] | None = None, what: str = ""
) -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA, and best practices) on the page as it is now, and fail on
    any serious or critical violation, naming the rule, what it asks for and the elements.

    axe is evaluated through the DevTools protocol, which the page's CSP does not govern (a
    ``<script>`` tag would be refused by ``script-src 'self'`` and count as a violation). For markup
    the project does not write (say so where it is used): ``exclude`` holds CSS selectors axe skips
    altogether, ``waive`` maps a rule id to a selector of the elements (or their ancestors) where only
    that rule's failures are let through.
    """
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make setup does)")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async ({ exclude, tags, waive }) => {
          const context = exclude.length ? { include: [document], exclude: exclude.map((s) => [s]) } : document;
          const result = await axe.run(context, {
            runOnly: { type: "tag", values: tags },
            resultTypes: ["violations"],
          });
          const waived = (rule, node) => {
            const element = waive[rule] && typeof node.target[0] === "string" && document.querySelector(node.target[0]);
            return Boolean(element && element.closest(waive[rule]));
          };
          return result.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.filter((n) => !waived(v.id, n))
              .map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
          }));
        }""",
        {"exclude": list(exclude), "tags": AXE_TAGS, "waive": waive or {}},
    )
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS and v["nodes"]]
    if failing:
        lines = [f"axe found {len(failing)} serious or critical problem(s) on {what or page.url}:"]
        for violation in failing:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:8]:
                summary = " ".join((node["summary"] or "").split())[:300]
                lines.append(f"    {node['target']}: {summary}")
        pytest.fail("\n".join(lines), pytrace=False)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
