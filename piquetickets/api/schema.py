"""OpenAPI generation: every operation documents the error shape for the codes it can answer."""

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from .serializers import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "Invalid input (`invalid`, with field messages in `extra.fields`) or a broken business rule.",
    "401": "Not signed in, or an unknown, revoked or expired API key.",
    "403": "Signed in, but not allowed to act for this producer (`permission_denied`).",
    "404": "No such object, not visible to you, or a page past the end (`not_found`).",
    "409": "Conflicts with the current state, e.g. `busy` (try again).",
    "429": "Too many requests (`throttled`); `extra.retry_after_seconds` says when to retry.",
    "503": "A service we depend on did not answer (`service_unavailable`): retry after the `Retry-After` seconds.",
}


# For the operations that call the payment provider (Stripe) while answering.
PROVIDER_ERROR = OpenApiResponse(
    ErrorSerializer,
    description="The payment provider failed or refused the call (`payment_provider_error`); try again later.",
)


class AutoSchema(BaseAutoSchema):
    def get_override_parameters(self):
        """``…/images/{field}/`` names the image fields of that kind of object."""
        parameters = super().get_override_parameters()
        fields = getattr(self.view, "image_fields", None)
        if fields and getattr(self.view, "action", None) == "images":
            parameters = [
                *parameters,
                OpenApiParameter("field", str, OpenApiParameter.PATH, enum=list(fields), description="Which image."),
            ]
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        # Any request may carry a bad key, hit a private object, or meet a database outage.
        codes = ["400", "401", "403", "429", "503"]
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            codes.append("409")
        paginated = self.method == "GET" and self._is_list_view() and getattr(self.view, "pagination_class", None)
        if "{" in self.path or paginated:
            codes.append("404")
        for code in codes:
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses
