from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API."""

    detail = serializers.CharField(help_text="A message for people.")
    code = serializers.CharField(help_text="A stable code for programs, e.g. `invalid`, `not_found`, `sold_out`.")
    extra = serializers.DictField(help_text="Details; for `invalid`, `fields` maps each field to its messages.")
