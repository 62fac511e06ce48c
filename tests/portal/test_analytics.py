"""The Analytics page: figures exact against hand-built orders (promo codes, refunds, free tickets, a
purchase late in the evening on the show's clock), scoped to the current producer, the CSV downloads,
bad filters by their field, a fixed number of queries, and the feature flag's states."""

import csv
import io
import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from piquetickets.flags.models import Flag
from piquetickets.orders.models import Refund, TicketAttendee
from piquetickets.portal.flags import ANALYTICS
from piquetickets.producers.models import UserProducerAssociation
from tests.factories import (
    AttendeeFactory,
    MembershipFactory,
    OrderFactory,
    PromoCodeFactory,
    ShowFactory,
    TicketFactory,
    TicketOrderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/dashboard/analytics/"
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def flag_on(db):
    return Flag.objects.create(name=ANALYTICS, everyone=True)


def local(days_ago: int, at: time = time(12, 0)) -> datetime:
    """``days_ago`` days before today on New York's clock, at ``at`` there."""
    day = timezone.now().astimezone(NEW_YORK).date() - timedelta(days=days_ago)
    return datetime.combine(day, at, tzinfo=NEW_YORK)


def day_iso(days_ago: int) -> str:
    return local(days_ago).date().isoformat()


def order(show, lines, *, when, total, refunded="0", promo=None, discount="0", success=True):
    """A paid order with ``lines`` [(ticket, quantity, line total, line discount)], an attendee a ticket."""
    made = OrderFactory(
        show=show,
        status="paid" if success else "pending",
        success=success,
        time_of_purchase=when if success else None,
        total=Decimal(total),
        refunded_amount=Decimal(refunded),
        promo_code=promo,
        promo_code_discount=Decimal(discount),
    )
    for ticket, quantity, line_total, line_discount in lines:
        line = TicketOrderFactory(
            order=made,
            ticket=ticket,
            quantity=quantity,
            price_per_ticket=ticket.price,
            total_price=Decimal(line_total),
            discount_amount=Decimal(line_discount),
        )
        for _ in range(quantity):
            AttendeeFactory(ticket_order=line)
    return made


def refund(made, amount, *, when, status=Refund.Status.SUCCEEDED, attendees=()):
    r = Refund.objects.create(order=made, amount=Decimal(amount), status=status, reason="Asked")
    Refund.objects.filter(pk=r.pk).update(created_at=when)
    r.attendees.set(attendees)
    return r


@pytest.fixture
def sales(producer):
    """Producer A's shows and orders (see the module docstring), and B's that must never show."""
    show = ShowFactory(producer=producer, title="Friday Laughs", time_zone="America/New_York")
    ga = TicketFactory(show=show, name="General admission", price=Decimal("20.00"))
    vip = TicketFactory(show=show, name="VIP", price=Decimal("50.00"))
    free = TicketFactory(show=show, name="Free seat", price=Decimal("0.00"))
    early = PromoCodeFactory(show=show, code="EARLY", discount_type="percent", discount=Decimal("20"))

    # 2 days ago: 2 GA with EARLY (40 − 8 = 32, and 2.00 fees), 10.00 of it refunded yesterday;
    # and 1 VIP (52.00 with fees) refunded in full yesterday, its ticket cancelled.
    first = order(show, [(ga, 2, "32.00", "8.00")], when=local(2), total="34.00", refunded="10.00", promo=early,
                  discount="8.00")  # fmt: skip
    refund(first, "10.00", when=local(1), status=Refund.Status.PENDING)  # with Stripe still: counts
    refund(first, "5.00", when=local(1), status=Refund.Status.FAILED)  # taken back: does not
    second = order(show, [(vip, 1, "50.00", "0")], when=local(2, time(15, 0)), total="52.00", refunded="52.00")
    cancelled = TicketAttendee.objects.filter(ticket_order__order=second)
    cancelled.update(status=TicketAttendee.Status.REFUNDED)
    refund(second, "52.00", when=local(1), attendees=list(cancelled))
    # Yesterday: 3 free seats.
    order(show, [(free, 3, "0.00", "0")], when=local(1), total="0.00")
    # 3 days ago at 23:30 in New York (already the next day in UTC): 1 GA.
    order(show, [(ga, 1, "20.00", "0")], when=local(3, time(23, 30)), total="20.00")
    # Never paid; and 40 days ago (outside the last 30 days).
    order(show, [(ga, 4, "80.00", "0")], when=None, total="80.00", success=False)
    order(show, [(ga, 1, "20.00", "0")], when=local(40), total="20.00")

    # A show that happened 3 days ago: 4 valid tickets (3 checked in) and 1 refunded; bought long ago.
    past = ShowFactory(
        producer=producer, title="Tuesday Open Mic", time_zone="America/New_York", start_time=local(3, time(20, 0))
    )
    mic = TicketFactory(show=past, name="Entry", price=Decimal("10.00"))
    mic_order = order(past, [(mic, 5, "50.00", "0")], when=local(60), total="50.00")
    attendees = list(TicketAttendee.objects.filter(ticket_order__order=mic_order).order_by("pk"))
    for attendee in attendees[:3]:
        attendee.is_checked_in, attendee.checked_in_at = True, timezone.now()
        attendee.save()
    attendees[4].status = TicketAttendee.Status.REFUNDED
    attendees[4].save()

    # Producer B: sales on the same days, a promo code and a refund.
    other = ShowFactory(title="Someone Else's Show", time_zone="America/New_York")
    their = TicketFactory(show=other, name="Their ticket", price=Decimal("99.00"))
    theirs = order(other, [(their, 1, "99.00", "0")], when=local(2), total="99.00", refunded="99.00",
                   promo=PromoCodeFactory(show=other, code="THEIRS"), discount="1.00")  # fmt: skip
    refund(theirs, "99.00", when=local(1))
    return {"show": show, "past": past, "other": other, "ga": ga}


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def rows_of(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


# --- the feature flag --------------------------------------------------------------------------------


def test_the_page_is_not_there_while_the_flag_is_off(owner_client):
    assert owner_client.get(URL).status_code == 404
    Flag.objects.create(name=ANALYTICS, everyone=False)
    assert owner_client.get(URL).status_code == 404


def test_the_flag_for_everyone(owner_client, flag_on):
    assert owner_client.get(URL).status_code == 200


def test_the_flag_for_one_user(owner_client, owner, manager, client):
    Flag.objects.create(name=ANALYTICS).users.add(owner)
    assert owner_client.get(URL).status_code == 200
    client.force_login(manager)
    assert client.get(URL).status_code == 404


def test_the_flag_for_one_producer_follows_the_producer_acted_for(client, producer):
    both = UserFactory()
    MembershipFactory(user=both, producer=producer, role=UserProducerAssociation.Role.MANAGER)
    elsewhere = MembershipFactory(user=both, role=UserProducerAssociation.Role.OWNER).producer
    Flag.objects.create(name=ANALYTICS, superusers=False).producers.add(producer)
    client.force_login(both)
    client.post("/dashboard/producers/switch/", {"producer": producer.pk})
    assert client.get(URL).status_code == 200
    client.post("/dashboard/producers/switch/", {"producer": elsewhere.pk})
    assert client.get(URL).status_code == 404


def test_a_shows_portal_page_links_its_analytics_while_the_flag_is_on(owner_client, producer):
    show = ShowFactory(producer=producer)
    link = f'<a href="/dashboard/analytics/?show={show.pk}">Analytics</a>'
    assert link not in owner_client.get(f"/dashboard/shows/{show.slug}/").content.decode()
    assert "More in Analytics" not in owner_client.get("/dashboard/").content.decode()

    Flag.objects.create(name=ANALYTICS, superusers=False).producers.add(producer)
    page = owner_client.get(f"/dashboard/shows/{show.slug}/").content.decode()

    assert link in page
    assert owner_client.get(f"/dashboard/analytics/?show={show.pk}").status_code == 200
    assert '<a href="/dashboard/analytics/">More in Analytics</a>' in owner_client.get("/dashboard/").content.decode()


def test_signed_out_people_are_sent_to_sign_in(client, flag_on):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


# --- the figures ------------------------------------------------------------------------------------


def test_the_last_30_days_of_all_shows(owner_client, flag_on, sales):
    response = owner_client.get(URL)
    assert response.status_code == 200
    page = text(response)
    first = local(29).date()
    assert f"All shows: {first.day} {first:%b %Y} to" in page
    assert "(days in America/New_York)" in page
    stats = dict(re.findall(r'<div class="stat"><dt>([^<]+)</dt><dd>([^<]+)</dd></div>', page))
    # Paid 34 + 52 + 0 + 20 = 106, less 10 + 52 refunded = 44; tickets 2 + 1 + 3 + 1.
    assert stats == {
        "Revenue": "$44.00",
        "Tickets sold": "7",
        "Orders": "4",
        "Refunded": "$62.00",
        "Checked in": "75%",
    }
    assert "Someone Else" not in page
    assert "THEIRS" not in page
    assert "$99.00" not in page


def test_sales_by_day_on_the_shows_clock(owner_client, flag_on, sales):
    rows = rows_of(owner_client.get(URL, {"chart": "by_day", "format": "csv"}))
    assert rows[0] == ["Day", "Orders", "Tickets", "Paid", "Discounts", "Refunded", "Revenue"]
    assert len(rows) == 1 + 30
    assert rows[1][0] == day_iso(29)
    assert rows[-1][0] == day_iso(0)
    by_day = {row[0]: row[1:] for row in rows[1:]}
    assert by_day[day_iso(3)] == ["1", "1", "20.00", "0.00", "0.00", "20.00"]  # 23:30 in New York
    assert by_day[day_iso(2)] == ["2", "3", "86.00", "8.00", "62.00", "24.00"]
    assert by_day[day_iso(1)] == ["1", "3", "0.00", "0.00", "0.00", "0.00"]  # free seats
    assert by_day[day_iso(0)] == ["0", "0", "0.00", "0.00", "0.00", "0.00"]


def test_by_ticket_type(owner_client, flag_on, sales):
    rows = rows_of(owner_client.get(URL, {"chart": "ticket_types", "format": "csv"}))
    assert rows == [
        ["Show", "Ticket type", "Orders", "Tickets", "Refunded tickets", "Discounts", "Sales"],
        ["Friday Laughs", "Free seat", "1", "3", "0", "0.00", "0.00"],
        ["Friday Laughs", "General admission", "2", "3", "0", "8.00", "52.00"],
        ["Friday Laughs", "VIP", "1", "1", "1", "0.00", "50.00"],
    ]


def test_by_promo_code(owner_client, flag_on, sales):
    rows = rows_of(owner_client.get(URL, {"chart": "promo_codes", "format": "csv"}))
    assert rows == [
        ["Show", "Code", "Uses", "Tickets", "Discount given", "Revenue"],
        ["Friday Laughs", "EARLY", "1", "2", "8.00", "24.00"],
    ]


def test_refunds_made_in_the_days_not_failed(owner_client, flag_on, sales):
    response = owner_client.get(URL, {"chart": "refunds", "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="analytics-refunds-laugh-track-\d{4}-\d{2}-\d{2}\.csv"',
        response["Content-Disposition"],
    )
    assert rows_of(response) == [
        ["Show", "Refunds", "Tickets refunded", "Amount"],
        ["Friday Laughs", "2", "1", "62.00"],
    ]


def test_check_in_of_the_shows_that_started_in_the_days(owner_client, flag_on, sales):
    rows = rows_of(owner_client.get(URL, {"chart": "check_in", "format": "csv"}))
    assert rows[0] == ["Show", "Starts", "Valid tickets", "Checked in", "Check-in rate (%)"]
    assert rows[1:] == [["Tuesday Open Mic", local(3, time(20, 0)).isoformat(), "4", "3", "75"]]


def test_one_show_from_its_first_sale(owner_client, flag_on, sales):
    show = sales["show"]
    response = owner_client.get(URL, {"show": show.pk})
    page = text(response)
    first = local(40).date()
    assert f"Friday Laughs: {first.day} {first:%b %Y} to" in page
    stats = dict(re.findall(r'<div class="stat"><dt>([^<]+)</dt><dd>([^<]+)</dd></div>', page))
    assert stats["Revenue"] == "$64.00"  # the sale 40 days ago too
    assert stats["Orders"] == "5"
    assert stats["Checked in"] == "0%"  # its 6 valid tickets, none in yet
    assert "Tuesday Open Mic</a>" not in page  # (only among the show choices)
    rows = rows_of(owner_client.get(URL, {"show": show.pk, "chart": "by_day", "format": "csv"}))
    assert len(rows) == 1 + 41
    assert rows[1] == [day_iso(40), "1", "1", "20.00", "0.00", "0.00", "20.00"]


def test_a_range_of_days(owner_client, flag_on, sales):
    rows = rows_of(owner_client.get(URL, {"start": day_iso(2), "end": day_iso(2), "chart": "by_day", "format": "csv"}))
    assert rows[1:] == [[day_iso(2), "2", "3", "86.00", "8.00", "62.00", "24.00"]]
    # Refunds are counted on the day they were made: none 2 days ago.
    rows = rows_of(owner_client.get(URL, {"start": day_iso(2), "end": day_iso(2), "chart": "refunds", "format": "csv"}))
    assert rows == [["Show", "Refunds", "Tickets refunded", "Amount"]]


def test_the_page_shows_the_tables_charts_and_csv_links(owner_client, flag_on, sales):
    page = text(owner_client.get(URL, {"show": sales["show"].pk}))
    assert page.count('<svg class="chart"') == 2
    assert 'aria-labelledby="revenue-chart-title"' in page
    assert "<title>Mon" in page or "<title>" in page
    for name in ("by_day", "ticket_types", "promo_codes", "refunds", "check_in"):
        assert f"?show={sales['show'].pk}&amp;chart={name}&amp;format=csv" in page
    assert '<span class="analytics-code">EARLY</span>' in page
    assert '<td class="num">$62.00</td>' in page


def test_nothing_sold_yet(owner_client, flag_on):
    page = text(owner_client.get(URL))
    assert "No tickets sold in these days." in page
    assert "No promo code used in these days." in page
    assert "No refunds in these days." in page
    assert "No show started in these days." in page
    assert '<div class="stat"><dt>Checked in</dt><dd>–</dd></div>' in page


# --- bad input and scoping -------------------------------------------------------------------------


def test_another_producers_show_is_refused_by_the_field(owner_client, flag_on, sales):
    response = owner_client.get(URL, {"show": sales["other"].pk})
    assert response.status_code == 422
    page = text(response)
    assert 'id="id_show_error"><span class="visually-hidden">Error:</span> Choose one of your shows.</p>' in page
    assert "<title>Error: Analytics" in page
    assert "Someone Else" not in page
    assert owner_client.get(URL, {"show": sales["other"].pk, "chart": "by_day", "format": "csv"}).status_code == 422


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"start": "2026-13-01"}, "start", "Enter a date like 2026-03-06."),
        ({"start": "1999-12-31"}, "start", "Enter a date between 1 Jan 2000 and"),
        ({"start": "2026-03-10", "end": "2026-03-01"}, "end", "Enter a date on or after the “From” date."),
        ({"start": "2024-01-01", "end": "2025-06-30"}, "end", "Choose at most 366 days."),
        ({"show": "not-a-number"}, "show", "Choose one of your shows."),
    ],
)
def test_bad_filters_are_shown_by_their_field_with_the_input_kept(owner_client, flag_on, query, field, message):
    response = owner_client.get(URL, query)
    assert response.status_code == 422
    page = text(response)
    assert f'id="id_{field}_error"><span class="visually-hidden">Error:</span> {message}' in page
    for value in query.values():
        if field != "show":
            assert f'value="{value}"' in page
    assert '<a href="#id_' + field + '">' in page


def test_an_unknown_table_is_not_found(owner_client, flag_on):
    assert owner_client.get(URL, {"chart": "everything", "format": "csv"}).status_code == 404


def test_csv_cells_that_look_like_formulas_are_neutralised(owner_client, flag_on, producer):
    show = ShowFactory(producer=producer, title="=HYPERLINK(1)", time_zone="America/New_York")
    ticket = TicketFactory(show=show, name="+Premium", price=Decimal("5.00"))
    order(show, [(ticket, 1, "5.00", "0")], when=local(1), total="5.00")
    rows = rows_of(owner_client.get(URL, {"chart": "ticket_types", "format": "csv"}))
    assert rows[1][:2] == ["'=HYPERLINK(1)", "'+Premium"]


def test_staff_see_the_producer_they_act_for(client, flag_on, sales, producer):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    client.post("/dashboard/producers/switch/", {"producer": producer.pk})
    rows = rows_of(client.get(URL, {"chart": "promo_codes", "format": "csv"}))
    assert [row[1] for row in rows[1:]] == ["EARLY"]


def test_the_other_producer_sees_only_theirs(client, flag_on, sales):
    other_owner = UserFactory()
    MembershipFactory(user=other_owner, producer=sales["other"].producer, role=UserProducerAssociation.Role.OWNER)
    client.force_login(other_owner)
    rows = rows_of(client.get(URL, {"chart": "promo_codes", "format": "csv"}))
    assert rows[1:] == [["Someone Else's Show", "THEIRS", "1", "1", "1.00", "0.00"]]


# --- queries ----------------------------------------------------------------------------------------


def _queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, params or {}).status_code == 200
    return len(queries)


def test_the_same_number_of_queries_for_1_order_as_for_many(owner_client, flag_on, producer):
    show = ShowFactory(producer=producer, title="Counted", time_zone="America/New_York")
    past = ShowFactory(producer=producer, title="Counted past", start_time=local(2, time(20, 0)))
    ticket = TicketFactory(show=show, price=Decimal("10.00"))
    promo = PromoCodeFactory(show=show, code="ONE")
    made = order(show, [(ticket, 1, "10.00", "0")], when=local(1), total="10.00", promo=promo, discount="1.00")
    refund(made, "1.00", when=local(1))
    order(past, [(TicketFactory(show=past), 1, "20.00", "0")], when=local(9), total="20.00")
    owner_client.get(URL)  # warm the flag's cache
    few, few_show = _queries(owner_client), _queries(owner_client, {"show": show.pk})

    for n in range(12):
        other_ticket = TicketFactory(show=show, name=f"Type {n}", price=Decimal("10.00"))
        made = order(show, [(other_ticket, 2, "20.00", "0")], when=local(n % 5), total="20.00",
                     promo=PromoCodeFactory(show=show, code=f"CODE{n}"), discount="1.00")  # fmt: skip
        refund(made, "5.00", when=local(1))
        ShowFactory(producer=producer, title=f"Past {n}", start_time=local(n + 1, time(20, 0)))
    assert _queries(owner_client) == few
    assert _queries(owner_client, {"show": show.pk}) == few_show
    assert few <= 11, few


# --- the charts --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("most", "axis"),
    [
        (0, ["0", "1"]),
        (2, ["0", "1", "2"]),
        (3, ["0", "1", "2", "3", "4", "5"]),
        (21, ["0", "5", "10", "15", "20", "25"]),
    ],
)
def test_a_chart_of_counts_is_marked_at_whole_numbers(most, axis):
    from piquetickets.portal.charts import bar_chart

    chart = bar_chart(
        [Decimal(most), Decimal(0)],
        titles=["a", "b"],
        x_labels={},
        format_value=lambda amount: f"{amount.to_integral():f}",
        whole=True,
    )
    assert [tick.label for tick in chart.ticks] == axis


def test_day_labels_are_spaced_and_end_with_the_last_day():
    from piquetickets.portal.charts import day_labels

    days = [local(n).date() for n in range(40, -1, -1)]
    labels = day_labels(days, last="Today")
    assert labels[0] == f"{days[0].day} {days[0]:%b}"
    assert labels[40] == "Today"
    assert len(labels) <= 7
    assert all(40 - index >= 4 for index in labels if index != 40)
    assert day_labels([]) == {}
    assert day_labels(days[:1]) == {0: f"{days[0].day} {days[0]:%b}"}


@pytest.mark.parametrize(
    ("data", "first_sale", "expected"),
    [
        ({}, None, ("2026-02-08", "2026-03-09")),  # the last 30 days
        ({"start": "2026-03-01"}, None, ("2026-03-01", "2026-03-09")),  # up to today
        ({"start": "2026-04-01"}, None, ("2026-04-01", "2026-04-01")),  # a day ahead: that day
        ({"end": "2026-02-28"}, None, ("2026-01-30", "2026-02-28")),  # 30 days up to it
        ({}, "2026-01-15", ("2026-01-15", "2026-03-09")),  # a show: from its first sale
        ({}, "2024-01-01", ("2025-03-09", "2026-03-09")),  # at most 366 days
    ],
)
def test_the_days_a_filter_stands_for(producer, data, first_sale, expected):
    from datetime import date

    from piquetickets.portal.forms.analytics import AnalyticsFilterForm

    today = date(2026, 3, 9)
    form = AnalyticsFilterForm(data, producer=producer, today=today)
    assert form.is_valid(), form.errors
    sale = date.fromisoformat(first_sale) if first_sale else None
    first, last = form.days(today=today, first_sale=sale)
    assert (first.isoformat(), last.isoformat()) == expected


def test_the_demo_producers_see_their_analytics_and_help(client, settings, tmp_path):
    from piquetickets.accounts.models import User
    from piquetickets.core.demo import seed_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo()
    client.force_login(User.objects.get(username="laughs"))
    page = text(client.get(URL))
    assert "<h1>Analytics</h1>" in page
    assert "EARLYBIRD" in page or "No promo code used in these days." in page
    assert client.get(URL, {"chart": "by_day", "format": "csv"}).status_code == 200
    help_page = text(client.get("/dashboard/help/"))
    assert "Creating your first show" in help_page
    assert "Door links and checking people in" in help_page
    client.force_login(UserFactory())  # no producer: the page says how to join, as every portal page
    assert client.get(URL).status_code == 403


def test_a_charts_coordinates_are_svg_numbers_in_any_locale():
    from django.template.loader import render_to_string
    from django.utils import translation

    from piquetickets.portal.charts import bar_chart

    chart = bar_chart(
        [Decimal("12.5"), Decimal("0"), Decimal("1234.75")],
        titles=["a", "b", "c"],
        x_labels={0: "1 Mar", 2: "Today"},
        format_value=lambda amount: f"${amount}",
    )

    with translation.override("de"):
        svg = render_to_string("portal/_bar_chart.html", {"chart": chart, "label": "Sales", "id": "c"})

    first = chart.bars[0]
    assert f'x="{first.x}" y="{first.y}" width="{first.width}" height="{first.height}"' in svg
    assert "." in str(first.x) + str(first.width)  # the figures have decimals, written with a point
    numbers = re.findall(r'\b(?:x|y|x1|x2|y1|y2|width|height)="([^"]*)"', svg)
    assert len(numbers) > 10
    assert all(re.fullmatch(r"-?\d+(\.\d+)?", number) for number in numbers), numbers
