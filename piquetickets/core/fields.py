"""Model fields shared by the domain apps."""

from __future__ import annotations

import nh3
from django.core.validators import MaxLengthValidator
from django.db import models

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "hr", "i", "li",
    "ol", "p", "pre", "s", "strong", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def sanitize_html(value: str) -> str:
    """Keep formatting tags only; scripts, event handlers, styles and unsafe URLs are removed."""
    if not value:
        return value
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


# About 15,000 words of text with its markup: more than any page needs, far less than the megabytes a
# pasted file or a script could send (a 3 MB description was saved, and every page view carried it).
RICH_TEXT_MAX = 100_000


class SanitizedHTMLField(models.TextField):
    """Rich text that is sanitised with nh3 every time the model is saved, at most :data:`RICH_TEXT_MAX`
    characters (checked by ``full_clean``, which every service runs)."""

    default_validators = [
        MaxLengthValidator(
            RICH_TEXT_MAX, message=f"This is too long: keep it under {RICH_TEXT_MAX:,} characters, markup included."
        )
    ]

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value
