"""Helpers for the admin refund tests: a paid order, and the refund page's review and confirm steps."""

import re

from django.urls import reverse

from piquetickets.orders.models import Order, TicketAttendee
from tests.selling import cart

CHECKOUT = "/api/v1/checkout/create-session/"


def paid_order(api, client, sale, quantity=3) -> Order:
    body = cart(sale, {"ticket": sale.general.pk, "quantity": quantity})
    order = Order.objects.get(uuid=api.post(CHECKOUT, body, format="json").json()["order"])
    client.post(f"/pay/test/{order.public_token}/", {"decision": "approve"})
    order.refresh_from_db()
    assert order.success
    return order


def refund_url(order) -> str:
    return reverse("admin:orders_order_refund_order", args=[order.pk])


def attendees_of(order) -> list[TicketAttendee]:
    return list(TicketAttendee.objects.filter(ticket_order__order=order).order_by("ticket_order_id", "pk"))


def review(admin_client, order, **data):
    return admin_client.post(refund_url(order), {"what": "whole", "reason": "", **data, "_review": "1"})


def confirmation_fields(html: str) -> dict:
    """The hidden inputs of the confirmation form, as a browser would send them back."""
    form = html[html.index("data-refund-confirm") :]
    fields: dict = {}
    for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form):
        fields.setdefault(name, []).append(value)
    return {name: values if name == "attendees" else values[0] for name, values in fields.items()}


def confirm(admin_client, order, fields: dict):
    return admin_client.post(refund_url(order), {**fields, "_confirm": "1"})


def error_of(html: str, field: str) -> str:
    match = re.search(rf'<div id="{field}-error">(.*?)</div>\s*</div>', html, re.S)
    assert match, f"no error shown for {field}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())
