from celery import shared_task

from . import services


@shared_task(name="orders.release_expired_holds", ignore_result=False)
def release_expired_holds() -> dict:
    """Periodic: expire pending orders whose hold ran out (stopping their payments) and release the
    holds (see ``orders_expire_pending`` and ``holds_release_expired``)."""
    expired = services.orders_expire_pending()
    released = services.holds_release_expired()
    return {"orders_expired": expired, "holds_released": released}


@shared_task(name="orders.reconcile_payments", ignore_result=False)
def reconcile_payments() -> int:
    """Periodic: fulfil (or refund) payments the provider completed but we never heard of."""
    return services.payments_reconcile()
