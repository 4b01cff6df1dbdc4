"""The OpenAPI schema, error bodies included: /api/schema/ (its page is api/docs.py)."""

from __future__ import annotations

from django.utils.translation import gettext_noop
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import IsAuthenticated

DETAIL_ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Field name (or non_field_errors) -> messages.",
    "additionalProperties": {
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]
    },
}


class PortalAutoSchema(AutoSchema):
    """Documents the error bodies every endpoint can answer, so clients (and the contract
    tests) can rely on the schema for failures too."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {
            "401": gettext_noop("Missing or invalid token."),
            "403": gettext_noop("Not allowed for your role."),
            "429": gettext_noop("Too many requests."),
        }
        if "{" in self.path:
            errors["404"] = gettext_noop("Not found, or not yours.")
        elif self.method == "GET" and self._is_list_view() and self._get_paginator():
            errors["404"] = gettext_noop(
                "No such page."
            )  # DRF's answer to ?page= past the last one
        for code, description in errors.items():
            responses.setdefault(
                code,
                self._get_response_for_code(
                    OpenApiResponse(response=DETAIL_ERROR, description=description), code
                ),
            )
        if self.method in ("POST", "PUT", "PATCH"):
            responses.setdefault(
                "400",
                self._get_response_for_code(
                    OpenApiResponse(
                        response=FIELD_ERRORS, description=gettext_noop("Invalid input.")
                    ),
                    "400",
                ),
            )
        elif self.method == "GET" and self._is_list_view() and self._get_paginator():
            responses.setdefault(
                "400",
                self._get_response_for_code(
                    OpenApiResponse(
                        response=FIELD_ERRORS,
                        description=gettext_noop("Invalid filter value or page size."),
                    ),
                    "400",
                ),
            )
        return responses

    def _get_filter_parameters(self):
        # django-filter reads an empty value (?status=) as no filter, as the catalog's forms
        # send it: say so, rather than documenting a refusal that never comes.
        parameters = super()._get_filter_parameters()
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if "enum" in schema and "" not in schema["enum"]:
                schema["enum"] = [*schema["enum"], ""]
            elif "enum" not in schema and schema.get("type") != "string":
                parameter["schema"] = {"anyOf": [schema, {"type": "string", "maxLength": 0}]}
        return parameters


class SchemaView(SpectacularAPIView):
    permission_classes = [IsAuthenticated]  # the portal shows nothing to anonymous visitors
