"""View pieces shared by the API modules."""

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from piquetickets.core.errors import InvalidInput
from piquetickets.core.images import image_attach, image_payload

from .access import producer_scope
from .fields import ImagePayloadSerializer, ImageUploadSerializer


class RemovalSerializer(serializers.Serializer):
    result = serializers.ChoiceField(
        choices=["deactivated"], help_text="Kept, but deactivated, because orders or shows still refer to it."
    )


REMOVAL_RESPONSES = {
    200: RemovalSerializer,
    204: OpenApiResponse(description="Deleted."),
}


def query_flag(request, name: str) -> bool:
    """A yes/no query parameter: ``1``, ``true`` or ``yes`` (any case) mean yes."""
    return request.query_params.get(name, "").lower() in {"1", "true", "yes"}


def removal_response(result: str) -> Response:
    """``204`` when the row was deleted; ``200`` with ``{"result": "deactivated"}`` when it was kept."""
    if result == "deleted":
        return Response(status=status.HTTP_204_NO_CONTENT)
    return Response({"result": result}, status=status.HTTP_200_OK)


class ProducerOwnedWriteMixin:
    """Objects are found among what the request may see; writes need the producer in its scope."""

    producer_field = "producer_id"

    def producer_id_of(self, obj) -> int | None:
        return getattr(obj, self.producer_field)

    def get_object_for_write(self):
        obj = self.get_object()
        producer_scope(self.request).require(self.producer_id_of(obj))
        return obj


class ImageUploadMixin:
    """``POST …/{lookup}/images/{field}/``: upload one of the object's images (multipart ``file``)."""

    image_fields: tuple[str, ...] = ()

    def image_target(self, obj):
        return obj

    @extend_schema(request={"multipart/form-data": ImageUploadSerializer}, responses={200: ImagePayloadSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"images/(?P<field>[a-z_]+)",
        parser_classes=[MultiPartParser, FormParser],
    )
    def images(self, request, field=None, **kwargs):
        obj = self.get_object_for_write()
        if field not in self.image_fields:
            raise InvalidInput(extra={"fields": {"field": [f"Choose one of: {', '.join(self.image_fields)}."]}})
        serializer = ImageUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():  # a refused file leaves no new row behind (e.g. the page design)
            target = self.image_target(obj) if field == "background_image" else obj
            image_attach(instance=target, field=field, upload=serializer.validated_data["file"])
        target.refresh_from_db()
        return Response(image_payload(target, field))
