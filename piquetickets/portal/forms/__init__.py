"""The portal's forms, one module per area, and :func:`apply_error`, which puts a service's refusal on
the form it came from."""

from __future__ import annotations

from django import forms

from piquetickets.core.errors import ApplicationError


def apply_error(form: forms.Form, error: ApplicationError) -> None:
    """Show ``error`` on ``form``: by each field named in ``extra["fields"]`` (``{name: [messages]}``) or
    ``extra["field"]`` that the form has, else at the top. The page then answers 422 with the input kept."""
    fields = dict(error.extra.get("fields") or {})
    if error.extra.get("field"):
        fields.setdefault(error.extra["field"], [error.message])
    placed = False
    for name, messages in fields.items():
        if name in form.fields:
            for message in messages if isinstance(messages, list | tuple) else [messages]:
                form.add_error(name, str(message))
            placed = True
    if not placed:
        form.add_error(None, error.message)
