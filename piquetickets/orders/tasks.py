from celery import shared_task

from . import services


@shared_task(name="orders.release_expired_holds", ignore_result=False)
def release_expired_holds() -> dict:
    """Periodic: expire pending orders whose hold ran out (stopping their payments), release the
    holds, and put right any held counter that differs from its holds (see
    ``orders_expire_pending``, ``holds_release_expired`` and ``held_counters_recount``)."""
    expired = services.orders_expire_pending()
    released = services.holds_release_expired()
    recounted = services.held_counters_recount()
    return {"orders_expired": expired, "holds_released": released, "held_counters_recounted": recounted}


@shared_task(name="orders.reconcile_payments", ignore_result=False)
def reconcile_payments() -> int:
    """Periodic: fulfil (or refund) payments the provider completed but we never heard of."""
    return services.payments_reconcile()
