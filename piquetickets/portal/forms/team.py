"""The Team page's forms: invite someone, change a member's role."""

from __future__ import annotations

from django import forms

from piquetickets.producers.models import UserProducerAssociation


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="They get a link to join, valid for 7 days. They join as a manager; make them an owner after.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}),
        error_messages={
            "required": "Enter the email address to invite.",
            "invalid": "Enter an email address like name@example.com.",
        },
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        choices=UserProducerAssociation.Role.choices,
        error_messages={"required": "Choose owner or manager.", "invalid_choice": "Choose owner or manager."},
    )
