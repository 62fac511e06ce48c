"""REST API for performer profiles: public, edited by the producer who added each."""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from piquetickets.api.access import acting_producer
from piquetickets.api.fields import ImageField, RichTextField
from piquetickets.api.views import ImageUploadMixin, ProducerOwnedWriteMixin, removal_response
from piquetickets.producers.models import Producer

from . import services
from .models import Performer


class PerformerSerializer(serializers.ModelSerializer):
    producer = serializers.SlugRelatedField(
        slug_field="slug", queryset=Producer.objects.filter(is_active=True), required=False, write_only=True
    )
    bio = RichTextField()
    image = ImageField("image")

    class Meta:
        model = Performer
        fields = [
            "slug", "name", "bio", "city", "website", "facebook", "twitter", "instagram", "youtube", "tiktok", "image",
            "producer",
        ]  # fmt: skip
        read_only_fields = ["slug"]


class PerformerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    city = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Performer
        fields = []


@extend_schema_view(list=extend_schema(summary="Performers"), destroy=extend_schema(summary="Delete a performer"))
class PerformerViewSet(ProducerOwnedWriteMixin, ImageUploadMixin, viewsets.ModelViewSet):
    serializer_class = PerformerSerializer
    lookup_field = "slug"
    filterset_class = PerformerFilter
    queryset = Performer.objects.order_by("name", "pk")
    image_fields = ("image",)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        producer = acting_producer(request, data.pop("producer", None))
        return Response(self.get_serializer(services.performer_create(producer=producer, data=data)).data, status=201)

    def update(self, request, *args, **kwargs):
        performer = self.get_object_for_write()
        serializer = self.get_serializer(performer, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("producer", None)
        return Response(self.get_serializer(services.performer_update(performer=performer, data=data)).data)

    def destroy(self, request, *args, **kwargs):
        services.performer_delete(performer=self.get_object_for_write())
        return removal_response("deleted")
