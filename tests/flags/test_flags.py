"""The feature flag model: waffle's checks plus "on for these producers", and the admin page."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.test import RequestFactory
from django.urls import reverse
from waffle import flag_is_active

from piquetickets.flags.models import Flag
from piquetickets.portal.flags import ANALYTICS, analytics_visible, flag_on
from tests.factories import ProducerFactory, UserFactory

pytestmark = pytest.mark.django_db


def portal_request(user=None, producer=None):
    request = RequestFactory().get("/dashboard/")
    request.user = user or AnonymousUser()
    if producer is not None:
        request.producer = producer
    return request


def test_an_unknown_flag_is_off():
    assert flag_on(portal_request(UserFactory()), "no_such_flag") is False


def test_everyone_decides_alone(django_capture_on_commit_callbacks):
    producer = ProducerFactory()
    flag = Flag.objects.create(name=ANALYTICS, everyone=False)
    flag.producers.add(producer)
    assert analytics_visible(portal_request(UserFactory(), producer)) is False
    flag.everyone = True
    with django_capture_on_commit_callbacks(execute=True):  # waffle forgets the cached flag on commit
        flag.save()
    assert analytics_visible(portal_request(UserFactory())) is True


def test_on_for_the_producer_acted_for_only():
    ours, theirs = ProducerFactory(), ProducerFactory()
    user = UserFactory()
    flag = Flag.objects.create(name=ANALYTICS, superusers=False)
    assert flag_on(portal_request(user, ours), ANALYTICS) is False  # cached as "no producers"

    flag.producers.add(ours)  # forgets the cached producers
    assert flag_on(portal_request(user, ours), ANALYTICS) is True
    assert flag_on(portal_request(user, theirs), ANALYTICS) is False
    assert flag_on(portal_request(user), ANALYTICS) is False  # outside the portal: no producer

    flag.producers.remove(ours)
    assert flag_on(portal_request(user, ours), ANALYTICS) is False


def test_producers_changed_from_the_producers_side_forget_the_cache():
    producer = ProducerFactory()
    Flag.objects.create(name=ANALYTICS)
    assert flag_on(portal_request(UserFactory(), producer), ANALYTICS) is False
    producer.feature_flags.add(Flag.objects.get())
    assert flag_on(portal_request(UserFactory(), producer), ANALYTICS) is True
    producer.feature_flags.clear()
    assert flag_on(portal_request(UserFactory(), producer), ANALYTICS) is False


def test_per_user_and_per_group():
    chosen, member, other = UserFactory(), UserFactory(), UserFactory()
    group = Group.objects.create(name="Beta")
    member.groups.add(group)
    flag = Flag.objects.create(name=ANALYTICS)
    flag.users.add(chosen)
    flag.groups.add(group)
    assert flag_on(portal_request(chosen), ANALYTICS) is True
    assert flag_on(portal_request(member), ANALYTICS) is True
    assert flag_on(portal_request(other), ANALYTICS) is False


def test_by_percentage_keeps_the_draw_in_a_cookie(client):
    Flag.objects.create(name=ANALYTICS, percent=Decimal("99.9"))
    request = portal_request(UserFactory())
    # A draw above 99.9 is possible but not in practice; the request remembers it for the response.
    assert flag_is_active(request, ANALYTICS) is True
    assert request.waffles[ANALYTICS] == [True, False]
    fresh = portal_request(UserFactory())
    fresh.COOKIES["dwf_portal_analytics"] = "False"
    assert flag_on(fresh, ANALYTICS) is False  # the browser's earlier draw wins


def test_the_admin_lists_and_edits_flags(admin_client):
    producer = ProducerFactory(name="Laugh Track")
    flag = Flag.objects.create(name=ANALYTICS, note="The Analytics page")
    html = admin_client.get(reverse("admin:flags_flag_changelist")).content.decode()
    assert ANALYTICS in html
    response = admin_client.post(
        reverse("admin:flags_flag_change", args=[flag.pk]),
        {
            "name": ANALYTICS,
            "note": "The Analytics page",
            "everyone": "",
            "producers": [producer.pk],
            "superusers": "on",
        },
    )
    assert response.status_code == 302
    assert list(flag.producers.all()) == [producer]
    assert flag_on(portal_request(UserFactory(), producer), ANALYTICS) is True


def test_the_admin_turns_a_flag_on_for_everyone(admin_client, django_capture_on_commit_callbacks):
    flag = Flag.objects.create(name=ANALYTICS)
    assert flag_on(portal_request(UserFactory()), ANALYTICS) is False
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:flags_flag_changelist"), {"action": "enable_for_all", "_selected_action": [flag.pk]}
        )
    flag.refresh_from_db()
    assert flag.everyone is True
    assert flag_on(portal_request(UserFactory()), ANALYTICS) is True


def test_waffles_own_flag_tables_are_gone():
    """Their foreign keys to users and groups would stop PostgreSQL emptying those tables (flush)."""
    from django.db import connection

    tables = set(connection.introspection.table_names())
    assert "flags_flag" in tables
    assert {"waffle_flag", "waffle_flag_users", "waffle_flag_groups"} & tables == set()
