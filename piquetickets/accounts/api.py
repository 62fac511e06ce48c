"""REST API for API tokens: created in a signed-in session, shown once, revocable."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response

from piquetickets.api.access import acting_producer, producer_scope
from piquetickets.producers.models import Producer

from . import services
from .models import ApiToken


class ApiTokenSerializer(serializers.ModelSerializer):
    producer = serializers.SlugRelatedField(
        slug_field="slug", queryset=Producer.objects.filter(is_active=True), required=False
    )
    expires_in_days = serializers.IntegerField(
        min_value=1, max_value=730, default=365, write_only=True, help_text="Days until the key stops working (1–730)."
    )
    key_hint = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "name", "producer", "key_hint", "created_at", "expires_at", "last_used_at", "revoked_at",
                  "expires_in_days"]  # fmt: skip
        read_only_fields = ["id", "created_at", "expires_at", "last_used_at", "revoked_at"]

    def get_key_hint(self, token) -> str:
        return f"pq_{token.prefix}_…"


class NewApiTokenSerializer(ApiTokenSerializer):
    key = serializers.CharField(read_only=True, help_text="The full key. Shown only now: store it safely.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]


@extend_schema_view(
    list=extend_schema(summary="Your API keys (without their secrets)"),
    create=extend_schema(summary="Create an API key", responses={201: NewApiTokenSerializer}),
    destroy=extend_schema(summary="Revoke an API key"),
)
class ApiTokenViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Keys are managed from a signed-in session only: a key can't mint or revoke keys."""

    serializer_class = ApiTokenSerializer
    authentication_classes = [SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    def get_authenticate_header(self, request):
        """401 for a caller who isn't signed in, as everywhere else in the API (without a scheme DRF says 403)."""
        return 'Session realm="api"'

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user).select_related("producer")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        producer = acting_producer(request, data.get("producer"))
        producer_scope(request).require(producer.pk)
        token, key = services.api_token_create(
            user=request.user,
            producer=producer,
            name=data["name"],
            expires_at=timezone.now() + timedelta(days=data["expires_in_days"]),
        )
        token.key = key
        return Response(NewApiTokenSerializer(token).data, status=201)

    def perform_destroy(self, token):
        services.api_token_revoke(token=token)
