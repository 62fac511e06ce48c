"""The Meta Pixel and the Conversions API: off unless configured; when on, the pages carry what the
pixel reads, the policy lets in Meta's script and nothing else, and each paid order's Purchase is
sent once server-side, to a local stand-in of Meta's Graph API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.utils import timezone

from piquetickets.core import outages
from piquetickets.orders.models import MetaPurchase, Order
from piquetickets.orders.services import order_fulfil
from piquetickets.orders.tracking import (
    MAX_ATTEMPTS,
    meta_purchase_browser_remember,
    meta_purchase_send,
    meta_purchases_retry_due,
    normalise_name,
)
from piquetickets.payments.providers import Payment
from piquetickets.storefront.tracking import meta_pixel_policy
from tests.factories import UserFactory
from tests.selling import cart

ROOT = Path(__file__).resolve().parents[2]
PIXEL_ID = "1234567890"
TOKEN = "EAAtest-token"
SITE = "https://tickets.example"
CHECKOUT = "/api/v1/checkout/create-session/"
UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Mobile/15E148"


# --- a stand-in for Meta's Graph API ----------------------------------------------------------


class MetaServer:
    """``POST /<version>/<pixel>/events`` on 127.0.0.1: records each request and answers with the next
    planned status (then 200 ``{"events_received": n}``)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.plan: list[tuple[int, dict]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server.lock:
                    server.requests.append({"path": self.path, "body": body, "type": self.headers["Content-Type"]})
                    status, answer = (
                        server.plan.pop(0)
                        if server.plan
                        else (200, {"events_received": len(body["data"]), "fbtrace_id": "AbC"})
                    )
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def meta_server():
    server = MetaServer()
    yield server
    server.stop()


@pytest.fixture
def conversions_api(settings, meta_server, eager):
    """Pixel and Conversions API on, Meta's API being the stand-in; tasks run when queued."""
    settings.META_PIXEL_ID = PIXEL_ID
    settings.META_CONVERSIONS_API_TOKEN = TOKEN
    settings.META_GRAPH_API_BASE = meta_server.url
    settings.META_GRAPH_API_VERSION = "v25.0"
    settings.META_TEST_EVENT_CODE = ""
    settings.SITE_URL = SITE
    return meta_server


def start_checkout(api, sale, **overrides) -> Order:
    body = cart(sale, {"ticket": sale.general.pk, "quantity": 2}, promo_code="LAUGH10", **overrides)
    response = api.post(CHECKOUT, body, format="json")
    assert response.status_code == 201, response.content
    return Order.objects.get(uuid=response.json()["order"])


def remember_browser(order: Order, **cookies) -> None:
    request = RequestFactory().post(
        f"/shows/{order.show.slug}/checkout/", HTTP_USER_AGENT=UA, REMOTE_ADDR="203.0.113.7"
    )
    request.COOKIES.update(cookies)
    meta_purchase_browser_remember(order=order, request=request)


def pay(client, order: Order, django_capture_on_commit_callbacks) -> Order:
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/pay/test/{order.public_token}/", {"decision": "approve"}).status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    return order


def sha256(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()


# --- off by default ---------------------------------------------------------------------------


def test_the_settings_policy_names_meta_only_when_a_pixel_is_configured():
    def directives(**env) -> dict:
        base = {k: v for k, v in os.environ.items() if not k.startswith("META_")}
        code = (
            "import json, config.settings as s; directives = s.CONTENT_SECURITY_POLICY['DIRECTIVES']; "
            "directives.pop('report-uri'); print(json.dumps(directives))"  # a lazy URL: reversed once set up
        )
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**base, "ENV_FILE": "", "DEBUG": "1", **env},
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(result.stdout)

    off, on = directives(), directives(META_PIXEL_ID=PIXEL_ID)

    assert "facebook" not in json.dumps(off)
    assert on["script-src"] == [*off["script-src"], "https://connect.facebook.net"]
    assert on["img-src"] == [*off["img-src"], "https://www.facebook.com"]
    assert on["connect-src"] == [*off["connect-src"], "https://www.facebook.com", "https://connect.facebook.net"]
    assert {name: value for name, value in on.items() if name not in {"script-src", "img-src", "connect-src"}} == {
        name: value for name, value in off.items() if name not in {"script-src", "img-src", "connect-src"}
    }


def test_a_pixel_id_that_is_not_a_number_stops_the_start():
    env = {k: v for k, v in os.environ.items() if not k.startswith("META_")}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env={**env, "ENV_FILE": "", "DEBUG": "1", "META_PIXEL_ID": '1"><script>'},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "META_PIXEL_ID must be the pixel's number (digits only)." in result.stderr


@pytest.mark.django_db
def test_off_by_default_no_script_no_meta_origin_no_purchase_sent(
    client, api, sale, settings, meta_server, eager, django_capture_on_commit_callbacks
):
    settings.META_GRAPH_API_BASE = meta_server.url
    settings.META_CONVERSIONS_API_TOKEN = TOKEN  # a token alone turns nothing on
    assert settings.META_PIXEL_ID == ""
    order = start_checkout(api, sale)
    remember_browser(order)
    order = pay(client, order, django_capture_on_commit_callbacks)

    page = client.get(f"/orders/{order.public_token}/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "pixel.js" not in html
    assert "data-meta-pixel-id" not in html
    assert "facebook" not in page["Content-Security-Policy"]
    assert meta_purchases_retry_due(now=timezone.now() + timedelta(days=1)) == 0
    assert meta_server.requests == []
    assert not MetaPurchase.objects.exists()


# --- the pages --------------------------------------------------------------------------------


@pytest.fixture
def pixel_on(settings):
    settings.META_PIXEL_ID = PIXEL_ID
    settings.CONTENT_SECURITY_POLICY = meta_pixel_policy(settings.CONTENT_SECURITY_POLICY)


@pytest.mark.django_db
def test_a_paid_order_page_marks_its_purchase_with_the_order_id_value_and_currency(
    client, api, sale, pixel_on, django_capture_on_commit_callbacks
):
    order = pay(client, start_checkout(api, sale), django_capture_on_commit_callbacks)

    html = client.get(f"/orders/{order.public_token}/").content.decode()

    marker = (
        f'<div hidden data-pixel-event="Purchase" data-pixel-event-id="{order.uuid}" data-pixel-value="40.49" '
        f'data-pixel-currency="USD" data-pixel-content-id="{sale.show.slug}" '
        f'data-pixel-page-url="/shows/{sale.show.slug}/"></div>'
    )
    assert html.count('data-pixel-event="Purchase"') == 1
    assert marker in html


@pytest.mark.django_db
def test_a_pending_order_page_has_no_purchase_yet(client, api, sale, pixel_on):
    order = start_checkout(api, sale)

    html = client.get(f"/orders/{order.public_token}/").content.decode()

    assert "data-pixel-event" not in html


def test_the_pixel_tag_goes_on_storefront_pages_and_is_private_on_the_order_page(rf, settings):
    from django.template.loader import render_to_string
    from django.urls import resolve

    settings.META_PIXEL_ID = PIXEL_ID

    def tag(path: str) -> str:
        request = rf.get(path)
        request.resolver_match = resolve(path)
        return render_to_string("storefront/_pixel.html", request=request).strip()

    assert tag("/shows/friday-laughs/") == (
        f'<script type="module" src="/static/storefront/pixel.js" data-meta-pixel-id="{PIXEL_ID}"></script>'
    )
    assert tag("/orders/secret-token/") == (
        f'<script type="module" src="/static/storefront/pixel.js" data-meta-pixel-id="{PIXEL_ID}" '
        "data-meta-pixel-private></script>"
    )
    assert tag("/embed/shows/friday-laughs/") == ""  # on someone else's site
    assert tag("/pay/test/secret-token/") == ""
    assert tag("/checkin/") == ""
    settings.META_PIXEL_ID = ""
    assert tag("/shows/friday-laughs/") == ""


@pytest.mark.django_db
def test_on_the_pages_the_pixel_loads_on_the_storefront_only_and_never_with_the_order_pages_address(
    client, api, sale, pixel_on
):
    order = start_checkout(api, sale)
    tag = f'<script type="module" src="/static/storefront/pixel.js" data-meta-pixel-id="{PIXEL_ID}"></script>'
    private = (
        f'<script type="module" src="/static/storefront/pixel.js" data-meta-pixel-id="{PIXEL_ID}" '
        "data-meta-pixel-private></script>"
    )

    for url in ("/", "/shows/", f"/shows/{sale.show.slug}/", f"/shows/{sale.show.slug}/checkout/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content.decode().count(tag) == 1, url
        assert "https://connect.facebook.net" in response["Content-Security-Policy"], url
    order_page = client.get(f"/orders/{order.public_token}/").content.decode()
    assert order_page.count(private) == 1
    for url in (f"/embed/shows/{sale.show.slug}/", f"/pay/test/{order.public_token}/", "/accounts/login/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "pixel.js" not in response.content.decode(), url
    # the admin's own policy runs no Meta script either
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    admin_page = client.get("/admin/")
    assert admin_page.status_code == 200
    assert "pixel.js" not in admin_page.content.decode()
    admin_policy = dict(part.strip().split(" ", 1) for part in admin_page["Content-Security-Policy"].split(";"))
    assert admin_policy["script-src"] == "'self' 'unsafe-eval'"


# --- the Conversions API ----------------------------------------------------------------------


@pytest.mark.django_db
def test_one_purchase_per_order_is_sent_server_side_with_the_browser_it_was_bought_in(
    client, api, sale, conversions_api, django_capture_on_commit_callbacks
):
    order = start_checkout(api, sale, first_name=" Zoë ", last_name="O'Brien", email=" Alex@Example.COM ")
    remember_browser(order, _fbp="fb.1.1700000000000.123456789", _fbc="fb.1.1700000000000.AbCdEf")
    order = pay(client, order, django_capture_on_commit_callbacks)

    assert len(conversions_api.requests) == 1
    sent = conversions_api.requests[0]
    assert sent["path"] == f"/v25.0/{PIXEL_ID}/events"
    assert sent["type"] == "application/json"
    assert sent["body"] == {
        "access_token": TOKEN,
        "data": [
            {
                "event_name": "Purchase",
                "event_time": int(order.time_of_purchase.timestamp()),
                "event_id": str(order.uuid),
                "action_source": "website",
                "event_source_url": f"{SITE}/shows/{sale.show.slug}/",
                "user_data": {
                    "em": [sha256("alex@example.com")],
                    "fn": [sha256("zoë")],
                    "ln": [sha256("obrien")],
                    "client_user_agent": UA,
                    "client_ip_address": "203.0.113.7",
                    "fbp": "fb.1.1700000000000.123456789",
                    "fbc": "fb.1.1700000000000.AbCdEf",
                },
                "custom_data": {
                    "value": 40.49,
                    "currency": "USD",
                    "content_ids": [sale.show.slug],
                    "content_type": "product",
                    "num_items": 2,
                    "order_id": str(order.uuid),
                },
            }
        ],
    }
    row = MetaPurchase.objects.get(order=order)
    assert (row.status, row.attempts, row.next_attempt_at, row.last_error) == ("sent", 1, None, "")
    assert row.sent_at is not None
    # sent, the browser is forgotten
    assert (row.user_agent, row.ip_address, row.fbp, row.fbc) == ("", None, "", "")

    # a duplicate completion, the periodic sweep and a re-run task send nothing more
    with django_capture_on_commit_callbacks(execute=True):
        order_fulfil(order=order, payment=Payment(provider="test", session_id=order.session_id))
    assert meta_purchases_retry_due(now=timezone.now() + timedelta(hours=2)) == 0
    assert meta_purchase_send(order_id=order.pk) == "skipped"
    assert len(conversions_api.requests) == 1


@pytest.mark.django_db
def test_an_order_started_outside_a_browser_is_sent_as_other_without_browser_fields(
    client, api, sale, conversions_api, django_capture_on_commit_callbacks
):
    order = pay(client, start_checkout(api, sale, phone="+1 (312) 555-0100"), django_capture_on_commit_callbacks)

    (event,) = conversions_api.requests[0]["body"]["data"]
    assert event["action_source"] == "other"
    assert event["user_data"] == {
        "em": [sha256("alex@example.com")],
        "fn": [sha256("alex")],
        "ln": [sha256("morgan")],
        "ph": [sha256("13125550100")],
    }
    assert MetaPurchase.objects.get(order=order).status == "sent"


@pytest.mark.django_db
def test_a_500_is_tried_again_after_its_back_off_and_sent_once(
    client, api, sale, conversions_api, django_capture_on_commit_callbacks
):
    conversions_api.plan = [(500, {"error": {"message": "Please retry", "is_transient": True}})]
    order = start_checkout(api, sale)
    remember_browser(order)

    before = timezone.now()
    order = pay(client, order, django_capture_on_commit_callbacks)

    assert order.status == Order.Status.PAID  # fulfilment went on
    row = MetaPurchase.objects.get(order=order)
    assert (row.status, row.attempts, row.last_error) == ("waiting", 1, "HTTP 500: Please retry")
    assert before + timedelta(seconds=30) <= row.next_attempt_at <= timezone.now() + timedelta(seconds=30)
    assert row.user_agent == UA  # kept for the next attempt

    assert meta_purchases_retry_due(now=row.next_attempt_at - timedelta(seconds=1)) == 0  # not yet due
    assert len(conversions_api.requests) == 1
    assert meta_purchases_retry_due(now=row.next_attempt_at) == 1

    assert len(conversions_api.requests) == 2
    assert conversions_api.requests[0]["body"] == conversions_api.requests[1]["body"]
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
    assert meta_purchases_retry_due(now=timezone.now() + timedelta(days=1)) == 0
    assert len(conversions_api.requests) == 2


@pytest.mark.django_db
def test_back_off_doubles_and_gives_up_after_the_last_attempt(api, sale, conversions_api):
    conversions_api.plan = [(503, {})] * MAX_ATTEMPTS
    order = start_checkout(api, sale)
    order_fulfil(order=order, payment=Payment(provider="test", session_id=order.session_id))
    MetaPurchase.objects.create(order=order, next_attempt_at=timezone.now())
    now = timezone.now()
    waits = []
    for _ in range(MAX_ATTEMPTS - 1):
        assert meta_purchase_send(order_id=order.pk, now=now) == "retry"
        due = MetaPurchase.objects.get(order=order).next_attempt_at
        waits.append(round((due - now).total_seconds()))
        now = due

    assert waits == [30, 60, 120, 240, 480, 960, 1920]
    assert meta_purchase_send(order_id=order.pk, now=now) == "failed"
    row = MetaPurchase.objects.get(order=order)
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", MAX_ATTEMPTS, None)
    assert row.last_error == "HTTP 503: Service Unavailable"
    assert len(conversions_api.requests) == MAX_ATTEMPTS


@pytest.mark.django_db
def test_a_refusal_is_given_up_at_once_and_logged(api, sale, conversions_api, caplog):
    conversions_api.plan = [(400, {"error": {"message": "Invalid OAuth access token.", "code": 190}})]
    order = start_checkout(api, sale)
    order_fulfil(order=order, payment=Payment(provider="test", session_id=order.session_id))
    MetaPurchase.objects.create(order=order, next_attempt_at=timezone.now(), user_agent=UA)

    assert meta_purchase_send(order_id=order.pk) == "failed"

    row = MetaPurchase.objects.get(order=order)
    assert (row.status, row.last_error, row.user_agent) == ("failed", "HTTP 400: Invalid OAuth access token.", "")
    assert f"Meta refused the Purchase of order {order.pk}: HTTP 400: Invalid OAuth access token." in caplog.text
    assert TOKEN not in caplog.text
    assert meta_purchases_retry_due(now=timezone.now() + timedelta(days=1)) == 0
    assert len(conversions_api.requests) == 1


@pytest.mark.django_db
def test_meta_out_of_reach_never_breaks_fulfilment(
    client, api, sale, conversions_api, settings, django_capture_on_commit_callbacks
):
    settings.META_GRAPH_API_BASE = "http://127.0.0.1:9"  # discard: nothing listens
    order = start_checkout(api, sale)

    order = pay(client, order, django_capture_on_commit_callbacks)

    row = MetaPurchase.objects.get(order=order)
    assert (row.status, row.attempts) == ("waiting", 1)
    assert row.last_error.startswith("URLError: ")


@pytest.mark.django_db
def test_with_the_broker_down_the_sweep_sends_it(
    client, api, sale, conversions_api, django_capture_on_commit_callbacks
):
    order = start_checkout(api, sale)
    outages.broker.failed(ConnectionError("broker down"))  # the queueing is skipped
    order = pay(client, order, django_capture_on_commit_callbacks)
    assert conversions_api.requests == []
    assert MetaPurchase.objects.get(order=order).status == "waiting"

    assert meta_purchases_retry_due() == 1

    assert len(conversions_api.requests) == 1
    assert MetaPurchase.objects.get(order=order).status == "sent"


@pytest.mark.django_db
def test_an_unpaid_order_is_never_sent_and_its_browser_is_forgotten_after_a_week(api, sale, conversions_api):
    order = start_checkout(api, sale)
    remember_browser(order)

    assert meta_purchases_retry_due(now=timezone.now() + timedelta(days=1)) == 0
    assert meta_purchases_retry_due(now=timezone.now() + timedelta(days=8)) == 0

    row = MetaPurchase.objects.get(order=order)
    assert (row.status, row.user_agent, row.ip_address) == ("waiting", "", None)
    assert conversions_api.requests == []


def test_names_are_normalised_as_meta_asks():
    assert normalise_name("  Jean-Luc ") == "jeanluc"
    assert normalise_name("O’Brien") == "obrien"
    assert normalise_name("José") == "josé"


@pytest.mark.django_db
def test_the_test_event_code_goes_along_when_set(api, sale, conversions_api, settings):
    settings.META_TEST_EVENT_CODE = "TEST12345"
    order = start_checkout(api, sale)
    order_fulfil(order=order, payment=Payment(provider="test", session_id=order.session_id))
    MetaPurchase.objects.create(order=order, next_attempt_at=timezone.now())

    assert meta_purchase_send(order_id=order.pk) == "sent"

    assert conversions_api.requests[0]["body"]["test_event_code"] == "TEST12345"


@pytest.mark.django_db
def test_an_answer_that_received_nothing_is_given_up(api, sale, conversions_api):
    conversions_api.plan = [(200, {"events_received": 0, "messages": ["odd"]})]
    order = start_checkout(api, sale)
    order_fulfil(order=order, payment=Payment(provider="test", session_id=order.session_id))
    MetaPurchase.objects.create(order=order, next_attempt_at=timezone.now())

    assert meta_purchase_send(order_id=order.pk) == "failed"

    row = MetaPurchase.objects.get(order=order)
    assert (row.status, row.last_error) == ("failed", "Answer: {'events_received': 0, 'messages': ['odd']}")


@pytest.mark.django_db
def test_a_purchase_older_than_meta_takes_is_given_up_unsent(api, sale, conversions_api):
    order = start_checkout(api, sale)
    order_fulfil(order=order, payment=Payment(provider="test", session_id=order.session_id))
    MetaPurchase.objects.create(order=order, next_attempt_at=timezone.now())

    assert meta_purchase_send(order_id=order.pk, now=timezone.now() + timedelta(days=8)) == "failed"

    assert MetaPurchase.objects.get(order=order).last_error == "Older than Meta takes (7 days)."
    assert conversions_api.requests == []
