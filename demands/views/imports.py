"""Staff import of survey spreadsheets: upload, preview every row, confirm, all or nothing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from demands.selectors import campaigns_visible_to
from portal.importing import PendingGone, pending_open, pending_save

from .. import importing
from ..forms import ImportConfirmForm, ImportUploadForm
from ..models import SurveyCampaign

PENDING_KIND = "demands"


def _page(request, form, preview=None, token=None, status=200):
    return render(
        request,
        "demands/import.html",
        {
            "form": form,
            "preview": preview,
            "columns": importing.COLUMNS,
            "confirm_form": ImportConfirmForm(initial={"token": token}) if token else None,
        },
        status=status,
    )


@login_required
def demand_import(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, "demand.import")
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method != "POST":
        return _page(request, form)
    if not form.is_valid():
        return _page(request, form, status=400)
    upload, campaign = form.cleaned_data["file"], form.cleaned_data["campaign"]
    content = upload.read()
    preview = importing.preview(
        by=request.user, content=content, filename=upload.name, campaign=campaign
    )
    token = None
    if not preview.has_errors and preview.to_create:
        token = pending_save(
            kind=PENDING_KIND,
            user=request.user,
            filename=upload.name,
            content=content,
            context={"campaign": campaign.pk if campaign else None},
        )
    return _page(request, form, preview=preview, token=token)


@login_required
@require_POST
def demand_import_confirm(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, "demand.import")
    form = ImportConfirmForm(request.POST)
    try:
        token = form.cleaned_data["token"] if form.is_valid() else ""
        pending = pending_open(token, kind=PENDING_KIND, user=request.user)
    except PendingGone:
        messages.error(request, _("This preview has expired; upload the file again."))
        return redirect("demands:import")
    campaign = None
    if pending.context["campaign"]:
        campaign = campaigns_visible_to(request.user).filter(pk=pending.context["campaign"]).first()
        if campaign is None:
            raise Http404
    try:
        result = importing.demands_import(
            by=request.user, content=pending.content, filename=pending.filename, campaign=campaign
        )
    except ValidationError:
        messages.error(request, _("The file has errors; nothing was imported."))
        return redirect("demands:import")
    pending.discard()
    messages.success(
        request,
        _("%(n)d demand(s) imported; %(k)d were already there.")
        % {"n": len(result.to_create), "k": result.already_there},
    )
    return redirect(campaign if isinstance(campaign, SurveyCampaign) else "demands:list")


@login_required
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    permissions.require(request.user, "demand.import")
    if fmt == "xlsx":
        response = HttpResponse(importing.template_workbook(), content_type=importing.XLSX_TYPE)
    elif fmt == "csv":
        response = HttpResponse(importing.template_csv(), content_type="text/csv; charset=utf-8")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="mau-khao-sat-nhu-cau.{fmt}"'
    return response
