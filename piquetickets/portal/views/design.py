"""A show's page design: ``/dashboard/shows/<slug>/design/``.

The producer picks the page's two colours and a background image; a preview of the top of the show
page (its band and a ticket card) shows them as the storefront will, and says where a colour fails the
4.5:1 contrast text needs and what the storefront does about it. The colours of the preview and the
notes come from the storefront's own theme (:func:`piquetickets.storefront.views.shows.show_theme`,
:func:`~piquetickets.storefront.views.shows.contrast_ratio`), never computed twice.

- ``…/design/``: the form; a POST saves through ``shows.services.page_design_save`` (and the image
  through ``core.images.image_attach``, checked as the API's upload is, WebP renditions queued, or
  ``page_design_background_remove``), all or nothing, 303 with a message; refusals by field, 422.
- ``…/design/preview/?primary_color=…&secondary_color=…``: the preview and notes for unsaved colours,
  a fragment for ``portal/design/design.js`` (the live preview as the producer picks); without
  JavaScript the preview shows the saved design, and updates on save.
- ``…/design/theme.css?…``: the storefront's stylesheet of those colours, for the preview (the
  storefront's own ``theme.css`` serves only published shows' saved designs).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from piquetickets.core.errors import ApplicationError
from piquetickets.core.images import InvalidImage, image_attach, image_payload
from piquetickets.core.money import format_money
from piquetickets.shows.models import Show, TicketPageDesign
from piquetickets.shows.services import page_design_background_remove, page_design_save
from piquetickets.storefront.views.shows import CANVAS, MIN_CONTRAST, WHITE, contrast_ratio, show_theme

from ..access import producer_object_or_404, producer_required
from ..forms import apply_error
from ..forms.design import DesignForm, PreviewForm
from ..forms.shows import apply_validation_error
from ..responses import see_other
from .shows import _when


def _show(request, slug: str) -> Show:
    return producer_object_or_404(request, Show.objects.select_related("venue", "producer", "page_design"), slug=slug)


def _stored_design(show: Show) -> TicketPageDesign | None:
    design = getattr(show, "page_design", None)
    return design if design is not None and design.pk else None


def _saved_design(show: Show) -> TicketPageDesign:
    """The show's design, or an unsaved one with the defaults (what a first save starts from). Unsaved
    designs name the show by id only: ``show=`` would make them the show's ``page_design``."""
    return _stored_design(show) or TicketPageDesign(show_id=show.pk)


def _saved_colours(show: Show) -> dict[str, str]:
    design = _saved_design(show)
    return {"primary_color": design.primary_color, "secondary_color": design.secondary_color}


def _design_with(show: Show, colours: dict[str, str] | None) -> TicketPageDesign:
    """The saved design (its background image too) with ``colours`` in place of its own, unsaved."""
    saved = _saved_design(show)
    if not colours:
        return saved
    return TicketPageDesign(
        show_id=show.pk,
        primary_color=colours["primary_color"],
        secondary_color=colours["secondary_color"],
        background_image=saved.background_image,
        image_variants=saved.image_variants,
    )


def _rgb(colour: str) -> tuple[int, int, int]:
    digits = colour.lstrip("#")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _ratio(a: str, b: str | tuple[int, int, int]) -> str:
    value = contrast_ratio(_rgb(a), b if isinstance(b, tuple) else _rgb(b))
    return f"{int(value * 10) / 10:.1f}:1"  # rounded down: 4.49 is not 4.5


def _ink_name(colour: str) -> str:
    return {"#ffffff": "white", "#000000": "black", "#1d1b22": "near-black"}.get(colour.lower(), colour)


def design_notes(design: TicketPageDesign) -> dict:
    """What the storefront will do with ``design``'s colours: ``warnings`` (a colour below 4.5:1 where
    it is text, and what is shown instead) and ``checks`` (each pairing and its contrast)."""
    theme = show_theme(design)
    primary, secondary = design.primary_color.lower(), design.secondary_color.lower()
    warnings = []
    on_light = min(contrast_ratio(_rgb(primary), WHITE), contrast_ratio(_rgb(primary), CANVAS))
    if theme.accent_ink != primary:
        warnings.append(
            f"Your primary colour {primary} is too light to read as text on the page's white cards "
            f"({int(on_light * 10) / 10:.1f}:1; text needs {MIN_CONTRAST}:1). Buttons keep your colour; "
            f"prices and links are shown in a darker shade of it, {theme.accent_ink}, so they stay readable."
        )
    if theme.hero_image and theme.hero_veil < 1:
        veil = round(theme.hero_veil * 100)
        image_note = (
            f"Over the background image, the band is a {veil}% veil of your secondary colour: just enough "
            "for its text to read over the lightest and darkest parts of any picture."
        )
    elif theme.hero_image:
        image_note = (
            "Your secondary colour is mid-toned, so no text colour reads on it over a picture: the band "
            "covers the background image completely. A darker or lighter secondary colour lets it show."
        )
        warnings.append(image_note)
        image_note = ""
    else:
        image_note = ""
    checks = [
        {
            "what": "Button text on your primary colour",
            "pair": f"{_ink_name(theme.on_accent)} on {primary}",
            "ratio": _ratio(theme.on_accent, primary),
        },
        {
            "what": "Text on the band (secondary colour)",
            "pair": f"{_ink_name(theme.on_hero)} on {secondary}",
            "ratio": _ratio(theme.on_hero, secondary),
        },
        {
            "what": "Prices and links on white",
            "pair": f"{theme.accent_ink} on white" + (" (darkened)" if theme.accent_ink != primary else ""),
            "ratio": _ratio(theme.accent_ink, WHITE),
        },
    ]
    return {"warnings": warnings, "checks": checks, "image_note": image_note}


def _preview_context(request, show: Show, colours: dict[str, str] | None) -> dict:
    design = _design_with(show, colours)
    colours = {"primary": design.primary_color.lower(), "secondary": design.secondary_color.lower()}
    query = urlencode({"primary_color": colours["primary"], "secondary_color": colours["secondary"]})
    tickets = list(show.tickets.filter(is_active=True).order_by("sort_order", "pk")[:2])
    return {
        "show": show,
        "when": _when(show),
        "theme_url": f"{reverse('portal:show-design-css', args=[show.slug])}?{query}",
        "preview_tickets": [{"name": t.name, "price": format_money(t.price, show.currency)} for t in tickets],
        "notes": design_notes(design),
        "colours": colours,
    }


def _page(request, show: Show, form: DesignForm, *, status: int = 200, colours: dict | None = None):
    design = _stored_design(show)
    context = {
        "form": form,
        "background": image_payload(design, "background_image") if design is not None else None,
        "has_design": design is not None,
        "public_url": reverse("storefront:show", args=[show.slug]) if show.is_public else "",
        **_preview_context(request, show, colours),
    }
    return render(request, "portal/design/design.html", context, status=status)


def _save(show: Show, form: DesignForm) -> TicketPageDesign:
    with transaction.atomic():
        design = page_design_save(show=show, data=form.colours())
        if form.cleaned_data.get("remove_background"):
            design = page_design_background_remove(show=show)
        upload = form.cleaned_data.get("background_image")
        if upload:
            try:
                image_attach(instance=design, field="background_image", upload=upload)
            except InvalidImage as error:
                raise InvalidImage(error.message, extra={"field": "background_image"}) from error
    return design


@require_http_methods(["GET", "POST"])
@producer_required
def show_design(request, slug: str):
    show = _show(request, slug)
    saved = _saved_colours(show)
    if request.method == "GET":
        return _page(request, show, DesignForm(initial=DesignForm.initial_for(saved), saved=saved))
    form = DesignForm(request.POST, request.FILES, saved=saved)
    if form.is_valid():
        try:
            _save(show, form)
        except ApplicationError as refusal:
            apply_error(form, refusal)
        except ValidationError as error:
            apply_validation_error(form, error, model=TicketPageDesign)
        else:
            messages.success(request, f"The page design of “{show.title}” is saved.")
            return see_other(reverse("portal:show-design", args=[show.slug]))
    # The preview shows the colours tried when they are colours, so the producer sees what they chose.
    tried = {name: form.cleaned_data.get(name) for name in DesignForm.COLOURS} if hasattr(form, "cleaned_data") else {}
    colours = tried if all(tried.get(name) for name in DesignForm.COLOURS) else None
    return _page(request, show, form, status=422, colours=colours)


@require_GET
@producer_required
@vary_on_headers("HX-Request")
def show_design_preview(request, slug: str):
    """The preview and its notes for the colours asked (422 and the saved design's for a bad colour)."""
    show = _show(request, slug)
    form = PreviewForm(request.GET)
    colours = form.cleaned_data if form.is_valid() else None
    context = _preview_context(request, show, colours)
    return render(request, "portal/design/_preview.html", context, status=200 if colours else 422)


@require_GET
@producer_required
def show_design_css(request, slug: str):
    """The storefront's stylesheet for the colours asked (the saved design's when they are not colours)."""
    show = _show(request, slug)
    form = PreviewForm(request.GET)
    design = _design_with(show, form.cleaned_data if form.is_valid() else None)
    return HttpResponse(show_theme(design).css(), content_type="text/css; charset=utf-8")
