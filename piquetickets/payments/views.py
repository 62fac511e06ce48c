"""The test provider's local payment page, and where a buyer lands after leaving Stripe's page."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from piquetickets.orders.emails import order_context
from piquetickets.orders.models import Order
from piquetickets.orders.services import order_cancel_pending, order_fulfil

from .providers import Payment


def _order(token: str, **filters) -> Order:
    order = Order.objects.select_related("show__venue", "show__producer").filter(public_token=token, **filters).first()
    if order is None:
        raise Http404("No such order.")
    return order


@never_cache
@require_http_methods(["GET", "POST"])
def test_payment_page(request, token: str):
    """Approve or Decline a pending order paid with the ``test`` provider. Off unless test payments are allowed."""
    if not settings.ALLOW_TEST_PAYMENTS:
        raise Http404("Test payments are switched off.")
    order = _order(token, provider=Order.Provider.TEST)
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision == "approve":
            order = order_fulfil(order=order, payment=Payment(provider="test", session_id=order.session_id))
            return redirect(f"{order_page_url_path(order)}?paid=1" if order.success else order_page_url_path(order))
        if decision == "decline":
            order_cancel_pending(order=order)
            return redirect(order_page_url_path(order))
        context = order_context(order) | {"error": "Choose Approve or Decline."}
        return render(request, "payments/test_pay.html", context, status=400)
    return render(request, "payments/test_pay.html", order_context(order))


def order_page_url_path(order: Order) -> str:
    return reverse("storefront:order", args=[order.public_token])


@never_cache
def payment_cancelled(request, token: str):
    """Stripe's ``cancel_url``: the buyer left the payment page, so the held tickets go back on sale now."""
    order = _order(token)
    order_cancel_pending(order=order)
    return redirect(order_page_url_path(order))
