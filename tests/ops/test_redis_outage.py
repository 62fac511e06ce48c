"""Redis is a cache and a queue, not a single point of failure: kill it under a running server.

A real ``redis-server`` started (and killed) by the test, and the app under gunicorn pointed at it for
its cache, its Celery broker and its result store, on the test database. With Redis gone, public
reads, checkout, the payment page, the order page and the door keep working from the database; the
confirmation email stays queued and is sent by the retry task once Redis is back; ``/health/``
names what is down.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from piquetickets.emails.models import EmailTracking
from piquetickets.emails.services import email_retry_due
from piquetickets.orders.models import Order
from tests.celery_worker import ROOT
from tests.celery_worker import test_database_url as database_url
from tests.factories import CheckInSessionFactory, MembershipFactory, ShowFactory, TicketFactory

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.path.exists(REDIS_SERVER) and not os.environ.get("CI"), reason="needs redis-server on this machine"
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


def start_redis(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port)
    return process


@pytest.fixture
def redis_and_server(tmp_path):
    redis_port, web_port = free_port(), free_port()
    redis = start_redis(redis_port)
    env = {
        **os.environ,
        "ENV_FILE": "",
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CACHE_KEY_PREFIX": "outage-test",
        "PAYMENT_PROVIDER": "test",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "SITE_URL": f"http://127.0.0.1:{web_port}",
        "LOG_LEVEL": "WARNING",
    }
    log = open(tmp_path / "web.log", "w+")  # noqa: SIM115 - closed below
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{web_port}", "-w", "1", "--timeout", "60"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(web_port, timeout=60)
        yield {"redis": redis, "redis_port": redis_port, "base": f"http://127.0.0.1:{web_port}", "log": tmp_path}
    finally:
        web.terminate()
        web.wait(timeout=15)
        log.close()
        for process in (redis,):
            process.kill()


def test_the_site_keeps_selling_and_scanning_with_redis_down(redis_and_server):
    show = ShowFactory(
        producer=MembershipFactory().producer,
        title="Outage Night",
        start_time=timezone.now() + timedelta(days=3),
        end_time=timezone.now() + timedelta(days=3, hours=2),
    )
    ticket = TicketFactory(show=show, quantity=20)
    door = CheckInSessionFactory(show=show)
    base = redis_and_server["base"]
    web = requests.Session()

    assert web.get(f"{base}/health/", timeout=30).status_code == 200  # everything up first
    assert web.get(f"{base}/api/v1/shows/{show.slug}/", timeout=30).status_code == 200  # now in the cache

    redis_and_server["redis"].kill()
    redis_and_server["redis"].wait(timeout=10)

    # Public reads.
    listing = web.get(f"{base}/api/v1/shows/", timeout=30)
    assert listing.status_code == 200, listing.text
    assert [row["slug"] for row in listing.json()["results"]] == [show.slug]
    assert web.get(f"{base}/api/v1/shows/{show.slug}/", timeout=30).status_code == 200

    # Checkout holds, the payment page and the order page.
    held = web.post(
        f"{base}/api/v1/checkout/create-session/",
        json={
            "show": show.slug,
            "tickets": [{"ticket": ticket.pk, "quantity": 2}],
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@example.com",
        },
        timeout=30,
    )
    assert held.status_code == 201, held.text
    pay_page = web.get(held.json()["checkout_url"], timeout=30)
    assert pay_page.status_code == 200
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', pay_page.text).group(1)
    paid = web.post(
        held.json()["checkout_url"],
        data={"decision": "approve", "csrfmiddlewaretoken": csrf},
        headers={"Referer": held.json()["checkout_url"]},
        timeout=30,
    )
    assert paid.status_code == 200, paid.text  # followed to the order page
    order = Order.objects.get(email="ada@example.com")
    assert order.status == Order.Status.PAID
    assert f"/orders/{order.public_token}/" in paid.url
    assert "Ada" in paid.text

    # The door.
    token = {"token": door.token}
    door_show = web.get(f"{base}/api/v1/checkin/show/", params=token, timeout=30)
    assert door_show.status_code == 200, door_show.text
    assert door_show.json()["counts"] == {"checked_in": 0, "total": 2}
    attendee = order.ticket_orders.get().attendees.first()
    scanned = web.post(f"{base}/api/v1/checkin/", params=token, json={"attendee_uuid": str(attendee.uuid)}, timeout=30)
    assert (scanned.status_code, scanned.json()["code"]) == (200, "checked_in")
    again = web.post(f"{base}/api/v1/checkin/", params=token, json={"attendee_uuid": str(attendee.uuid)}, timeout=30)
    assert (again.status_code, again.json()["code"]) == (409, "already_checked_in")

    # What is down is named, without hosts or ports.
    health = web.get(f"{base}/health/", timeout=30)
    assert health.status_code == 503
    assert health.json()["down"] == ["broker", "cache"]
    assert "127.0.0.1" not in health.text

    # The confirmation could not be queued: the row is kept, queued.
    email = EmailTracking.objects.get(order=order)
    assert email.status == EmailTracking.Status.QUEUED
    log = (redis_and_server["log"] / "web.log").read_text()
    assert log.count("Celery broker unavailable") == 1, log  # once, not per request
    assert "Internal Server Error" not in log

    # Redis comes back: the health check sees it, and the retry task sends the email.
    redis_and_server["redis"] = start_redis(redis_and_server["redis_port"])
    back = web.get(f"{base}/health/", timeout=30)
    assert back.status_code == 200, back.text
    EmailTracking.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert email_retry_due() == 1
    email.refresh_from_db()
    assert email.status == EmailTracking.Status.SENT
