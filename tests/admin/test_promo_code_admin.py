"""A promo code's ticket types are ticked from its own show's in the admin."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from piquetickets.shows.models import Ticket, TicketPromoCode
from tests.factories import PromoCodeFactory, ShowFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def promo():
    show = ShowFactory(title="Friday Laughs")
    TicketFactory(show=show, name="General admission", price=Decimal("20.00"), sort_order=1)
    TicketFactory(show=show, name="Front row", price=Decimal("35.00"), sort_order=0)
    TicketFactory(show=ShowFactory(title="Elsewhere"), name="Elsewhere seat")
    return PromoCodeFactory(show=show, code="LAUGH10")


def promo_form(promo, **overrides) -> dict:
    data = {
        "show": promo.show_id,
        "code": promo.code,
        "discount_type": "percent",
        "discount": "10",
        "max_uses": "",
        "valid_from_0": "",
        "valid_from_1": "",
        "valid_until_0": "",
        "valid_until_1": "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def checkbox_labels(html: str) -> list[str]:
    boxes = re.findall(r'<input type="checkbox" name="tickets"[^>]*>\s*<span class="truncate">\s*(.*?)\s*</span>', html)
    return [" ".join(label.split()) for label in boxes]


def test_the_change_page_ticks_from_the_shows_own_ticket_types(admin_client, promo):
    response = admin_client.get(reverse("admin:shows_ticketpromocode_change", args=[promo.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert checkbox_labels(html) == ["Front row · $35.00", "General admission · $20.00"]
    assert "Elsewhere seat" not in html
    assert "selectfilter" not in html.lower()  # no two-box chooser listing every show's tickets
    assert "Tick the ticket types the code applies to; none ticked: every ticket type of the show." in html


def test_ticking_ticket_types_saves_them(admin_client, promo):
    front_row = promo.show.tickets.get(name="Front row")
    url = reverse("admin:shows_ticketpromocode_change", args=[promo.pk])

    response = admin_client.post(url, promo_form(promo, tickets=[front_row.pk]))

    assert response.status_code == 302
    assert list(promo.tickets.all()) == [front_row]


def test_another_shows_ticket_type_is_refused_and_nothing_changes(admin_client, promo):
    elsewhere = Ticket.objects.get(name="Elsewhere seat")
    url = reverse("admin:shows_ticketpromocode_change", args=[promo.pk])

    response = admin_client.post(url, promo_form(promo, tickets=[elsewhere.pk], discount="15"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["tickets"]
    assert errors["tickets"] == [f"Select a valid choice. {elsewhere.pk} is not one of the available choices."]
    promo.refresh_from_db()
    assert (promo.discount, promo.tickets.count()) == (Decimal("10.00"), 0)


def test_the_add_form_lists_ticket_types_once_the_show_is_known(admin_client, promo):
    blank = admin_client.get(reverse("admin:shows_ticketpromocode_add")).content.decode()
    for_show = admin_client.get(reverse("admin:shows_ticketpromocode_add") + f"?show={promo.show_id}").content.decode()

    assert checkbox_labels(blank) == []
    assert "Choose the show and save; its ticket types are then listed here. None ticked: all of them." in blank
    assert checkbox_labels(for_show) == ["Front row · $35.00", "General admission · $20.00"]


def test_a_new_code_is_saved_with_its_shows_ticket_types(admin_client, promo):
    general = promo.show.tickets.get(name="General admission")
    data = promo_form(promo, code="NEW5", tickets=[general.pk])

    assert admin_client.post(reverse("admin:shows_ticketpromocode_add"), data).status_code == 302

    assert list(TicketPromoCode.objects.get(code="NEW5").tickets.all()) == [general]


def test_the_show_page_opens_a_door_link_form_for_the_show(admin_client, promo):
    show = promo.show
    change = admin_client.get(reverse("admin:shows_show_change", args=[show.pk])).content.decode()
    action = reverse("admin:shows_show_add_door_link", args=[show.pk])

    response = admin_client.get(action)

    assert f'href="{action}"' in change
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("admin:checkin_checkinsession_add") + f"?show={show.pk}",
    )


def test_only_staff_who_may_add_door_links_get_the_button(client, promo):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_show", "change_show"]))
    client.force_login(user)
    action = reverse("admin:shows_show_add_door_link", args=[promo.show_id])

    change = client.get(reverse("admin:shows_show_change", args=[promo.show_id]))

    assert change.status_code == 200
    assert action not in change.content.decode()
    assert client.get(action).status_code == 403
