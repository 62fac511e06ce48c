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
    detail = serializers.CharField()


class SubscribeView(views.APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes = []  # a public form: no session, so no CSRF token needed

    @extend_schema(
        summary="Join the newsletter",
        request=SubscribeSerializer,
        description="The answer is the same whether or not the address was already on the list, so the "
        "list can't be probed.",
        responses={202: OpenApiResponse(SubscribedSerializer, description="On the list.")},
    )
    def post(self, request):
        serializer = SubscribeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.subscriber_signup(
            **serializer.validated_data,
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            referer=request.headers.get("Referer", ""),
        )
        return Response({"detail": "Thanks! You're on the list."}, status=status.HTTP_202_ACCEPTED)
