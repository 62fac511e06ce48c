"""The forms of the Venues, Performers and Profile pages: every field of the model a producer sets, and
its image.

The forms only parse: the rules (a time zone the database admits, a URL, an email…) are the models'
``full_clean`` in the services (``venue_create``, ``performer_update``, ``producer_update``…), whose
refusals come back by field through :func:`piquetickets.portal.forms.shows.apply_validation_error`.
An image is checked by ``core.images.image_attach`` (as the API's upload is) when the view stores it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError

from piquetickets.core.countries import country_choices
from piquetickets.core.images import ALLOWED_FORMATS, MAX_UPLOAD_BYTES, MIN_SIDE
from piquetickets.core.timezones import DEFAULT_TIME_ZONE, time_zone_choices_grouped
from piquetickets.core.widgets import QuickSelect, RichTextarea

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp,image/gif"
IMAGE_HINT = (
    f"{', '.join(sorted(ALLOWED_FORMATS))}; up to {MAX_UPLOAD_BYTES // 1024 // 1024} MB, "
    f"at least {MIN_SIDE}×{MIN_SIDE} pixels."
)
RICH_TEXT_HINT = "Use the toolbar for bold, italics, headings, lists and links."


# Where each social link may point: the public pages show it under that site's name and icon.
SOCIAL_HOSTS = {
    "Instagram": ("instagram.com",),
    "TikTok": ("tiktok.com",),
    "YouTube": ("youtube.com", "youtu.be"),
    "Facebook": ("facebook.com", "fb.com", "fb.me"),
    "X (Twitter)": ("x.com", "twitter.com"),
}


def _on_host(label: str, hosts: tuple[str, ...], example: str):
    def validate(value: str) -> None:
        host = (urlsplit(value).hostname or "").lower()
        if not any(host == allowed or host.endswith("." + allowed) for allowed in hosts):
            article = "an" if label[0] in "AEIOUX" else "a"  # "an Instagram", "an X (Twitter)"
            raise ValidationError(f"Enter {article} {label} address, like {example}", code="wrong_site")

    return validate


def _url_field(label: str, example: str) -> forms.URLField:
    hosts = SOCIAL_HOSTS.get(label)
    return forms.URLField(
        label=label,
        required=False,
        assume_scheme="https",
        max_length=200,
        validators=[_on_host(label, hosts, example)] if hosts else [],
        error_messages={"invalid": f"Enter a web address like {example}"},
        widget=forms.URLInput(attrs={"inputmode": "url", "spellcheck": "false", "autocomplete": "url"}),
    )


class CountryField(forms.ChoiceField):
    """A country from the list (``core.countries``), by its two-letter code in any case (``us`` is US)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Country")
        kwargs.setdefault("choices", country_choices)
        kwargs.setdefault("widget", QuickSelect(attrs={"autocomplete": "country"}))
        kwargs.setdefault(
            "error_messages",
            {"required": "Choose the country.", "invalid_choice": "Choose a country from the list."},
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        return super().to_python(value).strip().upper()


class ImageFormMixin:
    """An optional image upload (``image_field``), checked when the view stores it."""

    image_field = "image"

    def _setup_image(self, label: str, hint: str) -> None:
        field = self.fields[self.image_field]
        field.label = label
        field.help_text = f"{hint} {IMAGE_HINT}"
        field.widget.attrs["accept"] = IMAGE_ACCEPT

    def upload(self):
        return self.cleaned_data.get(self.image_field)


class VenueForm(ImageFormMixin, forms.Form):
    """Every field of a venue (``venues.services.VENUE_FIELDS``) and its image."""

    image_field = "venue_image"

    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the venue's name."})
    address = forms.CharField(
        label="Street address",
        max_length=255,
        error_messages={"required": "Enter the street address."},
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    city = forms.CharField(
        label="City",
        max_length=120,
        error_messages={"required": "Enter the city."},
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    state = forms.CharField(
        label="State or region",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-level1"}),
    )
    zip_code = forms.CharField(
        label="ZIP or postal code",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "input--short"}),
    )
    country = CountryField(initial="US")
    time_zone = forms.ChoiceField(
        label="Time zone",
        choices=time_zone_choices_grouped,
        initial=DEFAULT_TIME_ZONE,
        help_text="New shows here start on this clock.",
    )
    capacity = forms.IntegerField(
        label="Capacity",
        min_value=1,
        max_value=1_000_000,
        required=False,
        help_text="How many people the room holds, for reference.",
        error_messages={"invalid": "Enter a whole number.", "min_value": "Enter at least 1, or leave it empty."},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input--short"}),
    )
    phone = forms.CharField(
        label="Phone",
        max_length=40,
        required=False,
        help_text="Shown on the venue's public page.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    website = _url_field("Website", "https://thecellar.example")
    description = forms.CharField(
        label="Description",
        required=False,
        widget=RichTextarea(attrs={"rows": 6}),
        help_text=f"What buyers read on the venue's page: how to get there, accessibility, the bar. {RICH_TEXT_HINT}",
    )
    venue_image = forms.FileField(required=False)
    is_active = forms.BooleanField(
        label="Active: offered when you make a show, with a public page",
        required=False,
        initial=True,
    )

    FIELDS = (
        "name", "address", "city", "state", "zip_code", "country", "time_zone", "capacity", "phone", "website",
        "description", "is_active",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_image("Photo", "Shown on the venue's page and its cards.")

    def clean_country(self) -> str:
        return self.cleaned_data["country"].upper()

    def venue_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}

    @classmethod
    def initial_from(cls, venue) -> dict:
        return {name: getattr(venue, name) for name in cls.FIELDS}


class PerformerForm(ImageFormMixin, forms.Form):
    """Every field of a performer (``performers.services.PERFORMER_FIELDS``) and their photo."""

    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the performer's name."})
    city = forms.CharField(
        label="Based in", max_length=120, required=False, help_text="A city, shown under their name."
    )
    bio = forms.CharField(label="Bio", required=False, widget=RichTextarea(attrs={"rows": 6}), help_text=RICH_TEXT_HINT)
    image = forms.FileField(required=False)
    website = _url_field("Website", "https://danaquip.example")
    instagram = _url_field("Instagram", "https://instagram.com/danaquip")
    tiktok = _url_field("TikTok", "https://www.tiktok.com/@danaquip")
    youtube = _url_field("YouTube", "https://youtube.com/@danaquip")
    facebook = _url_field("Facebook", "https://facebook.com/danaquip")
    twitter = _url_field("X (Twitter)", "https://x.com/danaquip")

    FIELDS = ("name", "city", "bio", "website", "instagram", "tiktok", "youtube", "facebook", "twitter")
    LINKS = ("website", "instagram", "tiktok", "youtube", "facebook", "twitter")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_image("Photo", "A portrait, shown round on their page.")

    def performer_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}

    @classmethod
    def initial_from(cls, performer) -> dict:
        return {name: getattr(performer, name) for name in cls.FIELDS}


class ProfileForm(ImageFormMixin, forms.Form):
    """The producer's public profile (``producers.services.PRODUCER_FIELDS``) and their logo."""

    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="As buyers see it: “Laugh Track presents…”.",
        error_messages={"required": "Enter your name as buyers see it."},
    )
    bio = forms.CharField(
        label="About you",
        required=False,
        widget=RichTextarea(attrs={"rows": 6}),
        help_text=f"On your public page. {RICH_TEXT_HINT}",
    )
    image = forms.FileField(required=False)
    support_email = forms.EmailField(
        label="Support email",
        required=False,
        help_text="Public: shown on your page and to buyers with questions about a show. Leave it empty to show none.",
        error_messages={"invalid": "Enter an email address like help@laughtrack.example."},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    country = CountryField(help_text="Where you are paid out.")
    website = _url_field("Website", "https://laughtrack.example")
    instagram = _url_field("Instagram", "https://instagram.com/laughtrack")
    ticktock = _url_field("TikTok", "https://www.tiktok.com/@laughtrack")
    youtube = _url_field("YouTube", "https://youtube.com/@laughtrack")
    facebook = _url_field("Facebook", "https://facebook.com/laughtrack")
    twitter = _url_field("X (Twitter)", "https://x.com/laughtrack")

    FIELDS = ("name", "bio", "support_email", "country", "website", "instagram", "ticktock", "youtube", "facebook",
              "twitter")  # fmt: skip
    LINKS = ("website", "instagram", "ticktock", "youtube", "facebook", "twitter")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_image("Logo or photo", "Shown round on your page.")

    def clean_country(self) -> str:
        return self.cleaned_data["country"].upper()

    def profile_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}

    @classmethod
    def initial_from(cls, producer) -> dict:
        return {name: getattr(producer, name) for name in cls.FIELDS}
