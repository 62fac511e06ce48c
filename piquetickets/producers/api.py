"""REST API for producers' public profiles and the "sell with us" form."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from piquetickets.api.fields import ImageField, RichTextField
from piquetickets.api.schema import PROVIDER_ERROR
from piquetickets.api.views import ImageUploadMixin, ProducerOwnedWriteMixin, query_flag
from piquetickets.core.http import client_ip
from piquetickets.payments.services import payouts_onboarding_link, payouts_refresh

from . import services
from .models import Producer, ProducerFinancial, ProducerInterest
from .selectors import producer_list_public


class ProducerSerializer(serializers.ModelSerializer):
    bio = RichTextField()
    image = ImageField("image")
    country = serializers.RegexField(r"^[A-Z]{2}$", required=False, help_text="ISO 3166-1 alpha-2, e.g. US.")

    class Meta:
        model = Producer
        fields = [
            "slug", "name", "country", "website", "bio", "support_email", "instagram", "facebook", "twitter",
            "youtube", "ticktock", "image",
        ]  # fmt: skip
        read_only_fields = ["slug"]


class PayoutsSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProducerFinancial
        fields = [
            "stripe_account_id",
            "onboarding_completed",
            "charges_enabled",
            "payouts_enabled",
            "last_status_check",
        ]
        read_only_fields = fields


class PayoutsOnboardingRequestSerializer(serializers.Serializer):
    return_url = serializers.URLField(max_length=500, help_text="Where Stripe sends the producer when done.")
    refresh_url = serializers.URLField(max_length=500, help_text="Where Stripe sends them if the link expired.")


class PayoutsOnboardingSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Stripe's onboarding page; the link works once and expires in minutes.")


@extend_schema_view(
    list=extend_schema(summary="Producers (public profiles)"),
    partial_update=extend_schema(summary="Change your producer profile"),
    update=extend_schema(summary="Replace your producer profile"),
)
class ProducerViewSet(
    ProducerOwnedWriteMixin,
    ImageUploadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ProducerSerializer
    lookup_field = "slug"
    producer_field = "pk"
    image_fields = ("image",)

    def get_queryset(self):
        return producer_list_public().order_by("name", "pk")

    def update(self, request, *args, **kwargs):
        producer = self.get_object_for_write()
        serializer = self.get_serializer(producer, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        producer = services.producer_update(producer=producer, data=dict(serializer.validated_data))
        return Response(self.get_serializer(producer).data)

    @extend_schema(
        summary="Your payout account's status (Stripe Connect)",
        parameters=[OpenApiParameter("refresh", bool, description="Ask Stripe now instead of the stored status.")],
        responses={200: PayoutsSerializer, 502: PROVIDER_ERROR},
    )
    @action(detail=True, methods=["get"])
    def payouts(self, request, slug=None):
        producer = self.get_object_for_write()
        if query_flag(request, "refresh"):
            payouts_refresh(producer=producer)
        financial = ProducerFinancial.objects.filter(producer=producer).first() or ProducerFinancial(producer=producer)
        return Response(PayoutsSerializer(financial).data)

    @extend_schema(
        summary="Start or resume payout onboarding (Stripe Connect)",
        request=PayoutsOnboardingRequestSerializer,
        responses={200: PayoutsOnboardingSerializer, 502: PROVIDER_ERROR},
    )
    @action(detail=True, methods=["post"], url_path="payouts/onboarding")
    def payouts_onboarding(self, request, slug=None):
        producer = self.get_object_for_write()
        serializer = PayoutsOnboardingRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        url = payouts_onboarding_link(producer=producer, **serializer.validated_data)
        return Response({"url": url})


class ProducerInterestSerializer(serializers.ModelSerializer):
    show_types = serializers.ListField(child=serializers.CharField(max_length=100), max_length=20, required=False)
    current_platform = serializers.ListField(child=serializers.CharField(max_length=100), max_length=20, required=False)

    class Meta:
        model = ProducerInterest
        fields = [
            "id", "name", "email", "phone", "company_name", "city", "state", "events_per_year", "show_types",
            "show_types_other", "current_platform", "current_platform_other", "platform_challenges",
            "desired_features", "interested_in_marketing", "additional_info", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {
            name: {"max_length": 5000}
            for name in (
                "show_types_other", "current_platform_other", "platform_challenges", "desired_features",
                "additional_info",
            )
        }  # fmt: skip


@extend_schema_view(create=extend_schema(summary="Tell us you'd like to sell tickets with PiqueTickets"))
class ProducerInterestViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = ProducerInterestSerializer
    permission_classes = [permissions.AllowAny]
    authentication_classes = []  # a public form: no session, so no CSRF token needed

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        interest = services.producer_interest_submit(
            data=dict(serializer.validated_data),
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(self.get_serializer(interest).data, status=201)
