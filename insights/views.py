from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts import permissions
from accounts.models import Role
from accounts.permissions import role_of

from . import dashboards, health, reports

DASHBOARD_BY_ROLE = {
    Role.ENTERPRISE: "insights:dashboard_enterprise",
    Role.STAFF: "insights:dashboard_staff",
    Role.REPRESENTATIVE: "insights:dashboard_representative",
    Role.COORDINATOR: "insights:dashboard_coordinator",
    Role.ADMIN: "admin:index",
}


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Send each role to its own page; a pending registration sees where it stands."""
    target = DASHBOARD_BY_ROLE.get(role_of(request.user))
    if target is None:
        return render(request, "insights/dashboard_pending.html")
    return redirect(target)


def role_dashboard(role: str, template: str, context):
    @login_required
    def view(request: HttpRequest) -> HttpResponse:
        if role_of(request.user) != role:
            raise Http404
        return render(request, template, context(request.user))

    view.__name__ = f"dashboard_{role}"
    return view


dashboard_enterprise = role_dashboard(
    Role.ENTERPRISE, "insights/dashboard_enterprise.html", dashboards.enterprise_context
)
dashboard_staff = role_dashboard(
    Role.STAFF, "insights/dashboard_staff.html", dashboards.staff_context
)
dashboard_representative = role_dashboard(
    Role.REPRESENTATIVE,
    "insights/dashboard_representative.html",
    dashboards.representative_context,
)
dashboard_coordinator = role_dashboard(
    Role.COORDINATOR, "insights/dashboard_coordinator.html", dashboards.coordinator_context
)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    results = health.checks()
    healthy = all(ok for ok, _state in results.values())
    body = {
        "status": "ok" if healthy else "degraded",
        **{k: state for k, (_ok, state) in results.items()},
    }
    body["matching"] = health.matching_state()
    body["outbox"] = health.outbox_state()
    return JsonResponse(body, status=200 if healthy else 503)


def _require_report(user, action: str) -> None:
    """A report outside the user's role answers 404, like any object out of scope."""
    if not permissions.can(user, action):
        raise Http404


@login_required
def report_pipeline(request: HttpRequest) -> HttpResponse:
    _require_report(request.user, "report.province")
    return reports.pipeline_xlsx(request.user)


@login_required
def report_yearly(request: HttpRequest) -> HttpResponse:
    _require_report(request.user, "report.province")
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= 2100:
        raise Http404
    return reports.yearly_xlsx(request.user, year)
