"""REST API for shows, ticket types, promo codes, page designs and featured shows."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import django_filters
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from piquetickets.api.access import acting_producer, producer_scope
from piquetickets.api.fields import ImageField, RichTextField, TimeZoneField, VisibleShowField, VisibleTicketField
from piquetickets.api.views import (
    REMOVAL_RESPONSES,
    ImageUploadMixin,
    ProducerOwnedWriteMixin,
    query_flag,
    removal_response,
)
from piquetickets.core.errors import InvalidInput
from piquetickets.core.images import image_payload
from piquetickets.core.money import CURRENCY_CHOICES
from piquetickets.performers.models import Performer
from piquetickets.producers.models import Producer
from piquetickets.venues.models import Venue

from . import selectors, services
from .filters import ShowFilter
from .models import Show, Ticket, TicketPageDesign, TicketPromoCode

# --- serializers -------------------------------------------------------------------------------
#
# The read serializers below declare their fields (for validation-free output and the OpenAPI
# schema) and build their output by hand in ``to_representation``: DRF otherwise rebuilds every
# field object on every request, which was a third of the time of a show page. A test checks the
# hand-built keys match the declared fields; schemathesis checks the values against the schema.


def iso(value):
    """A datetime as DRF renders it: in the current time zone, ISO 8601, ``Z`` for UTC."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def money(value):
    return None if value is None else f"{value:.2f}"


class VenueBriefSerializer(serializers.ModelSerializer):
    time_zone = serializers.CharField(read_only=True)

    class Meta:
        model = Venue
        fields = ["slug", "name", "address", "city", "state", "country", "time_zone"]

    def to_representation(self, venue):
        return {name: getattr(venue, name) for name in self.Meta.fields}


class ProducerBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Producer
        fields = ["slug", "name"]

    def to_representation(self, producer):
        return {"slug": producer.slug, "name": producer.name}


class PerformerBriefSerializer(serializers.ModelSerializer):
    image = ImageField("image")

    class Meta:
        model = Performer
        fields = ["slug", "name", "city", "image"]

    def to_representation(self, performer):
        return {
            "slug": performer.slug,
            "name": performer.name,
            "city": performer.city,
            "image": image_payload(performer, "image"),
        }


class PageDesignSerializer(serializers.ModelSerializer):
    background_image = ImageField("background_image")

    class Meta:
        model = TicketPageDesign
        fields = ["primary_color", "secondary_color", "background_image"]

    def to_representation(self, design):
        return {
            "primary_color": design.primary_color,
            "secondary_color": design.secondary_color,
            "background_image": image_payload(design, "background_image"),
        }


class TicketSalesSerializer(serializers.Serializer):
    quantity = serializers.IntegerField(help_text="For sale in all.")
    sold = serializers.IntegerField(source="quantity_sold")
    held = serializers.IntegerField(help_text="In open checkouts right now.")


class TicketTypeSerializer(serializers.ModelSerializer):
    """A ticket type with live availability; ``sales`` figures only for the show's managers."""

    show = VisibleShowField(slug_field="slug", queryset=Show.objects.all())
    description = RichTextField()
    remaining = serializers.IntegerField(read_only=True, help_text="quantity − sold − live holds")
    sold_out = serializers.SerializerMethodField()
    on_sale = serializers.SerializerMethodField()
    sales = serializers.SerializerMethodField(help_text="Managers only; null for everyone else.")

    class Meta:
        model = Ticket
        fields = [
            "id", "show", "name", "description", "price", "is_donation_based", "is_active", "sales_start",
            "sales_end", "max_per_order", "sort_order", "quantity", "remaining", "sold_out", "on_sale", "sales",
        ]  # fmt: skip
        extra_kwargs = {"quantity": {"write_only": True, "help_text": "How many are for sale in all."}}

    def is_manager(self, ticket) -> bool:
        request = self.context.get("request")
        return request is not None and producer_scope(request).allows(ticket.show.producer_id)

    @extend_schema_field(TicketSalesSerializer(allow_null=True))
    def get_sales(self, ticket):
        return TicketSalesSerializer(ticket).data if self.is_manager(ticket) else None

    def get_sold_out(self, ticket) -> bool:
        return ticket.remaining <= 0

    def get_on_sale(self, ticket) -> bool:
        now = timezone.now()
        return (
            ticket.is_active
            and ticket.remaining > 0
            and (ticket.sales_start is None or ticket.sales_start <= now)
            and (ticket.sales_end is None or ticket.sales_end > now)
        )


class TicketTypeNestedSerializer(TicketTypeSerializer):
    show = None

    class Meta(TicketTypeSerializer.Meta):
        fields = [f for f in TicketTypeSerializer.Meta.fields if f != "show"]

    def is_manager(self, ticket) -> bool:
        return bool(self.context.get("manager"))

    def to_representation(self, ticket):
        return {
            "id": ticket.pk,
            "name": ticket.name,
            "description": ticket.description,
            "price": money(ticket.price),
            "is_donation_based": ticket.is_donation_based,
            "is_active": ticket.is_active,
            "sales_start": iso(ticket.sales_start),
            "sales_end": iso(ticket.sales_end),
            "max_per_order": ticket.max_per_order,
            "sort_order": ticket.sort_order,
            "remaining": ticket.remaining,
            "sold_out": self.get_sold_out(ticket),
            "on_sale": self.get_on_sale(ticket),
            "sales": self.get_sales(ticket),
        }


class ShowListSerializer(serializers.ModelSerializer):
    venue = VenueBriefSerializer(read_only=True, allow_null=True)
    producer = ProducerBriefSerializer(read_only=True)
    performers = PerformerBriefSerializer(many=True, read_only=True)
    image = ImageField("image")
    price_from = serializers.DecimalField(
        max_digits=10, decimal_places=2, read_only=True, allow_null=True, help_text="Lowest price on sale."
    )
    local_start = serializers.SerializerMethodField(help_text="Start time in the show's own time zone.")
    status = serializers.SerializerMethodField()
    time_zone = serializers.CharField(read_only=True, help_text="IANA time zone of the show.")

    class Meta:
        model = Show
        fields = [
            "slug", "title", "status", "start_time", "end_time", "door_time", "time_zone", "local_start", "currency",
            "price_from", "age_restriction", "venue", "producer", "performers", "image",
        ]  # fmt: skip

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_local_start(self, show) -> str:
        return timezone.localtime(show.start_time, ZoneInfo(show.time_zone)).isoformat()

    @extend_schema_field(serializers.ChoiceField(choices=["draft", "published"]))
    def get_status(self, show) -> str:
        return "published" if show.published else "draft"

    def to_representation(self, show):
        return {
            "slug": show.slug,
            "title": show.title,
            "status": self.get_status(show),
            "start_time": iso(show.start_time),
            "end_time": iso(show.end_time),
            "door_time": iso(show.door_time),
            "time_zone": show.time_zone,
            "local_start": self.get_local_start(show),
            "currency": show.currency,
            "price_from": self.price_from_of(show),
            "age_restriction": show.age_restriction,
            "venue": VenueBriefSerializer().to_representation(show.venue) if show.venue_id else None,
            "producer": ProducerBriefSerializer().to_representation(show.producer),
            "performers": [PerformerBriefSerializer().to_representation(p) for p in show.performers.all()],
            "image": image_payload(show, "image"),
        }

    def price_from_of(self, show):
        return money(getattr(show, "price_from", None))


class ShowDetailSerializer(ShowListSerializer):
    price_from = serializers.SerializerMethodField(help_text="Lowest price on sale.")
    tickets = serializers.SerializerMethodField()
    page_design = serializers.SerializerMethodField()
    banner_image = ImageField("banner_image")
    square_image = ImageField("square_image")

    class Meta(ShowListSerializer.Meta):
        fields = [
            *ShowListSerializer.Meta.fields,
            "description", "refund_policy", "featured_video", "hold_minutes", "max_tickets_per_order",
            "banner_image", "square_image", "page_design", "tickets", "published_at", "created_at", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True))
    def get_price_from(self, show):
        prices = [t.price for t in show.ticket_types if t.is_active]
        return money(min(prices)) if prices else None

    price_from_of = get_price_from

    def to_representation(self, show):
        data = super().to_representation(show)
        design = getattr(show, "page_design", None)
        data.update(
            {
                "description": show.description,
                "refund_policy": show.refund_policy,
                "featured_video": show.featured_video,
                "hold_minutes": show.hold_minutes,
                "max_tickets_per_order": show.max_tickets_per_order,
                "banner_image": image_payload(show, "banner_image"),
                "square_image": image_payload(show, "square_image"),
                "page_design": PageDesignSerializer().to_representation(design) if design else None,
                "tickets": self.get_tickets(show),
                "published_at": iso(show.published_at),
                "created_at": iso(show.created_at),
                "updated_at": iso(show.updated_at),
            }
        )
        return data

    @extend_schema_field(TicketTypeNestedSerializer(many=True))
    def get_tickets(self, show):
        manager = self.context.get("manager", False)
        nested = TicketTypeNestedSerializer(context={**self.context, "manager": manager})
        return [nested.to_representation(t) for t in show.ticket_types if manager or t.is_active]

    @extend_schema_field(PageDesignSerializer(allow_null=True))
    def get_page_design(self, show):
        design = getattr(show, "page_design", None)
        return PageDesignSerializer(design, context=self.context).data if design else None


class ShowWriteSerializer(serializers.ModelSerializer):
    producer = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Producer.objects.filter(is_active=True),
        required=False,
        write_only=True,
        help_text="Needed only when you manage several producers.",
    )
    venue = serializers.SlugRelatedField(
        slug_field="slug", queryset=Venue.objects.filter(is_active=True), required=False, allow_null=True
    )
    performers = serializers.SlugRelatedField(
        slug_field="slug", queryset=Performer.objects.all(), many=True, required=False
    )
    description = RichTextField()
    time_zone = TimeZoneField(required=False)
    currency = serializers.ChoiceField(choices=CURRENCY_CHOICES, required=False)

    class Meta:
        model = Show
        fields = [
            "producer", "title", "description", "door_time", "start_time", "end_time", "time_zone", "venue",
            "performers", "age_restriction", "refund_policy", "currency", "hold_minutes", "max_tickets_per_order",
            "featured_video", "facebook_campaign_id",
        ]  # fmt: skip


class PublishSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["draft", "published"])


class PromoCodeSerializer(serializers.ModelSerializer):
    show = VisibleShowField(slug_field="slug", queryset=Show.objects.all())
    tickets = VisibleTicketField(
        queryset=Ticket.objects.all(), many=True, required=False, help_text="Ticket types it applies to; empty = all."
    )
    code = serializers.RegexField(r"^[A-Za-z0-9_-]{3,40}$", max_length=40, help_text="3–40 letters, digits, - or _.")

    class Meta:
        model = TicketPromoCode
        fields = [
            "id", "show", "code", "discount_type", "discount", "tickets", "max_uses", "times_used", "valid_from",
            "valid_until", "is_active", "created_at",
        ]  # fmt: skip
        read_only_fields = ["times_used", "created_at"]
        # Uniqueness (ignoring case) is checked by the model against the show in the service.
        validators = []


# --- views -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List shows",
        description="Published, upcoming shows for everyone. `mine=true` lists every show (drafts too) of "
        "the producers you manage.",
        parameters=[
            OpenApiParameter("mine", OpenApiTypes.BOOL, description="Your producers' shows, drafts included."),
            OpenApiParameter("include_past", OpenApiTypes.BOOL, description="Also shows that have ended."),
        ],
    ),
    retrieve=extend_schema(summary="A show with its ticket types and live availability"),
    create=extend_schema(summary="Draft a show", request=ShowWriteSerializer, responses={201: ShowDetailSerializer}),
    partial_update=extend_schema(summary="Change a show", request=ShowWriteSerializer, responses=ShowDetailSerializer),
    update=extend_schema(
        summary="Replace a show's details", request=ShowWriteSerializer, responses=ShowDetailSerializer
    ),
    destroy=extend_schema(summary="Delete a show (soft: orders and tickets stay)"),
)
class ShowViewSet(ProducerOwnedWriteMixin, ImageUploadMixin, viewsets.ModelViewSet):
    lookup_field = "slug"
    filterset_class = ShowFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["start_time", "title", "created_at", "price_from"]
    ordering = ["start_time"]
    image_fields = ("image", "banner_image", "square_image", "background_image")

    def get_queryset(self):
        scope = producer_scope(self.request)
        if self.action == "list":
            if query_flag(self.request, "mine") and self.request.user.is_authenticated:
                return selectors.show_list_for_producers(scope=scope)
            return selectors.show_list_public(include_past=query_flag(self.request, "include_past"))
        queryset = selectors.show_detail_queryset(active_tickets_only=False)
        if scope.everything:
            return queryset
        if not scope.ids:
            return queryset.filter(published=True)
        return queryset.filter(Q(published=True) | Q(producer_id__in=scope.ids))

    def filter_queryset(self, queryset):
        # Search, filters and ordering apply to the list; a single show is looked up by its slug only.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_serializer_class(self):
        if self.action == "list":
            return ShowListSerializer
        if self.action in ("create", "update", "partial_update"):
            return ShowWriteSerializer
        return ShowDetailSerializer

    def detail_response(self, show: Show, status_code: int = 200, *, refetch: bool = True) -> Response:
        if refetch:
            show = self.get_queryset().get(pk=show.pk)
        manager = producer_scope(self.request).allows(show.producer_id)
        data = ShowDetailSerializer(show, context={**self.get_serializer_context(), "manager": manager}).data
        return Response(data, status=status_code)

    def retrieve(self, request, *args, **kwargs):
        return self.detail_response(self.get_object(), refetch=False)

    def create(self, request, *args, **kwargs):
        serializer = ShowWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        producer = acting_producer(request, data.pop("producer", None))
        performers = data.pop("performers", None)
        show = services.show_create(producer=producer, author=request.user, data=data, performers=performers)
        return self.detail_response(show, status_code=201)

    def update(self, request, *args, **kwargs):
        show = self.get_object_for_write()
        partial = kwargs.pop("partial", False)
        serializer = ShowWriteSerializer(
            show, data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "producer" in data and data.pop("producer").pk != show.producer_id:
            raise InvalidInput(extra={"fields": {"producer": ["A show can't move to another producer."]}})
        performers = data.pop("performers", None)
        show = services.show_update(show=show, data=data, performers=performers)
        return self.detail_response(show)

    def destroy(self, request, *args, **kwargs):
        services.show_soft_delete(show=self.get_object_for_write())
        return removal_response("deleted")

    @extend_schema(summary="Publish or unpublish a show", request=PublishSerializer, responses=ShowDetailSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, slug=None):
        show = self.get_object_for_write()
        serializer = PublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data["status"] == "published":
            services.show_publish(show=show, user=request.user)
        else:
            services.show_unpublish(show=show)
        return self.detail_response(show)

    @extend_schema(methods=["GET"], summary="The show's ticket page design", responses=PageDesignSerializer)
    @extend_schema(
        methods=["PUT", "PATCH"], summary="Change the ticket page colours", request=PageDesignSerializer,
        responses=PageDesignSerializer,
    )  # fmt: skip
    @action(detail=True, methods=["get", "put", "patch"])
    def design(self, request, slug=None):
        if request.method == "GET":
            show = self.get_object()
            design = getattr(show, "page_design", None)
            if design is None:
                raise NotFound("This show has no page design yet.")
            return Response(PageDesignSerializer(design).data)
        show = self.get_object_for_write()
        existing = getattr(show, "page_design", None)
        serializer = PageDesignSerializer(existing, data=request.data, partial=request.method == "PATCH")
        serializer.is_valid(raise_exception=True)
        design = services.page_design_save(show=show, data=dict(serializer.validated_data))
        return Response(PageDesignSerializer(design).data)

    def image_target(self, show):
        return services.page_design_save(show=show, data={})


class ShowChildViewSet(ProducerOwnedWriteMixin, viewsets.ModelViewSet):
    """Ticket types and promo codes: rows that belong to one show for good.

    Subclasses name the thing (for messages) and call their services in ``create_in`` and
    ``update_with``; parsing, the producer check and "can't move to another show" live here.
    """

    noun = "row"

    def producer_id_of(self, obj):
        return obj.show.producer_id

    def respond(self, obj, status_code=200):
        return Response(self.get_serializer(obj).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        show = data.pop("show")
        producer_scope(request).require(show.producer_id)
        return self.respond(self.create_in(show, data), 201)

    def update(self, request, *args, **kwargs):
        obj = self.get_object_for_write()
        serializer = self.get_serializer(obj, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "show" in data and data.pop("show").pk != obj.show_id:
            raise InvalidInput(extra={"fields": {"show": [f"A {self.noun} can't move to another show."]}})
        return self.respond(self.update_with(obj, data))

    def create_in(self, show, data):
        raise NotImplementedError

    def update_with(self, obj, data):
        raise NotImplementedError


@extend_schema_view(
    list=extend_schema(
        summary="Ticket types",
        description="Ticket types on sale for public shows; add `mine=true` for every ticket type of your "
        "producers' shows with sales figures.",
        parameters=[
            OpenApiParameter("show", OpenApiTypes.STR, description="Only this show's ticket types (slug)."),
            OpenApiParameter("mine", OpenApiTypes.BOOL),
        ],
    ),
    destroy=extend_schema(
        summary="Delete a ticket type, or deactivate it when it has sales", responses=REMOVAL_RESPONSES
    ),
)
class TicketViewSet(ShowChildViewSet):
    serializer_class = TicketTypeSerializer
    noun = "ticket type"

    def get_queryset(self):
        scope = producer_scope(self.request)
        public = Q(show__in=Show.objects.published(), is_active=True)
        mine = Q() if scope.everything else Q(show__producer_id__in=scope.ids)
        wanted = mine if query_flag(self.request, "mine") else public | mine
        queryset = Ticket.objects.filter(show__in=Show.objects.all()).filter(wanted).select_related("show")
        show = self.request.query_params.get("show")
        if show:
            queryset = queryset.filter(show__slug=show)
        return selectors.tickets_with_availability(queryset).order_by("show_id", "sort_order", "pk")

    def respond(self, ticket, status_code=200):
        # Re-read with live availability, ignoring the list's query-string filters.
        ticket = selectors.tickets_with_availability(Ticket.objects.select_related("show")).get(pk=ticket.pk)
        return super().respond(ticket, status_code)

    def create_in(self, show, data):
        return services.ticket_create(show=show, author=self.request.user, data=data)

    def update_with(self, ticket, data):
        return services.ticket_update(ticket=ticket, data=data)

    def destroy(self, request, *args, **kwargs):
        return removal_response(services.ticket_remove(ticket=self.get_object_for_write()))


@extend_schema_view(
    list=extend_schema(
        summary="Your promo codes", parameters=[OpenApiParameter("show", OpenApiTypes.STR, description="Show slug")]
    ),
    destroy=extend_schema(summary="Delete a promo code, or deactivate it once used", responses=REMOVAL_RESPONSES),
)
class PromoCodeViewSet(ShowChildViewSet):
    """Promo codes are private to the producers who own the show."""

    serializer_class = PromoCodeSerializer
    permission_classes = [permissions.IsAuthenticated]
    noun = "promo code"

    def get_queryset(self):
        queryset = producer_scope(self.request).filter(
            TicketPromoCode.objects.filter(show__in=Show.objects.all()), field="show__producer"
        )
        show = self.request.query_params.get("show")
        if show:
            queryset = queryset.filter(show__slug=show)
        return queryset.select_related("show").prefetch_related("tickets").order_by("show_id", "code")

    def create_in(self, show, data):
        tickets = data.pop("tickets", None)
        return services.promo_code_create(show=show, data=data, tickets=tickets)

    def update_with(self, promo, data):
        tickets = data.pop("tickets", None)
        return services.promo_code_update(promo=promo, data=data, tickets=tickets)

    def destroy(self, request, *args, **kwargs):
        return removal_response(services.promo_code_remove(promo=self.get_object_for_write()))


@extend_schema_view(list=extend_schema(summary="Featured shows for the home page, in order"))
class FeaturedViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ShowListSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.featured_list_public()
