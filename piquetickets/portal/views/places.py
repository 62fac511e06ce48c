"""The Venues, Performers and Profile pages: ``/dashboard/venues/``, ``/dashboard/performers/`` and
``/dashboard/profile/``.

- Venues and performers: the current producer's, listed with how many shows use each; new, edit (every
  field the model holds and its image) and remove. The rules are the services': ``venue_remove``
  deletes a venue no show uses and switches off one that shows use (the page says so, and why);
  ``performer_delete`` refuses a performer on a show's bill (409, with the reason at the top).
- Profile: the producer's public profile (``producer_update``) with its logo, a link to the public page
  and a preview of what buyers see there.

Every venue and performer is looked up through the current producer: another producer's answers 404.
Images are stored by ``core.images.image_attach`` (checked as the API's uploads are, WebP renditions
queued), in the same transaction as the fields: a refused file leaves nothing changed. The models'
saves (not ``update()``) write the rows, so whatever listens to their saves (the storefront's page
cache) sees each edit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, IntegerField, Model, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from piquetickets.core.errors import ApplicationError
from piquetickets.core.images import InvalidImage, image_attach, image_payload
from piquetickets.performers.models import Performer
from piquetickets.performers.services import performer_create, performer_delete, performer_update
from piquetickets.producers.services import producer_update
from piquetickets.shows.models import Show
from piquetickets.storefront.views.browse import rich_text
from piquetickets.venues.models import Venue
from piquetickets.venues.services import venue_create, venue_remove, venue_update

from ..access import producer_object_or_404, producer_required
from ..forms import apply_error
from ..forms.places import PerformerForm, ProfileForm, VenueForm
from ..forms.shows import apply_validation_error
from ..responses import see_other

PAGE_SIZE = 50


def _shows_using(field: str):
    """How many shows (deleted ones too: they keep their venue and bill) use the row, in one subquery."""
    shows = Show.all_objects.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(Subquery(shows.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), Value(0))


def _initials(text: str) -> str:
    words = [word for word in text.replace("&", " ").split() if word[:1].isalnum()]
    return "".join(word[0] for word in words[:2]).upper() or "?"


def map_url(venue: Venue) -> str:
    """The venue on OpenStreetMap, as its public page links it."""
    address = ", ".join(
        part for part in (venue.address, venue.city, f"{venue.state} {venue.zip_code}".strip(), venue.country) if part
    )
    return "https://www.openstreetmap.org/search?" + urlencode({"query": address})


def _store(form, instance: Model, field: str) -> None:
    """Attach the form's upload, if any, to ``instance.<field>``; a refused file names its field."""
    upload = form.upload()
    if upload:
        try:
            image_attach(instance=instance, field=field, upload=upload)
        except InvalidImage as error:
            raise InvalidImage(error.message, extra={"field": field}) from error


def _submit(form, model: type[Model], save: Callable[[], Model]) -> Model | None:
    """Run ``save`` (fields, then image, all or nothing) for a bound form: the saved row, or ``None`` with
    the refusal on the form by field."""
    if not form.is_valid():
        return None
    try:
        with transaction.atomic():
            return save()
    except ApplicationError as refusal:
        apply_error(form, refusal)
    except ValidationError as error:
        apply_validation_error(form, error, model=model)
    return None


# --- venues and performers: one flow, two kinds ------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    """A kind of place-or-person the producer keeps: what its pages need to know."""

    model: type[Model]
    form_class: type
    name: str  # "venue"
    plural: str  # "venues"
    image_field: str
    shows_field: str  # Show's field that points at it
    create: Callable
    update: Callable
    data: Callable
    public_url_name: str

    def url(self, action: str, obj=None) -> str:
        return reverse(f"portal:{self.name}-{action}", args=[obj.slug] if obj is not None else [])


VENUES = _Kind(
    model=Venue,
    form_class=VenueForm,
    name="venue",
    plural="venues",
    image_field="venue_image",
    shows_field="venue",
    create=lambda producer, data: venue_create(producer=producer, data=data),
    update=lambda venue, data: venue_update(venue=venue, data=data),
    data=lambda form: form.venue_data(),
    public_url_name="storefront:venue",
)
PERFORMERS = _Kind(
    model=Performer,
    form_class=PerformerForm,
    name="performer",
    plural="performers",
    image_field="image",
    shows_field="performers",
    create=lambda producer, data: performer_create(producer=producer, data=data),
    update=lambda performer, data: performer_update(performer=performer, data=data),
    data=lambda form: form.performer_data(),
    public_url_name="storefront:performer",
)


def _public_url(kind: _Kind, obj) -> str:
    if kind is VENUES and not obj.is_active:
        return ""  # a switched-off venue has no public page
    return reverse(kind.public_url_name, args=[obj.slug])


def _list_page(request, kind: _Kind, *, refusal: ApplicationError | None = None, status: int = 200):
    rows = (
        kind.model.objects.filter(producer=request.producer)
        .annotate(show_count=_shows_using(kind.shows_field))
        .order_by(*(["-is_active"] if kind is VENUES else []), "name", "pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    items = [
        {
            "obj": obj,
            "image": image_payload(obj, kind.image_field),
            "initials": _initials(obj.name),
            "public_url": _public_url(kind, obj),
            "map_url": map_url(obj) if kind is VENUES else "",
        }
        for obj in page.object_list
    ]
    context = {"items": items, "page": page, "refusal": refusal}
    return render(request, f"portal/places/{kind.name}_list.html", context, status=status)


def _form_page(request, kind: _Kind, form, *, obj=None, status: int = 200):
    context = {
        "form": form,
        kind.name: obj,
        "obj": obj,
        "image": image_payload(obj, kind.image_field) if obj is not None else None,
        "image_field": form[kind.image_field],
        "public_url": _public_url(kind, obj) if obj is not None else "",
        "map_url": map_url(obj) if obj is not None and kind is VENUES else "",
        "show_count": (Show.all_objects.filter(**{kind.shows_field: obj}).count() if obj is not None else 0),
    }
    return render(request, f"portal/places/{kind.name}_form.html", context, status=status)


def _new(request, kind: _Kind):
    if request.method == "GET":
        return _form_page(request, kind, kind.form_class())
    form = kind.form_class(request.POST, request.FILES)

    def save():
        obj = kind.create(request.producer, kind.data(form))
        _store(form, obj, kind.image_field)
        return obj

    obj = _submit(form, kind.model, save)
    if obj is None:
        return _form_page(request, kind, form, status=422)
    messages.success(request, f"“{obj.name}” is added.")
    return see_other(kind.url("list"))


def _edit(request, kind: _Kind, slug: str):
    obj = producer_object_or_404(request, kind.model, slug=slug)
    if request.method == "GET":
        return _form_page(request, kind, kind.form_class(initial=kind.form_class.initial_from(obj)), obj=obj)
    form = kind.form_class(request.POST, request.FILES)

    def save():
        saved = kind.update(obj, kind.data(form))
        _store(form, saved, kind.image_field)
        return saved

    saved = _submit(form, kind.model, save)
    if saved is None:
        obj.refresh_from_db()  # the page's heading shows what is saved, not what was refused
        return _form_page(request, kind, form, obj=obj, status=422)
    messages.success(request, f"“{saved.name}” is saved.")
    return see_other(kind.url("list"))


@require_GET
@producer_required
def venue_list(request):
    return _list_page(request, VENUES)


@require_http_methods(["GET", "POST"])
@producer_required
def venue_new(request):
    return _new(request, VENUES)


@require_http_methods(["GET", "POST"])
@producer_required
def venue_edit(request, slug: str):
    return _edit(request, VENUES, slug)


@require_POST
@producer_required
def venue_remove_view(request, slug: str):
    """Delete a venue no show uses; one that shows use can't be deleted and is switched off instead."""
    venue = producer_object_or_404(request, Venue, slug=slug)
    used_by = Show.all_objects.filter(venue=venue).count()
    outcome = venue_remove(venue=venue)
    if outcome == "deleted":
        messages.success(request, f"“{venue.name}” is deleted.")
    else:
        messages.success(
            request,
            f"“{venue.name}” can't be deleted: {used_by} show{'s' if used_by != 1 else ''} "
            f"{'use' if used_by != 1 else 'uses'} it, and keep{'' if used_by != 1 else 's'} it. "
            "It is switched off instead: no longer offered for new shows, and its public page is gone. "
            "Edit it to switch it back on.",
        )
    return see_other(VENUES.url("list"))


@require_GET
@producer_required
def performer_list(request):
    return _list_page(request, PERFORMERS)


@require_http_methods(["GET", "POST"])
@producer_required
def performer_new(request):
    return _new(request, PERFORMERS)


@require_http_methods(["GET", "POST"])
@producer_required
def performer_edit(request, slug: str):
    return _edit(request, PERFORMERS, slug)


@require_POST
@producer_required
def performer_remove_view(request, slug: str):
    """Delete a performer on no show's bill; ``performer_delete`` refuses the rest (409, and why)."""
    performer = producer_object_or_404(request, Performer, slug=slug)
    try:
        performer_delete(performer=performer)
    except ApplicationError as refusal:
        return _list_page(request, PERFORMERS, refusal=refusal, status=refusal.status)
    messages.success(request, f"“{performer.name}” is deleted.")
    return see_other(PERFORMERS.url("list"))


# --- the producer's profile --------------------------------------------------------------------------


def _profile_preview(producer) -> dict:
    """What the public page shows of the profile (``/producers/<slug>/``): logo, name, links, the
    support address and the text, sanitised as there."""
    labels = {name: ProfileForm.base_fields[name].label for name in ProfileForm.LINKS}
    return {
        "name": producer.name,
        "image": image_payload(producer, "image"),
        "initials": _initials(producer.name),
        "links": [
            {"label": labels[name], "url": getattr(producer, name)} for name in labels if getattr(producer, name)
        ],
        "support_email": producer.support_email,
        "about": rich_text(producer.bio),
    }


def _profile_page(request, form: ProfileForm, *, status: int = 200):
    producer = request.producer
    context = {
        "form": form,
        "image": image_payload(producer, "image"),
        "preview": _profile_preview(producer),
        "public_url": reverse("storefront:producer", args=[producer.slug]) if producer.is_active else "",
    }
    return render(request, "portal/places/profile.html", context, status=status)


@require_http_methods(["GET", "POST"])
@producer_required
def profile(request):
    producer = request.producer
    if request.method == "GET":
        return _profile_page(request, ProfileForm(initial=ProfileForm.initial_from(producer)))
    form = ProfileForm(request.POST, request.FILES)

    def save():
        saved = producer_update(producer=producer, data=form.profile_data())
        _store(form, saved, "image")
        return saved

    if _submit(form, type(producer), save) is None:
        producer.refresh_from_db()  # the preview shows what is saved
        return _profile_page(request, form, status=422)
    messages.success(request, "Your profile is saved. Buyers see it on your public page.")
    return see_other(reverse("portal:profile"))
