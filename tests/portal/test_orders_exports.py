"""The portal's CSV exports of orders and attendees: the list's filters, streamed, UTF-8 with a BOM, and
cells a spreadsheet would take for a formula neutralised."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from piquetickets.orders.models import Order, TicketAttendee
from piquetickets.portal.exports import cell, csv_filename, csv_rows
from piquetickets.portal.views.orders import ATTENDEE_COLUMNS, ORDER_COLUMNS
from tests.factories import OrderFactory, ShowFactory, TicketFactory
from tests.portal.test_orders import paid_order

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # Excel's cue that the file is UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def show(producer):
    return ShowFactory(producer=producer, title="Friday Laughs", slug="friday-laughs", time_zone="America/Chicago")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1 555", "'+1 555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        (" =1+1", "' =1+1"),
        ("  \n=HYPERLINK(1)", "'  \n=HYPERLINK(1)"),
        ("\u00a0@SUM(A1)", "'\u00a0@SUM(A1)"),
        (" -2", "' -2"),
        ("  Zoë", "  Zoë"),
        (" ", " "),
        ("Zoë", "Zoë"),
        ("a=b", "a=b"),
        (None, ""),
        (True, "yes"),
        (False, "no"),
        (Decimal("12.50"), "12.50"),
    ],
)
def test_cells_a_spreadsheet_would_run_are_neutralised(value, expected):
    assert cell(value) == expected


def test_csv_rows_come_in_pieces_with_the_header_first():
    pieces = list(csv_rows(["A", "B"], ([n, "x"] for n in range(450))))

    assert pieces[0] == "\ufeffA,B\r\n"
    assert len(pieces) == 1 + 3  # 200 + 200 + 50 rows
    assert pieces[-1].count("\r\n") == 50


def test_file_names_are_plain():
    assert csv_filename("laugh-track", "orders", "friday-laughs", now=timezone.now()).startswith(
        "laugh-track-orders-friday-laughs-"
    )
    assert csv_filename('a"b', "orders", "").endswith(".csv")
    assert '"' not in csv_filename('a"b\r\nc', "orders")


def test_orders_export_has_the_lists_filters_and_neutralised_cells(owner_client, producer, show):
    ticket = TicketFactory(show=show, price=Decimal("20.00"))
    evil = paid_order(show, ticket=ticket, tickets=2, first_name="=cmd|' /C calc'!A0", last_name="Zoë", phone="+1 555")
    Order.objects.filter(pk=evil.pk).update(
        refunded_amount=Decimal("20.00"), status="partially_refunded", platform_fees=Decimal("1.50")
    )
    paid_order(show, ticket=ticket, first_name="Bea", last_name="Other")
    OrderFactory(show=show, status="expired", first_name="Never")
    paid_order(ShowFactory(), first_name="Not", last_name="Ours")

    response = owner_client.get("/dashboard/orders/export/", {"q": "zoë", "show": show.slug})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert "-orders-friday-laughs-" in response["Content-Disposition"]
    header, *rows = _rows(response)
    assert header == list(ORDER_COLUMNS)
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Reference"] == str(evil.uuid)[:8].upper()
    assert row["First name"] == "'=cmd|' /C calc'!A0"
    assert row["Last name"] == "Zoë"
    assert row["Phone"] == "'+1 555"
    assert row["Status"] == "Partially refunded"
    assert row["Tickets"] == "2"
    assert (row["Total"], row["Refunded"], row["Net"], row["Fees"]) == ("40.00", "20.00", "20.00", "1.50")
    assert row["Show date"].endswith(("-05:00", "-06:00"))  # on the show's clock (Chicago)


def test_orders_export_without_filters_is_every_paid_order(owner_client, show):
    ticket = TicketFactory(show=show)
    for _ in range(3):
        paid_order(show, ticket=ticket)
    OrderFactory(show=show, status="pending")

    _header, *rows = _rows(owner_client.get("/dashboard/orders/export/"))

    assert len(rows) == 3


@pytest.mark.parametrize("path", ["/dashboard/orders/export/", "/dashboard/orders/attendees/export/"])
def test_an_export_of_a_show_not_ours_is_not_found_rather_than_every_order(owner_client, show, path):
    paid_order(show, ticket=TicketFactory(show=show))
    theirs = ShowFactory(title="Someone else's")

    for slug in (theirs.slug, "no-such-show"):
        response = owner_client.get(path, {"show": slug})
        assert response.status_code == 404
        assert response.get("Content-Type", "").startswith("text/html")
    assert owner_client.get(path, {"show": show.slug}).status_code == 200


def test_attendees_export(owner_client, show):
    ticket = TicketFactory(show=show, name="@VIP")
    order = paid_order(show, ticket=ticket, tickets=2, first_name="Ada", last_name="Lovelace")
    first = TicketAttendee.objects.filter(ticket_order__order=order).order_by("pk").first()
    TicketAttendee.objects.filter(pk=first.pk).update(is_checked_in=True, checked_in_at=timezone.now())

    response = owner_client.get("/dashboard/orders/attendees/export/", {"show": show.slug, "state": "checked_in"})

    header, *rows = _rows(response)
    assert header == list(ATTENDEE_COLUMNS)
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Ticket code"] == str(first.uuid)[:8].upper()
    assert row["Ticket type"] == "'@VIP"
    assert row["Checked in"] == "yes"
    assert row["Order reference"] == str(order.uuid)[:8].upper()
    assert row["Buyer"] == "Ada Lovelace"
    assert "-attendees-friday-laughs-" in response["Content-Disposition"]


def test_attendees_export_neutralises_every_text_column_also_after_blanks(owner_client, producer):
    show = ShowFactory(producer=producer, title=" =SHOW()", slug="evil")
    ticket = TicketFactory(show=show, name="\n+TICKET()")
    order = paid_order(show, ticket=ticket, first_name=" @BUYER()", last_name="x", email=" -1@example.com")
    TicketAttendee.objects.filter(ticket_order__order=order).update(
        first_name="\u00a0=FIRST()", last_name="  =LAST()", email="\t=EMAIL()"
    )

    header, *rows = _rows(owner_client.get("/dashboard/orders/attendees/export/", {"show": "evil"}))

    row = dict(zip(header, rows[0], strict=True))
    assert row["First name"] == "'\u00a0=FIRST()"
    assert row["Last name"] == "'  =LAST()"
    assert row["Email"] == "'\t=EMAIL()"
    assert row["Ticket type"] == "'\n+TICKET()"
    assert row["Show"] == "' =SHOW()"
    assert row["Buyer"] == "'@BUYER() x"
    assert row["Buyer email"] == "' -1@example.com"


def test_exports_read_in_a_fixed_number_of_queries(owner_client, producer, show):
    ticket = TicketFactory(show=show)
    paid_order(show, ticket=ticket)
    with CaptureQueriesContext(connection) as one:
        _rows(owner_client.get("/dashboard/orders/export/"))
    for _ in range(30):
        paid_order(show, ticket=ticket, tickets=2)
    with CaptureQueriesContext(connection) as many:
        _header, *rows = _rows(owner_client.get("/dashboard/orders/export/"))

    assert len(rows) == 31
    assert len(many) == len(one)


def test_csv_rows_write_cells_as_cell_does():
    values = ["=1+1", "+x", "-y", "@z", "\tt", "\rr", "plain", "", None, True, False, Decimal("1.50"), 3]

    [_header, line] = list(csv_rows(["h"], [values]))

    assert next(csv.reader(io.StringIO(line))) == [cell(v) for v in values]
