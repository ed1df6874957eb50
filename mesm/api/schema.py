"""Schema corrections so the documented shapes match what DRF really sends (checked by tests/fuzz).

Imported by mesm/api/urls.py: drf-spectacular registers an extension when its class is defined.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension


class BlankableURLFieldExtension(OpenApiSerializerFieldExtension):
    """A URL field that may be blank sends "" — not a "uri" — so the schema allows the empty string too.

    Read-only fields lose ``allow_blank`` in DRF, yet show whatever the model holds: "" included.
    """

    target_class = "rest_framework.fields.URLField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if not (self.target.allow_blank or self.target.read_only):
            return schema
        return {"anyOf": [schema, {"type": "string", "enum": [""]}]}


class LocalTimeFieldExtension(OpenApiSerializerFieldExtension):
    """DRF writes times as "10:00:00", without the UTC offset the "time" format requires (RFC 3339)."""

    target_class = "rest_framework.fields.TimeField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$", "example": "10:00:00"}
