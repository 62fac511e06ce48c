"""The one scoping mechanism of the portal: who gets in, which producer they act for, and 404 for the rest."""

import pytest
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.views import View

from piquetickets.api.access import producer_scope
from piquetickets.portal.access import SESSION_KEY, ProducerRequiredMixin, producer_object_or_404, producer_required
from piquetickets.producers.models import OnboardingSession, UserProducerAssociation
from tests.factories import MembershipFactory, ProducerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_signed_out_people_are_sent_to_the_portals_sign_in_and_back(client):
    response = client.get("/dashboard/team/?x=1")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/dashboard/team/%3Fx%3D1"


def test_a_user_of_no_producer_is_told_how_to_join(client):
    client.force_login(UserFactory(email="solo@example.com"))

    response = client.get("/dashboard/")

    assert response.status_code == 403
    assert "Your account isn't part of a producer yet" in response.content.decode()
    assert "solo@example.com" in response.content.decode()


def test_portal_pages_are_never_cached(owner_client):
    response = owner_client.get("/dashboard/")

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_member_of_several_producers_works_on_the_first_by_name_then_switches(client):
    user = UserFactory()
    zebra = MembershipFactory(user=user, producer__name="Zebra Comedy", role="manager").producer
    MembershipFactory(user=user, producer__name="Apple Music", role="owner")
    client.force_login(user)

    assert "Apple Music: what's selling" in client.get("/dashboard/").content.decode()

    response = client.post("/dashboard/producers/switch/", {"producer": zebra.pk, "next": "/dashboard/team/"})

    assert response.status_code == 303
    assert response["Location"] == "/dashboard/team/"
    assert client.session[SESSION_KEY] == zebra.pk
    page = client.get("/dashboard/").content.decode()
    assert "Zebra Comedy: what's selling" in page
    assert "Switch producer" in page


def test_switching_to_a_producer_one_is_not_a_member_of_is_404_and_changes_nothing(owner_client, producer):
    stranger = ProducerFactory(name="Not yours")

    response = owner_client.post("/dashboard/producers/switch/", {"producer": stranger.pk})

    assert response.status_code == 404
    assert SESSION_KEY not in owner_client.session
    assert "Laugh Track: what's selling" in owner_client.get("/dashboard/").content.decode()


@pytest.mark.parametrize("value", ["", "abc", "99999999"])
def test_switching_to_nothing_or_no_producer_is_404(owner_client, value):
    assert owner_client.post("/dashboard/producers/switch/", {"producer": value}).status_code == 404


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/dashboard/", "/shows/", "/dashboard\\x"])
def test_the_switcher_only_returns_to_portal_pages(client, target):
    user = UserFactory()
    producer = MembershipFactory(user=user).producer
    client.force_login(user)

    response = client.post("/dashboard/producers/switch/", {"producer": producer.pk, "next": target})

    assert response["Location"] == "/dashboard/"


def test_a_session_pointing_at_a_producer_one_has_left_falls_back_to_another(client):
    user = UserFactory()
    left = MembershipFactory(user=user, producer__name="Left")
    MembershipFactory(user=user, producer__name="Stayed")
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = left.producer_id
    session.save()
    left.delete()

    assert "Stayed: what's selling" in client.get("/dashboard/").content.decode()


def test_staff_choose_a_producer_first_then_act_for_it(client):
    staff = UserFactory(is_staff=True)
    producer = ProducerFactory(name="Any Producer")
    ProducerFactory(name="Another")
    client.force_login(staff)

    response = client.get("/dashboard/team/")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/producers/?next=%2Fdashboard%2Fteam%2F"
    chooser = client.get("/dashboard/producers/?q=any").content.decode()
    assert "Any Producer" in chooser
    assert "Another" not in chooser

    response = client.post("/dashboard/producers/switch/", {"producer": producer.pk, "next": "/dashboard/team/"})
    assert response.status_code == 303
    page = client.get("/dashboard/team/")
    assert page.status_code == 200
    assert "Invite someone" in page.content.decode()  # staff manage any producer's team


def test_the_chooser_refuses_a_user_of_no_producer(client):
    client.force_login(UserFactory())

    assert client.get("/dashboard/producers/").status_code == 403


def test_managers_get_403_on_owners_pages_and_see_why(client, manager):
    client.force_login(manager)

    response = client.post("/dashboard/team/invite/", {"email": "a@example.com"})

    assert response.status_code == 403
    assert "Only owners can do that" in response.content.decode()
    assert not OnboardingSession.objects.exists()


def test_the_decorator_and_the_mixin_set_the_producer_and_the_role(rf: RequestFactory, manager, producer):
    from django.contrib.sessions.backends.db import SessionStore

    seen = {}

    @producer_required
    def page(request):
        seen["function"] = (request.producer, request.producer_role, request.portal.can_manage_team)
        return HttpResponse("ok")

    class Page(ProducerRequiredMixin, View):
        def get(self, request):
            seen["class"] = (request.producer, request.producer_role, request.portal.scope.ids)
            return HttpResponse("ok")

    class OwnersPage(Page):
        owner_only = True

    for view in (page, Page.as_view(), OwnersPage.as_view()):
        request = rf.get("/dashboard/x/")
        request.user = manager
        request.session = SessionStore()
        seen["status"] = view(request).status_code

    assert seen["function"] == (producer, "manager", False)
    assert seen["class"] == (producer, "manager", frozenset({producer.pk}))
    assert seen["status"] == 403  # the owners' page, last


def test_objects_are_looked_up_through_the_current_producer(rf, owner, producer):
    mine = UserProducerAssociation.objects.get(user=owner)
    theirs = MembershipFactory()
    request = rf.get("/")
    request.producer = producer

    assert producer_object_or_404(request, UserProducerAssociation, pk=mine.pk) == mine
    with pytest.raises(Http404):
        producer_object_or_404(request, UserProducerAssociation, pk=theirs.pk)
    with pytest.raises(Http404):
        producer_object_or_404(request, UserProducerAssociation.objects.all(), pk=123456)


def test_the_apis_scope_rule_reads_a_plain_django_request_too(rf, owner, producer):
    request = rf.get("/")
    request.user = owner

    scope = producer_scope(request)

    assert scope.ids == frozenset({producer.pk})
    assert not scope.everything
