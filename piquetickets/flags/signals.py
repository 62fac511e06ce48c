"""A flag's cached producers are forgotten when its producers change (waffle does the same for users
and groups in ``waffle.signals``)."""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from .models import Flag


@receiver(m2m_changed, sender=Flag.producers.through)
def flag_producers_changed(sender, instance, action, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Flag):
        instance.flush()
    else:  # a producer's flags changed from the producer's side
        flags = Flag.objects.all() if pk_set is None else Flag.objects.filter(pk__in=pk_set)
        for flag in flags:
            flag.flush()
