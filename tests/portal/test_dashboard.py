"""The dashboard: setup checklist, sales over 30 days (chart and table), today's and upcoming shows,
recent orders; the current producer's only, in a fixed number of queries."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from piquetickets.producers.models import ProducerFinancial
from piquetickets.producers.selectors import producer_sales_by_day
from tests.factories import (
    AttendeeFactory,
    OrderFactory,
    ShowFactory,
    TicketFactory,
    TicketOrderFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


def paid_order(show, *, quantity=2, total="40.00", refunded="0", when=None, checked_in=0, ticket=None):
    ticket = ticket or show.tickets.first() or TicketFactory(show=show)
    order = OrderFactory(
        show=show,
        status="paid" if refunded == "0" else "partially_refunded",
        success=True,
        time_of_purchase=when or timezone.now(),
        total=Decimal(total),
        refunded_amount=Decimal(refunded),
    )
    line = TicketOrderFactory(order=order, ticket=ticket, quantity=quantity)
    for number in range(quantity):
        checked = number < checked_in
        AttendeeFactory(ticket_order=line, is_checked_in=checked, checked_in_at=timezone.now() if checked else None)
    type(ticket).objects.filter(pk=ticket.pk).update(quantity_sold=ticket.quantity_sold + quantity)
    ticket.refresh_from_db()
    return order


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_new_producer_sees_the_setup_checklist(owner_client):
    page = text(owner_client.get("/dashboard/"))

    assert "Get ready to sell" in page
    assert "0 of 4 done" in page
    for step in ("Complete your public profile", "Connect payouts", "Create your first show", "Publish a show"):
        assert f'{step}<span class="visually-hidden"> (to do)</span>' in page
    assert "No upcoming shows." in page
    assert "No orders yet." in page


def test_the_checklist_ticks_off_steps_and_goes_away_when_done(owner_client, producer, tmp_path):
    ShowFactory(producer=producer, published=False)
    assert "1 of 4 done" in text(owner_client.get("/dashboard/"))

    ShowFactory(producer=producer, published=True)
    ProducerFinancial.objects.create(producer=producer, charges_enabled=True)
    producer.bio = "<p>Stand-up every week.</p>"
    producer.support_email = "help@example.com"
    producer.image = "producers/logo.png"
    producer.save()

    assert "Get ready to sell" not in text(owner_client.get("/dashboard/"))


def test_upcoming_shows_say_sold_of_capacity_and_revenue(owner_client, producer):
    show = ShowFactory(producer=producer, title="Friday Laughs", venue=VenueFactory(name="The Cellar"))
    ticket = TicketFactory(show=show, quantity=80)
    TicketFactory(show=show, quantity=20, name="VIP")
    paid_order(show, quantity=3, total="66.00", ticket=ticket)
    paid_order(show, quantity=1, total="22.00", refunded="22.00", ticket=ticket)
    OrderFactory(show=show, status="pending", total=Decimal("99.00"))  # not paid: not counted
    draft = ShowFactory(producer=producer, title="Next Month", published=False)
    ShowFactory(producer=producer, title="Long Gone", start_time=timezone.now() - timedelta(days=3))

    page = text(owner_client.get("/dashboard/"))

    assert "Friday Laughs" in page
    assert "The Cellar" in page
    assert "4 of 100 (4%)" in page
    assert "$66.00" in page  # paid, less the refund
    assert 'aria-label="Friday Laughs: 4 of 100 tickets sold"' in page
    assert f"{draft.title}</a>" in page or f'{draft.title} <span class="badge badge--warning">Draft</span>' in page
    assert "Long Gone" not in page


def test_todays_shows_show_check_in_progress(owner_client, producer):
    tonight = ShowFactory(
        producer=producer, title="Tonight", start_time=timezone.now() + timedelta(hours=1), time_zone="UTC"
    )
    paid_order(tonight, quantity=4, checked_in=3)

    page = text(owner_client.get("/dashboard/"))

    assert '<h2 id="today-title">Today</h2>' in page
    assert "3 of 4 (75%)" in page
    assert 'aria-label="Tonight: 3 of 4 checked in"' in page
    checkin = f'href="/dashboard/shows/{tonight.slug}/checkin/">Check-in<span class="visually-hidden"> for Tonight'
    assert checkin in page


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        ("2026-03-06 19:30", 2, True),  # later today
        ("2026-03-07 00:30", 2, True),  # the late show, past midnight
        ("2026-03-07 04:00", 2, True),  # within six hours
        ("2026-03-07 06:00", 2, False),  # tomorrow's
        ("2026-03-06 21:00", 3, True),  # on now
        ("2026-03-06 16:00", 2, True),  # ended earlier, same date
        ("2026-03-05 21:00", 2, False),  # last night's, ended long ago
    ],
)
def test_which_shows_are_todays_on_the_shows_clock(start, hours, expected):
    from datetime import datetime
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    from piquetickets.portal.views.dashboard import is_todays

    zone = ZoneInfo("America/Chicago")
    now = datetime(2026, 3, 6, 23, 15, tzinfo=zone)
    begins = datetime.fromisoformat(start).replace(tzinfo=zone)
    show = SimpleNamespace(start_time=begins, end_time=begins + timedelta(hours=hours), time_zone="America/Chicago")

    assert is_todays(show, now) is expected


def test_last_nights_late_show_stays_on_today_for_six_hours_after_it_ends():
    from datetime import datetime
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    from piquetickets.portal.views.dashboard import is_todays

    zone = ZoneInfo("Europe/London")
    begins = datetime(2026, 3, 6, 22, 30, tzinfo=zone)
    show = SimpleNamespace(start_time=begins, end_time=begins + timedelta(hours=2), time_zone="Europe/London")

    assert is_todays(show, datetime(2026, 3, 7, 3, 0, tzinfo=zone)) is True
    assert is_todays(show, datetime(2026, 3, 7, 6, 31, tzinfo=zone)) is False


def test_recent_orders_are_the_producers_paid_ones(owner_client, producer):
    show = ShowFactory(producer=producer, title="Ours")
    paid_order(show, quantity=2, total="44.00")
    OrderFactory(show=show, first_name="Pending", last_name="Person", status="pending")
    paid_order(ShowFactory(title="Theirs"), quantity=1, total="10.00")

    page = text(owner_client.get("/dashboard/"))

    assert "Alex Morgan" in page
    assert "$44.00" in page
    assert "Pending Person" not in page
    assert "Theirs" not in page


def test_sales_by_day_cover_30_days_with_zero_days_and_refunds_taken_off(producer):
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/Chicago")
    now = timezone.now()
    show = ShowFactory(producer=producer)
    paid_order(show, quantity=2, total="40.00", when=now)
    paid_order(show, quantity=1, total="25.00", refunded="5.00", when=now)
    paid_order(show, quantity=3, total="60.00", when=now - timedelta(days=5))
    paid_order(show, quantity=9, total="900.00", when=now - timedelta(days=40))  # too old
    paid_order(ShowFactory(), quantity=1, total="50.00", when=now)  # another producer's

    today = now.astimezone(zone).date()
    days = producer_sales_by_day(producer=producer, days=30, zone=zone, today=today)

    assert len(days) == 30
    assert days[0].day == today - timedelta(days=29)
    assert days[-1].day == today
    assert (days[-1].orders, days[-1].tickets, days[-1].revenue) == (2, 3, Decimal("60.00"))
    five_ago = next(d for d in days if d.day == (now - timedelta(days=5)).astimezone(zone).date())
    assert (five_ago.orders, five_ago.tickets, five_ago.revenue) == (1, 3, Decimal("60.00"))
    assert sum(d.orders for d in days) == 3


def test_the_sales_chart_has_its_numbers_in_a_table(owner_client, producer):
    show = ShowFactory(producer=producer)
    paid_order(show, quantity=2, total="40.00")

    page = text(owner_client.get("/dashboard/"))

    assert '<svg class="chart"' in page
    assert 'role="img" aria-labelledby="sales-chart-title"' in page
    assert page.count('<rect class="chart__bar') == 30
    assert "Sales by day as a table" in page
    table = page.split('aria-label="Sales by day"', 1)[1].split("</table>", 1)[0]
    assert table.count('<th scope="row">') == 31  # 30 days and the total
    assert '<td class="num">1</td><td class="num">2</td><td class="num">$40.00</td>' in table
    assert "$40.00" in page.split("Sales, last 30 days</dt>", 1)[1][:80]


def test_another_producers_shows_are_not_on_my_dashboard(owner_client):
    ShowFactory(title="Someone Else's Show")

    assert "Someone Else" not in text(owner_client.get("/dashboard/"))


def build(producer, shows: int):
    for number in range(shows):
        show = ShowFactory(producer=producer, start_time=timezone.now() + timedelta(hours=2 + number * 24))
        TicketFactory(show=show)
        for _ in range(2):
            paid_order(show, quantity=2, checked_in=1)


def test_the_dashboard_takes_the_same_number_of_queries_however_many_shows_and_orders(
    owner_client, producer, django_assert_num_queries
):
    build(producer, 1)
    owner_client.get("/dashboard/")
    with django_assert_num_queries(9) as one:  # session, user, memberships (the scope too), 6 reads
        assert owner_client.get("/dashboard/").status_code == 200

    build(producer, 6)
    with django_assert_num_queries(len(one.captured_queries)):
        assert owner_client.get("/dashboard/").status_code == 200
