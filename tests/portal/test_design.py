"""The portal's page design editor and the embed snippet on a show's page (authorization of every URL
is in the matrix)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from piquetickets.shows.models import TicketPageDesign
from piquetickets.shows.services import page_design_background_remove
from piquetickets.storefront.views.shows import show_theme
from tests.factories import ProducerFactory, ShowFactory
from tests.images import image_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def show(producer):
    return ShowFactory(producer=producer, title="Friday Laughs")


def _url(show, name: str = "show-design") -> str:
    return reverse(f"portal:{name}", args=[show.slug])


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_design_page_starts_from_the_default_colours(owner_client, show):
    response = owner_client.get(_url(show))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="#b3125b"' in html  # the hex code and the picker
    assert html.count('value="#1f1a2e"') == 2
    assert "the PiqueTickets colours until you save your own" in html
    assert f'href="{_url(show, "show-design-css")}?primary_color=%23b3125b&amp;secondary_color=%231f1a2e"' in html
    assert response.context["notes"]["warnings"] == []
    assert not TicketPageDesign.objects.exists()


def test_saving_colours_through_the_hex_codes(owner_client, show):
    response = owner_client.post(
        _url(show),
        {
            "primary_color": "#0A6E4F",
            "primary_color_picker": "#b3125b",
            "secondary_color": "f4e9d8",
            "secondary_color_picker": "#1f1a2e",
        },
    )

    assert response.status_code == 303
    assert response["Location"] == _url(show)
    design = TicketPageDesign.objects.get(show=show)
    assert (design.primary_color, design.secondary_color) == ("#0a6e4f", "#f4e9d8")
    assert _messages(response) == ["The page design of “Friday Laughs” is saved."]


def test_without_javascript_a_changed_picker_wins_over_an_unchanged_hex_code(owner_client, show):
    TicketPageDesign.objects.create(show=show, primary_color="#B3125B", secondary_color="#1F1A2E")

    response = owner_client.post(
        _url(show),
        {
            "primary_color": "#B3125B",  # untouched
            "primary_color_picker": "#224488",  # picked
            "secondary_color": "#abc",  # typed (short form)
            "secondary_color_picker": "#1f1a2e",
        },
    )

    assert response.status_code == 303
    design = TicketPageDesign.objects.get(show=show)
    assert (design.primary_color, design.secondary_color) == ("#224488", "#aabbcc")


def test_bad_colours_come_back_by_field_with_input_kept(owner_client, show):
    response = owner_client.post(_url(show), {"primary_color": "pink", "secondary_color": ""})

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors == {
        "primary_color": ["Enter a colour as 6 hex digits after a #, like #B3125B."],
        "secondary_color": ["Enter a colour like #B3125B."],
    }
    html = response.content.decode()
    assert 'value="pink"' in html
    assert "<title>Error: Page design · Friday Laughs" in html
    assert not TicketPageDesign.objects.exists()


def test_a_light_primary_colour_is_warned_about_with_what_the_storefront_does(owner_client, show):
    response = owner_client.get(
        _url(show, "show-design-preview"), {"primary_color": "#ffd700", "secondary_color": "#1f1a2e"}
    )

    assert response.status_code == 200
    theme = show_theme(TicketPageDesign(show_id=show.pk, primary_color="#ffd700", secondary_color="#1f1a2e"))
    warnings = response.context["notes"]["warnings"]
    assert warnings == [
        "Your primary colour #ffd700 is too light to read as text on the page's white cards (1.2:1; text needs "
        f"4.5:1). Buttons keep your colour; prices and links are shown in a darker shade of it, {theme.accent_ink}, "
        "so they stay readable."
    ]
    checks = {check["what"]: check["ratio"] for check in response.context["notes"]["checks"]}
    assert float(checks["Prices and links on white"].split(":")[0]) >= 4.5
    assert float(checks["Button text on your primary colour"].split(":")[0]) >= 4.5
    html = response.content.decode()
    assert "<html" not in html  # a fragment
    assert "too light to read as text" in html
    assert response["Vary"].count("HX-Request") == 1


def test_a_saved_light_colour_is_warned_about_on_the_page_too(owner_client, show):
    response = owner_client.post(_url(show), {"primary_color": "#ffd700", "secondary_color": "#1f1a2e"})
    assert response.status_code == 303

    page = owner_client.get(_url(show))
    assert "too light to read as text" in page.content.decode()


def test_a_refused_save_previews_the_colours_tried(owner_client, show):
    response = owner_client.post(
        _url(show),
        {"primary_color": "#ffd700", "secondary_color": "#1f1a2e", "background_image": upload(content=b"nope")},
    )

    assert response.status_code == 422
    assert response.context["form"].errors == {"background_image": ["This file is not an image we can use."]}
    assert response.context["colours"] == {"primary": "#ffd700", "secondary": "#1f1a2e"}
    assert response.context["notes"]["warnings"]
    assert not TicketPageDesign.objects.exists()  # the colours were not kept without their image


def test_preview_with_a_bad_colour_answers_422_with_the_saved_design(owner_client, show):
    response = owner_client.get(_url(show, "show-design-preview"), {"primary_color": "nope", "secondary_color": "#000"})

    assert response.status_code == 422
    assert response.context["colours"] == {"primary": "#b3125b", "secondary": "#1f1a2e"}


def test_theme_css_is_the_storefronts_for_the_colours_asked(owner_client, show):
    response = owner_client.get(
        _url(show, "show-design-css"), {"primary_color": "#ffd700", "secondary_color": "#ffffff"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/css; charset=utf-8"
    expected = show_theme(TicketPageDesign(show_id=show.pk, primary_color="#ffd700", secondary_color="#ffffff")).css()
    assert response.content.decode() == expected
    assert "--show-accent:#ffd700" in expected
    assert "no-cache" in response["Cache-Control"]


def test_theme_css_falls_back_to_the_saved_design(owner_client, show):
    TicketPageDesign.objects.create(show=show, primary_color="#224488", secondary_color="#111111")

    response = owner_client.get(_url(show, "show-design-css"), {"primary_color": "red"})

    assert "--show-accent:#224488" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a picture", "This file is not an image we can use."),
        (image_bytes(size=(150, 400)), "The image is 150×400 pixels; each side needs at least 200."),
    ],
)
def test_a_bad_background_is_refused_by_field_and_nothing_changes(owner_client, show, content, message):
    TicketPageDesign.objects.create(show=show, primary_color="#224488", secondary_color="#111111")

    response = owner_client.post(
        _url(show),
        {
            "primary_color": "#000000",
            "secondary_color": "#ffffff",
            "background_image": upload("bg.png", content=content),
        },
    )

    assert response.status_code == 422
    assert response.context["form"].errors == {"background_image": [message]}
    design = TicketPageDesign.objects.get(show=show)
    assert (design.primary_color, design.secondary_color) == ("#224488", "#111111")
    assert not design.background_image


def test_upload_then_remove_the_background(owner_client, show, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = owner_client.post(
            _url(show),
            {"primary_color": "#b3125b", "secondary_color": "#1f1a2e", "background_image": upload("stage.png")},
        )
    assert response.status_code == 303
    assert len(callbacks) == 1  # the WebP rendition is queued
    design = TicketPageDesign.objects.get(show=show)
    assert design.background_image.name.startswith("shows/backgrounds/stage-")

    page = owner_client.get(_url(show))
    html = page.content.decode()
    assert "Remove the background image" in html
    assert "Over the background image, the band is a" in html

    response = owner_client.post(
        _url(show), {"primary_color": "#b3125b", "secondary_color": "#1f1a2e", "remove_background": "on"}
    )
    assert response.status_code == 303
    design.refresh_from_db()
    assert not design.background_image
    assert "background_image" not in design.image_variants


def test_removing_and_uploading_at_once_is_refused(owner_client, show):
    response = owner_client.post(
        _url(show),
        {
            "primary_color": "#b3125b",
            "secondary_color": "#1f1a2e",
            "remove_background": "on",
            "background_image": upload(),
        },
    )

    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["remove_background"]


def test_background_remove_service_without_a_design_or_image(show):
    assert page_design_background_remove(show=show) is None
    design = TicketPageDesign.objects.create(show=show)
    assert page_design_background_remove(show=show) == design


def test_another_producers_show_is_404_and_unchanged(owner_client):
    theirs = ShowFactory(producer=ProducerFactory())
    TicketPageDesign.objects.create(show=theirs, primary_color="#224488", secondary_color="#111111")

    assert owner_client.get(_url(theirs)).status_code == 404
    colours = {"primary_color": "#000000", "secondary_color": "#ffffff"}
    assert owner_client.post(_url(theirs), colours).status_code == 404
    assert owner_client.get(_url(theirs, "show-design-preview"), colours).status_code == 404
    assert owner_client.get(_url(theirs, "show-design-css"), colours).status_code == 404
    design = TicketPageDesign.objects.get(show=theirs)
    assert (design.primary_color, design.secondary_color) == ("#224488", "#111111")


# --- the embed snippet on the show's page --------------------------------------------------------------


def test_show_page_has_the_embed_snippet_and_the_design_link(owner_client, show, settings):
    settings.SITE_URL = "https://tickets.example.com"

    response = owner_client.get(reverse("portal:show", args=[show.slug]))

    assert response.status_code == 200
    html = response.content.decode()
    snippet = (
        f"&lt;script src=&quot;https://tickets.example.com/static/storefront/widget.js&quot; data-show=&quot;"
        f"{show.slug}&quot; async&gt;&lt;/script&gt;"
    )
    assert snippet in html
    assert 'data-copy="embed-code"' in html
    assert f'href="{_url(show)}"' in html
    assert "/static/portal/design/copy.js" in html
