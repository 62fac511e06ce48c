"""REST API for venues: public directory, edited by the producer who added each."""

import django_filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from piquetickets.api.access import acting_producer, producer_scope
from piquetickets.api.fields import ImageField, RichTextField, TimeZoneField
from piquetickets.api.views import REMOVAL_RESPONSES, ImageUploadMixin, ProducerOwnedWriteMixin, removal_response
from piquetickets.producers.models import Producer

from . import services
from .models import Venue


class VenueSerializer(serializers.ModelSerializer):
    producer = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Producer.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="The producer who manages this venue (null: the platform's); needed only if you manage several.",
    )
    description = RichTextField()
    time_zone = TimeZoneField(required=False)
    image = ImageField("venue_image")
    country = serializers.RegexField(r"^[A-Z]{2}$", required=False, help_text="ISO 3166-1 alpha-2, e.g. US.")

    class Meta:
        model = Venue
        fields = [
            "slug", "name", "description", "address", "city", "state", "zip_code", "country", "phone", "website",
            "capacity", "time_zone", "is_active", "image", "producer",
        ]  # fmt: skip
        read_only_fields = ["slug"]


class VenueFilter(django_filters.FilterSet):
    city = django_filters.CharFilter(lookup_expr="iexact")
    q = django_filters.CharFilter(method="search")

    class Meta:
        model = Venue
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(city__icontains=value) | Q(address__icontains=value))


@extend_schema_view(
    list=extend_schema(summary="Venues"),
    destroy=extend_schema(summary="Delete a venue, or deactivate it when shows use it", responses=REMOVAL_RESPONSES),
)
class VenueViewSet(ProducerOwnedWriteMixin, ImageUploadMixin, viewsets.ModelViewSet):
    serializer_class = VenueSerializer
    lookup_field = "slug"
    filterset_class = VenueFilter
    image_fields = ("venue_image",)

    def get_queryset(self):
        scope = producer_scope(self.request)
        queryset = Venue.objects.select_related("producer").order_by("name", "pk")
        if scope.everything:
            return queryset
        return queryset.filter(Q(is_active=True) | Q(producer_id__in=scope.ids))

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        producer = acting_producer(request, data.pop("producer", None))
        venue = services.venue_create(producer=producer, data=data)
        return Response(self.get_serializer(venue).data, status=201)

    def update(self, request, *args, **kwargs):
        venue = self.get_object_for_write()
        serializer = self.get_serializer(venue, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("producer", None)
        return Response(self.get_serializer(services.venue_update(venue=venue, data=data)).data)

    def destroy(self, request, *args, **kwargs):
        return removal_response(services.venue_remove(venue=self.get_object_for_write()))
