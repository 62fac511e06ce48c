"""The Orders pages' forms: the filters of the orders and attendees lists (bound to ``request.GET``, so the
export and the pages share them), and a refund (what to refund and why).

They only parse; whether a refund can be made, and for how much, is ``orders.services.refund_quote``'s and
``order_refund``'s to say (their refusals come back through :func:`piquetickets.portal.forms.apply_error`).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator

from piquetickets.core.widgets import QuickSelect
from piquetickets.orders.selectors import ORDER_STATUS_FILTERS
from piquetickets.orders.tickets import show_local
from piquetickets.shows.models import Show

ATTENDEE_STATES = (
    ("valid", "Valid tickets"),
    ("not_checked_in", "Not checked in yet"),
    ("checked_in", "Checked in"),
    ("all", "All, refunded too"),
)


def show_choice_label(show: Show) -> str:
    """``Open Mic Madness (19 Dec 2026)``: the date on the show's own clock (a 7:30 PM show in Chicago is
    on the 19th, though it is the 20th in UTC)."""
    local = show_local(show, show.start_time)
    return f"{show.title} ({local.day} {local:%b} {local.year})"


class _ShowChoiceIterator(ModelChoiceIterator):
    """The field's queryset itself, read once and kept, rather than ``QuerySet.iterator()`` (on PostgreSQL a
    server-side cursor: several round trips to list a producer's handful of shows)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for show in self.queryset:
            yield self.choice(show)


class _ShowChoiceField(forms.ModelChoiceField):
    """One of the producer's shows by slug: checked against the shows the select lists (one query for
    both the check and the options)."""

    iterator = _ShowChoiceIterator
    widget = QuickSelect

    def label_from_instance(self, show: Show) -> str:
        return show_choice_label(show)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        slug = value.slug if isinstance(value, Show) else str(value)
        show = next((show for show in self.queryset if show.slug == slug), None)
        if show is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
        return show


class _FilterForm(forms.Form):
    """A list's filter: ``show`` (one of the producer's, by slug), ``q``; invalid values count as unset."""

    show = _ShowChoiceField(
        label="Show", queryset=Show.objects.none(), to_field_name="slug", required=False, empty_label="All shows"
    )
    q = forms.CharField(label="Search", required=False, max_length=100)

    def __init__(self, data=None, *, producer, **kwargs):
        super().__init__(data, **kwargs)
        # Not the descriptions and image renditions of every show the producer ever had: only the chosen
        # show is used beyond its title, slug, date and currency.
        shows = Show.all_objects.filter(producer=producer).defer("description", "image_variants")
        self.fields["show"].queryset = shows.order_by("-start_time", "pk")
        self.fields["show"].widget.attrs["class"] = "select--small"

    def value(self, name: str, default=None):
        """The cleaned value of ``name``, or ``default`` when it is empty or invalid (a stale link still works)."""
        if not self.is_bound:
            return default
        self.is_valid()
        value = self.cleaned_data.get(name)
        if name in self.errors or value in (None, ""):
            return default
        return value.strip() if isinstance(value, str) else value


class OrderFilterForm(_FilterForm):
    status = forms.ChoiceField(label="Status", choices=ORDER_STATUS_FILTERS, required=False, widget=QuickSelect)
    field_order = ["q", "show", "status"]

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["q"].help_text = "Buyer's name or email, or the order's reference."
        self.fields["status"].widget.attrs["class"] = "select--small"


class AttendeeFilterForm(_FilterForm):
    state = forms.ChoiceField(label="Tickets", choices=ATTENDEE_STATES, required=False, widget=QuickSelect)
    field_order = ["q", "show", "state"]

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["q"].help_text = "Attendee's or buyer's name or email, order reference or ticket code."
        self.fields["state"].widget.attrs["class"] = "select--small"


class RefundForm(forms.Form):
    """What to refund: the whole order, chosen tickets (for their price, or an amount), or an amount of
    money with every ticket kept."""

    WHOLE, TICKETS, AMOUNT = "whole", "tickets", "amount"
    KINDS = (
        (WHOLE, "The whole order: every ticket stops admitting, everything not yet refunded is given back"),
        (TICKETS, "Some tickets: they stop admitting, and their price is given back"),
        (AMOUNT, "An amount of money: every ticket stays valid"),
    )

    kind = forms.ChoiceField(
        label="What to refund", choices=KINDS, widget=forms.RadioSelect, initial=WHOLE,
        error_messages={"required": "Choose what to refund."},
    )  # fmt: skip
    attendees = forms.MultipleChoiceField(
        label="Tickets to refund",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For “Some tickets”.",
    )
    amount = forms.DecimalField(
        label="Amount to give back",
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="For “An amount”; with “Some tickets”, leave it empty to give back their price.",
        error_messages={
            "invalid": "Enter an amount like 12.50.",
            "min_value": "The amount to refund must be more than zero.",
            "max_decimal_places": "Use at most two decimals.",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "input--short"}),
    )

    def __init__(self, data=None, *, tickets: list[tuple[str, str]], **kwargs):
        """``tickets``: ``(uuid, label)`` of the order's valid tickets."""
        super().__init__(data, **kwargs)
        self.fields["attendees"].choices = tickets
        if not tickets:
            self.fields["kind"].choices = [c for c in self.KINDS if c[0] != self.TICKETS]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == self.TICKETS and not data.get("attendees"):
            self.add_error("attendees", "Choose the tickets to refund.")
        if kind == self.AMOUNT and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", "Enter the amount to give back.")
        return data

    def service_arguments(self) -> dict:
        """``attendee_uuids`` and ``amount`` for ``refund_quote`` / ``order_refund``, from a valid form."""
        kind = self.cleaned_data["kind"]
        if kind == self.WHOLE:
            return {"attendee_uuids": None, "amount": None}
        if kind == self.TICKETS:
            return {"attendee_uuids": list(self.cleaned_data["attendees"]), "amount": self.cleaned_data.get("amount")}
        return {"attendee_uuids": None, "amount": self.cleaned_data["amount"]}


class RefundConfirmForm(RefundForm):
    """The confirmation step: the refund chosen before (hidden), what the person was shown (the order's
    refunded amount then, ``expected_refunded``, and the refund's amount, ``expected_amount``) and the
    reason, asked here."""

    reason = forms.CharField(
        label="Reason",
        max_length=255,
        help_text="Shown to the buyer in the refund email, and kept with the order.",
        error_messages={"required": "Say why this order is refunded."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    expected_refunded = forms.DecimalField(max_digits=10, decimal_places=2, widget=forms.HiddenInput)
    expected_amount = forms.DecimalField(max_digits=10, decimal_places=2, widget=forms.HiddenInput)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["kind"].widget = forms.HiddenInput()
        self.fields["attendees"].widget = forms.MultipleHiddenInput()
        self.fields["amount"].widget = forms.HiddenInput()
