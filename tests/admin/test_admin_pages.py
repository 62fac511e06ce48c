"""Every model is in the admin, and its list, add form and change form render for a superuser."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from piquetickets.accounts.models import ApiToken, User
from piquetickets.accounts.services import api_token_create
from piquetickets.checkin.models import CheckInScan
from piquetickets.core.demo import seed_demo
from piquetickets.emails.models import EmailTracking
from piquetickets.orders.models import MetaPurchase, Order, Refund, TicketAttendee
from piquetickets.payments.models import WebhookEvent
from piquetickets.producers.models import OnboardingSession, ProducerInterest
from piquetickets.shows import services
from piquetickets.shows.models import Show
from piquetickets.subscribers.models import Subscriber, SubscriberDemographics, SubscriberMetaData
from tests.factories import CheckInSessionFactory, HoldFactory

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda m: m._meta.label)
OUR_APPS = {
    "accounts", "producers", "venues", "performers", "shows", "orders", "payments", "checkin",
    "subscribers", "emails", "knowledge",
}  # fmt: skip


@pytest.fixture(scope="module")
def full_platform(django_db_setup, django_db_blocker, tmp_path_factory):
    """Demo data plus one row of every model the demo does not make, built once for the module.

    Each test still runs in its own rolled-back transaction; the rows are flushed afterwards.
    """
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")), django_db_blocker.unblock():
        _build_platform()
        yield
        call_command("flush", interactive=False, verbosity=0)


def _build_platform():
    seed_demo()
    Group.objects.create(name="Support")
    order = Order.objects.filter(success=True).first()
    attendee = TicketAttendee.objects.filter(ticket_order__order=order).first()
    session = CheckInSessionFactory(show=order.show)
    CheckInScan.objects.create(session=session, attendee=attendee, code=str(attendee.uuid), result="checked_in")
    HoldFactory(order=order, ticket=attendee.ticket_order.ticket, quantity=1)
    Refund.objects.create(order=order, amount=Decimal("1.00"), reason="Demo")
    MetaPurchase.objects.create(order=order, status="sent", sent_at=timezone.now())
    WebhookEvent.objects.create(event_id="evt_1", type="checkout.session.completed", payload={"id": "evt_1"})
    EmailTracking.objects.create(recipient="a@example.com", subject="Your tickets", from_email="t@example.com")
    subscriber = Subscriber.objects.first()
    SubscriberMetaData.objects.create(subscriber=subscriber, ip_address="203.0.113.9")
    SubscriberDemographics.objects.create(subscriber=subscriber, location="Chicago")
    OnboardingSession.objects.create(
        token="tok", email="new@example.com", expires_at=timezone.now() + timedelta(days=2)
    )
    ProducerInterest.objects.create(name="Lee", email="lee@example.com")
    owner = User.objects.get(username="laughs")
    api_token_create(user=owner, producer=owner.producers.get(), name="Website")
    # The portal's accounts (django-allauth registers these in the admin).
    EmailAddress.objects.get_or_create(user=owner, email=owner.email, defaults={"verified": True, "primary": True})
    Authenticator.objects.create(user=owner, type=Authenticator.Type.RECOVERY_CODES, data={"used_mask": 0})
    every_minute = IntervalSchedule.objects.create(every=1, period="minutes")
    PeriodicTask.objects.create(name="release holds", task="orders.release_expired_holds", interval=every_minute)
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    CrontabSchedule.objects.create(minute="0", hour="4")
    SolarSchedule.objects.create(event="sunset", latitude=41.88, longitude=-87.63)


def test_every_model_of_ours_is_registered():
    from django.apps import apps

    ours = {m for m in apps.get_models() if m._meta.app_label in OUR_APPS}
    assert ours - set(admin.site._registry) == set()


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_changelist_renders(admin_client, full_platform, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = admin_client.get(url)
    assert response.status_code == 200
    assert model._meta.verbose_name_plural.lower() in response.content.decode().lower()


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_add_form_renders_or_is_refused_on_purpose(admin_client, full_platform, model, rf, superuser):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    request = rf.get(url)
    request.user = superuser
    can_add = admin.site._registry[model].has_add_permission(request)
    response = admin_client.get(url)
    assert response.status_code == (200 if can_add else 403)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_change_form_renders(admin_client, full_platform, model):
    instance = model._base_manager.first()
    assert instance is not None, f"no {model._meta.label} row to open"
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[instance.pk])
    assert admin_client.get(url).status_code == 200


def test_order_page_shows_money_read_only_and_its_attendees(admin_client, full_platform):
    order = Order.objects.filter(success=True).first()
    response = admin_client.get(reverse("admin:orders_order_change", args=[order.pk]))
    html = response.content.decode()
    assert 'name="total"' not in html
    assert 'name="platform_fees"' not in html
    assert 'name="first_name"' in html  # buyer details can be corrected
    for attendee in TicketAttendee.objects.filter(ticket_order__order=order):
        assert str(attendee.uuid) in html
    assert admin_client.post(reverse("admin:orders_order_delete", args=[order.pk]), {"post": "yes"}).status_code == 403
    assert Order.objects.filter(pk=order.pk).exists()


def test_admin_lists_soft_deleted_shows_and_can_restore_them(admin_client, full_platform):
    show = Show.objects.get(title="Winter Folk Night")
    services.show_soft_delete(show=show)
    url = reverse("admin:shows_show_changelist")
    assert "Winter Folk Night" in admin_client.get(url + "?deleted=yes").content.decode()
    assert "Winter Folk Night" not in admin_client.get(url + "?deleted=no").content.decode()
    assert admin_client.get(reverse("admin:shows_show_change", args=[show.pk])).status_code == 200

    response = admin_client.post(url, {"action": "restore", "_selected_action": [show.pk]}, follow=True)
    assert response.status_code == 200
    show.refresh_from_db()
    assert show.is_deleted is False
    assert show.published is False


def test_admin_soft_delete_action_hides_the_show(admin_client, full_platform):
    show = Show.objects.get(title="Jazz on the River")
    admin_client.post(reverse("admin:shows_show_changelist"), {"action": "soft_delete", "_selected_action": [show.pk]})
    assert not Show.objects.filter(pk=show.pk).exists()
    assert Show.all_objects.get(pk=show.pk).is_deleted


def test_show_list_shows_local_time_and_sales(admin_client, full_platform):
    html = admin_client.get(reverse("admin:shows_show_changelist") + "?q=Late+Late").content.decode()
    assert "47 / 50" in html
    assert "CST" in html or "CDT" in html


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get(reverse("admin:orders_order_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_without_permissions_cannot_see_orders(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("admin:orders_order_changelist")).status_code == 403


def test_staff_can_revoke_api_keys(admin_client, full_platform):
    token = ApiToken.objects.get()
    admin_client.post(
        reverse("admin:accounts_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


def tag_named(html: str, name: str) -> str:
    """The ``<input>`` or ``<select>`` tag of the field ``name``."""
    return re.search(rf'<(?:input|select)\b[^>]*\bname="{re.escape(name)}"[^>]*>', html).group(0)


def test_the_show_forms_inline_inputs_are_named_by_column_and_row(admin_client, full_platform):
    show = Show.objects.filter(tickets__isnull=False, promo_codes__isnull=False).distinct().first()
    html = admin_client.get(reverse("admin:shows_show_change", args=[show.pk])).content.decode()

    assert 'aria-label="Name (ticket type 1)"' in tag_named(html, "tickets-0-name")
    assert 'aria-label="Is active (ticket type 1)"' in tag_named(html, "tickets-0-is_active")
    assert 'aria-label="Delete (ticket type 1)"' in tag_named(html, "tickets-0-DELETE")
    assert 'aria-label="Discount type (promo code 1)"' in tag_named(html, "promo_codes-0-discount_type")
    assert 'aria-label="Name (new ticket type)"' in tag_named(html, "tickets-__prefix__-name")  # "Add another"


def test_the_show_forms_performers_box_has_no_remove_all_control(admin_client, full_platform):
    show = Show.objects.first()
    html = admin_client.get(reverse("admin:shows_show_change", args=[show.pk])).content.decode()

    performers = re.search(r'<select name="performers"[^>]*>', html).group(0)
    assert 'data-allow-clear="false"' in performers
    assert '<script src="/static/orders/admin/select2-labels.js" type="module"></script>' in html
