"""Portal URLs: orders and attendees: lists, search, detail, resend, refunds, CSV exports, door list."""

from django.urls import path

from piquetickets.portal.views import orders

urlpatterns = [
    path("orders/", orders.order_list, name="order-list"),
    path("orders/export/", orders.order_export, name="order-export"),
    path("orders/attendees/", orders.attendee_list, name="order-attendees"),
    path("orders/attendees/export/", orders.attendee_export, name="order-attendee-export"),
    path("orders/shows/<slug:slug>/door-list/", orders.door_list, name="order-door-list"),
    path("orders/<uuid:uuid>/", orders.order_detail, name="order"),
    path("orders/<uuid:uuid>/resend/", orders.order_resend, name="order-resend"),
    path("orders/<uuid:uuid>/refund/", orders.order_refund_view, name="order-refund"),
]
