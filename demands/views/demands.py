"""A demand's list, form, page, transitions and attachments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from demands.selectors import demands_visible_to
from portal.pagination import CappedPaginator
from portal.search import explain_all

from .. import completeness, exporting, exports, selectors, services
from ..filters import DemandFilter
from ..forms import DemandForm, NoteForm, ReviewForm
from ..models import Demand, DemandAttachment, DemandExport

PAGE_SIZE = 25


def _filtered(request: HttpRequest) -> tuple[DemandFilter, str]:
    scope = request.GET.get("scope") or selectors.default_scope(request.user)
    queryset = selectors.demand_list_visible_to(request.user, scope=scope)
    return DemandFilter(request.GET or None, queryset=queryset, request=request), scope


@login_required
def demand_list(request: HttpRequest) -> HttpResponse:
    demand_filter, scope = _filtered(request)
    page = CappedPaginator.of_list(demand_filter.qs, PAGE_SIZE, request.GET).get_page(
        request.GET.get("page")
    )
    explain_all(page.object_list, request.GET.get("q", ""))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "demands/demand_list.html",
        {
            "filter": demand_filter,
            "page": page,
            "scope": scope,
            "scopes": selectors.scopes_for(request.user),
            "query": query.urlencode(),
            "can_create": permissions.can(request.user, "demand.create"),
            "export_in_background": page.paginator.count > exports.IMMEDIATE_MAX_ROWS,
        },
    )


@login_required
def demand_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered list as CSV or XLSX, within the same scope and anonymisation: at once when
    small, else prepared by the worker (the page says so; a notification brings the link)."""
    if fmt not in DemandExport.Format.values:
        raise Http404
    query = request.GET.urlencode()
    demands = exports.filtered_demands(request.user, query)
    count = demands.count()
    if count <= exports.IMMEDIATE_MAX_ROWS:
        name = f"nhu-cau-{timezone.localdate():%Y%m%d}"
        return exporting.response(request.user, demands, fmt, name)
    export = exports.demand_export_request(by=request.user, fmt=fmt, query=query, row_count=count)
    return redirect(export)


@login_required
def demand_export_status(request: HttpRequest, pk: int) -> HttpResponse:
    export = selectors.demand_export_get_own(request.user, pk)
    permissions.require(request.user, "demand_export.download", export)
    return render(
        request,
        "demands/export_status.html",
        {
            "export": export,
            "expired": export.expires_at <= timezone.now(),
        },
    )


@login_required
def demand_export_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = selectors.demand_export_get_own(request.user, pk)
    permissions.require(request.user, "demand_export.download", export)
    if export.status != DemandExport.Status.READY or export.expires_at <= timezone.now():
        return redirect(export)
    try:
        handle = export.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=export.filename,
        content_type=exporting.WRITERS[export.format][1],
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _render_form(
    request: HttpRequest, form: DemandForm, demand: Demand | None, issues=None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "demands/demand_form.html",
        {
            "form": form,
            "demand": demand,
            "issues": issues or [],
            "blocked": any(i.blocking for i in issues or []),
        },
        status=status,
    )


def _save_and_maybe_submit(
    request: HttpRequest, form: DemandForm, demand: Demand | None
) -> HttpResponse:
    """Save the draft first (nothing typed is lost), then submit if asked."""
    data, files = form.data_for_service(), form.cleaned_data.get("attachments") or []
    try:
        if demand is None:
            demand = services.demand_create(by=request.user, data=data, attachments=files)
        else:
            demand = services.demand_update(
                demand=demand, by=request.user, data=data, attachments=files
            )
    except ValidationError as error:
        form.add_error(None, error)
        return _render_form(request, form, demand, status=400)
    action = request.POST.get("action", "save")
    if action not in ("submit", "submit_anyway"):
        messages.success(request, _("Draft saved. You can come back to it at any time."))
        return redirect("demands:edit", pk=demand.pk)
    try:
        services.demand_submit(
            demand=demand, by=request.user, accept_warnings=action == "submit_anyway"
        )
    except services.IncompleteDemand as incomplete:
        for issue in incomplete.issues:
            if issue.field in form.fields and issue.blocking:
                form.add_error(issue.field, issue.message)
        form.instance = demand
        messages.warning(
            request,
            _("Your draft is saved. Complete what is marked below, then send it for review."),
        )
        return _render_form(request, form, demand, issues=incomplete.issues)
    messages.success(request, _("Your demand was sent to the provincial staff for review."))
    return redirect(demand)


@login_required
def demand_create(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, "demand.create")
    form = DemandForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            return _save_and_maybe_submit(request, form, None)
        return _render_form(request, form, None, status=400)
    return _render_form(request, form, None)


@login_required
def demand_edit(request: HttpRequest, pk: int) -> HttpResponse:
    demand = selectors.demand_get_visible(request.user, pk)
    permissions.require(request.user, "demand.edit", demand)
    existing = len(demand.attachments.all())
    if request.method == "POST":
        form = DemandForm(
            request.POST, request.FILES, instance=demand, existing_attachments=existing
        )
        if form.is_valid():
            return _save_and_maybe_submit(request, form, demand)
        return _render_form(request, form, demand, status=400)
    form = DemandForm(instance=demand, existing_attachments=existing)
    return _render_form(request, form, demand)


@login_required
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    demand = selectors.demand_get_visible(request.user, pk)
    user = request.user
    can = {
        action: permissions.can(user, f"demand.{action}", demand)
        for action in (
            "edit",
            "submit",
            "withdraw",
            "publish",
            "return",
            "close",
            "fulfil",
            "view_history",
            "view_identity",
        )
    }
    issues = []
    if can["submit"]:
        issues = completeness.check_demand(demand, today=timezone.localdate())
    return render(
        request,
        "demands/demand_detail.html",
        {
            "demand": demand,
            "can": can,
            "issues": issues,
            "events": selectors.demand_events(demand) if can["view_history"] else [],
            "review_form": ReviewForm(),
            "note_form": NoteForm(),
        },
    )


@login_required
@require_POST
def demand_submit(request: HttpRequest, pk: int) -> HttpResponse:
    demand = selectors.demand_get_visible(request.user, pk)
    try:
        services.demand_submit(
            demand=demand,
            by=request.user,
            accept_warnings=request.POST.get("accept_warnings") == "1",
        )
    except services.IncompleteDemand:
        messages.warning(request, _("Some things are missing; see the list below."))
        return (
            redirect("demands:edit", pk=demand.pk)
            if permissions.can(request.user, "demand.edit", demand)
            else redirect(demand)
        )
    messages.success(request, _("Your demand was sent to the provincial staff for review."))
    return redirect(demand)


TRANSITIONS = {
    "return": (services.demand_return, ReviewForm, "demand.return"),
    "publish": (services.demand_publish, ReviewForm, "demand.publish"),
    "withdraw": (services.demand_withdraw, NoteForm, "demand.withdraw"),
    "close": (services.demand_close, NoteForm, "demand.close"),
    "fulfil": (services.demand_fulfil, NoteForm, "demand.fulfil"),
}


@login_required
@require_POST
def demand_transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    demand = selectors.demand_get_visible(request.user, pk)
    service, form_class, rule = TRANSITIONS[action]
    permissions.require(request.user, rule, demand)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(demand=demand, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Done: the demand is now %(status)s.")
                % {"status": Demand.objects.get(pk=demand.pk).get_status_display()},
            )
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(demand)


def _visible_attachment(request: HttpRequest, pk: int) -> DemandAttachment:
    visible = demands_visible_to(request.user, Demand.objects.all())
    attachment = get_object_or_404(
        DemandAttachment.objects.select_related("demand").filter(demand__in=visible), pk=pk
    )
    # Anonymised demands seen from outside carry no attachments: they could name the firm.
    if not permissions.can(request.user, "demand.view_identity", attachment.demand):
        raise Http404
    return attachment


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = _visible_attachment(request, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = _visible_attachment(request, pk)
    demand = attachment.demand
    if not permissions.can(request.user, "demand.edit", demand):
        raise PermissionDenied
    services.demand_attachment_delete(attachment=attachment, by=request.user)
    messages.success(request, _("The file was removed."))
    return redirect("demands:edit", pk=demand.pk)
