"""The show page design form: two colours (each a colour picker and its hex code) and the background
image, with a box to take the image off.

Each colour comes as two inputs: the hex code (``primary_color``, the field that is validated and
shown with errors) and a colour picker (``primary_color_picker``). With JavaScript they stay in step
(``portal/design/design.js``); without it, whichever the producer changed wins: the hex code when it
differs from the saved colour, else the picker.
"""

from __future__ import annotations

import re

from django import forms

from ..forms.places import IMAGE_ACCEPT, IMAGE_HINT

HEX = re.compile(r"^#?(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


def normalize_hex(value: str) -> str | None:
    """``#rrggbb`` (lower case) from ``#RRGGBB``, ``rrggbb`` or ``#rgb``; ``None`` when it is not a colour."""
    value = (value or "").strip()
    if not HEX.match(value):
        return None
    digits = value.lstrip("#").lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return f"#{digits}"


class HexColorField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault(
            "error_messages", {"required": "Enter a colour like #B3125B.", "max_length": "Enter a colour like #B3125B."}
        )
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(
            {"spellcheck": "false", "autocomplete": "off", "autocapitalize": "none", "class": "colour-field__hex"}
        )
        return attrs

    def clean(self, value):
        value = super().clean(value)
        colour = normalize_hex(value)
        if colour is None:
            raise forms.ValidationError("Enter a colour as 6 hex digits after a #, like #B3125B.", code="invalid")
        return colour


class ColorInput(forms.TextInput):
    input_type = "color"


class DesignForm(forms.Form):
    COLOURS = ("primary_color", "secondary_color")

    primary_color = HexColorField(
        label="Primary colour", help_text="Buttons, prices and links. A hex code like #B3125B."
    )
    primary_color_picker = forms.CharField(required=False, widget=ColorInput(attrs={"class": "colour-field__picker"}))
    secondary_color = HexColorField(
        label="Secondary colour", help_text="The band across the top of the page. A hex code like #1F1A2E."
    )
    secondary_color_picker = forms.CharField(required=False, widget=ColorInput(attrs={"class": "colour-field__picker"}))
    background_image = forms.FileField(
        label="Background image",
        required=False,
        help_text=f"Behind the band at the top, under a veil of the secondary colour. {IMAGE_HINT}",
    )
    remove_background = forms.BooleanField(label="Remove the background image", required=False)

    def __init__(self, *args, saved: dict[str, str], **kwargs):
        """``saved``: the colours as they are now (the design's, or the defaults), to tell which of a
        colour's two inputs the producer changed."""
        self.saved = {name: normalize_hex(value) for name, value in saved.items()}
        super().__init__(*args, **kwargs)
        self.fields["background_image"].widget.attrs["accept"] = IMAGE_ACCEPT
        for name in self.COLOURS:
            picker = self.fields[f"{name}_picker"]
            picker.label = f"{self.fields[name].label}: picker"

    @classmethod
    def initial_for(cls, saved: dict[str, str]) -> dict:
        colours = {name: normalize_hex(value) for name, value in saved.items()}
        return {**colours, **{f"{name}_picker": colour for name, colour in colours.items()}}

    def clean(self):
        cleaned = super().clean()
        for name in self.COLOURS:
            picked = normalize_hex(cleaned.get(f"{name}_picker") or "")
            typed_unchanged = name not in self.errors and cleaned.get(name) == self.saved.get(name)
            if picked and picked != self.saved.get(name) and typed_unchanged:
                cleaned[name] = picked
        if cleaned.get("remove_background") and cleaned.get("background_image"):
            self.add_error("remove_background", "Choose a new image or remove the current one, not both.")
        return cleaned

    def colours(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.COLOURS}


class PreviewForm(forms.Form):
    """The colours the live preview asks for (``?primary_color=…&secondary_color=…``)."""

    primary_color = HexColorField()
    secondary_color = HexColorField()
