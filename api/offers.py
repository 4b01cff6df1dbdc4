"""/api/offers/: a representative's own offers, read, written, published and archived.

Reads through offers.selectors, writes through offers.services (which ask the permission
module); an id outside the user's scope answers 404.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts import permissions
from offers import selectors, services
from offers.filters import OwnOfferFilter
from offers.models import Offer

from .base import RepresentativeAPI
from .errors import field_errors
from .serializers import ArchiveSerializer, OfferSerializer, PublishSerializer

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


@extend_schema_view(
    list=extend_schema(summary=gettext_noop("List your representation's offers"), tags=["offers"]),
    retrieve=extend_schema(summary=gettext_noop("One of your offers"), tags=["offers"]),
    create=extend_schema(summary=gettext_noop("Create a draft offer"), tags=["offers"]),
    update=extend_schema(summary=gettext_noop("Replace an offer's fields"), tags=["offers"]),
    partial_update=extend_schema(
        summary=gettext_noop("Change some fields of an offer"), tags=["offers"]
    ),
)
class OfferViewSet(
    RepresentativeAPI,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Your representation's offers. New offers are drafts; publish them with /publish/."""

    serializer_class = OfferSerializer
    filterset_class = OwnOfferFilter
    queryset = Offer.objects.none()  # for the schema; get_queryset scopes every request

    def get_queryset(self):
        return selectors.offer_list_own(self.request.user)

    def perform_create(self, serializer):
        with field_errors():
            serializer.instance = services.offer_create(
                by=self.request.user, data=dict(serializer.validated_data)
            )

    def perform_update(self, serializer):
        with field_errors():
            offer = services.offer_update(
                offer=serializer.instance,
                by=self.request.user,
                data=dict(serializer.validated_data),
            )
        serializer.instance = self.get_queryset().get(pk=offer.pk)

    @extend_schema(
        summary=gettext_noop("Publish a draft (or re-publish an archived offer)"),
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
            with field_errors():
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
        return Response(self.get_serializer(self.get_queryset().get(pk=offer.pk)).data)

    @extend_schema(
        summary=gettext_noop("Archive an offer"),
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
