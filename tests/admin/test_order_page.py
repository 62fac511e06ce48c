"""The order's page in the admin: a table of its tickets with check-in times in the show's time zone."""

import re
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import AttendeeFactory, CheckInSessionFactory, OrderFactory, ShowFactory, TicketOrderFactory

pytestmark = pytest.mark.django_db


def cells(html: str) -> list[list[str]]:
    """The attendee table's rows, each a list of its cells' text."""
    table = html[html.index('<table class="pq-admin-table') : html.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows
    ]


@pytest.fixture
def order_with_a_checked_in_ticket():
    show = ShowFactory(title="Coast Comedy", time_zone="America/Los_Angeles")
    order = OrderFactory(show=show, status="paid", success=True, time_of_purchase=datetime(2026, 12, 1, tzinfo=UTC))
    line = TicketOrderFactory(order=order, ticket__name="Balcony", quantity=2)
    door = CheckInSessionFactory(show=show, label="Side door")
    admitted = AttendeeFactory(
        ticket_order=line,
        first_name="Ren",
        last_name="Ito",
        is_checked_in=True,
        checked_in_at=datetime(2026, 12, 12, 1, 42, tzinfo=UTC),
        checked_in_session=door,
    )
    waiting = AttendeeFactory(ticket_order=line, first_name="Kai", last_name="Ito", status="refunded")
    return order, admitted, waiting


def test_the_attendee_table_has_headers_and_local_check_in_times(admin_client, order_with_a_checked_in_ticket):
    order, admitted, waiting = order_with_a_checked_in_ticket

    response = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))

    assert response.status_code == 200
    assert cells(response.content.decode()) == [
        ["Name", "Code", "Ticket type", "Status", "Checked in at", "Door"],
        ["Ren Ito", str(admitted.uuid)[:8].upper(), "Balcony", "Valid", "Fri 11 Dec 2026, 17:42 PST", "Side door"],
        ["Kai Ito", str(waiting.uuid)[:8].upper(), "Balcony", "Refunded", "Not yet", "—"],
    ]
    html = response.content.decode()
    assert '<time datetime="2026-12-11T19:42:00-06:00">Fri 11 Dec 2026, 17:42 PST</time>' in html
    assert "2026-12-12T01:42" not in html  # no raw UTC time
    assert reverse("admin:orders_ticketattendee_change", args=[admitted.pk]) in html


def test_the_attendee_table_reads_a_fixed_number_of_queries(admin_client, order_with_a_checked_in_ticket):
    order, _, _ = order_with_a_checked_in_ticket
    url = reverse("admin:orders_order_change", args=[order.pk])
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    line = order.ticket_orders.get()
    for number in range(5):
        AttendeeFactory(
            ticket_order=line,
            is_checked_in=True,
            checked_in_at=datetime(2026, 12, 12, 2, number, tzinfo=UTC),
            checked_in_session=CheckInSessionFactory(show=order.show, label=f"Door {number}"),
        )

    with CaptureQueriesContext(connection) as many:
        html = admin_client.get(url).content.decode()

    assert len(cells(html)) == 8
    assert len(many.captured_queries) == len(few.captured_queries)
