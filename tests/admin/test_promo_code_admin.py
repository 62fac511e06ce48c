"""A promo code's ticket types are ticked from its own show's in the admin, also when the code is added:
the show is chosen first, then the code with that show's ticket types."""

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
    assert (
        "Tick the ticket types the code applies to. None ticked: it applies to every ticket type of the show, "
        "also ones added later." in html
    )


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


ADD = "admin:shows_ticketpromocode_add"


def add_url(show=None) -> str:
    return reverse(ADD) + (f"?show={show.pk}" if show else "")


def test_adding_a_code_asks_for_the_show_first(admin_client, promo):
    response = admin_client.get(add_url())

    assert response.status_code == 200
    assert list(response.context["adminform"].form.fields) == ["show"]
    html = response.content.decode()
    assert checkbox_labels(html) == []
    assert 'name="code"' not in html
    assert (
        "Choose the show first: the next step lists its ticket types, so that the code can be limited to some." in html
    )
    assert re.search(r'<button[^>]*name="_choose_show"[^>]*>\s*Continue\s*</button>', html)
    assert 'name="_save"' not in html


def test_choosing_the_show_continues_to_its_ticket_types_and_saves_nothing(admin_client, promo):
    response = admin_client.post(add_url(), {"show": promo.show_id, "_choose_show": "1"})

    assert (response.status_code, response["Location"]) == (303, add_url(promo.show))
    assert TicketPromoCode.objects.count() == 1
    page = admin_client.get(response["Location"])
    form = page.context["adminform"].form
    assert "code" in form.fields
    assert (form.fields["show"].disabled, str(form["show"].value())) == (True, str(promo.show_id))
    assert checkbox_labels(page.content.decode()) == ["Front row · $35.00", "General admission · $20.00"]


def test_continuing_without_a_show_says_so(admin_client, promo):
    response = admin_client.post(add_url(), {"show": "", "_choose_show": "1"})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"show": ["This field is required."]}
    assert TicketPromoCode.objects.count() == 1


def test_a_code_sent_before_its_ticket_types_were_offered_is_not_saved(admin_client, promo):
    """A whole code posted to the first step (no ``?show=``) only moves on to the ticket types: it is
    not saved valid for every ticket type."""
    response = admin_client.post(add_url(), promo_form(promo, code="ALL20"))

    assert (response.status_code, response["Location"]) == (303, add_url(promo.show))
    assert not TicketPromoCode.objects.filter(code="ALL20").exists()


def test_a_new_code_is_saved_with_its_shows_ticket_types(admin_client, promo):
    general = promo.show.tickets.get(name="General admission")
    data = promo_form(promo, code="NEW5", tickets=[general.pk])

    response = admin_client.post(add_url(promo.show), data)

    assert (response.status_code, response["Location"]) == (302, reverse("admin:shows_ticketpromocode_changelist"))
    new = TicketPromoCode.objects.get(code="NEW5")
    assert (new.show, list(new.tickets.all())) == (promo.show, [general])


def test_the_second_step_keeps_its_show_whatever_is_sent(admin_client, promo):
    elsewhere = Ticket.objects.get(name="Elsewhere seat")
    front_row = promo.show.tickets.get(name="Front row")

    response = admin_client.post(
        add_url(promo.show), promo_form(promo, code="NEW5", show=elsewhere.show_id, tickets=[front_row.pk])
    )

    assert response.status_code == 302
    new = TicketPromoCode.objects.get(code="NEW5")
    assert (new.show, list(new.tickets.all())) == (promo.show, [front_row])


def test_another_code_for_the_same_show(admin_client, promo):
    """“Save and add another” comes back to the second step (the admin keeps the query)."""
    response = admin_client.post(add_url(promo.show), {**promo_form(promo, code="NEW5"), "_addanother": "1"})

    assert (response.status_code, response["Location"]) == (302, add_url(promo.show))


def test_a_show_without_ticket_types_says_what_the_code_will_apply_to(admin_client):
    show = ShowFactory(title="Not on sale yet")

    html = admin_client.get(add_url(show)).content.decode()

    assert checkbox_labels(html) == []
    assert (
        "This show has no ticket types yet, so the code will apply to every ticket type it gets. "
        "To limit the code to some, add the ticket types first." in html
    )


def test_the_show_page_lists_its_codes_with_their_ticket_types_and_adds_codes_on_their_own_page(admin_client, promo):
    front_row = promo.show.tickets.get(name="Front row")
    PromoCodeFactory(show=promo.show, code="FRONT").tickets.set([front_row])
    action = reverse("admin:shows_show_add_promo_code", args=[promo.show_id])

    page = admin_client.get(reverse("admin:shows_show_change", args=[promo.show_id]))
    response = admin_client.get(action)

    html = page.content.decode()
    assert f'href="{action}"' in html
    formset = next(f for f in page.context["inline_admin_formsets"] if f.formset.prefix == "promo_codes")
    assert formset.has_add_permission is False
    assert [(form.original.code, form.original.tickets.count()) for form in formset] == [("LAUGH10", 0), ("FRONT", 1)]
    cells = re.findall(r'data-label="Ticket types">.*?<div class="readonly[^"]*">(.*?)</div>', html, re.S)
    assert cells == ["All", "Front row"]
    assert (response.status_code, response["Location"]) == (302, add_url(promo.show))


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
