"""Serializer fields and bases that accept what the OpenAPI schema says, and nothing else.

DRF is lenient by design: a string field takes 123, an integer field takes "150", a float field takes
true (as 1), and unknown keys are ignored. The course API states types and closed objects in its
schema, so its fields hold to them (schemathesis checks that invalid input is refused).
"""

from __future__ import annotations

from django.http import QueryDict
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers


def from_form(field: serializers.Field, data) -> bool:
    """A string sent in a form (urlencoded or multipart: every value is text), where a JSON body
    would hold a number. JSON stays strict; a form's "12.5" is read as the number it writes."""
    return isinstance(data, str) and isinstance(getattr(field.root, "initial_data", None), QueryDict)


class StrictCharField(serializers.CharField):
    """A string, and only a string (no numbers turned into text)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON number with no fraction (not a string of digits, not true/false); in a form, digits."""

    def to_internal_value(self, data):
        if from_form(self, data):
            return super().to_internal_value(data)
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictFloatField(serializers.FloatField):
    """A JSON number (not a string, not true/false: Python would read true as 1); in a form, the
    number it writes."""

    def to_internal_value(self, data):
        if from_form(self, data):
            return super().to_internal_value(data)
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false (not "yes", 1 or "true")."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class ClosedSerializer(serializers.Serializer):
    """A serializer that refuses keys it does not know (400), and says so in the schema
    (`additionalProperties: false`). DRF itself ignores unknown keys."""

    unknown_key_message = "Unknown field."

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError({k: [self.unknown_key_message] for k in sorted(unknown)})
        return super().to_internal_value(data)


class _ClosedSerializerSchema(OpenApiSerializerExtension):
    target_class = ClosedSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        return {**schema, "additionalProperties": False}
