"""Applying parsed input to a model instance in services."""

from __future__ import annotations

from typing import Any

from .errors import InvalidInput


def assign_fields(instance, data: dict[str, Any], allowed: set[str]) -> None:
    """Set ``data`` on ``instance``; a field outside ``allowed`` is refused (nothing is set)."""
    unknown = set(data) - allowed
    if unknown:
        raise InvalidInput(extra={"fields": {name: ["This field can't be set here."] for name in sorted(unknown)}})
    for name, value in data.items():
        setattr(instance, name, value)
