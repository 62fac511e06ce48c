"""REST API for the payment provider's webhooks."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .services import stripe_webhook_receive


class WebhookResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=["processed", "duplicate", "ignored"])


class StripeWebhookView(APIView):
    """``POST /api/v1/stripe/webhook/``: events from Stripe, checked against the ``Stripe-Signature`` header."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []

    @extend_schema(
        summary="Stripe webhook (signed by Stripe)",
        request={"application/json": {"type": "object"}},
        responses={200: WebhookResultSerializer, 400: OpenApiResponse(description="Bad or missing signature.")},
    )
    def post(self, request):
        result = stripe_webhook_receive(payload=request.body, signature=request.headers.get("Stripe-Signature", ""))
        return Response({"result": result})
