"""/api/demands/: published demands of all provinces, as the representative may see them.

The list is demands.selectors.demand_list_answerable (scoped by the permission module); the
firm's identity comes only where the permission module shows it (see DemandSerializer).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from demands import selectors
from demands.models import Demand

from .base import RepresentativeAPI
from .filters import DemandFilter
from .serializers import DemandSerializer


@extend_schema_view(
    list=extend_schema(
        summary=gettext_noop("Published demands of all provinces"), tags=["demands"]
    ),
    retrieve=extend_schema(summary=gettext_noop("One published demand"), tags=["demands"]),
)
class DemandViewSet(RepresentativeAPI, viewsets.ReadOnlyModelViewSet):
    """Published provincial demands; anonymised ones come without the firm's identity."""

    serializer_class = DemandSerializer
    filterset_class = DemandFilter
    queryset = Demand.objects.none()  # for the schema; get_queryset scopes every request

    def get_queryset(self):
        return selectors.demand_list_answerable(self.request.user)
