"""Shared model bits: timestamps and the abstract bases the domain apps build on."""

from django.db import models


class TimeStampedModel(models.Model):
    """Adds ``created_at`` and ``updated_at``, set by the database layer on every save."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class KeepsCountersModel(models.Model):
    """A model with counters that only conditional ``UPDATE … SET n = n + …`` statements change
    (``counter_fields``). Saving an instance loaded earlier never writes them back: a full save of a
    ticket type edited in the admin would otherwise put back the counts it read, undoing every sale
    or hold made meanwhile. Pass ``update_fields`` naming a counter to write it on purpose."""

    counter_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.counter_fields
            ]
        return super().save(*args, **kwargs)
