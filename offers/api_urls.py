"""REST API under /api/: the offers router, the OpenAPI schema and its docs page."""

from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from . import api


class SchemaView(SpectacularAPIView):
    permission_classes = [IsAuthenticated]  # the portal shows nothing to anonymous visitors


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its script in a separate request and assets from drf-spectacular-sidecar:
    nothing inline and no CDN, so the site's Content-Security-Policy holds."""

    permission_classes = [IsAuthenticated]
    template_name = "offers/api_docs.html"

    # Always the sidecar's files (served from our own static), whatever SWAGGER_UI_DIST says.
    @staticmethod
    def _swagger_ui_resource(filename):
        return static(f"drf_spectacular_sidecar/swagger-ui-dist/{filename}")

    @staticmethod
    def _swagger_ui_favicon():
        return static("drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png")


router = DefaultRouter()
router.include_root_view = False
router.register("offers", api.OfferViewSet, basename="api-offer")
router.register("demands", api.DemandViewSet, basename="api-demand")
router.register("matches", api.MatchViewSet, basename="api-match")

urlpatterns = [
    path("", include(router.urls)),
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
]
