"""/api/matches/: the pairs of the representative's offers, as its pages show them.

The list is offers.selectors.offer_matches_for, scoped by the permission module's
`matches_visible_to`: pairs staff shortlisted or introduced, never the engine's raw
proposals, rejections or staff notes (the same rule as the offer and match pages).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from offers import selectors

from .base import RepresentativeAPI
from .serializers import MatchSerializer


@extend_schema_view(
    list=extend_schema(summary=gettext_noop("Matches of your offers"), tags=["matches"])
)
class MatchViewSet(RepresentativeAPI, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Demands the matching engine paired with your offers (empty until matching runs)."""

    serializer_class = MatchSerializer
    filter_backends: list = []

    def get_queryset(self):
        # the contact (both sides interested) reads the demand's organisation: one join
        return selectors.offer_matches_for(self.request.user).select_related(
            "offer", "demand__organization"
        )
