"""Who may use a portal page, and for which producer: the one mechanism every portal page goes through.

A portal page needs a signed-in user who is a member of at least one producer
(``UserProducerAssociation``) or platform staff, who may act for any producer. The rule is the API's
(:func:`piquetickets.api.access.producer_scope`); this module adds the *current* producer: the one
chosen with the switcher and remembered in the session, else the user's first. A page then sees

- ``request.producer``: the current :class:`~piquetickets.producers.models.Producer`;
- ``request.producer_role``: ``"owner"``, ``"manager"``, or ``"staff"`` (staff acting for a producer
  they are not a member of);
- ``request.portal``: the :class:`Portal` with the rest (memberships for the switcher, whether the
  user may manage the team, a :class:`~piquetickets.api.access.ProducerScope` of the current producer
  for the selectors that take one).

Objects are looked up through the current producer (:func:`producer_object_or_404`), so what belongs
to another producer answers 404, never 403: the page does not even say that it exists. Pages only
owners may use (the team's management) answer 403 to a manager, who can see that the page exists.

Use :func:`producer_required` on a function view, :class:`ProducerRequiredMixin` on a class-based one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from piquetickets.api.access import ProducerScope, producer_scope, producer_scope_of_members
from piquetickets.producers.models import Producer, UserProducerAssociation
from piquetickets.producers.selectors import producer_memberships

SESSION_KEY = "portal_producer_id"
OWNER = UserProducerAssociation.Role.OWNER.value
MANAGER = UserProducerAssociation.Role.MANAGER.value
STAFF = "staff"


@dataclass(frozen=True)
class Portal:
    """The producer a portal request acts for, and who is acting."""

    producer: Producer
    role: str  # OWNER, MANAGER or STAFF (platform staff who are not a member of this producer)
    memberships: tuple[UserProducerAssociation, ...]  # the user's own, with their producers, by name
    is_staff: bool

    @property
    def is_owner(self) -> bool:
        return self.role == OWNER

    @property
    def can_manage_team(self) -> bool:
        """Owners manage the team (invite, change roles, remove); so may platform staff."""
        return self.role == OWNER or self.is_staff

    @property
    def can_switch(self) -> bool:
        return self.is_staff or len(self.memberships) > 1

    @property
    def scope(self) -> ProducerScope:
        """The current producer alone, for selectors that take a scope (``show_list_for_producers``)."""
        return ProducerScope(everything=False, ids=frozenset({self.producer.pk}))


def portal_resolve(request: HttpRequest) -> Portal | None:
    """The :class:`Portal` of a signed-in request, or ``None`` when it may act for no producer (not a
    member of any; or staff who has not chosen one and belongs to none)."""
    user = request.user
    memberships = tuple(producer_memberships(user=user))
    scope = producer_scope_of_members(request, (membership.producer_id for membership in memberships))
    wanted = request.session.get(SESSION_KEY)
    producer, role = None, None
    if wanted is not None:
        chosen = next((m for m in memberships if m.producer_id == wanted), None)
        if chosen is not None:
            producer, role = chosen.producer, chosen.role
        elif scope.everything:
            producer, role = Producer.objects.filter(pk=wanted).first(), STAFF
    if producer is None and memberships:
        producer, role = memberships[0].producer, memberships[0].role
    if producer is None or not scope.allows(producer.pk):
        return None
    return Portal(producer=producer, role=role, memberships=memberships, is_staff=bool(user.is_staff))


def producer_choose(request: HttpRequest, producer_id: int) -> Producer | None:
    """Make ``producer_id`` the current producer of this session if the user may act for it; returns it,
    or ``None`` (and changes nothing) when it is not theirs or does not exist."""
    if not producer_scope(request).allows(producer_id):
        return None
    producer = Producer.objects.filter(pk=producer_id).first()
    if producer is not None:
        request.session[SESSION_KEY] = producer.pk
    return producer


def _admit(request: HttpRequest, *, owner_only: bool) -> HttpResponse | None:
    """``None`` when the request may go on (``request.producer`` and friends are set), else the answer:
    the sign-in page for the anonymous, a page saying why for the rest."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    portal = portal_resolve(request)
    if portal is None:
        if request.user.is_staff:
            return redirect(f"{reverse('portal:producers')}?{_next_query(request)}")
        return render(request, "portal/no_producer.html", status=403)
    request.portal = portal
    request.producer = portal.producer
    request.producer_role = portal.role
    if owner_only and not portal.can_manage_team:
        return render(request, "portal/forbidden.html", status=403)
    return None


def _next_query(request: HttpRequest) -> str:
    return urlencode({"next": request.get_full_path()})


def producer_required(view: Callable | None = None, *, owner_only: bool = False):
    """Decorate a portal view: signed in, acting for a producer (see the module's docstring), and for
    ``owner_only`` views an owner of it (or staff). Responses are marked never to be cached."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            refusal = _admit(request, owner_only=owner_only)
            if refusal is not None:
                return refusal
            response = view(request, *args, **kwargs)
            add_never_cache_headers(response)
            return response

        wrapper.portal_access = "owner" if owner_only else "member"
        return wrapper

    return decorate(view) if view is not None else decorate


def signed_in_required(view: Callable) -> Callable:
    """Decorate a portal view that needs a signed-in user but no current producer (choosing one)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    wrapper.portal_access = "signed_in"
    return wrapper


class ProducerRequiredMixin:
    """:func:`producer_required` for class-based views; set ``owner_only = True`` for owners' pages."""

    owner_only = False

    def dispatch(self, request, *args, **kwargs):
        refusal = _admit(request, owner_only=self.owner_only)
        if refusal is not None:
            return refusal
        response = super().dispatch(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response


def producer_object_or_404(
    request: HttpRequest, queryset: QuerySet | type[Model], *, field: str = "producer", **lookup
) -> Model:
    """The object of ``queryset`` (or a model) matching ``lookup`` that belongs to the current producer
    (through ``field``, e.g. ``"show__producer"`` for an order), else :class:`~django.http.Http404`:
    another producer's object is answered exactly as one that does not exist."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    try:
        return queryset.get(**{field: request.producer}, **lookup)
    except queryset.model.DoesNotExist:
        raise Http404("Not found.") from None


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` the request names when it is a portal path on this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/dashboard/")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
        and "\\" not in target
    ):
        return target
    return default
