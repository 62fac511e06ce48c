"""Writes for shows, ticket types, promo codes and page designs.

Every function here assumes the caller already checked that the acting user may manage the
show's producer; they validate the data against the model (fields and database constraints)
before writing, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from piquetickets.accounts.services import user_profile_ensure
from piquetickets.core.errors import InvalidInput, NotFound
from piquetickets.core.money import format_money
from piquetickets.core.updates import assign_fields, deactivate_or_delete
from piquetickets.orders.models import TicketOrder

from .errors import PublishingNotAllowed, QuantityBelowCommitted, ShowNotReady
from .models import Show, Ticket, TicketPageDesign, TicketPromoCode
from .selectors import ticket_availability

SHOW_FIELDS = {
    "title", "description", "door_time", "start_time", "end_time", "time_zone", "age_restriction", "featured_video",
    "facebook_campaign_id", "refund_policy", "currency", "hold_minutes", "max_tickets_per_order", "venue",
}  # fmt: skip
TICKET_FIELDS = {
    "name", "description", "quantity", "price", "is_donation_based", "is_active", "sales_start", "sales_end",
    "max_per_order", "sort_order",
}  # fmt: skip
PROMO_FIELDS = {"code", "discount_type", "discount", "max_uses", "valid_from", "valid_until", "is_active"}


# --- shows -------------------------------------------------------------------------------------

MAX_YEARS_AHEAD = 5


def show_schedule_check(show: Show) -> None:
    """A show being scheduled starts between now and five years from now (raises :class:`InvalidInput`
    by ``start_time``). The portal's form also asks it before the rest is valid, to tell every error at
    once."""
    now = timezone.now()
    if show.start_time is None:
        return
    if show.start_time < now:
        raise InvalidInput(extra={"fields": {"start_time": ["The show can't start in the past."]}})
    if show.start_time > now + timedelta(days=365 * MAX_YEARS_AHEAD):
        raise InvalidInput(extra={"fields": {"start_time": [f"Pick a date within the next {MAX_YEARS_AHEAD} years."]}})


@transaction.atomic
def show_create(*, producer, author, data: dict[str, Any], performers: Iterable | None = None) -> Show:
    """Create a draft show for ``producer``. Drafts are never public until published."""
    show = Show(producer=producer, author=author, published=False)
    assign_fields(show, data, SHOW_FIELDS)
    if "time_zone" not in data and show.venue is not None:
        show.time_zone = show.venue.time_zone
    now = timezone.now()
    show.draft_created_at = show.draft_updated_at = now
    show_schedule_check(show)
    show.full_clean(exclude=["slug"])
    show.save()
    if performers is not None:
        show.performers.set(performers)
    return show


def _lock_live_show(show: Show) -> Show:
    """Re-read the show under its row lock; a show deleted meanwhile is gone (404)."""
    locked = Show.all_objects.select_for_update().filter(pk=show.pk).first()
    if locked is None or locked.is_deleted:
        raise NotFound("This show no longer exists.")
    return locked


@transaction.atomic
def show_update(*, show: Show, data: dict[str, Any], performers: Iterable | None = None) -> Show:
    """Change a show's details. A published show must keep its venue (``show_published_has_venue``);
    a new start time must be in the next five years.

    Works on a fresh copy read under the row lock and writes only the fields given, so an edit
    racing a delete, an unpublish or an image upload never undoes them.
    """
    locked = _lock_live_show(show)
    schedule_changed = "start_time" in data and data["start_time"] != locked.start_time
    assign_fields(locked, data, SHOW_FIELDS)
    if schedule_changed:
        show_schedule_check(locked)
    changed = list(data)
    if not locked.published:
        locked.draft_updated_at = timezone.now()
        changed.append("draft_updated_at")
    locked.full_clean(exclude=["slug"])
    locked.save(update_fields=[*changed, "updated_at"])
    if performers is not None:
        locked.performers.set(performers)
    return locked


def show_publish_problems(*, show: Show) -> list[str]:
    """Why the show can't be published yet (empty when it can)."""
    problems = []
    if show.venue_id is None:
        problems.append("Add a venue.")
    if not show.tickets.filter(is_active=True).exists():
        problems.append("Add at least one ticket type that is on sale.")
    if show.end_time <= timezone.now():
        problems.append("The show is over.")
    return problems


@transaction.atomic
def show_publish(*, show: Show, user) -> Show:
    """Make a show public.

    Raises :class:`PublishingNotAllowed` unless the user's profile has ``can_publish_shows``
    (platform staff may always), and :class:`ShowNotReady` (with ``extra.reasons``) when the show
    lacks a venue or a ticket type on sale, or is over.
    """
    if not (user.is_staff or user_profile_ensure(user=user).can_publish_shows):
        raise PublishingNotAllowed()
    show = _lock_live_show(show)
    problems = show_publish_problems(show=show)
    if problems:
        raise ShowNotReady(" ".join(problems), extra={"reasons": problems})
    if not show.published:
        show.published = True
        show.published_at = timezone.now()
        show.save(update_fields=["published", "published_at", "updated_at"])
    return show


@transaction.atomic
def show_unpublish(*, show: Show) -> Show:
    """Take a show off sale and out of public lists. Sold tickets stay valid."""
    show = _lock_live_show(show)
    if show.published:
        show.published = False
        show.draft_updated_at = timezone.now()
        show.save(update_fields=["published", "draft_updated_at", "updated_at"])
    return show


@transaction.atomic
def show_soft_delete(*, show: Show) -> Show:
    """Hide a show everywhere but the admin. Its orders and tickets stay intact.

    A deleted show is also unpublished, so restoring it never makes it public by surprise.
    """
    show = Show.all_objects.select_for_update().get(pk=show.pk)
    if show.is_deleted:
        return show
    show.is_deleted = True
    show.deleted_at = timezone.now()
    show.published = False
    show.save(update_fields=["is_deleted", "deleted_at", "published", "updated_at"])
    return show


DUPLICATED_SHOW_FIELDS = (
    "description", "time_zone", "age_restriction", "image", "banner_image", "square_image", "image_variants",
    "featured_video", "facebook_campaign_id", "refund_policy", "currency", "hold_minutes", "max_tickets_per_order",
    "venue_id",
)  # fmt: skip
DUPLICATED_TICKET_FIELDS = (
    "name", "description", "quantity", "price", "is_donation_based", "is_active", "max_per_order", "sort_order",
)  # fmt: skip


@transaction.atomic
def show_duplicate(*, show: Show, author, title: str, start_time, end_time, door_time=None) -> Show:
    """Copy ``show`` as a new draft on new dates: its details, images, venue and performers, its ticket
    types (none sold, sales windows moved by as much as the show moved) and its page design. Promo codes,
    orders and featured placements stay with the original.

    The copy is checked like any new show (:func:`show_create`'s rules: a start in the next five years,
    the end after the start, doors not after the start) and raises :class:`InvalidInput` or Django's
    ``ValidationError`` by field before anything is written.
    """
    copy = Show(producer_id=show.producer_id, author=author, published=False, title=title)
    for name in DUPLICATED_SHOW_FIELDS:
        setattr(copy, name, getattr(show, name))
    copy.image_variants = dict(show.image_variants or {})
    copy.start_time, copy.end_time, copy.door_time = start_time, end_time, door_time
    copy.draft_created_at = copy.draft_updated_at = timezone.now()
    show_schedule_check(copy)
    copy.full_clean(exclude=["slug"])
    copy.save()
    copy.performers.set(show.performers.all())
    moved = start_time - show.start_time
    for ticket in show.tickets.order_by("sort_order", "pk"):
        new = Ticket(show=copy, author=author, **{name: getattr(ticket, name) for name in DUPLICATED_TICKET_FIELDS})
        new.sales_start = ticket.sales_start + moved if ticket.sales_start else None
        new.sales_end = ticket.sales_end + moved if ticket.sales_end else None
        new.full_clean()
        new.save()
    design = TicketPageDesign.objects.filter(show=show).first()
    if design is not None:
        TicketPageDesign.objects.create(
            show=copy,
            primary_color=design.primary_color,
            secondary_color=design.secondary_color,
            background_image=design.background_image,
            image_variants=dict(design.image_variants or {}),
        )
    return copy


@transaction.atomic
def show_restore(*, show: Show) -> Show:
    """Bring a soft-deleted show back as a draft."""
    show = Show.all_objects.select_for_update().get(pk=show.pk)
    if not show.is_deleted:
        return show
    show.is_deleted = False
    show.deleted_at = None
    show.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    return show


# --- ticket types ------------------------------------------------------------------------------


@transaction.atomic
def ticket_create(*, show: Show, author, data: dict[str, Any]) -> Ticket:
    """Add a ticket type to a show."""
    ticket = Ticket(show=show, author=author)
    assign_fields(ticket, data, TICKET_FIELDS)
    ticket.full_clean()
    ticket.save()
    return ticket


@transaction.atomic
def ticket_update(*, ticket: Ticket, data: dict[str, Any]) -> Ticket:
    """Change a ticket type.

    Takes the ticket type's row lock (the same lock checkout takes to hold tickets), so the
    quantity can never drop below what is sold plus what is held at this moment: that raises
    :class:`QuantityBelowCommitted` with the numbers in ``extra``.
    """
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if "quantity" in data:
        held, _ = ticket_availability(ticket=locked)
        minimum = locked.quantity_sold + held
        if data["quantity"] < minimum:
            raise QuantityBelowCommitted(
                f"Quantity can't be lower than {minimum}: {locked.quantity_sold} sold and {held} held in checkouts.",
                extra={"sold": locked.quantity_sold, "held": held, "minimum": minimum},
            )
    assign_fields(locked, data, TICKET_FIELDS)
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def ticket_remove(*, ticket: Ticket) -> str:
    """Delete a ticket type that never sold; deactivate one that has orders or holds.

    Returns ``"deleted"`` or ``"deactivated"``.
    """
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    has_history = (
        locked.quantity_sold > 0 or TicketOrder.objects.filter(ticket=locked).exists() or locked.holds.exists()
    )
    return deactivate_or_delete(locked, in_use=has_history)


# --- promo codes -------------------------------------------------------------------------------


def _check_promo_tickets(show: Show, tickets: Iterable[Ticket] | None) -> list[Ticket] | None:
    if tickets is None:
        return None
    tickets = list(tickets)
    foreign = [t.pk for t in tickets if t.show_id != show.pk]
    if foreign:
        raise InvalidInput(extra={"fields": {"tickets": [f"Ticket types {foreign} belong to another show."]}})
    return tickets


# What a buyer can type without a doubt: letters, digits, "-" and "_" (no spaces, no punctuation).
PROMO_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def _check_promo(promo: TicketPromoCode, tickets: list[Ticket] | None) -> None:
    """Refuse a code buyers can't type reliably, and a fixed discount above every price it applies to
    (every ticket would be free: a 500 typed for 5.00; a free code is 100 %)."""
    problems: dict[str, list[str]] = {}
    if promo.code and not PROMO_CODE_RE.fullmatch(promo.code):
        problems["code"] = ["Use letters, digits, - and _ only, without spaces: buyers type it at checkout."]
    if promo.discount_type == TicketPromoCode.DiscountType.FIXED and promo.discount:
        if tickets is None and promo.pk:  # an update leaving the ticket types as they are
            tickets = list(promo.tickets.all())
        applies = tickets or list(Ticket.objects.filter(show_id=promo.show_id))  # none chosen: every type
        prices = [ticket.price for ticket in applies]
        if prices and promo.discount > max(prices):
            top = format_money(max(prices), promo.show.currency)
            problems["discount"] = [
                f"That is more than any ticket it applies to costs (at most {top}): every ticket would be free. "
                "Enter the amount taken off each ticket, or make a 100% code for free tickets."
            ]
    if problems:
        raise InvalidInput(extra={"fields": problems})


@transaction.atomic
def promo_code_create(*, show: Show, data: dict[str, Any], tickets: Iterable[Ticket] | None = None) -> TicketPromoCode:
    """Add a promo code to a show; ``tickets`` limits it to those ticket types of the same show."""
    tickets = _check_promo_tickets(show, tickets)
    promo = TicketPromoCode(show=show)
    assign_fields(promo, data, PROMO_FIELDS)
    promo.code = promo.code.strip()
    _check_promo(promo, tickets)
    promo.full_clean()
    promo.save()
    if tickets is not None:
        promo.tickets.set(tickets)
    return promo


@transaction.atomic
def promo_code_update(
    *, promo: TicketPromoCode, data: dict[str, Any], tickets: Iterable[Ticket] | None = None
) -> TicketPromoCode:
    """Change a promo code. ``max_uses`` can't go below the uses already made."""
    tickets = _check_promo_tickets(promo.show, tickets)
    locked = TicketPromoCode.objects.select_for_update().get(pk=promo.pk)
    assign_fields(locked, data, PROMO_FIELDS)
    if locked.max_uses is not None and locked.max_uses < locked.times_used:
        raise InvalidInput(extra={"fields": {"max_uses": [f"It has been used {locked.times_used} times already."]}})
    locked.code = locked.code.strip()
    _check_promo(locked, tickets)
    locked.full_clean()
    locked.save()
    if tickets is not None:
        locked.tickets.set(tickets)
    return locked


@transaction.atomic
def promo_code_remove(*, promo: TicketPromoCode) -> str:
    """Delete an unused promo code; deactivate a used one (orders keep pointing at it)."""
    locked = TicketPromoCode.objects.select_for_update().get(pk=promo.pk)
    return deactivate_or_delete(locked, in_use=locked.times_used > 0 or locked.orders.exists())


# --- page design -------------------------------------------------------------------------------


@transaction.atomic
def page_design_save(*, show: Show, data: dict[str, Any]) -> TicketPageDesign:
    """Create or change the colours of a show's ticket page."""
    design = TicketPageDesign.objects.select_for_update().filter(show=show).first() or TicketPageDesign(show=show)
    assign_fields(design, data, {"primary_color", "secondary_color"})
    design.full_clean()
    design.save()
    return design


@transaction.atomic
def page_design_background_remove(*, show: Show) -> TicketPageDesign | None:
    """Take the background image off a show's page design (its colours stay); ``None`` when the show has
    no design. The file stays in storage: a duplicated show's design may point at the same one."""
    design = TicketPageDesign.objects.select_for_update().filter(show=show).first()
    if design is None or not design.background_image:
        return design
    design.background_image = ""
    variants = dict(design.image_variants or {})
    variants.pop("background_image", None)
    design.image_variants = variants
    design.save(update_fields=["background_image", "image_variants", "updated_at"])
    return design
