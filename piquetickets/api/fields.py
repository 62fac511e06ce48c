"""Serializer pieces shared by the API modules."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from piquetickets.core.images import image_payload
from piquetickets.core.timezones import iana_time_zones


class ImageVariantSerializer(serializers.Serializer):
    url = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class ImagePayloadSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="The original upload.")
    variants = serializers.DictField(child=ImageVariantSerializer(), help_text="WebP renditions by name.")


@extend_schema_field(ImagePayloadSerializer(allow_null=True))
class ImageField(serializers.Field):
    """An uploaded image with its WebP renditions; read-only (uploads go to the images endpoints)."""

    def __init__(self, field_name: str, **kwargs):
        self.image_field = field_name
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("source", "*")
        super().__init__(**kwargs)

    def to_representation(self, instance):
        return image_payload(instance, self.image_field)


class ImageUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="JPEG, PNG, WebP or GIF; at most 10 MB and 40 megapixels.")


@extend_schema_field(OpenApiTypes.STR)
class RichTextField(serializers.CharField):
    """HTML; sanitised when saved (scripts, styles and event handlers are removed)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 20000)
        kwargs.setdefault("trim_whitespace", True)
        super().__init__(**kwargs)


class TimeZoneField(serializers.CharField):
    """An IANA time zone name; checked against the pinned tz database (not listed as an enum: 600 names)."""

    default_error_messages = {"invalid_time_zone": '"{value}" is not a valid choice.'}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("help_text", "IANA time zone name, e.g. America/Chicago.")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in iana_time_zones():
            self.fail("invalid_time_zone", value=value)
        return value


class VisibleToCallerMixin:
    """A related field that only finds what the caller may see: public objects and their own
    producers' (everything for staff), so a hidden draft answers exactly like a missing one."""

    public_filter: dict = {}
    producer_path = "producer"

    def get_queryset(self):
        from django.db.models import Q

        from .access import producer_scope

        queryset = super().get_queryset()
        request = self.context.get("request")
        scope = producer_scope(request) if request is not None else None
        if scope is not None and scope.everything:
            return queryset
        visible = Q(**self.public_filter)
        if scope is not None and scope.ids:
            visible |= Q(**{f"{self.producer_path}_id__in": scope.ids})
        return queryset.filter(visible)


class VisibleShowField(VisibleToCallerMixin, serializers.SlugRelatedField):
    public_filter = {"published": True}


class VisibleTicketField(VisibleToCallerMixin, serializers.PrimaryKeyRelatedField):
    public_filter = {"show__published": True, "is_active": True}
    producer_path = "show__producer"
