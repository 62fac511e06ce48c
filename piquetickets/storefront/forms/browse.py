"""Forms of the browse pages: the newsletter sign-up, the "sell tickets with us" lead form, and the
show list's filters (the shows domain's ``ShowFilter``, dressed for the page)."""

from __future__ import annotations

from django import forms

from piquetickets.producers.models import ProducerInterest
from piquetickets.shows.filters import ShowFilter

LONG_TEXT = 5000  # characters in a free-text answer, as the API allows


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
            "max_length": "Enter an email address of 254 characters or fewer.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "subscribe-%s")
        super().__init__(*args, **kwargs)


SHOW_TYPES = [
    "Stand-up comedy", "Improv and sketch", "Live music", "Theatre", "Drag and cabaret", "Dance",
    "Podcasts and live talks", "Workshops and classes", "Festivals",
]  # fmt: skip
PLATFORMS = [
    "Eventbrite", "Ticketmaster", "Dice", "Ticket Tailor", "The venue's box office", "Cash at the door",
    "Nothing yet: this is my first show",
]  # fmt: skip


def _text(label: str, *, required: bool = False, max_length: int = 200, autocomplete: str = "", **kwargs):
    attrs = {"autocomplete": autocomplete} if autocomplete else {}
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=kwargs.pop("widget", forms.TextInput(attrs=attrs)),
        error_messages={"max_length": f"Use {max_length} characters or fewer."},
        **kwargs,
    )


def _long_text(label: str, **kwargs):
    return _text(label, max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4}), **kwargs)


class ProducerInterestForm(forms.Form):
    """Every field of a ProducerInterest a prospective producer tells us, in the order the page asks.

    ``homepage`` is a honeypot: hidden from people (and from assistive technology), filled in by bots
    that fill in everything. A submission with it is thanked and thrown away.
    """

    HONEYPOT = "homepage"

    name = _text("Your name", required=True, autocomplete="name")
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
        },
    )
    phone = _text(
        "Phone number",
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text="If you'd rather talk it through.",
    )
    company_name = _text("Company, collective or venue", autocomplete="organization")
    city = _text("City", max_length=120, autocomplete="address-level2")
    state = _text("State or region", max_length=120, autocomplete="address-level1")
    events_per_year = forms.ChoiceField(
        label="How many shows do you put on a year?",
        required=False,
        choices=ProducerInterest.EventsPerYear.choices,
        widget=forms.RadioSelect,
    )
    show_types = forms.MultipleChoiceField(
        label="What kind of shows?",
        required=False,
        choices=[(name, name) for name in SHOW_TYPES],
        widget=forms.CheckboxSelectMultiple,
        help_text="Pick all that apply.",
    )
    show_types_other = _text("Other kinds of shows", max_length=LONG_TEXT)
    current_platform = forms.MultipleChoiceField(
        label="How do you sell tickets today?",
        required=False,
        choices=[(name, name) for name in PLATFORMS],
        widget=forms.CheckboxSelectMultiple,
        help_text="Pick all that apply.",
    )
    current_platform_other = _text("Something else", max_length=LONG_TEXT)
    platform_challenges = _long_text("What gets in the way when you sell tickets now?")
    desired_features = _long_text("What should a ticketing platform do for you?")
    interested_in_marketing = forms.BooleanField(
        label="I'd like help promoting my shows", required=False, help_text="Email campaigns, social ads and listings."
    )
    additional_info = _long_text("Anything else we should know?")
    homepage = forms.CharField(
        label="Leave this empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "interest-%s")
        super().__init__(*args, **kwargs)
        self.fields["name"].error_messages["required"] = "Enter your name."

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get(self.HONEYPOT, "").strip())

    def interest_data(self) -> dict:
        """What the ``producer_interest_submit`` service records (everything but the honeypot)."""
        return {name: value for name, value in self.cleaned_data.items() if name != self.HONEYPOT}


class ShowFilterForm:
    """The show list's filters for the page: ``ShowFilter`` bound to the query string, its fields given
    the page's labels and widgets (date pickers; city, venue, performer and producer as menus of those
    with a public upcoming show). Validation and filtering stay ``ShowFilter``'s, as in the API."""

    FIELDS = ("q", "starts_after", "starts_before", "city", "venue", "performer", "producer")

    def __init__(self, data, *, queryset, options: dict[str, list[tuple[str, str]]]):
        self.filterset = ShowFilter({k: v for k, v in data.items() if k in self.FIELDS}, queryset=queryset)
        form = self.filterset.form
        form.auto_id = "filter-%s"
        form.fields["q"].label = "Search"
        form.fields["q"].widget = forms.TextInput(
            attrs={
                "type": "search",
                "maxlength": "100",
                "placeholder": "Show, performer, venue…",
                "enterkeyhint": "search",
            }
        )
        for name, label in (("starts_after", "From"), ("starts_before", "Until")):
            form.fields[name].label = label
            form.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            form.fields[name].error_messages["invalid"] = f"Enter the “{label}” date like 2026-12-31."
        for name, label, anything in (
            ("city", "City", "Any city"),
            ("venue", "Venue", "Any venue"),
            ("performer", "Performer", "Anyone"),
            ("producer", "Producer", "Any producer"),
        ):
            choices = list(options.get(name, []))
            current = data.get(name, "")
            if current and current not in {value for value, _ in choices}:
                choices.insert(0, (current, current))  # a link from elsewhere: keep it visible and selected
            form.fields[name].label = label
            form.fields[name].widget = forms.Select(choices=[("", anything), *choices])
        self.form = form

    def is_valid(self) -> bool:
        return self.form.is_valid()

    @property
    def qs(self):
        """The matching shows; a filter whose value does not parse is left out (it is shown as an error)."""
        return self.filterset.qs

    @property
    def active(self) -> dict[str, str]:
        """The filters in use (valid and not empty), by name."""
        cleaned = getattr(self.form, "cleaned_data", {}) if self.form.is_bound else {}
        return {name: self.form.data.get(name) for name in self.FIELDS if cleaned.get(name) not in (None, "")}
