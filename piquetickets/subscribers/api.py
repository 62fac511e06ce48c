"""REST API for newsletter sign-ups."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status, views
from rest_framework.response import Response

from piquetickets.core.http import client_ip

from . import services


class SubscribeSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class SubscribedSerializer(serializers.Serializer):
    email = serializers.EmailField()
    subscribed = serializers.BooleanField()
    created = serializers.BooleanField(help_text="False when the address was already on the list.")


class SubscribeView(views.APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes = []  # a public form: no session, so no CSRF token needed

    @extend_schema(
        summary="Join the newsletter",
        request=SubscribeSerializer,
        responses={
            201: OpenApiResponse(SubscribedSerializer, description="Subscribed."),
            200: OpenApiResponse(SubscribedSerializer, description="Already subscribed; nothing changed."),
        },
    )
    def post(self, request):
        serializer = SubscribeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscriber, created = services.subscriber_signup(
            **serializer.validated_data,
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            referer=request.headers.get("Referer", ""),
        )
        body = {"email": subscriber.email, "subscribed": subscriber.is_active, "created": created}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
