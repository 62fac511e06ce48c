from decimal import Decimal

import pytest

from piquetickets.core.fields import sanitize_html
from piquetickets.core.money import from_minor_units, quantize, to_minor_units
from piquetickets.core.timezones import iana_time_zones
from tests.factories import PerformerFactory, ShowFactory


def test_sanitize_removes_scripts_handlers_and_unsafe_links():
    dirty = (
        '<p onclick="steal()">Hello <strong>there</strong></p><script>alert(1)</script>'
        '<a href="javascript:alert(1)">x</a><a href="https://example.com">ok</a><img src=x onerror=alert(1)>'
    )
    clean = sanitize_html(dirty)
    assert clean == (
        '<p>Hello <strong>there</strong></p><a rel="noopener noreferrer nofollow">x</a>'
        '<a href="https://example.com" rel="noopener noreferrer nofollow">ok</a>'
    )


def test_sanitize_keeps_empty_values():
    assert sanitize_html("") == ""


@pytest.mark.django_db
def test_rich_text_is_sanitised_when_saved():
    show = ShowFactory(description='<h2>Tonight</h2><script>x()</script><p style="color:red">Fun</p>')
    show.refresh_from_db()
    assert show.description == "<h2>Tonight</h2><p>Fun</p>"
    performer = PerformerFactory(bio='<iframe src="https://evil.example"></iframe><em>Funny</em>')
    performer.refresh_from_db()
    assert performer.bio == "<em>Funny</em>"


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("10.005", "USD", Decimal("10.01")),
        ("10.004", "USD", Decimal("10.00")),
        ("-2.345", "EUR", Decimal("-2.35")),
        ("1500.5", "JPY", Decimal("1501")),
        (3, "usd", Decimal("3.00")),
    ],
)
def test_quantize_rounds_half_up_to_the_minor_unit(amount, currency, expected):
    result = quantize(Decimal(amount) if isinstance(amount, str) else amount, currency)
    assert result == expected
    assert result.as_tuple().exponent == expected.as_tuple().exponent


def test_minor_units_round_trip():
    assert to_minor_units(Decimal("12.34"), "USD") == 1234
    assert to_minor_units(Decimal("0.005"), "USD") == 1
    assert to_minor_units(Decimal("1500"), "JPY") == 1500
    assert from_minor_units(1234, "USD") == Decimal("12.34")
    assert from_minor_units(1500, "JPY") == Decimal("1500")


def test_unknown_currency_is_an_error():
    with pytest.raises(KeyError):
        quantize(Decimal("1"), "XXX")


def test_time_zone_list_is_real_iana_names():
    zones = iana_time_zones()
    assert "America/Chicago" in zones
    assert "Europe/London" in zones
    assert "UTC" in zones
    assert "Factory" not in zones
    assert list(zones) == sorted(zones)
    assert len(zones) > 400


@pytest.mark.django_db
def test_rich_text_longer_than_the_limit_is_refused_by_its_field_in_the_portal_and_the_api(client):
    from django.urls import reverse

    from piquetickets.core.fields import RICH_TEXT_MAX
    from piquetickets.performers.models import Performer
    from tests.factories import MembershipFactory

    owner = MembershipFactory(role="owner").user
    client.force_login(owner)
    too_long = "<p>" + "ha" * (RICH_TEXT_MAX // 2) + "</p>"

    response = client.post(reverse("portal:performer-create"), {"name": "Dana Quip", "bio": too_long})

    assert response.status_code == 422
    assert "This is too long: keep it under 100,000 characters, markup included." in response.content.decode()
    assert not Performer.objects.exists()

    from tests.api.conftest import client_for

    api = client_for(owner).post("/api/v1/performers/", {"name": "Dana Quip", "bio": too_long}, format="json")

    assert api.status_code == 400, api.content
    assert "bio" in str(api.json())
    assert not Performer.objects.exists()
