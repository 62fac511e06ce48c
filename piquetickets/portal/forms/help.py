"""The help centre's search form (a GET form; an empty search lists the categories)."""

from __future__ import annotations

from django import forms


class HelpSearchForm(forms.Form):
    q = forms.CharField(
        label="Search the help centre",
        max_length=100,
        required=False,
        error_messages={"max_length": "Use at most 100 characters."},
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. refunds, payouts, door links"}),
    )
