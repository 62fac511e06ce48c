"""Refunds in the admin: a page that shows what will be refunded, and refunds exactly that once confirmed.

The page calls the same refund service as the producer refund API — its review is the service's
``refund_quote``, its confirmation ``order_refund`` — so the rows written, statuses, amounts and email
are the API's; these tests check the page shows and sends the right thing, and that cancelling, bad
input, a stale page and a second confirmation write nothing. Nothing depends on the cache.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.cache import caches
from django.urls import reverse

from piquetickets.core.cache import RedisCache
from piquetickets.orders.models import Order, Refund, TicketAttendee
from piquetickets.orders.services import order_refund
from piquetickets.shows.models import Ticket
from tests.admin.refunding import (
    CHECKOUT,
    attendees_of,
    confirm,
    confirmation_fields,
    error_of,
    paid_order,
    refund_url,
    review,
)
from tests.factories import UserFactory
from tests.selling import cart


def assert_nothing_refunded(order, sold: int):
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("paid", Decimal("0.00"))
    assert not Refund.objects.exists()
    assert not TicketAttendee.objects.exclude(status="valid").exists()
    assert Ticket.objects.get(pk=order.ticket_orders.get().ticket_id).quantity_sold == sold


# --- getting there ----------------------------------------------------------------------------------


def test_the_order_page_has_a_refund_button_and_the_page_offers_the_three_kinds(api, client, sale, admin_client):
    order = paid_order(api, client, sale)

    change = admin_client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    page = admin_client.get(refund_url(order))

    assert f'href="{refund_url(order)}"' in change
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["title"] == f"Refund order {str(order.uuid)[:8].upper()}"
    assert [value for value, _ in page.context["form"].fields["what"].choices] == ["whole", "tickets", "amount"]
    assert re.search(r'value="whole"[^>]*\bchecked>', html)  # the whole order unless told otherwise
    for attendee in attendees_of(order):
        assert f'name="attendees" value="{attendee.uuid}"' in html
    assert "<dt>Can still be refunded</dt><dd data-refundable>$66.95</dd>" in html
    content = html[html.index('id="content-main"') :]
    assert "<script>" not in content
    assert "style=" not in content
    assert '<script type="module" src="/static/orders/admin/refund.js"></script>' in html
    assert not Refund.objects.exists()


def test_the_action_with_one_order_opens_its_refund_page(api, client, sale, admin_client):
    order = paid_order(api, client, sale)

    response = admin_client.post(
        reverse("admin:orders_order_changelist"), {"action": "refund_selected", "_selected_action": [order.pk]}
    )

    assert (response.status_code, response["Location"]) == (303, refund_url(order))
    assert not Refund.objects.exists()


# --- review, then confirm -----------------------------------------------------------------------------


def test_review_of_chosen_tickets_shows_exactly_what_will_be_refunded(api, client, sale, admin_client):
    order = paid_order(api, client, sale)
    first, second, third = attendees_of(order)

    response = review(admin_client, order, what="tickets", attendees=[first.uuid, second.uuid], reason="Ill")

    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.amount, preview.attendees, preview.staying) == (Decimal("40.00"), [first, second], [third])
    html = response.content.decode()
    assert "Refund $40.00?" in html
    assert (
        "$40.00 goes back to alex@example.com through Test payments. Afterwards $26.95 can still be refunded." in html
    )
    assert "No longer admit (2)" in html
    assert "Stay valid (1)" in html
    stopping = html[html.index("data-refund-stopping") : html.index("Stay valid")]
    assert str(first.uuid)[:8].upper() in stopping
    assert str(second.uuid)[:8].upper() in stopping
    assert str(third.uuid)[:8].upper() not in stopping
    assert confirmation_fields(html) == {
        "csrfmiddlewaretoken": confirmation_fields(html)["csrfmiddlewaretoken"],
        "what": "tickets",
        "attendees": [str(first.uuid), str(second.uuid)],
        "amount": "",
        "reason": "Ill",
        "seen": "0.00",
        "shown": "40.00",
    }
    assert_nothing_refunded(order, sold=3)


def test_confirming_chosen_tickets_refunds_exactly_them_as_the_api_does(
    api, client, sale, admin_client, superuser, django_capture_on_commit_callbacks, eager
):
    order = paid_order(api, client, sale)
    first, second, _third = attendees_of(order)
    fields = confirmation_fields(
        review(admin_client, order, what="tickets", attendees=[first.uuid, second.uuid], reason="Ill").content.decode()
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(admin_client, order, fields)

    assert (response.status_code, response["Location"]) == (303, reverse("admin:orders_order_change", args=[order.pk]))
    refund = Refund.objects.get()
    assert (refund.amount, refund.status, refund.reason, refund.created_by) == (
        Decimal("40.00"),
        "succeeded",
        "Ill",
        superuser,
    )
    assert sorted(refund.attendees.values_list("pk", flat=True)) == [first.pk, second.pk]
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("partially_refunded", Decimal("40.00"))
    assert [a.status for a in attendees_of(order)] == ["refunded", "refunded", "valid"]
    assert Ticket.objects.get(pk=sale.general.pk).quantity_sold == 1
    assert len(mail.outbox) == 1
    assert (mail.outbox[0].to, mail.outbox[0].subject) == (
        ["alex@example.com"],
        "Refund of $40.00 issued — Friday Laughs",
    )
    page = admin_client.get(response["Location"]).content.decode()
    assert "Refunded $40.00 of order " + str(order.uuid)[:8].upper() + "; 2 ticket(s) no longer admit." in page


def test_confirming_the_whole_order_refunds_everything_left(api, client, sale, admin_client):
    order = paid_order(api, client, sale, quantity=2)
    reviewed = review(admin_client, order, what="whole")
    assert reviewed.context["preview"].amount == order.total == Decimal("44.73")
    assert "Stay valid (0)" in reviewed.content.decode()

    response = confirm(admin_client, order, confirmation_fields(reviewed.content.decode()))

    assert response.status_code == 303
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("refunded", Decimal("44.73"))
    assert Refund.objects.get().amount == Decimal("44.73")
    assert set(TicketAttendee.objects.values_list("status", flat=True)) == {"refunded"}
    assert Ticket.objects.get(pk=sale.general.pk).quantity_sold == 0


def test_confirming_an_amount_gives_money_back_and_keeps_every_ticket(api, client, sale, admin_client):
    order = paid_order(api, client, sale)
    reviewed = review(admin_client, order, what="amount", amount="5.50", attendees=[attendees_of(order)[0].uuid])
    html = reviewed.content.decode()
    assert "Refund $5.50?" in html
    assert "None: every ticket stays valid." in html
    assert "Stay valid (3)" in html

    response = confirm(admin_client, order, confirmation_fields(html))

    assert response.status_code == 303
    refund = Refund.objects.get()
    assert (refund.amount, refund.attendees.count()) == (Decimal("5.50"), 0)
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("partially_refunded", Decimal("5.50"))
    assert set(TicketAttendee.objects.values_list("status", flat=True)) == {"valid"}
    assert Ticket.objects.get(pk=sale.general.pk).quantity_sold == 3


# --- changing nothing ---------------------------------------------------------------------------------


def test_cancel_goes_back_to_the_order_and_change_keeps_the_choice(api, client, sale, admin_client):
    order = paid_order(api, client, sale)
    first = attendees_of(order)[0]
    html = review(admin_client, order, what="tickets", attendees=[first.uuid], reason="Moved").content.decode()
    change_url = reverse("admin:orders_order_change", args=[order.pk])

    assert re.search(rf'<a href="{change_url}"[^>]*>\s*Cancel\s*</a>', html)
    assert admin_client.get(change_url).status_code == 200
    back = admin_client.post(refund_url(order), {**confirmation_fields(html), "_change": "1"})

    assert back.status_code == 200
    assert back.context["step"] == "choose"
    assert back.context["form"]["what"].value() == "tickets"
    assert back.context["form"]["attendees"].value() == [str(first.uuid)]
    assert "Moved</textarea>" in back.content.decode()
    assert_nothing_refunded(order, sold=3)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("100.00", "At most $66.95 can still be refunded."),
        ("0", "The amount to refund must be more than zero."),
        ("-5", "Ensure this value is greater than or equal to 0."),
        ("ten", "A valid number is required."),
        ("1.001", "Ensure that there are no more than 2 decimal places."),
        ("", "Enter the amount to give back."),
    ],
)
def test_a_bad_amount_is_refused_by_the_field_and_nothing_is_written(api, client, sale, admin_client, amount, message):
    order = paid_order(api, client, sale)
    fields = {"what": "amount", "amount": amount, "reason": "", "seen": "0.00", "shown": "1.00"}

    response = confirm(admin_client, order, fields)

    assert response.status_code == 422
    html = response.content.decode()
    assert error_of(html, "amount") == message
    assert response.context["form"]["amount"].value() == amount  # the input is kept
    if amount:
        assert f'name="amount" value="{amount}"' in html
    assert 'aria-describedby="amount-hint amount-error"' in html
    assert re.search(r"<title>\s*Error: Refund order", html)
    assert_nothing_refunded(order, sold=3)


def test_choosing_tickets_without_ticking_any_is_refused(api, client, sale, admin_client):
    order = paid_order(api, client, sale)

    response = review(admin_client, order, what="tickets")

    assert response.status_code == 422
    assert error_of(response.content.decode(), "attendees") == "Choose the tickets to refund."
    assert_nothing_refunded(order, sold=3)


def test_the_review_refuses_what_the_refund_service_would(api, client, sale, admin_client):
    """The review is the service's own quote: a refund it would refuse is refused before confirming,
    by the field, with the service's message."""
    order = paid_order(api, client, sale)

    too_much = review(admin_client, order, what="amount", amount="66.96")
    tickets_then_too_much = review(
        admin_client, order, what="tickets", attendees=[attendees_of(order)[0].uuid], amount="70"
    )

    assert too_much.status_code == 422
    assert too_much.context["step"] == "choose"
    assert error_of(too_much.content.decode(), "amount") == "At most $66.95 can still be refunded."
    assert tickets_then_too_much.status_code == 200  # the amount field is only for “An amount of money”
    assert tickets_then_too_much.context["preview"].amount == Decimal("20.00")
    assert_nothing_refunded(order, sold=3)


def test_reviewing_an_order_refunded_in_full_says_so(api, client, sale, admin_client):
    order = paid_order(api, client, sale, quantity=2)
    order_refund(order=order)

    response = review(admin_client, order, what="whole")

    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == ["This order has already been refunded in full."]
    assert response.context["preview"] is None
    assert Refund.objects.count() == 1


def test_a_service_refusal_is_shown_at_the_top_with_the_choice_kept(api, client, sale, admin_client):
    order = paid_order(api, client, sale, quantity=2)
    fields = confirmation_fields(review(admin_client, order, what="whole", reason="Twice").content.decode())
    Order.objects.filter(pk=order.pk).update(success=False, status="expired")  # as if never paid

    response = confirm(admin_client, order, fields)

    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == ["This order was never paid, so there is nothing to refund."]
    assert "Twice</textarea>" in response.content.decode()
    assert not Refund.objects.exists()


# --- once only ----------------------------------------------------------------------------------------


def test_a_second_confirmation_does_not_refund_twice(api, client, sale, admin_client):
    """The confirmation carries the refunded amount it was worked out from; the refund service checks
    it under the order's row lock, so the same confirmation sent again finds the order changed."""
    order = paid_order(api, client, sale)
    fields = confirmation_fields(review(admin_client, order, what="amount", amount="5.00").content.decode())

    first = confirm(admin_client, order, fields)
    second = confirm(admin_client, order, fields)

    assert first.status_code == 303
    assert second.status_code == 409
    assert second.context["form"].non_field_errors() == [
        "This order changed while the refund was being reviewed ($5.00 is refunded now). Review it again."
    ]
    assert list(Refund.objects.values_list("amount", flat=True)) == [Decimal("5.00")]
    order.refresh_from_db()
    assert order.refunded_amount == Decimal("5.00")


def test_a_refund_is_made_while_the_cache_is_down(api, client, sale, admin_client, monkeypatch):
    """Redis unavailable serves every cache call as a miss (``add`` answers False): a refund must not
    depend on it."""
    order = paid_order(api, client, sale)
    dead = RedisCache("redis://127.0.0.1:9/0", {"OPTIONS": {"socket_connect_timeout": 0.5}})
    monkeypatch.setattr(caches._connections, "default", dead, raising=False)
    assert caches["default"] is dead
    fields = confirmation_fields(review(admin_client, order, what="amount", amount="5.00").content.decode())

    response = confirm(admin_client, order, fields)

    assert response.status_code == 303, response.context["form"].errors if response.context else ""
    assert list(Refund.objects.values_list("amount", "status")) == [(Decimal("5.00"), "succeeded")]
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("partially_refunded", Decimal("5.00"))


def test_a_confirmation_without_what_the_review_showed_is_refused(api, client, sale, admin_client):
    order = paid_order(api, client, sale)
    fields = confirmation_fields(review(admin_client, order, what="whole").content.decode())

    for missing in ("seen", "shown"):
        response = confirm(admin_client, order, {k: v for k, v in fields.items() if k != missing})

        assert response.status_code == 409
        assert response.context["form"].non_field_errors() == [
            "This order changed while the refund was being reviewed ($0.00 is refunded now). Review it again."
        ]
    assert_nothing_refunded(order, sold=3)


def test_a_confirmation_refunds_only_the_amount_it_showed(api, client, sale, admin_client):
    """The amount the review showed goes back with the confirmation; the service refuses a refund that
    would now be another amount (here: a page altered to show less than the whole order)."""
    order = paid_order(api, client, sale)
    fields = confirmation_fields(review(admin_client, order, what="whole").content.decode())
    assert fields["shown"] == "66.95"

    response = confirm(admin_client, order, {**fields, "shown": "20.00"})

    assert response.status_code == 409
    assert "Review it again." in response.context["form"].non_field_errors()[0]
    assert_nothing_refunded(order, sold=3)


def test_a_confirmation_reviewed_before_another_refund_is_refused(api, client, sale, admin_client):
    order = paid_order(api, client, sale)
    stale = confirmation_fields(review(admin_client, order, what="amount", amount="5.00").content.decode())
    other = confirmation_fields(review(admin_client, order, what="amount", amount="7.00").content.decode())
    assert confirm(admin_client, order, other).status_code == 303

    response = confirm(admin_client, order, stale)

    assert response.status_code == 409
    assert response.context["form"].non_field_errors() == [
        "This order changed while the refund was being reviewed ($7.00 is refunded now). Review it again."
    ]
    assert list(Refund.objects.values_list("amount", flat=True)) == [Decimal("7.00")]


# --- who may ------------------------------------------------------------------------------------------


def staff_with(*codenames):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="orders", codename__in=codenames))
    return user


def test_refunding_needs_the_change_order_permission(api, client, sale):
    from django.test import Client

    order = paid_order(api, client, sale)
    viewer, changer = Client(), Client()
    viewer.force_login(staff_with("view_order"))
    changer.force_login(staff_with("view_order", "change_order"))

    change_page = viewer.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert change_page.status_code == 200
    assert refund_url(order) not in change_page.content.decode()
    assert viewer.get(refund_url(order)).status_code == 403
    assert (
        viewer.post(refund_url(order), {"what": "whole", "_confirm": "1", "seen": "0.00", "shown": "66.95"}).status_code
        == 403
    )
    assert changer.get(refund_url(order)).status_code == 200
    assert not Refund.objects.exists()


# --- several orders at once ---------------------------------------------------------------------------


def test_several_orders_are_refunded_in_full_only_after_confirming(api, client, sale, admin_client):
    paid = paid_order(api, client, sale, quantity=2)
    pending = Order.objects.get(uuid=api.post(CHECKOUT, cart(sale), format="json").json()["order"])
    selected = {"action": "refund_selected", "_selected_action": [paid.pk, pending.pk]}
    changelist = reverse("admin:orders_order_changelist")

    asked = admin_client.post(changelist, selected)

    assert asked.status_code == 200
    html = asked.content.decode()
    assert "Refund these orders in full?" in html
    assert "<td>$44.73</td>" in html
    assert "<td>$44.73; 2 tickets stop admitting</td>" in html
    assert "<td>Not refunded: This order was never paid, so there is nothing to refund.</td>" in html
    confirmation = bulk_confirmation_fields(html)
    assert (confirmation[f"seen-{paid.pk}"], confirmation[f"seen-{pending.pk}"]) == ("0.00", "0.00")
    assert not Refund.objects.exists()

    too_long = admin_client.post(changelist, {**confirmation, "reason": "x" * 256})
    assert too_long.status_code == 422
    assert "Ensure this field has no more than 255 characters." in too_long.content.decode()
    assert not Refund.objects.exists()

    done = admin_client.post(changelist, {**confirmation, "reason": "Show cancelled"}, follow=True)

    text = done.content.decode()
    assert "Refunded 1 order(s) in full." in text
    assert f"{str(pending.uuid)[:8].upper()}: This order was never paid, so there is nothing to refund." in text
    paid.refresh_from_db()
    assert (paid.status, paid.refunded_amount) == ("refunded", Decimal("44.73"))
    assert Refund.objects.get().reason == "Show cancelled"
    assert Order.objects.get(pk=pending.pk).status == "pending"


def bulk_confirmation_fields(html: str) -> dict:
    """The bulk confirmation form's hidden inputs, as a browser sends them back."""
    form = html[html.index("data-refund-confirm") :]
    fields: dict = {}
    for name, value in re.findall(r'<input type="hidden" name="([\w-]+)" value="([^"]*)">', form):
        fields.setdefault(name, []).append(value)
    return {name: values if name == "_selected_action" else values[0] for name, values in fields.items()}


def test_several_orders_skip_one_that_changed_after_the_confirmation_was_shown(api, client, sale, admin_client):
    changed, unchanged = paid_order(api, client, sale, quantity=2), paid_order(api, client, sale, quantity=3)
    changelist = reverse("admin:orders_order_changelist")
    asked = admin_client.post(changelist, {"action": "refund_selected", "_selected_action": [changed.pk, unchanged.pk]})
    confirmation = bulk_confirmation_fields(asked.content.decode())
    assert confirmation["_selected_action"] == [str(changed.pk), str(unchanged.pk)]
    order_refund(order=changed, amount=Decimal("5.00"))  # someone else, meanwhile

    done = admin_client.post(changelist, {**confirmation, "reason": "Show cancelled"}, follow=True)

    text = done.content.decode()
    assert "Refunded 1 order(s) in full." in text
    assert (
        f"{str(changed.uuid)[:8].upper()}: not refunded, because it changed while the refunds were being "
        "reviewed ($5.00 is refunded now). Select it again to review it."
    ) in text
    changed.refresh_from_db()
    unchanged.refresh_from_db()
    assert (changed.status, changed.refunded_amount) == ("partially_refunded", Decimal("5.00"))
    assert (unchanged.status, unchanged.refunded_amount) == ("refunded", Decimal("66.95"))
    assert sorted(Refund.objects.values_list("order_id", "amount")) == sorted(
        [(changed.pk, Decimal("5.00")), (unchanged.pk, Decimal("66.95"))]
    )


def test_several_orders_sent_without_the_confirmation_page_refund_nothing(api, client, sale, admin_client):
    first, second = paid_order(api, client, sale, quantity=2), paid_order(api, client, sale, quantity=2)
    selected = {"action": "refund_selected", "_selected_action": [first.pk, second.pk], "post": "yes"}

    done = admin_client.post(reverse("admin:orders_order_changelist"), selected, follow=True)

    text = done.content.decode()
    assert "order(s) in full." not in text
    for order in (first, second):
        assert (
            f"{str(order.uuid)[:8].upper()}: not refunded, because it changed while the refunds were being "
            "reviewed ($0.00 is refunded now). Select it again to review it."
        ) in text
    assert not Refund.objects.exists()
