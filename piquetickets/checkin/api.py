"""REST API for the door (token links) and for producers' check-in sessions."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db.models import Count
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from piquetickets.api.access import producer_scope
from piquetickets.api.fields import VisibleShowField
from piquetickets.api.throttling import ClientBudgetThrottle
from piquetickets.core.errors import InvalidInput
from piquetickets.orders.tickets import order_reference, qr_svg
from piquetickets.shows.models import Show

from . import selectors, services
from .access import door_session_for
from .models import CheckInSession

TOKEN_PARAMETER = OpenApiParameter(
    "token", str, description="The door link's token (or the X-Checkin-Token header).", required=False
)
SCAN_STATUS = {
    "checked_in": status.HTTP_200_OK,
    "not_found": status.HTTP_404_NOT_FOUND,
}


def _token(request) -> str:
    return request.headers.get("X-Checkin-Token") or request.query_params.get("token") or ""


def door_session(request) -> CheckInSession:
    return door_session_for(request, _token(request))


class DoorThrottle(ClientBudgetThrottle):
    """A busy door scans fast: one budget per door link (``THROTTLE_CHECKIN``), not per address (a venue's
    phones share one address), counted like the API's other budgets."""

    def _budgets(self, request) -> list[tuple[str, int, int]]:
        token = _token(request)
        ident = hashlib.sha256(token.encode()).hexdigest()[:32] if token else self.get_ident(request)
        allowed, seconds = self.parse_rate(settings.THROTTLE_CHECKIN)
        return [(self.cache_format % {"scope": "checkin", "ident": ident}, allowed, seconds)]


class AttendeeBriefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()
    ticket = serializers.CharField()
    order = serializers.CharField(help_text="The order reference (first 8 characters of its id).")


def attendee_brief(attendee) -> dict:
    return {
        "uuid": str(attendee.uuid),
        "name": f"{attendee.first_name} {attendee.last_name}".strip(),
        "ticket": attendee.ticket_order.ticket.name,
        "order": order_reference(attendee.ticket_order.order),
    }


class CountsSerializer(serializers.Serializer):
    checked_in = serializers.IntegerField()
    total = serializers.IntegerField()


class DoorShowSerializer(serializers.Serializer):
    class ShowPart(serializers.Serializer):
        title = serializers.CharField()
        slug = serializers.CharField()
        start_time = serializers.DateTimeField()
        door_time = serializers.DateTimeField(allow_null=True)
        time_zone = serializers.CharField()
        venue = serializers.CharField(allow_null=True)

    class SessionPart(serializers.Serializer):
        label = serializers.CharField()
        expires_at = serializers.DateTimeField()

    show = ShowPart()
    session = SessionPart()
    counts = CountsSerializer()


class ScanRequestSerializer(serializers.Serializer):
    attendee_uuid = serializers.CharField(max_length=200, help_text="What the camera or scanner read.")


class ScanAnswerSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["checked_in", "already_checked_in", "wrong_show", "not_found", "refunded", "cancelled", "undone"]
    )
    detail = serializers.CharField()
    extra = serializers.DictField()


class DoorView(APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [DoorThrottle]


class DoorShowView(DoorView):
    @extend_schema(
        summary="The door link's show and counts", parameters=[TOKEN_PARAMETER], responses=DoorShowSerializer
    )
    def get(self, request):
        session = door_session(request)
        show = session.show
        return Response(
            {
                "show": {
                    "title": show.title,
                    "slug": show.slug,
                    "start_time": show.start_time,
                    "door_time": show.door_time,
                    "time_zone": show.time_zone,
                    "venue": show.venue.name if show.venue_id else None,
                },
                "session": {"label": session.label, "expires_at": session.expires_at},
                "counts": selectors.checkin_counts(show_id=show.pk),
            }
        )


class ScanView(DoorView):
    @extend_schema(
        summary="Check a ticket in",
        parameters=[TOKEN_PARAMETER],
        request=ScanRequestSerializer,
        responses={200: ScanAnswerSerializer, 404: ScanAnswerSerializer, 409: ScanAnswerSerializer},
    )
    def post(self, request):
        session = door_session(request)
        serializer = ScanRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = services.check_in_attendee(session=session, code=serializer.validated_data["attendee_uuid"])
        extra = dict(outcome.extra)
        if outcome.attendee is not None:
            extra["attendee"] = attendee_brief(outcome.attendee)
        if outcome.checked_in_at is not None:
            extra["checked_in_at"] = outcome.checked_in_at
            extra["checked_in_by"] = outcome.checked_in_by
        extra["counts"] = selectors.checkin_counts(show_id=session.show_id)
        return Response(
            {"code": outcome.code, "detail": outcome.message, "extra": extra},
            status=SCAN_STATUS.get(outcome.code, status.HTTP_409_CONFLICT),
        )


class UndoView(DoorView):
    @extend_schema(
        summary="Undo a check-in",
        parameters=[TOKEN_PARAMETER],
        request=ScanRequestSerializer,
        responses=ScanAnswerSerializer,
    )
    def post(self, request):
        session = door_session(request)
        serializer = ScanRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attendee = services.check_in_undo(session=session, code=serializer.validated_data["attendee_uuid"])
        return Response(
            {
                "code": "undone",
                "detail": "Check-in undone.",
                "extra": {
                    "attendee": attendee_brief(attendee),
                    "counts": selectors.checkin_counts(show_id=session.show_id),
                },
            }
        )


class SearchResultSerializer(AttendeeBriefSerializer):
    email = serializers.EmailField()
    status = serializers.CharField()
    is_checked_in = serializers.BooleanField()
    checked_in_at = serializers.DateTimeField(allow_null=True)


class SearchAnswerSerializer(serializers.Serializer):
    results = SearchResultSerializer(many=True)


class SearchView(DoorView):
    @extend_schema(
        summary="Find attendees by name, email or order reference",
        parameters=[
            TOKEN_PARAMETER,
            OpenApiParameter(
                "q", {"type": "string", "minLength": 2, "maxLength": 100}, description="At least 2 characters."
            ),
        ],
        responses=SearchAnswerSerializer,
    )
    def get(self, request):
        session = door_session(request)
        query = request.query_params.get("q", "").strip()
        if len(query) < 2:
            raise InvalidInput(extra={"fields": {"q": ["Type at least 2 characters."]}})
        rows = selectors.attendee_search(session=session, query=query[:100])
        results = [
            attendee_brief(a)
            | {"email": a.email, "status": a.status, "is_checked_in": a.is_checked_in, "checked_in_at": a.checked_in_at}
            for a in rows
        ]
        return Response({"results": SearchResultSerializer(results, many=True).data})


class RecentScanSerializer(serializers.Serializer):
    code = serializers.CharField()
    result = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    ticket = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()


class RecentScansAnswerSerializer(serializers.Serializer):
    results = RecentScanSerializer(many=True)


class RecentScansView(DoorView):
    @extend_schema(
        summary="This door link's last 20 scans", parameters=[TOKEN_PARAMETER], responses=RecentScansAnswerSerializer
    )
    def get(self, request):
        session = door_session(request)
        results = [
            {
                "code": scan.code,
                "result": scan.result,
                "name": f"{scan.attendee.first_name} {scan.attendee.last_name}".strip() if scan.attendee else None,
                "ticket": scan.attendee.ticket_order.ticket.name if scan.attendee else None,
                "at": scan.created_at,
            }
            for scan in selectors.recent_scans(session=session)
        ]
        return Response({"results": RecentScanSerializer(results, many=True).data})


# --- producers' sessions --------------------------------------------------------------------------


def door_link(session: CheckInSession) -> str:
    return f"{settings.SITE_URL}/checkin/?token={session.token}"


class CheckInSessionSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="session_id", read_only=True)
    show = VisibleShowField(slug_field="slug", queryset=Show.objects.all())
    link = serializers.SerializerMethodField(help_text="Give this to door staff; it works until it expires.")
    qr_svg = serializers.SerializerMethodField(help_text="The link as a QR code (SVG) to scan with a phone.")
    scans = serializers.IntegerField(source="scan_count", read_only=True, default=0)

    class Meta:
        model = CheckInSession
        fields = ["id", "show", "label", "token", "link", "qr_svg", "expires_at", "revoked_at", "created_at", "scans"]
        read_only_fields = ["token", "revoked_at", "created_at"]
        extra_kwargs = {"expires_at": {"required": False}}

    def get_link(self, session) -> str:
        return door_link(session)

    def get_qr_svg(self, session) -> str:
        return qr_svg(door_link(session), label=f"Check-in link for {session.label or 'the door'}", scale=4)


@extend_schema_view(
    list=extend_schema(
        summary="Your door links", parameters=[OpenApiParameter("show", str, description="A show's slug.")]
    ),
    create=extend_schema(summary="Make a door link for a show (expires by default 6 hours after the show ends)"),
    retrieve=extend_schema(summary="One door link"),
)
class CheckInSessionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Door links of the caller's producers' shows; another producer's link answers 404."""

    serializer_class = CheckInSessionSerializer
    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "session_id"
    lookup_value_regex = "[0-9a-f-]{36}"

    def get_queryset(self):
        sessions = producer_scope(self.request).filter(CheckInSession.objects.all(), "show__producer")
        if self.request.query_params.get("show"):
            sessions = sessions.filter(show__slug=self.request.query_params["show"])
        return sessions.select_related("show").annotate(scan_count=Count("scans")).order_by("-created_at", "-pk")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        producer_scope(request).require(data["show"].producer_id)
        session = services.checkin_session_create(
            show=data["show"], label=data.get("label", ""), expires_at=data.get("expires_at"), by=request.user
        )
        return Response(self.get_serializer(session).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Switch a door link off now", request=None, responses=CheckInSessionSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, session_id=None):
        session = services.checkin_session_revoke(session=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=session.pk)).data)
