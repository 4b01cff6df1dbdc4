from django.urls import include, path

from . import views

insights_patterns = (
    [
        path("dashboard/", views.dashboard, name="dashboard"),
        path("dashboard/enterprise/", views.dashboard_enterprise, name="dashboard_enterprise"),
        path("dashboard/staff/", views.dashboard_staff, name="dashboard_staff"),
        path(
            "dashboard/representative/",
            views.dashboard_representative,
            name="dashboard_representative",
        ),
        path("dashboard/coordinator/", views.dashboard_coordinator, name="dashboard_coordinator"),
        path("reports/pipeline.xlsx", views.report_pipeline, name="report_pipeline"),
        path("reports/yearly.xlsx", views.report_yearly, name="report_yearly"),
    ],
    "insights",
)

urlpatterns = [
    path("", include(insights_patterns)),
    # outside the namespace: the name `healthz` and the path the probes use stay as they were
    path("healthz", views.healthz, name="healthz"),
]
