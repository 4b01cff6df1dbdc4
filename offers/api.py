"""REST API for overseas representatives: their offers, published demands, their matches.

Token authentication (Authorization: Token <key>), JSON errors with field messages.
Every queryset comes from the permission module: an id outside the scope answers 404.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework import permissions as drf_permissions
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from accounts import permissions
from demands.models import Demand
from demands.selectors import demand_search
from portal.search import SearchLastMixin

from . import selectors, services
from .filters import OwnOfferFilter
from .models import Offer
from .serializers import (
    ArchiveSerializer,
    DemandSerializer,
    MatchSerializer,
    OfferSerializer,
    PublishSerializer,
)

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
SIMILAR = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "similar": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "title": {"type": "string"},
                    "provider_name": {"type": "string"},
                    "status": {"type": "string"},
                },
                "required": ["id", "title", "provider_name", "status"],
            },
        },
    },
    "required": ["detail", "similar"],
}


class PortalAutoSchema(AutoSchema):
    """Documents the error bodies every endpoint can answer, so clients (and the contract
    tests) can rely on the schema for failures too."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {
            "401": "Missing or invalid token.",
            "403": "Not allowed for your role.",
            "429": "Too many requests.",
        }
        if "{" in self.path:
            errors["404"] = "Not found, or not yours."
        elif self.method == "GET" and self._is_list_view() and self._get_paginator():
            errors["404"] = "No such page."  # DRF's answer to ?page= past the last one
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
                    OpenApiResponse(response=FIELD_ERRORS, description="Invalid input."), "400"
                ),
            )
        elif self.method == "GET" and self._is_list_view() and self._get_paginator():
            responses.setdefault(
                "400",
                self._get_response_for_code(
                    OpenApiResponse(
                        response=FIELD_ERRORS, description="Invalid filter value or page size."
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


class ApiPagination(PageNumberPagination):
    page_size_query_param = "page_size"  # 25 by default, up to 100 for scripts
    max_page_size = 100

    def get_page_size(self, request):
        # DRF silently falls back to 25 on page_size=abc or -3: say it is wrong instead.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) > 0):
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("A whole number of at least 1; at most 100 rows are sent.")
                    ]
                }
            )
        return super().get_page_size(request)

    def get_page_number(self, request, paginator):
        # DRF reads an empty ?page= as the first page; an empty value is no page number.
        if request.query_params.get(self.page_query_param) == "":
            raise NotFound(self.invalid_page_message)
        return super().get_page_number(request, paginator)


class IsRepresentative(drf_permissions.BasePermission):
    message = gettext_lazy("Only overseas S&T representatives use this API.")

    def has_permission(self, request, view) -> bool:
        return permissions.can(request.user, "offer.list_own")


def _drf_error(error: DjangoValidationError) -> ValidationError:
    if hasattr(error, "error_dict"):
        return ValidationError(
            {k: [str(m) for e in v for m in e.messages] for k, v in error.error_dict.items()}
        )
    return ValidationError({"non_field_errors": [str(m) for m in error.messages]})


@extend_schema_view(
    list=extend_schema(summary="List your representation's offers", tags=["offers"]),
    retrieve=extend_schema(summary="One of your offers", tags=["offers"]),
    create=extend_schema(summary="Create a draft offer", tags=["offers"]),
    update=extend_schema(summary="Replace an offer's fields", tags=["offers"]),
    partial_update=extend_schema(summary="Change some fields of an offer", tags=["offers"]),
)
class OfferViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Your representation's offers. New offers are drafts; publish them with /publish/."""

    schema = PortalAutoSchema()
    serializer_class = OfferSerializer
    pagination_class = ApiPagination
    permission_classes = [drf_permissions.IsAuthenticated, IsRepresentative]
    filterset_class = OwnOfferFilter
    queryset = Offer.objects.none()  # for the schema; get_queryset scopes every request

    def get_queryset(self):
        return selectors.offer_list_own(self.request.user)

    def perform_create(self, serializer):
        try:
            serializer.instance = services.offer_create(
                by=self.request.user, data=dict(serializer.validated_data)
            )
        except DjangoValidationError as error:
            raise _drf_error(error) from error

    def perform_update(self, serializer):
        try:
            offer = services.offer_update(
                offer=serializer.instance,
                by=self.request.user,
                data=dict(serializer.validated_data),
            )
        except DjangoValidationError as error:
            raise _drf_error(error) from error
        serializer.instance = selectors.offer_list_own(self.request.user).get(pk=offer.pk)

    @extend_schema(
        summary="Publish a draft (or re-publish an archived offer)",
        tags=["offers"],
        request=PublishSerializer,
        responses={
            200: OfferSerializer,
            409: OpenApiResponse(
                response=SIMILAR,
                description=(
                    "Offers with the same provider and a similar title exist; "
                    "repeat with confirm_similar=true to publish anyway."
                ),
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        offer = self.get_object()
        options = PublishSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        try:
            services.offer_publish(
                offer=offer,
                by=request.user,
                confirm_similar=options.validated_data["confirm_similar"],
            )
        except services.SimilarOffersFound as found:
            return Response(
                {
                    "detail": "Similar offers exist.",
                    "similar": [
                        {
                            "id": o.id,
                            "title": o.title,
                            "provider_name": o.provider_name,
                            "status": o.status,
                        }
                        for o in found.similar
                    ],
                },
                status=status.HTTP_409_CONFLICT,
            )
        except DjangoValidationError as error:
            raise _drf_error(error) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=offer.pk)).data)

    @extend_schema(
        summary="Archive an offer",
        tags=["offers"],
        request=ArchiveSerializer,
        responses={200: OfferSerializer},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        offer = self.get_object()
        options = ArchiveSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        if not permissions.can(request.user, "offer.archive", offer):
            raise ValidationError({"status": ["This offer is already archived."]})
        services.offer_archive(offer=offer, by=request.user, note=options.validated_data["note"])
        return Response(self.get_serializer(self.get_queryset().get(pk=offer.pk)).data)


class DemandFilter(SearchLastMixin, django_filters.FilterSet):
    class Meta:
        model = Demand
        fields: list[str] = []

    q = django_filters.CharFilter(
        method="search",
        help_text="Whole words, exact accents first, then by meaning; ordered by relevance.",
    )
    field = django_filters.CharFilter(
        field_name="fields__code", help_text="S&T field code.", distinct=True
    )
    province = django_filters.CharFilter(field_name="province__slug", help_text="Province slug.")

    def search(self, queryset, name, value):
        return demand_search(queryset, value)


@extend_schema_view(
    list=extend_schema(summary="Published demands of all provinces", tags=["demands"]),
    retrieve=extend_schema(summary="One published demand", tags=["demands"]),
)
class DemandViewSet(viewsets.ReadOnlyModelViewSet):
    """Published provincial demands; anonymised ones come without the firm's identity."""

    schema = PortalAutoSchema()
    serializer_class = DemandSerializer
    pagination_class = ApiPagination
    permission_classes = [drf_permissions.IsAuthenticated, IsRepresentative]
    filterset_class = DemandFilter
    queryset = Demand.objects.none()  # for the schema; get_queryset scopes every request

    def get_queryset(self):
        return (
            permissions.demands_visible_to(self.request.user)
            .filter(status__in=[Demand.Status.PUBLISHED, Demand.Status.IN_CONNECTION])
            .select_related("province", "organization")
            .prefetch_related("fields", "cooperation")
            .order_by("-published_at", "-id")
        )


@extend_schema_view(list=extend_schema(summary="Matches of your offers", tags=["matches"]))
class MatchViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Demands the matching engine paired with your offers (empty until matching runs)."""

    schema = PortalAutoSchema()
    serializer_class = MatchSerializer
    pagination_class = ApiPagination
    permission_classes = [drf_permissions.IsAuthenticated, IsRepresentative]
    filter_backends: list = []

    def get_queryset(self):
        return selectors.offer_matches_for(self.request.user)
