from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from piquetickets.accounts.models import User
from piquetickets.checkin.models import CheckInSession
from piquetickets.orders.models import Order, TicketAttendee
from piquetickets.shows.models import FeaturedShow, Show, Ticket

pytestmark = pytest.mark.django_db

OUR_APPS = {"accounts", "producers", "venues", "performers", "shows", "orders", "subscribers", "knowledge"}


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._base_manager.count() for m in apps.get_models() if m._meta.app_label in OUR_APPS}


def test_seed_demo_builds_a_believable_platform_and_prints_logins():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()

    assert "admin        / pique-admin-2026" in text
    assert "laughs       / pique-demo-2026" in text
    assert "northern     / pique-demo-2026" in text
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="laughs").check_password("pique-demo-2026")
    assert User.objects.get(username="laughs").producers.get().name == "Laugh Track Comedy"

    shows = Show.objects.published().upcoming()
    assert shows.count() == 10
    assert all(show.image.name.endswith(".png") for show in shows)
    assert Ticket.objects.filter(is_donation_based=True).count() == 1
    nearly_sold_out = Ticket.objects.get(show__title="The Late Late Show")
    assert (nearly_sold_out.quantity, nearly_sold_out.quantity_sold) == (50, 47)
    assert FeaturedShow.objects.count() == 3
    door = CheckInSession.objects.get()
    assert (door.show, door.is_usable) == (nearly_sold_out.show, True)
    assert f"Check-in app for The Late Late Show: http://localhost:8080/checkin/?token={door.token}" in text

    # Every sold ticket is backed by a paid order line and one attendee.
    sold = Ticket.objects.aggregate(total=Sum("quantity_sold"))["total"]
    assert sold == TicketAttendee.objects.count() == 154
    assert Order.objects.filter(success=True, status="paid").count() == Order.objects.count()
    lines = dict(Order.objects.annotate(n=Sum("ticket_orders__quantity")).values_list("pk", "n"))
    assert dict(Order.objects.values_list("pk", "ticket_count")) == lines
    assert all(order.created_at == order.time_of_purchase for order in Order.objects.all())  # lists sort by it


def test_demo_shows_start_at_local_evening_times():
    call_command("seed_demo", stdout=StringIO())
    show = Show.objects.get(title="Friday Night Stand-Up")
    local = timezone.localtime(show.start_time, ZoneInfo(show.time_zone))
    assert (local.hour, local.minute) == (20, 0)
    assert show.door_time < show.start_time < show.end_time


def test_seed_demo_twice_creates_nothing_new():
    call_command("seed_demo", stdout=StringIO())
    before = row_counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert row_counts() == before
    assert "Demo data ready (0 rows created)." in out.getvalue()
