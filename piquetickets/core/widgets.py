"""Form widgets drawn in Python where Django's templates cost more than the page around them."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class QuickSelect(forms.Select):
    """A ``<select>`` with the markup of Django's own, drawn without a template per option: Django's
    renders an option template and an attributes template for each choice, which made a list page's
    filter of a producer's shows cost more than its 25 rows. Grouped choices are drawn by Django's."""

    def render(self, name, value, attrs=None, renderer=None):
        # iter() first: list() would ask a model choice iterator its length, a COUNT query of its own
        choices = list(iter(self.choices))
        if any(isinstance(label, list | tuple) for _, label in choices):
            return super().render(name, value, attrs, renderer)
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            (
                (key, " selected" if key in chosen else "", label)
                for key, label in (("" if v is None else str(v), label) for v, label in choices)
            ),
        )
        final = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>\n{}\n</select>', name, flatatt(final), options)


class RichTextarea(forms.Textarea):
    """A ``<textarea>`` for rich text (a model's ``SanitizedHTMLField``), marked ``data-rich-text``.

    With JavaScript, ``portal/richtext.js`` hides it and edits its HTML in an editor with a toolbar
    (bold, italics, a heading, lists, links), writing the HTML back into it as the producer types and
    when the form is sent. Without JavaScript it is the plain textarea it was: HTML typed into it is
    sanitised on save, like everything else written to those fields."""

    def __init__(self, attrs=None):
        super().__init__({"rows": 8, **(attrs or {}), "data-rich-text": True})
