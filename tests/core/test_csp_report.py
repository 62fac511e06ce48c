"""``POST /csp-report/``: browsers' violation reports are logged at WARNING; garbage never costs a 500."""

import json
import logging

import pytest
from django.test import Client

URL = "/csp-report/"

# What Chromium posts for a report-uri directive (two real reports, captured from Chromium 156).
STYLE_ATTR_REPORT = {
    "csp-report": {
        "document-uri": "http://testserver/checkin/?token=door-secret-token",
        "referrer": "",
        "violated-directive": "style-src-attr",
        "effective-directive": "style-src-attr",
        "original-policy": "default-src 'self'; style-src 'self'; report-uri /csp-report/",
        "disposition": "enforce",
        "blocked-uri": "inline",
        "line-number": 1,
        "column-number": 37,
        "source-file": "http://testserver/checkin/",
        "status-code": 200,
        "script-sample": "",
    }
}
IMG_REPORT = {
    "csp-report": {
        "document-uri": "http://testserver/orders/abc/",
        "referrer": "",
        "violated-directive": "img-src",
        "effective-directive": "img-src",
        "original-policy": "default-src 'self'; img-src 'self' data:; report-uri /csp-report/",
        "disposition": "enforce",
        "blocked-uri": "http://tracker.example/pixel.png?id=1",
        "line-number": 1,
        "column-number": 82,
        "source-file": "http://testserver/orders/abc/",
        "status-code": 200,
        "script-sample": "",
    }
}
# The Reporting API's shape (report-to): a list, in which only csp-violation reports count.
REPORTS_JSON = [
    {
        "age": 53,
        "body": {
            "blockedURL": "eval",
            "columnNumber": 12,
            "disposition": "enforce",
            "documentURL": "https://tickets.example/api/v1/docs/",
            "effectiveDirective": "script-src",
            "lineNumber": 4,
            "originalPolicy": "default-src 'self'; script-src 'self'; report-to csp",
            "referrer": "",
            "sample": "",
            "sourceFile": "https://tickets.example/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
            "statusCode": 200,
        },
        "type": "csp-violation",
        "url": "https://tickets.example/api/v1/docs/",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36",
    },
    {
        "age": 10,
        "body": {"id": "NavigatorVibrate", "message": "Blocked call to navigator.vibrate"},
        "type": "intervention",
        "url": "https://tickets.example/checkin/",
        "user_agent": "Mozilla/5.0",
    },
]


@pytest.fixture
def browser_client():
    """Browsers send reports without a CSRF token or cookies."""
    return Client(enforce_csrf_checks=True)


def post(client, body, content_type="application/csp-report", **extra):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(URL, data=data, content_type=content_type, **extra)


def warnings_of(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "piquetickets.csp" and r.levelno == logging.WARNING]


def test_a_report_uri_report_is_logged_without_the_pages_query_string(browser_client, caplog):
    response = post(browser_client, STYLE_ATTR_REPORT)

    assert response.status_code == 204
    assert response.content == b""
    assert warnings_of(caplog) == [
        "CSP violation (enforce) on http://testserver/checkin/: style-src-attr blocked inline at http://testserver/checkin/:1"
    ]
    assert "door-secret-token" not in caplog.text
    record = next(r for r in caplog.records if r.name == "piquetickets.csp")
    assert record.csp_violation["directive"] == "style-src-attr"


def test_a_blocked_url_is_logged_without_its_query(browser_client, caplog):
    assert post(browser_client, IMG_REPORT).status_code == 204
    assert warnings_of(caplog) == [
        "CSP violation (enforce) on http://testserver/orders/abc/: img-src blocked "
        "http://tracker.example/pixel.png at http://testserver/orders/abc/:1"
    ]


def test_reporting_api_reports_are_logged_and_other_report_types_ignored(browser_client, caplog):
    response = post(browser_client, REPORTS_JSON, content_type="application/reports+json")

    assert response.status_code == 204
    assert warnings_of(caplog) == [
        "CSP violation (enforce) on https://tickets.example/api/v1/docs/: script-src blocked eval at "
        "https://tickets.example/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js:4"
    ]


def test_a_report_without_a_source_file_is_logged_without_a_location(browser_client, caplog):
    report = {
        "csp-report": {k: v for k, v in IMG_REPORT["csp-report"].items() if k not in {"source-file", "line-number"}}
    }

    assert post(browser_client, report).status_code == 204
    assert warnings_of(caplog) == [
        "CSP violation (enforce) on http://testserver/orders/abc/: img-src blocked http://tracker.example/pixel.png"
    ]


def test_a_malformed_content_length_is_a_bad_request(browser_client, caplog):
    response = post(browser_client, IMG_REPORT, CONTENT_LENGTH="many")

    assert response.status_code == 400
    assert warnings_of(caplog) == []


def test_plain_json_is_accepted_too(browser_client, caplog):
    assert post(browser_client, IMG_REPORT, content_type="application/json").status_code == 204
    assert len(warnings_of(caplog)) == 1


def test_control_characters_cannot_forge_log_lines(browser_client, caplog):
    report = {"csp-report": {**IMG_REPORT["csp-report"], "blocked-uri": "inline\nERROR forged line"}}

    assert post(browser_client, report).status_code == 204
    assert warnings_of(caplog) == [
        "CSP violation (enforce) on http://testserver/orders/abc/: img-src blocked inline?ERROR forged line "
        "at http://testserver/orders/abc/:1"
    ]


def test_long_fields_are_cut(browser_client, caplog):
    report = {"csp-report": {**IMG_REPORT["csp-report"], "blocked-uri": "https://x.example/" + "a" * 5000}}

    assert post(browser_client, report).status_code == 204
    record = next(r for r in caplog.records if r.name == "piquetickets.csp")
    assert len(record.csp_violation["blocked"]) == 300


def test_a_batch_logs_at_most_twenty(browser_client, caplog):
    batch = [REPORTS_JSON[0]] * 25

    assert post(browser_client, batch, content_type="application/reports+json").status_code == 204
    assert len(warnings_of(caplog)) == 20


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/csp-report", 400),
        (b"\xff\xfe\x00garbage", "application/csp-report", 400),
        (b" ", "application/csp-report", 400),
        (b"", "application/csp-report", 415),  # no body: no content type either
        (b"42", "application/csp-report", 400),
        (b'"a string"', "application/reports+json", 400),
        (b"[" * 100_00 + b"]" * 100_00, "application/reports+json", 400),  # nested too deep to parse
        (b'{"csp-report": "not an object"}', "application/csp-report", 204),
        (b'{"csp-report": {"document-uri": "http://x/"}}', "application/csp-report", 204),  # no directive
        (b'[1, "two", {"type": "csp-violation", "body": []}, {"type": "csp-violation"}]', "application/json", 204),
        (b'{"anything": "else"}', "application/json", 204),
        (json.dumps(STYLE_ATTR_REPORT).encode(), "text/plain", 415),
        (json.dumps(STYLE_ATTR_REPORT).encode(), "application/x-www-form-urlencoded", 415),
    ],
    ids=[
        "broken-json",
        "not-utf8",
        "blank",
        "no-body",
        "a-number",
        "a-string",
        "too-deep",
        "report-not-an-object",
        "no-directive",
        "junk-list",
        "other-object",
        "text-plain",
        "form",
    ],
)
def test_garbage_is_answered_cheaply_and_never_logged_as_a_violation(
    browser_client, caplog, body, content_type, status
):
    response = post(browser_client, body, content_type=content_type)

    assert response.status_code == status
    assert warnings_of(caplog) == []


def test_a_body_over_the_cap_is_refused_unread(browser_client, caplog):
    big = {"csp-report": {**IMG_REPORT["csp-report"], "script-sample": "x" * 40_000}}

    assert post(browser_client, big).status_code == 413
    assert warnings_of(caplog) == []


def test_only_post(browser_client):
    assert browser_client.get(URL).status_code == 405
    assert (
        browser_client.put(URL, data=json.dumps(IMG_REPORT), content_type="application/csp-report").status_code == 405
    )


def test_each_address_has_a_budget_per_minute(browser_client, caplog, settings):
    settings.CSP_REPORTS_PER_MINUTE = 3

    statuses = [post(browser_client, IMG_REPORT).status_code for _ in range(5)]
    other_address = post(browser_client, IMG_REPORT, REMOTE_ADDR="198.51.100.7").status_code

    assert statuses == [204, 204, 204, 429, 429]
    assert other_address == 204
    assert len(warnings_of(caplog)) == 4
