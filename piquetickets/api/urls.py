"""``/api/v1/``: every route of the REST API, its OpenAPI schema and its docs page."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from piquetickets.accounts.api import ApiTokenViewSet
from piquetickets.checkin.api import (
    CheckInSessionViewSet,
    DoorShowView,
    RecentScansView,
    ScanView,
    SearchView,
    UndoView,
)
from piquetickets.knowledge.api import KnowledgeArticleViewSet, KnowledgeCategoryViewSet
from piquetickets.orders.api import CheckoutSessionView, OrderViewSet
from piquetickets.payments.api import StripeWebhookView
from piquetickets.performers.api import PerformerViewSet
from piquetickets.producers.api import ProducerInterestViewSet, ProducerViewSet
from piquetickets.shows.api import FeaturedViewSet, PromoCodeViewSet, ShowViewSet, TicketViewSet
from piquetickets.subscribers.api import SubscribeView
from piquetickets.venues.api import VenueViewSet

router = DefaultRouter(trailing_slash=True)
router.register("shows", ShowViewSet, basename="show")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("promo-codes", PromoCodeViewSet, basename="promo-code")
router.register("featured", FeaturedViewSet, basename="featured")
router.register("venues", VenueViewSet, basename="venue")
router.register("performers", PerformerViewSet, basename="performer")
router.register("producers", ProducerViewSet, basename="producer")
router.register("producer-interest", ProducerInterestViewSet, basename="producer-interest")
router.register("knowledge/categories", KnowledgeCategoryViewSet, basename="knowledge-category")
router.register("knowledge/articles", KnowledgeArticleViewSet, basename="knowledge-article")
router.register("tokens", ApiTokenViewSet, basename="api-token")
router.register("orders", OrderViewSet, basename="order")
router.register("checkin-sessions", CheckInSessionViewSet, basename="checkin-session")

app_name = "api"
urlpatterns = [
    path("subscribers/", SubscribeView.as_view(), name="subscribe"),
    path("checkout/create-session/", CheckoutSessionView.as_view(), name="checkout-create-session"),
    path("stripe/webhook/", StripeWebhookView.as_view(), name="stripe-webhook"),
    path("checkin/", ScanView.as_view(), name="checkin-scan"),
    path("checkin/show/", DoorShowView.as_view(), name="checkin-show"),
    path("checkin/show", DoorShowView.as_view(schema=None)),  # the original spelling, without the slash
    path("checkin/undo/", UndoView.as_view(), name="checkin-undo"),
    path("checkin/search/", SearchView.as_view(), name="checkin-search"),
    path("checkin/scans/", RecentScansView.as_view(), name="checkin-scans"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
