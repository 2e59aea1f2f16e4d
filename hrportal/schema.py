"""Shared OpenAPI pieces: the error bodies every API answers with (hrportal.errors)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

DetailError = inline_serializer("DetailError", fields={"detail": serializers.CharField()})
# A map, not an object with a fixed key: one key per bad field (or `non_field_errors`), each a list of messages;
# or DRF's `{"detail": message}` when the body cannot be parsed at all (not JSON).
FieldErrors = {
    "anyOf": [
        {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]},
    ],
    "description": (
        "One key per bad field (`non_field_errors` for the input as a whole), each a list of messages; "
        '`{"detail": message}` for a body that is not JSON.'
    ),
}

ERROR_RESPONSES = {
    400: OpenApiResponse(FieldErrors, description="Bad input: `{field: [messages]}`; nothing saved."),
    401: OpenApiResponse(DetailError, description="Not authenticated (or the account is not active)."),
    403: OpenApiResponse(DetailError, description="The caller may see the object but not take this action."),
    404: OpenApiResponse(DetailError, description="No such object visible to the caller."),
    409: OpenApiResponse(DetailError, description="The object's state forbids the action."),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: ERROR_RESPONSES[code] for code in codes}
