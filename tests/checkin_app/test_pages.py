"""The check-in page: found by its link's token, private, and an error page for a dead link."""

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from tests.factories import CheckInSessionFactory, ShowFactory, VenueFactory

ROOT = Path(__file__).resolve().parents[2]


def assert_private(response):
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


@pytest.mark.django_db
def test_a_valid_link_renders_the_app_with_the_token_in_a_data_attribute(client, django_assert_num_queries):
    show = ShowFactory(title="Friday Laughs", venue=VenueFactory(name="The Lantern"), time_zone="America/New_York")
    session = CheckInSessionFactory(show=show, label="Front door")

    with django_assert_num_queries(1):
        response = client.get("/checkin/", {"token": session.token})

    assert response.status_code == 200
    assert_private(response)
    assert response.templates[0].name == "checkin_app/app.html"
    html = response.content.decode()
    assert f'data-token="{session.token}"' in html
    assert f'data-show-slug="{show.slug}"' in html
    assert 'data-time-zone="America/New_York"' in html
    assert 'data-api="/api/v1/checkin/"' in html
    assert 'data-jsqr="/static/vendor/jsqr/jsQR.js"' in html
    assert '<h1 id="ck-title">Friday Laughs</h1>' in html
    assert "Front door" in html
    assert "The Lantern" in html
    assert '<label class="ck-label" for="ck-code">Ticket code</label>' in html
    # CSP-friendly: every script is a file, no inline handlers
    assert html.count("<script") == html.count('<script src="/static/checkin_app/app.js" defer></script>') == 1
    assert " onclick=" not in html
    assert " onload=" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{}, {"token": ""}, {"token": "nope"}, {"token": "x" * 43}, {"token": "x" * 500}])
def test_a_missing_or_unknown_token_is_a_404_page(client, query):
    CheckInSessionFactory()
    response = client.get("/checkin/", query)
    assert response.status_code == 404
    assert_private(response)
    assert response.templates[0].name == "checkin_app/error.html"
    assert "This check-in link isn&#x27;t valid" in response.content.decode()


@pytest.mark.django_db
def test_a_revoked_link_is_a_403_page(client):
    session = CheckInSessionFactory(revoked_at=timezone.now(), expires_at=timezone.now() - timedelta(days=1))
    response = client.get("/checkin/", {"token": session.token})
    assert response.status_code == 403
    assert_private(response)
    assert "This check-in link was switched off" in response.content.decode()
    assert "data-token" not in response.content.decode()


@pytest.mark.django_db
def test_an_expired_link_is_a_403_page_saying_when_in_the_shows_time_zone(client):
    show = ShowFactory(time_zone="America/New_York")
    session = CheckInSessionFactory(show=show, expires_at=datetime(2024, 11, 29, 1, 30, tzinfo=UTC))
    response = client.get("/checkin/", {"token": session.token})
    assert response.status_code == 403
    assert_private(response)
    html = response.content.decode()
    assert "This check-in link expired at 8:30 PM on Thu, Nov 28" in html
    assert session.token not in html


@pytest.mark.django_db
def test_the_token_is_never_logged(client, caplog):
    expired = CheckInSessionFactory(expires_at=timezone.now() - timedelta(minutes=1))
    with caplog.at_level(logging.DEBUG):
        client.get("/checkin/", {"token": expired.token})
        client.get("/checkin/", {"token": "unknown-token-0123456789abcdef"})
    assert expired.token not in caplog.text
    assert "unknown-token-0123456789abcdef" not in caplog.text


@pytest.mark.django_db
def test_only_get(client):
    session = CheckInSessionFactory()
    assert client.post(f"/checkin/?token={session.token}").status_code == 405


def test_the_qr_decoder_is_pinned_in_the_lockfile_and_served_as_a_static_file():
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert package["private"] is True
    assert package["dependencies"]["jsqr"] == "1.4.0"  # exact: no ^ or ~
    assert all(version[0].isdigit() for version in package["dependencies"].values()), "pin exact versions"
    locked = lock["packages"]["node_modules/jsqr"]
    assert locked["version"] == "1.4.0"
    assert locked["integrity"].startswith("sha512-")
    assert not locked.get("dependencies"), "the decoder must stay dependency-free"
    found = finders.find("vendor/jsqr/jsQR.js")
    assert found, "node_modules/jsqr is missing: run `make setup` (it runs `npm ci`)"
    assert 'root["jsQR"] = factory()' in Path(found).read_text()[:1000]


@pytest.mark.django_db
def test_guessing_links_on_the_page_counts_against_the_same_budget_as_the_api(client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.THROTTLE_CHECKIN_BAD_TOKENS = "2/hour"
    session = CheckInSessionFactory()
    assert client.get("/checkin/", {"token": "guess-number-one-xx"}).status_code == 404
    assert client.get("/api/v1/checkin/show/", {"token": "guess-number-two-xx"}).status_code == 401

    page = client.get("/checkin/", {"token": "guess-number-three"})
    api = client.get("/api/v1/checkin/show/", {"token": "guess-number-four"})

    assert page.status_code == 429
    assert "Too many wrong check-in links" in page.content.decode()
    assert api.status_code == 429
    assert api.json()["code"] == "throttled"
    # The real link still opens the door's page from the same address.
    assert client.get("/checkin/", {"token": session.token}).status_code == 200
    cache.clear()
