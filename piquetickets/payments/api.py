"""REST API for the payment provider's webhooks."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from piquetickets.api.serializers import ErrorSerializer

from .services import stripe_webhook_receive


class WebhookResultSerializer(serializers.Serializer):
    result = serializers.ChoiceField(
        choices=["processed", "duplicate", "ignored", "needs_attention"],
        help_text="`needs_attention`: the payment doesn't match its order (checkout session, amount or "
        "currency); nothing was fulfilled and the event waits in the admin for a person to settle it.",
    )


class StripeWebhookView(APIView):
    """``POST /api/v1/stripe/webhook/``: events from Stripe, checked against the ``Stripe-Signature`` header."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []

    @extend_schema(
        summary="Stripe webhook (signed by Stripe)",
        request={"application/json": {"type": "object"}},
        responses={
            200: OpenApiResponse(
                WebhookResultSerializer,
                description="Received. Stripe stops retrying on any 2xx; `result` says what became of the event.",
            ),
            400: OpenApiResponse(
                ErrorSerializer,
                description="`invalid_signature`: the signature is missing, wrong, or its timestamp more than "
                "5 minutes from now (either way); nothing is stored. `invalid_event`: correctly signed, but "
                "not shaped like a Stripe event (not a JSON object, no `id`, `type`, `created` or "
                "`data.object`, or a field of the object of the wrong type); stored as a failed event when "
                "it has an id.",
            ),
        },
    )
    def post(self, request):
        result = stripe_webhook_receive(payload=request.body, signature=request.headers.get("Stripe-Signature", ""))
        return Response({"result": result})
