"""The Analytics page's filter: one of the producer's shows (or all of them) and a range of days.

A GET form: every field is optional. Left empty, the days are the last 30 up to today, or for a chosen
show from its first sale up to today (at most :data:`MAX_DAYS`). Dates are local days on the clock the
page uses (the show's, or the producer's for all shows).
"""

from __future__ import annotations

from datetime import date, timedelta

from django import forms

from piquetickets.core.widgets import QuickSelect
from piquetickets.portal.forms.orders import show_choice_label
from piquetickets.shows.models import Show

DEFAULT_DAYS = 30
MAX_DAYS = 366
EARLIEST = date(2000, 1, 1)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AnalyticsFilterForm(forms.Form):
    show = forms.ModelChoiceField(
        queryset=Show.objects.none(),
        required=False,
        empty_label="All shows",
        error_messages={"invalid_choice": "Choose one of your shows."},
        widget=QuickSelect,
    )
    start = forms.DateField(
        label="From",
        required=False,
        widget=DateInput,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Enter a date like 2026-03-06."},
    )
    end = forms.DateField(
        label="To",
        required=False,
        widget=DateInput,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Enter a date like 2026-03-06."},
    )

    def __init__(self, *args, producer, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        # The producer's shows, newest first: another producer's show is not a choice (and so refused).
        self.fields["show"].queryset = Show.objects.filter(producer=producer).order_by("-start_time", "pk")
        self.fields["show"].label_from_instance = show_choice_label
        for name in ("start", "end"):
            self.fields[name].widget.attrs.update({"min": EARLIEST.isoformat(), "max": self._latest().isoformat()})

    def _latest(self) -> date:
        return self.today + timedelta(days=MAX_DAYS)

    def clean_start(self):
        return self._check_date(self.cleaned_data.get("start"))

    def clean_end(self):
        return self._check_date(self.cleaned_data.get("end"))

    def _check_date(self, value: date | None) -> date | None:
        if value is not None and not EARLIEST <= value <= self._latest():
            raise forms.ValidationError(
                f"Enter a date between {EARLIEST:%-d %b %Y} and {self._latest():%-d %b %Y}.", code="out_of_range"
            )
        return value

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "Enter a date on or after the “From” date.")
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error("end", f"Choose at most {MAX_DAYS} days.")
        return cleaned

    def days(self, *, today: date, first_sale: date | None = None) -> tuple[date, date]:
        """The first and last day to show (a valid form): as typed, else the defaults (module docstring),
        ``today`` being on the page's clock."""
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start and end:
            return start, end
        if start:
            return start, min(max(start, today), start + timedelta(days=MAX_DAYS - 1))
        if end:
            return end - timedelta(days=DEFAULT_DAYS - 1), end
        end = today
        if first_sale is not None and first_sale <= end:
            return max(first_sale, end - timedelta(days=MAX_DAYS - 1)), end
        return end - timedelta(days=DEFAULT_DAYS - 1), end
