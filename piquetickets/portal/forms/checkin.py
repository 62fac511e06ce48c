"""The door-link form: a label and an expiry on the show's own clock. The rules (an expiry in the future,
the default after the show, a revoked link staying off) are ``piquetickets.checkin.services``'."""

from __future__ import annotations

from django import forms

from .shows import LocalDateTimeField, LocalTimesMixin


class DoorLinkForm(LocalTimesMixin, forms.Form):
    local_time_fields = ("expires_at",)

    label = forms.CharField(
        label="Label",
        max_length=100,
        required=False,
        help_text="Which door or device, e.g. “Front door” or “Box office phone”.",
    )
    expires_at = LocalDateTimeField(label="Works until", required=False)

    def __init__(self, *args, time_zone: str, default_expiry: str = "", require_expiry: bool = False, **kwargs):
        self.time_zone = time_zone
        super().__init__(*args, **kwargs)
        field = self.fields["expires_at"]
        if require_expiry:
            field.required = True
            field.help_text = f"On the show's clock ({time_zone})."
        else:
            field.help_text = f"Empty: {default_expiry}. On the show's clock ({time_zone})."
