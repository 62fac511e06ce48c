"""Every API error in one shape: ``{"detail": ..., "code": ..., "extra": ...}``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from piquetickets.core.errors import ApplicationError
from piquetickets.core.outages import is_outage
from piquetickets.core.views import outage_answer

VALIDATION_MESSAGE = "Some fields are not valid."


def _field_messages(detail) -> dict:
    """DRF's nested error detail as plain lists of strings per field."""
    if isinstance(detail, dict):
        return {key: _field_messages(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [str(item) for item in detail]
        return [_field_messages(item) for item in detail]
    return [str(detail)]


def django_validation_error_to_drf(error: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(error, "error_dict"):
        fields = {("non_field_errors" if k == "__all__" else k): v for k, v in error.message_dict.items()}
        return exceptions.ValidationError(fields)
    return exceptions.ValidationError({"non_field_errors": error.messages})


def api_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        exc = django_validation_error_to_drf(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DataError):
        # Input the database can't store (e.g. a NUL character in a URL or query string).
        return Response(
            {"detail": "The request contains characters or values we can't store.", "code": "invalid", "extra": {}},
            status=status.HTTP_400_BAD_REQUEST,
        )
    elif is_outage(exc):  # the database or broker did not answer: retry, it is not the request's fault
        body, headers = outage_answer(exc)
        response = Response(body, status=503, headers=headers)
        response._has_been_logged = True  # logged once a minute above, not once per request by Django
        return response

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        fields = _field_messages(exc.detail)
        if not isinstance(fields, dict):
            fields = {"non_field_errors": fields}
        response.data = {"detail": VALIDATION_MESSAGE, "code": "invalid", "extra": {"fields": fields}}
        return response

    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    if not isinstance(code, str):
        code = "error"
    extra = {}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        extra["retry_after_seconds"] = int(exc.wait) + 1
    if isinstance(exc, exceptions.MethodNotAllowed):
        code = "method_not_allowed"
    response.data = {"detail": str(exc.detail), "code": code, "extra": extra}
    return response
