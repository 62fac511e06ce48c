"""REST API for buying tickets (public) and for producers' orders and refunds."""

from __future__ import annotations

from django.db.models import Prefetch, Q
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from piquetickets.api.access import producer_scope
from piquetickets.api.schema import PROVIDER_ERROR
from piquetickets.shows.models import Show

from . import selectors, services
from .models import Order, Refund, TicketAttendee, TicketOrder
from .pricing import CartLine
from .tickets import order_page_url

# --- checkout -------------------------------------------------------------------------------------


class AttendeeNameSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")


class CheckoutLineSerializer(serializers.Serializer):
    ticket = serializers.IntegerField(min_value=1, help_text="A ticket type of the show (its id).")
    quantity = serializers.IntegerField(min_value=1, max_value=100)
    amount = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        help_text="Per ticket, for a pay-what-you-can ticket type (at least its price).",
    )
    attendees = AttendeeNameSerializer(
        many=True, required=False, max_length=100, help_text="Optional names, one per ticket; the buyer's otherwise."
    )

    def validate(self, data):
        if len(data.get("attendees") or []) > data["quantity"]:
            raise serializers.ValidationError({"attendees": ["More names than tickets."]})
        return data


class CheckoutSerializer(serializers.Serializer):
    show = serializers.SlugField(max_length=Show._meta.get_field("slug").max_length, help_text="The show's slug.")
    tickets = CheckoutLineSerializer(many=True, min_length=1, max_length=20)
    promo_code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    email = serializers.EmailField(max_length=254)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    expected_total = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text="The total the buyer was shown. If the cart costs anything else now, the answer is 409 "
        "price_changed (with the new total) and nothing is held.",
    )
    idempotency_key = serializers.RegexField(
        r"^[A-Za-z0-9_-]{16,100}$",
        required=False,
        allow_blank=True,
        default="",
        help_text="A random string made once per purchase (16–100 letters, digits, - or _; a UUID's hex will do). "
        "Sending the same request again with it buys nothing more: the answer is the order the first request "
        "made. A request asking for something else under the same key is another purchase.",
        error_messages={"invalid": "Use 16 to 100 letters, digits, - or _."},
    )

    def validate(self, data):
        wanted = [line["ticket"] for line in data["tickets"]]
        show, found = selectors.checkout_ticket_types(show_slug=data["show"], ticket_ids=wanted)
        if show is None:
            raise serializers.ValidationError({"show": [f"There is no show on sale called “{data['show']}”."]})
        problems = [{} if pk in found else {"ticket": ["Not a ticket type of this show."]} for pk in wanted]
        if any(problems):
            raise serializers.ValidationError({"tickets": problems})
        data["show"] = show
        data["lines"] = [
            CartLine(
                ticket=found[line["ticket"]],
                quantity=line["quantity"],
                amount=line.get("amount"),
                attendee_names=tuple(line.get("attendees") or ()),
            )
            for line in data["tickets"]
        ]
        return data


class CheckoutLineOutSerializer(serializers.Serializer):
    ticket = serializers.IntegerField(source="ticket_id")
    name = serializers.CharField(source="ticket.name")
    quantity = serializers.IntegerField()
    price_per_ticket = serializers.DecimalField(max_digits=10, decimal_places=2)
    discount = serializers.DecimalField(source="discount_amount", max_digits=10, decimal_places=2)
    total = serializers.DecimalField(source="total_price", max_digits=10, decimal_places=2)


class CheckoutSessionSerializer(serializers.Serializer):
    order = serializers.UUIDField(source="uuid")
    status = serializers.ChoiceField(choices=Order.Status.choices)
    provider = serializers.ChoiceField(choices=Order.Provider.choices)
    checkout_url = serializers.URLField(help_text="Send the buyer here to pay (the order page for free orders).")
    order_url = serializers.URLField(help_text="The buyer's order page, with the tickets once paid.")
    expires_at = serializers.DateTimeField(source="hold_expires_at", help_text="The tickets are held until then.")
    currency = serializers.CharField()
    subtotal = serializers.DecimalField(max_digits=10, decimal_places=2)
    discount = serializers.DecimalField(source="promo_code_discount", max_digits=10, decimal_places=2)
    platform_fee = serializers.DecimalField(source="platform_fees", max_digits=10, decimal_places=2)
    processing_fee = serializers.DecimalField(source="payment_processing_fees", max_digits=10, decimal_places=2)
    fees_passed_to_buyer = serializers.BooleanField()
    total = serializers.DecimalField(max_digits=10, decimal_places=2)
    lines = CheckoutLineOutSerializer(source="ticket_orders", many=True)


_MONEY = serializers.DecimalField(max_digits=10, decimal_places=2)
_WHEN = serializers.DateTimeField()


def checkout_session_answer(order: Order, *, checkout_url: str) -> dict:
    """What :class:`CheckoutSessionSerializer` gives for ``order``, built directly. This answer is on
    the hot path of an on-sale, where building the serializer's thirty-odd fields for every request
    costs more than the rest of the answer; the serializer stays the documented shape (and a test
    holds the two equal)."""
    money = _MONEY.to_representation
    return {
        "order": str(order.uuid),
        "status": order.status,
        "provider": order.provider,
        "checkout_url": checkout_url,
        "order_url": order_page_url(order),
        "expires_at": _WHEN.to_representation(order.hold_expires_at),
        "currency": order.currency,
        "subtotal": money(order.subtotal),
        "discount": money(order.promo_code_discount),
        "platform_fee": money(order.platform_fees),
        "processing_fee": money(order.payment_processing_fees),
        "fees_passed_to_buyer": order.fees_passed_to_buyer,
        "total": money(order.total),
        "lines": [
            {
                "ticket": line.ticket_id,
                "name": line.ticket.name,
                "quantity": line.quantity,
                "price_per_ticket": money(line.price_per_ticket),
                "discount": money(line.discount_amount),
                "total": money(line.total_price),
            }
            for line in order.ticket_orders.all()
        ],
    }


class CheckoutSessionView(APIView):
    """``POST /api/v1/checkout/create-session/``: hold tickets and start paying for them."""

    permission_classes = [permissions.AllowAny]
    parser_classes = [JSONParser]  # ``tickets`` is a list of objects: a form can't carry it

    @extend_schema(
        summary="Hold tickets and start the payment",
        request={"application/json": CheckoutSerializer},
        responses={201: CheckoutSessionSerializer, 502: PROVIDER_ERROR},
        description="Holds the tickets for the show's hold time, creates the pending order and starts its "
        "payment. With an `idempotency_key`, repeating the same request answers with the same order "
        "(and where to pay for it) instead of buying again. With `expected_total`, a cart whose total "
        "changed is refused with 409 `price_changed`.",
    )
    def post(self, request):
        serializer = CheckoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        started = services.checkout_start(
            show=data["show"],
            lines=data["lines"],
            buyer=services.Buyer(
                first_name=data["first_name"], last_name=data["last_name"], email=data["email"], phone=data["phone"]
            ),
            promo_code=data["promo_code"],
            expected_total=data["expected_total"],
            idempotency_key=data["idempotency_key"],
        )
        answer = checkout_session_answer(started.order, checkout_url=started.redirect_url)
        return Response(answer, status=status.HTTP_201_CREATED)


# --- producers' orders ----------------------------------------------------------------------------


class AttendeeSerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="ticket_order.ticket.name")

    class Meta:
        model = TicketAttendee
        fields = ["uuid", "first_name", "last_name", "email", "ticket", "status", "is_checked_in", "checked_in_at"]


class RefundSerializer(serializers.ModelSerializer):
    attendees = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)

    class Meta:
        model = Refund
        fields = ["id", "amount", "status", "reason", "attendees", "created_at"]


class OrderLineSerializer(serializers.ModelSerializer):
    ticket_name = serializers.CharField(source="ticket.name")

    class Meta:
        model = TicketOrder
        fields = [
            "ticket", "ticket_name", "quantity", "price_per_ticket", "donation_amount", "discount_amount",
            "total_price", "promo_code",
        ]  # fmt: skip


class OrderSerializer(serializers.ModelSerializer):
    show = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    promo_code = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    lines = OrderLineSerializer(source="ticket_orders", many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "uuid", "show", "status", "provider", "first_name", "last_name", "email", "phone", "currency",
            "subtotal", "promo_code", "promo_code_discount", "payment_processing_fees", "platform_fees",
            "fees_passed_to_buyer", "total", "refunded_amount", "success", "time_of_purchase", "created_at", "lines",
        ]  # fmt: skip
        read_only_fields = fields


class OrderDetailSerializer(OrderSerializer):
    attendees = serializers.SerializerMethodField()
    refunds = RefundSerializer(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "attendees", "refunds", "payment_intent_id"]
        read_only_fields = fields

    @extend_schema_field(AttendeeSerializer(many=True))
    def get_attendees(self, order):
        rows = [a for line in order.ticket_orders.all() for a in line.attendees.all()]
        return AttendeeSerializer(rows, many=True).data


class RefundRequestSerializer(serializers.Serializer):
    attendees = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=500,
        help_text="Tickets to refund (they stop admitting). Leave out to refund the whole order.",
    )
    amount = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        required=False,
        allow_null=True,
        min_value=0,
        help_text="Money to give back; by default the tickets' price (or everything left).",
    )
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(
        summary="Your orders",
        parameters=[
            OpenApiParameter("show", str, description="A show's slug."),
            OpenApiParameter("status", str, enum=[c for c, _ in Order.Status.choices]),
            OpenApiParameter("search", str, description="Buyer name or email, or the start of the order id."),
        ],
    ),
    retrieve=extend_schema(summary="One of your orders, with tickets and refunds"),
)
class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Orders of the producers the caller manages; another producer's order answers 404."""

    permission_classes = [permissions.IsAuthenticated]
    lookup_field = "uuid"
    lookup_value_regex = "[0-9a-f-]{36}"

    def get_serializer_class(self):
        return OrderSerializer if self.action == "list" else OrderDetailSerializer

    def get_queryset(self):
        queryset = producer_scope(self.request).filter(Order.objects.all(), "show__producer")
        queryset = queryset.select_related("show", "promo_code").order_by("-created_at", "-pk")
        lines = TicketOrder.objects.select_related("ticket").order_by("pk")
        if self.action == "list":
            params = self.request.query_params
            if params.get("show"):
                queryset = queryset.filter(show__slug=params["show"])
            if params.get("status"):
                queryset = queryset.filter(status=params["status"])
            if params.get("search"):
                term = params["search"].strip()
                queryset = queryset.filter(
                    Q(email__icontains=term)
                    | Q(first_name__icontains=term)
                    | Q(last_name__icontains=term)
                    | Q(uuid__startswith=term.lower())
                )
            return queryset.prefetch_related(Prefetch("ticket_orders", queryset=lines))
        attendees = TicketAttendee.objects.select_related("ticket_order__ticket").order_by("pk")
        return queryset.prefetch_related(
            Prefetch("ticket_orders", queryset=lines.prefetch_related(Prefetch("attendees", queryset=attendees))),
            Prefetch("refunds", queryset=Refund.objects.prefetch_related("attendees").order_by("pk")),
        )

    @extend_schema(
        summary="Refund an order, whole or some tickets",
        request=RefundRequestSerializer,
        responses={201: RefundSerializer, 502: PROVIDER_ERROR},
    )
    @action(detail=True, methods=["post"])
    def refund(self, request, uuid=None):
        order = self.get_object()
        serializer = RefundRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        refund = services.order_refund(
            order=order,
            attendee_uuids=[str(u) for u in data.get("attendees") or []] or None,
            amount=data.get("amount"),
            reason=data["reason"],
            by=request.user,
        )
        return Response(RefundSerializer(refund).data, status=status.HTTP_201_CREATED)
