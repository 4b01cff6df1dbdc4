from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from . import views

portal_patterns = (
    [
        path("", views.home, name="home"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(portal_patterns)),
    path("", include("insights.urls")),  # dashboards, reports (insights:*) and /healthz
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("demands/", include("demands.urls")),
    path("offers/", include("offers.urls")),
    path("matching/", include("matching.urls")),
    path("matching/", include("connections.urls")),  # the same paths as before the move
    path("notifications/", include("notifications.urls")),
    path("alerts/", include("alerts.urls")),  # saved searches and their alerts
    path("sessions/", include("events.urls")),  # connection sessions (the app is events/)
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]

# Django's error pages, except under /api/, where every answer is JSON.
handler400 = "api.errors.bad_request"
handler403 = "api.errors.permission_denied"
handler404 = "api.errors.page_not_found"
handler500 = "api.errors.server_error"
