from celery import shared_task

from . import services


@shared_task(name="orders.release_expired_holds", ignore_result=False)
def release_expired_holds() -> int:
    """Periodic: release holds whose time ran out (see ``holds_release_expired``)."""
    return services.holds_release_expired()
