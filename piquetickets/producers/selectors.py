"""Reads for producers and who may act for them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from .models import OnboardingSession, Producer, ProducerFinancial, UserProducerAssociation


def producer_ids_managed_by(*, user) -> set[int]:
    """Producers the user is a member of (any role)."""
    if not user.is_authenticated:
        return set()
    return set(UserProducerAssociation.objects.filter(user=user).values_list("producer_id", flat=True))


def producer_list_public():
    return Producer.objects.filter(is_active=True)


def producer_memberships(*, user) -> list[UserProducerAssociation]:
    """The user's memberships with their producers, by producer name (one query)."""
    if not user.is_authenticated:
        return []
    return list(
        UserProducerAssociation.objects.filter(user=user).select_related("producer").order_by("producer__name", "pk")
    )


def producer_list_for_staff(*, query: str = ""):
    """Every producer for platform staff to act for, by name; ``query`` matches the name or slug."""
    producers = Producer.objects.order_by("name", "pk")
    if query:
        producers = producers.filter(Q(name__icontains=query) | Q(slug__icontains=query))
    return producers


# --- the portal's dashboard ------------------------------------------------------------------------
# Each read is one query however many shows and orders the producer has.


@dataclass(frozen=True)
class SetupStatus:
    """How far a producer is with setting up (the dashboard's checklist)."""

    profile_complete: bool
    payouts_connected: bool
    has_show: bool
    has_published_show: bool
    upcoming_shows: int

    @property
    def done(self) -> bool:
        return self.profile_complete and self.payouts_connected and self.has_show and self.has_published_show


def producer_setup_status(*, producer: Producer) -> SetupStatus:
    """The checklist's facts: a public profile (bio, image and support email), payouts connected (Stripe
    can take charges for it: ``ProducerFinancial.charges_enabled``), a first show, a first published one."""
    live = Q(shows__is_deleted=False)
    row = (
        Producer.objects.filter(pk=producer.pk)
        .annotate(
            show_count=Count("shows", filter=live),
            published_count=Count("shows", filter=live & Q(shows__published=True)),
            upcoming_count=Count("shows", filter=live & Q(shows__end_time__gt=timezone.now())),
            charges=Exists(ProducerFinancial.objects.filter(producer=OuterRef("pk"), charges_enabled=True)),
        )
        .values("bio", "image", "support_email", "show_count", "published_count", "upcoming_count", "charges")
        .get()
    )
    return SetupStatus(
        profile_complete=bool(row["bio"] and row["image"] and row["support_email"]),
        payouts_connected=row["charges"],
        has_show=row["show_count"] > 0,
        has_published_show=row["published_count"] > 0,
        upcoming_shows=row["upcoming_count"],
    )


def producer_dashboard_shows(*, producer: Producer, since: datetime, limit: int = 12):
    """The producer's live shows that end after ``since``, soonest first, at most ``limit``, each with
    ``capacity`` and ``sold`` (over its ticket types), ``revenue`` (paid orders less refunds), and
    ``admissions`` / ``checked_in`` (valid tickets, and those checked in). Three queries: the shows with
    their ticket types' sums, then the orders and the tickets of those shows, each read once and summed
    per show (a subquery per show read a big show's orders once for every show listed)."""
    from piquetickets.orders.models import Order, TicketAttendee
    from piquetickets.shows.models import Show, Ticket

    money = DecimalField(max_digits=12, decimal_places=2)
    tickets = Ticket.objects.filter(show=OuterRef("pk")).order_by().values("show")
    shows = list(
        Show.objects.filter(producer=producer, end_time__gt=since)
        .select_related("venue")
        .defer("description", "venue__description")
        .annotate(
            capacity=Coalesce(Subquery(tickets.annotate(n=Sum("quantity")).values("n")), 0),
            sold=Coalesce(Subquery(tickets.annotate(n=Sum("quantity_sold")).values("n")), 0),
        )
        .order_by("start_time", "pk")[:limit]
    )
    ids = [show.pk for show in shows]
    revenue = dict(
        Order.objects.filter(show__in=ids, success=True)
        .order_by()
        .values("show")
        .annotate(n=Sum(F("total") - F("refunded_amount"), output_field=money))
        .values_list("show", "n")
    )
    admissions = {
        row["show"]: row
        for row in TicketAttendee.objects.filter(show__in=ids, status=TicketAttendee.Status.VALID)
        .order_by()
        .values("show")
        .annotate(admissions=Count("pk"), checked_in=Count("pk", filter=Q(is_checked_in=True)))
    }
    for show in shows:
        show.revenue = revenue.get(show.pk) or Decimal(0)
        counts = admissions.get(show.pk, {})
        show.admissions, show.checked_in = counts.get("admissions", 0), counts.get("checked_in", 0)
    return shows


def producer_recent_orders(*, producer: Producer, limit: int = 8):
    """The producer's latest paid orders (refunded ones too), newest first, with ``tickets`` (how many)."""
    from piquetickets.orders.models import Order

    return list(
        Order.objects.filter(show__producer=producer, success=True)
        .select_related("show")
        .annotate(tickets=F("ticket_count"))
        .order_by("-time_of_purchase", "-pk")[:limit]
    )


@dataclass(frozen=True)
class DaySales:
    day: date
    orders: int
    tickets: int
    revenue: Decimal


def producer_sales_by_day(*, producer: Producer, days: int, zone: ZoneInfo, today: date) -> list[DaySales]:
    """Paid orders of the last ``days`` days up to ``today`` (in ``zone``), a row for every day (zero
    when nothing sold): orders, tickets and revenue (what buyers paid, less refunds), in the producer's
    shows' currency (the dashboard shows one)."""
    from piquetickets.orders.models import Order

    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, time.min, tzinfo=zone)
    money = DecimalField(max_digits=12, decimal_places=2)
    rows = (
        Order.objects.filter(show__producer=producer, success=True, time_of_purchase__gte=start)
        .annotate(day=TruncDate("time_of_purchase", tzinfo=zone))
        .order_by()
        .values("day")
        .annotate(
            orders=Count("pk"),
            tickets=Sum("ticket_count"),
            revenue=Sum(F("total") - F("refunded_amount"), output_field=money),
        )
    )
    by_day = {row["day"]: row for row in rows}
    result = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        row = by_day.get(day)
        result.append(
            DaySales(day, row["orders"], row["tickets"] or 0, row["revenue"] or Decimal("0"))
            if row
            else DaySales(day, 0, 0, Decimal("0"))
        )
    return result


# --- the team -------------------------------------------------------------------------------------


def invitation_token_hash(token: str) -> str:
    """What an invitation row keeps of its link's token (the token itself is never stored)."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(*, token: str):
    """The invitation whose link carries ``token`` (any state), or ``None``."""
    if not token or len(token) > 100:
        return None
    return OnboardingSession.objects.select_related("producer").filter(token=invitation_token_hash(token)).first()


def producer_team(*, producer: Producer) -> list[UserProducerAssociation]:
    """The producer's members with their users: owners first, then by name."""
    return list(
        UserProducerAssociation.objects.filter(producer=producer)
        .select_related("user")
        .order_by("-role", "user__first_name", "user__last_name", "user__username")
    )


def producer_invitations_waiting(*, producer: Producer) -> list[OnboardingSession]:
    """Invitations of the producer not accepted yet (expired ones too: they can be sent again), newest first."""
    return list(OnboardingSession.objects.filter(producer=producer, is_used=False).order_by("-created_at", "-pk"))
