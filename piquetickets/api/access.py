"""Which producers a request may act for: the one rule every write endpoint applies."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from piquetickets.accounts.models import ApiToken
from piquetickets.core.errors import ApplicationError
from piquetickets.producers.selectors import producer_ids_managed_by


class NotYourProducer(ApplicationError):
    code = "permission_denied"
    default_message = "You can't manage this producer's data."
    status = 403


@dataclass(frozen=True)
class ProducerScope:
    """``everything`` for platform staff signed in with a session; otherwise the producer ids the
    user is a member of, narrowed to the token's producer when an API token is used."""

    everything: bool
    ids: frozenset[int]

    def allows(self, producer_id: int | None) -> bool:
        return self.everything or (producer_id is not None and producer_id in self.ids)

    def filter(self, queryset: QuerySet, field: str = "producer") -> QuerySet:
        if self.everything:
            return queryset
        return queryset.filter(**{f"{field}__in": self.ids})

    def require(self, producer_id: int | None) -> None:
        if not self.allows(producer_id):
            raise NotYourProducer()


def producer_scope(request) -> ProducerScope:
    cached = getattr(request, "_producer_scope", None)
    if cached is not None:
        return cached
    user = request.user
    auth = getattr(request, "auth", None)  # a DRF request has it; the portal's Django request has not
    token = auth if isinstance(auth, ApiToken) else None
    if token is not None:
        ids = {token.producer_id} & producer_ids_managed_by(user=user) if not user.is_staff else {token.producer_id}
        scope = ProducerScope(everything=False, ids=frozenset(ids))
    elif user.is_authenticated and user.is_staff:
        scope = ProducerScope(everything=True, ids=frozenset())
    else:
        scope = ProducerScope(everything=False, ids=frozenset(producer_ids_managed_by(user=user)))
    request._producer_scope = scope
    return scope


def producer_scope_of_members(request, member_of) -> ProducerScope:
    """:func:`producer_scope` of a request signed in by its session whose memberships the caller has read
    already (``member_of``: their producer ids): the same scope, without reading them again."""
    user = request.user
    unread = getattr(request, "_producer_scope", None) is None and getattr(request, "auth", None) is None
    if unread and user.is_authenticated and not user.is_staff:
        request._producer_scope = ProducerScope(everything=False, ids=frozenset(member_of))
    return producer_scope(request)


def acting_producer(request, producer):
    """The producer a create is for: the one given (if the request may act for it), else the only
    one the request can act for. Raises :class:`InvalidInput` when that is ambiguous."""
    from piquetickets.core.errors import InvalidInput
    from piquetickets.producers.models import Producer

    scope = producer_scope(request)
    if producer is not None:
        scope.require(producer.pk)
        return producer
    if not scope.everything and len(scope.ids) == 1:
        return Producer.objects.get(pk=next(iter(scope.ids)))
    if not scope.everything and not scope.ids:
        raise NotYourProducer("You are not a member of any producer.")
    raise InvalidInput(extra={"fields": {"producer": ["Choose which producer this is for."]}})
