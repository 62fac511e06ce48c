"""Buyer-facing pages (see ``views/__init__.py`` for the areas)."""

from django.urls import path

from .views import browse, orders, seo, shows

app_name = "storefront"
urlpatterns = [
    # browse
    path("", browse.home, name="home"),
    path("shows/", browse.show_list, name="show-list"),
    path("venues/<slug:slug>/", browse.venue_profile, name="venue"),
    path("performers/<slug:slug>/", browse.performer_profile, name="performer"),
    path("producers/<slug:slug>/", browse.producer_profile, name="producer"),
    path("sell/", browse.sell, name="sell"),
    path("subscribe/", browse.subscribe, name="subscribe"),
    path("favicon.ico", browse.favicon, name="favicon"),
    # shows and checkout
    path("shows/<slug:slug>/", shows.show_detail, name="show"),
    path("shows/<slug:slug>/calendar.ics", shows.show_calendar, name="show-ics"),
    path("shows/<slug:slug>/theme.css", shows.show_theme_css, name="show-theme"),
    path("shows/<slug:slug>/checkout/", shows.checkout, name="checkout"),
    path("checkout/", shows.checkout_alias, name="checkout-alias"),  # the seed's /checkout?show=<slug>
    path("order-confirmation/", shows.order_confirmation_alias, name="order-confirmation"),  # the seed's path
    path("orders/resend/", shows.resend_tickets, name="resend-tickets"),
    # orders
    path("orders/<str:token>/", orders.order_page, name="order"),
    path("orders/<str:token>/tickets.pdf", orders.order_tickets_pdf, name="order-pdf"),
    path("orders/<str:token>/calendar.ics", orders.order_calendar, name="order-ics"),
    # seo and embedding
    path("robots.txt", seo.robots_txt, name="robots"),
    path("sitemap.xml", seo.sitemap_xml, name="sitemap"),
    path("embed/shows/<slug:slug>/", seo.embed_show, name="embed-show"),
]
