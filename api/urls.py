"""REST API under /api/: the router of the three resources, the OpenAPI schema and its docs."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from .demands import DemandViewSet
from .docs import DocsView
from .matches import MatchViewSet
from .offers import OfferViewSet
from .schema import SchemaView

router = DefaultRouter()
router.include_root_view = False
router.register("offers", OfferViewSet, basename="api-offer")
router.register("demands", DemandViewSet, basename="api-demand")
router.register("matches", MatchViewSet, basename="api-match")

urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(), name="api-docs"),
]
