"""The Shows pages under ``/dashboard/shows/``: the list (upcoming, drafts, on sale, past, deleted), a
show's page (its ticket types with sold and held, its promo codes, publishing and why it can't be yet),
creating and editing a show (a venue chosen or created inline, performers, the three images), ticket
types and promo codes, publish / unpublish, a buyer's preview of a draft, duplicating onto new dates,
and soft delete with a confirmation step, and restore.

Every show is looked up through the current producer (another producer's answers 404). The rules are
the services' (``piquetickets.shows.services``): a refusal comes back on the form by field (422, input
kept) or at the top of the show's page with the service's status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import DecimalField, F, Model, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from piquetickets.accounts.models import UserProfile
from piquetickets.core.errors import ApplicationError
from piquetickets.core.images import InvalidImage, image_attach, image_payload
from piquetickets.core.money import format_money
from piquetickets.orders.models import Order
from piquetickets.orders.tickets import _zone_abbreviation as zone_abbreviation
from piquetickets.orders.tickets import clock_time, show_local
from piquetickets.shows.errors import QuantityBelowCommitted
from piquetickets.shows.models import Show, Ticket, TicketPromoCode
from piquetickets.shows.selectors import show_over_room, tickets_with_availability
from piquetickets.shows.services import (
    promo_code_create,
    promo_code_remove,
    promo_code_update,
    show_create,
    show_duplicate,
    show_publish,
    show_publish_problems,
    show_restore,
    show_schedule_check,
    show_soft_delete,
    show_unpublish,
    show_update,
    ticket_create,
    ticket_remove,
    ticket_update,
)
from piquetickets.storefront.views.shows import rich_text
from piquetickets.venues.services import venue_create

from ..access import producer_object_or_404, producer_required
from ..forms import apply_error
from ..forms.shows import (
    DuplicateForm,
    PromoCodeForm,
    ShowFilterForm,
    ShowForm,
    TicketForm,
    apply_validation_error,
)
from ..responses import see_other

PAGE_SIZE = 25
MONEY = DecimalField(max_digits=12, decimal_places=2)


# --- helpers -------------------------------------------------------------------------------------------


def _when(show: Show, value: datetime | None = None) -> str:
    """``Fri 6 Mar 2026 · 7:30 PM CST`` on the show's own clock."""
    local = show_local(show, value or show.start_time)
    return f"{local:%a} {local.day} {local:%b} {local.year} · {clock_time(local)} {zone_abbreviation(local)}"


def _doors(show: Show) -> str:
    """When the doors open: the time alone when it is the show's date (``9:30 PM``), else date and time."""
    if not show.door_time:
        return ""
    doors, start = show_local(show, show.door_time), show_local(show, show.start_time)
    return clock_time(doors) if doors.date() == start.date() else _when(show, show.door_time)


def _percent(part: int, whole: int) -> int:
    return min(100, round(100 * part / whole)) if whole else 0


def _status(show: Show, now: datetime) -> tuple[str, str]:
    """The show's status label and badge modifier."""
    if show.is_deleted:
        return "Deleted", "danger"
    if show.end_time <= now:
        return "Past", "neutral"
    if show.published:
        return "On sale", "success"
    return "Draft", "warning"


def _show(request, slug: str) -> Show:
    return producer_object_or_404(request, Show.objects.select_related("venue"), slug=slug)


def _deleted_show(request, slug: str) -> Show:
    return producer_object_or_404(request, Show.all_objects.filter(is_deleted=True), slug=slug)


def _show_url(show: Show) -> str:
    return reverse("portal:show", args=[show.slug])


def _can_publish(user) -> bool:
    return bool(user.is_staff) or UserProfile.objects.filter(user=user, can_publish_shows=True).exists()


def _with_sales(queryset: QuerySet[Show]) -> QuerySet[Show]:
    """Shows with ``capacity`` and ``sold`` over their ticket types and ``revenue`` (paid orders less
    refunds): one query however many shows."""
    tickets = Ticket.objects.filter(show=OuterRef("pk")).order_by().values("show")
    orders = Order.objects.filter(show=OuterRef("pk"), success=True).order_by().values("show")
    return queryset.annotate(
        capacity=Coalesce(Subquery(tickets.annotate(n=Sum("quantity")).values("n")), 0),
        sold=Coalesce(Subquery(tickets.annotate(n=Sum("quantity_sold")).values("n")), 0),
        revenue=Coalesce(
            Subquery(orders.annotate(n=Sum(F("total") - F("refunded_amount"))).values("n"), output_field=MONEY),
            Value(0),
            output_field=MONEY,
        ),
    )


# --- the list ------------------------------------------------------------------------------------------


def _filtered_shows(producer, status: str, query: str) -> QuerySet[Show]:
    now = timezone.now()
    if status == "deleted":
        shows = Show.all_objects.filter(producer=producer, is_deleted=True).order_by("-deleted_at", "-pk")
    else:
        shows = Show.objects.filter(producer=producer)
        if status == "past":
            shows = shows.filter(end_time__lte=now).order_by("-start_time", "-pk")
        else:
            shows = shows.filter(end_time__gt=now).order_by("start_time", "pk")
            if status == "draft":
                shows = shows.filter(published=False)
            elif status == "on_sale":
                shows = shows.filter(published=True)
    if query:
        shows = shows.filter(Q(title__icontains=query) | Q(venue__name__icontains=query))
    return _with_sales(shows.select_related("venue"))


def _list_row(show: Show, now: datetime) -> dict:
    label, tone = _status(show, now)
    return {
        "show": show,
        "when": _when(show),
        "when_iso": show_local(show, show.start_time).isoformat(),
        "venue": f"{show.venue.name}, {show.venue.city}" if show.venue else "",
        "status": label,
        "tone": tone,
        "sold": show.sold,
        "capacity": show.capacity,
        "sold_percent": _percent(show.sold, show.capacity),
        "revenue": format_money(show.revenue, show.currency),
    }


@require_GET
@producer_required
def show_list(request):
    filters = ShowFilterForm(request.GET)
    status, query = filters.status_value(), filters.query_value()
    shows = _filtered_shows(request.producer, status, query)
    page = Paginator(shows, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    tabs = [
        {
            "value": value,
            "label": label,
            "url": f"?{urlencode({'status': value, **({'q': query} if query else {})})}",
            "current": value == status,
        }
        for value, label in ShowFilterForm.STATUSES
    ]
    context = {
        "rows": [_list_row(show, now) for show in page.object_list],
        "page": page,
        "query": query,
        "status": status,
        "status_label": dict(ShowFilterForm.STATUSES)[status],
        "tabs": tabs,
        "page_query": urlencode({"status": status, **({"q": query} if query else {})}),
        "has_any": page.paginator.count > 0 or Show.all_objects.filter(producer=request.producer).exists(),
    }
    return render(request, "portal/shows/list.html", context)


# --- a show's page -------------------------------------------------------------------------------------


def _show_page(request, show: Show, *, refusal: ApplicationError | None = None, status: int = 200):
    now = timezone.now()
    tickets = list(tickets_with_availability(show.tickets.order_by("sort_order", "pk")))
    promos = list(show.promo_codes.prefetch_related("tickets").order_by("code", "pk"))
    sales = _with_sales(Show.objects.filter(pk=show.pk)).values("capacity", "sold", "revenue").get()
    label, tone = _status(show, now)
    context = {
        "show": show,
        "status": label,
        "tone": tone,
        "when": _when(show),
        "ends": _when(show, show.end_time),
        "tickets": [
            {
                "ticket": ticket,
                "price": format_money(ticket.price, show.currency),
                "held": ticket.held,
                "sales_start": _when(show, ticket.sales_start) if ticket.sales_start else "",
                "sales_end": _when(show, ticket.sales_end) if ticket.sales_end else "",
            }
            for ticket in tickets
        ],
        "promos": [
            {
                "promo": promo,
                "discount": (
                    f"{promo.discount.normalize():f}%"
                    if promo.discount_type == TicketPromoCode.DiscountType.PERCENT
                    else f"{format_money(promo.discount, show.currency)} per ticket"
                ),
                "applies_to": ", ".join(t.name for t in promo.tickets.all()) or "Every ticket type",
            }
            for promo in promos
        ],
        "sold": sales["sold"],
        "capacity": sales["capacity"],
        "sold_percent": _percent(sales["sold"], sales["capacity"]),
        "revenue": format_money(sales["revenue"], show.currency),
        "problems": [] if show.published else show_publish_problems(show=show),
        "can_publish": _can_publish(request.user),
        "is_past": show.end_time <= now,
        "refusal": refusal,
        "reasons": (refusal.extra.get("reasons") or []) if refusal else [],
        "public_url": reverse("storefront:show", args=[show.slug]) if show.is_public else "",
        "over_room": _over_room(show, tickets),
    }
    return render(request, "portal/shows/detail.html", context, status=status)


def _over_room(show: Show, tickets: list) -> str:
    """The warning of :func:`~piquetickets.shows.selectors.show_over_room`, or ``""``."""
    over = show_over_room(show=show, tickets=tickets)
    if over is None:
        return ""
    selling, room = over
    return (
        f"The ticket types on sale add up to {selling:,} tickets, and {show.venue.name} holds {room:,}. "
        "Lower the quantities, or the venue's capacity if it is wrong."
    )


@require_GET
@producer_required
def show_detail(request, slug: str):
    return _show_page(request, _show(request, slug))


# --- creating and editing a show -----------------------------------------------------------------------


def _form_page(request, form: ShowForm, *, show: Show | None = None, status: int = 200):
    images = []
    for name in ShowForm.image_fields:
        payload = image_payload(show, name) if show is not None else None
        images.append({"field": form[name], "current": payload["url"] if payload else ""})
    # A browser never sends a chosen file again: when the form comes back with errors, say which to choose.
    dropped = [form[name].label for name in ShowForm.image_fields if name in request.FILES]
    context = {"form": form, "show": show, "images": images, "images_dropped": dropped if form.errors else []}
    return render(request, "portal/shows/form.html", context, status=status)


class _VenueRefused(Exception):
    """``venue_create`` refused the inline venue: its errors go on the ``new_venue_*`` fields."""

    def __init__(self, error: ValidationError):
        self.error = error


def _save_show(request, form: ShowForm, show: Show | None) -> Show:
    """Create or change the show from a valid ``form``, with its new venue and images, all or nothing."""
    data = form.show_data()
    with transaction.atomic():
        if form.wants_new_venue:
            try:
                data["venue"] = venue_create(producer=request.producer, data=form.venue_data())
            except ValidationError as error:
                raise _VenueRefused(error) from error
        performers = form.cleaned_data["performers"]
        if show is None:
            show = show_create(producer=request.producer, author=request.user, data=data, performers=performers)
        else:
            show = show_update(show=show, data=data, performers=performers)
        for name in ShowForm.image_fields:
            upload = form.cleaned_data.get(name)
            if upload:
                try:
                    image_attach(instance=show, field=name, upload=upload)
                except InvalidImage as error:
                    raise InvalidImage(error.message, extra={"field": name}) from error
    return show


def _submit_show(request, form: ShowForm, show: Show | None):
    """Save a bound form: ``(show, None)``, or ``(None, page)`` with the errors by field (422)."""
    if form.is_valid():
        try:
            return _save_show(request, form, show), None
        except _VenueRefused as refused:
            apply_validation_error(form, refused.error, prefix="new_venue_")
        except ApplicationError as refusal:
            apply_error(form, refusal)
        except ValidationError as error:
            apply_validation_error(form, error, model=Show)
    else:
        _tell_the_rest(request, form, show)
    return None, _form_page(request, form, show=show, status=422)


_TIMES = ("door_time", "start_time", "end_time")


def _tell_constraints(form, model, fine: dict, **known):
    """Check ``model``'s constraints over the form's fields that are ``fine`` (no error of their own) while
    others are in error, and put what they refuse by its field: a constraint over a field in error, or
    over one the form doesn't set, is left for the save. Returns the unsaved instance."""
    candidate = model(**known, **fine)
    unchecked = {field.name for field in model._meta.concrete_fields} - set(fine)
    try:
        candidate.validate_constraints(exclude=unchecked)
    except ValidationError as error:
        apply_validation_error(form, error, model=model)
    return candidate


def _tell_the_rest(request, form: ShowForm, show: Show | None) -> None:
    """With some fields in error, also tell what saving would refuse of the fields that are fine (the
    times in the wrong order, a start in the past), so one submit shows every error instead of one stage
    per submit. Only fields without an error of their own are checked; saving checks everything again."""
    fine = {name: form.cleaned_data[name] for name in _TIMES if name in form.cleaned_data and name not in form.errors}
    if not fine:
        return
    candidate = _tell_constraints(form, Show, fine, producer=request.producer)
    start = fine.get("start_time")
    if start is not None and "start_time" not in form.errors and (show is None or start != show.start_time):
        try:
            show_schedule_check(candidate)
        except ApplicationError as refusal:
            apply_error(form, refusal)


@require_http_methods(["GET", "POST"])
@producer_required
def show_new(request):
    if request.method == "GET":
        return _form_page(request, ShowForm(producer=request.producer))
    form = ShowForm(request.POST, request.FILES, producer=request.producer)
    show, page = _submit_show(request, form, None)
    if page is not None:
        return page
    messages.success(request, f"“{show.title}” is saved as a draft. Add its ticket types, then publish it.")
    return see_other(_show_url(show))


@require_http_methods(["GET", "POST"])
@producer_required
def show_edit(request, slug: str):
    show = _show(request, slug)
    if request.method == "GET":
        form = ShowForm(initial=ShowForm.initial_for(show), producer=request.producer, show=show)
        return _form_page(request, form, show=show)
    form = ShowForm(request.POST, request.FILES, producer=request.producer, show=show)
    saved, page = _submit_show(request, form, show)
    if page is not None:
        return page
    messages.success(request, f"“{saved.title}” is saved.")
    return see_other(_show_url(saved))


# --- publishing, preview, duplicate, delete ------------------------------------------------------------


@require_POST
@producer_required
def show_publish_view(request, slug: str):
    show = _show(request, slug)
    try:
        show = show_publish(show=show, user=request.user)
    except ApplicationError as refusal:
        return _show_page(request, show, refusal=refusal, status=refusal.status)
    messages.success(request, f"“{show.title}” is published: buyers can find it and buy tickets.")
    return see_other(_show_url(show))


@require_POST
@producer_required
def show_unpublish_view(request, slug: str):
    show = _show(request, slug)
    try:
        show = show_unpublish(show=show)
    except ApplicationError as refusal:
        return _show_page(request, show, refusal=refusal, status=refusal.status)
    messages.success(request, f"“{show.title}” is unpublished: off sale and out of lists. Tickets sold stay valid.")
    return see_other(_show_url(show))


@require_GET
@producer_required
def show_preview(request, slug: str):
    """What a buyer would see of the show, for a draft too (the storefront shows only published ones)."""
    show = _show(request, slug)
    tickets = show.tickets.filter(is_active=True).order_by("sort_order", "pk")
    context = {
        "show": show,
        "when": _when(show),
        "doors": _doors(show),
        "description_html": rich_text(show.description),
        "tickets": [{"ticket": ticket, "price": format_money(ticket.price, show.currency)} for ticket in tickets],
        "performers": list(show.performers.order_by("name")),
        "banner": image_payload(show, "banner_image") or image_payload(show, "image"),
        "public_url": reverse("storefront:show", args=[show.slug]) if show.is_public else "",
    }
    return render(request, "portal/shows/preview.html", context)


@require_http_methods(["GET", "POST"])
@producer_required
def show_duplicate_view(request, slug: str):
    show = _show(request, slug)
    if request.method == "GET":
        form = DuplicateForm(initial=DuplicateForm.initial_from(show, show.time_zone), time_zone=show.time_zone)
        return render(request, "portal/shows/duplicate.html", {"form": form, "show": show})
    form = DuplicateForm(request.POST, time_zone=show.time_zone)
    if form.is_valid():
        data = form.cleaned_data
        try:
            copy = show_duplicate(
                show=show,
                author=request.user,
                title=data["title"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                door_time=data["door_time"],
            )
        except ApplicationError as refusal:
            apply_error(form, refusal)
        except ValidationError as error:
            apply_validation_error(form, error, model=Show)
        else:
            messages.success(request, f"“{copy.title}” is a new draft with the same ticket types and design.")
            return see_other(_show_url(copy))
    return render(request, "portal/shows/duplicate.html", {"form": form, "show": show}, status=422)


@require_http_methods(["GET", "POST"])
@producer_required
def show_delete(request, slug: str):
    show = _show(request, slug)
    if request.method == "GET":
        return render(request, "portal/shows/delete.html", {"show": show, "when": _when(show)})
    show_soft_delete(show=show)
    messages.success(request, f"“{show.title}” is deleted. Its orders and tickets are kept; you can restore it.")
    return see_other(f"{reverse('portal:show-list')}?status=deleted")


@require_POST
@producer_required
def show_restore_view(request, slug: str):
    show = show_restore(show=_deleted_show(request, slug))
    messages.success(request, f"“{show.title}” is restored as a draft.")
    return see_other(_show_url(show))


# --- ticket types and promo codes ----------------------------------------------------------------------


@dataclass(frozen=True)
class _ShowPart:
    """A kind of thing that belongs to a show and has its own form page: a ticket type or a promo code.
    Their pages share one flow (``_part_new``, ``_part_edit``, ``_part_remove``); this says what differs."""

    model: type[Model]
    form_class: type[TicketForm] | type[PromoCodeForm]
    template: str
    context_name: str
    form_kwargs: Callable[[Show], dict]
    create: Callable[[HttpRequest, Show, Any], Any]
    update: Callable[[Any, Any], Any]
    remove: Callable[[Any], str]
    label: Callable[[Any], str]
    kept: str
    refused: Callable[[Any, ApplicationError], None] = apply_error
    extra_context: Callable[[Any], dict] = lambda item: {}


def _part_page(request, part: _ShowPart, show: Show, form, *, item=None, status: int = 200):
    context = {"show": show, "form": form, part.context_name: item, **part.extra_context(item)}
    return render(request, part.template, context, status=status)


def _part_item(request, part: _ShowPart, show: Show, pk: int):
    return producer_object_or_404(request, part.model, field="show__producer", show=show, pk=pk)


def _part_submit(request, part: _ShowPart, show: Show, *, item=None):
    """Create (``item`` None) or change ``item`` from the POST: 303 to the show's page with a message,
    or the form again with the refusal by field (422, input kept)."""
    form = part.form_class(request.POST, **part.form_kwargs(show))
    if form.is_valid():
        try:
            saved = part.create(request, show, form) if item is None else part.update(item, form)
        except ApplicationError as refusal:
            part.refused(form, refusal)
        except ValidationError as error:
            apply_validation_error(form, error, model=part.model)
        else:
            messages.success(request, f"{part.label(saved)} {'added' if item is None else 'saved'}.")
            return see_other(_show_url(show))
    else:
        fields = {field.name for field in part.model._meta.concrete_fields}
        fine = {name: value for name, value in form.cleaned_data.items() if name in fields and name not in form.errors}
        _tell_constraints(form, part.model, fine, show=show)
    return _part_page(request, part, show, form, item=item, status=422)


def _part_new(request, part: _ShowPart, slug: str):
    show = _show(request, slug)
    if request.method == "GET":
        return _part_page(request, part, show, part.form_class(**part.form_kwargs(show)))
    return _part_submit(request, part, show)


def _part_edit(request, part: _ShowPart, slug: str, pk: int):
    show = _show(request, slug)
    item = _part_item(request, part, show, pk)
    if request.method == "GET":
        initial = part.form_class.initial_from(item, show.time_zone)
        return _part_page(request, part, show, part.form_class(initial=initial, **part.form_kwargs(show)), item=item)
    return _part_submit(request, part, show, item=item)


def _part_remove(request, part: _ShowPart, slug: str, pk: int):
    show = _show(request, slug)
    item = _part_item(request, part, show, pk)
    if part.remove(item) == "deleted":
        messages.success(request, f"{part.label(item)} deleted.")
    else:
        messages.success(request, f"{part.label(item)} {part.kept}")
    return see_other(_show_url(show))


def _ticket_refused(form: TicketForm, refusal: ApplicationError) -> None:
    if isinstance(refusal, QuantityBelowCommitted):
        form.add_error("quantity", refusal.message)
    else:
        apply_error(form, refusal)


def _ticket_held(ticket: Ticket | None) -> dict:
    held = None
    if ticket is not None:
        held = tickets_with_availability(Ticket.objects.filter(pk=ticket.pk)).values_list("held", flat=True).get()
    return {"held": held}


TICKET_TYPES = _ShowPart(
    model=Ticket,
    form_class=TicketForm,
    template="portal/shows/ticket_form.html",
    context_name="ticket",
    form_kwargs=lambda show: {"time_zone": show.time_zone},
    create=lambda request, show, form: ticket_create(show=show, author=request.user, data=form.ticket_data()),
    update=lambda ticket, form: ticket_update(ticket=ticket, data=form.ticket_data()),
    remove=lambda ticket: ticket_remove(ticket=ticket),
    label=lambda ticket: f"Ticket type “{ticket.name}”",
    kept="has orders, so it is kept but taken off sale.",
    refused=_ticket_refused,
    extra_context=_ticket_held,
)

PROMO_CODES = _ShowPart(
    model=TicketPromoCode,
    form_class=PromoCodeForm,
    template="portal/shows/promo_form.html",
    context_name="promo",
    form_kwargs=lambda show: {"show": show},
    create=lambda request, show, form: promo_code_create(
        show=show, data=form.promo_data(), tickets=form.cleaned_data["tickets"]
    ),
    update=lambda promo, form: promo_code_update(
        promo=promo, data=form.promo_data(), tickets=form.cleaned_data["tickets"]
    ),
    remove=lambda promo: promo_code_remove(promo=promo),
    label=lambda promo: f"Promo code {promo.code}",
    kept="has been used, so it is kept but turned off.",
)


@require_http_methods(["GET", "POST"])
@producer_required
def ticket_new(request, slug: str):
    return _part_new(request, TICKET_TYPES, slug)


@require_http_methods(["GET", "POST"])
@producer_required
def ticket_edit(request, slug: str, pk: int):
    return _part_edit(request, TICKET_TYPES, slug, pk)


@require_POST
@producer_required
def ticket_remove_view(request, slug: str, pk: int):
    return _part_remove(request, TICKET_TYPES, slug, pk)


@require_http_methods(["GET", "POST"])
@producer_required
def promo_new(request, slug: str):
    return _part_new(request, PROMO_CODES, slug)


@require_http_methods(["GET", "POST"])
@producer_required
def promo_edit(request, slug: str, pk: int):
    return _part_edit(request, PROMO_CODES, slug, pk)


@require_POST
@producer_required
def promo_remove_view(request, slug: str, pk: int):
    return _part_remove(request, PROMO_CODES, slug, pk)
