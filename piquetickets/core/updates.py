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


def deactivate_or_delete(instance, *, in_use: bool) -> str:
    """Delete ``instance``, or when something still refers to it (``in_use``) keep it with
    ``is_active`` off. Returns ``"deleted"`` or ``"deactivated"``; the caller holds the row lock."""
    if not in_use:
        instance.delete()
        return "deleted"
    if instance.is_active:
        instance.is_active = False
        instance.save(update_fields=["is_active", "updated_at"])
    return "deactivated"
