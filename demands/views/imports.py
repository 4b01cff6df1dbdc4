"""Staff import of survey spreadsheets: upload, preview every row, confirm, all or nothing."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions

from .. import importing
from ..forms import ImportConfirmForm, ImportUploadForm
from ..models import SurveyCampaign

SALT = "demands.import"
TOKEN_MAX_AGE = 3600  # a preview stays confirmable for an hour


def _page(request, form, preview=None, token=None, status=200):
    return render(request, "demands/import.html", {
        "form": form, "preview": preview, "columns": importing.COLUMNS,
        "confirm_form": ImportConfirmForm(initial={"token": token}) if token else None,
    }, status=status)


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
    preview = importing.preview(by=request.user, content=content, filename=upload.name,
                                campaign=campaign)
    token = None
    if not preview.has_errors and preview.to_create:
        # Kept outside the static tree until confirmed; the signed token names it.
        extension = "csv" if upload.name.lower().endswith(".csv") else "xlsx"
        path = default_storage.save(f"imports/{uuid.uuid4().hex}.{extension}",
                                    ContentFile(content))
        token = signing.dumps({"path": path, "user": request.user.pk,
                               "campaign": campaign.pk if campaign else None}, salt=SALT)
    return _page(request, form, preview=preview, token=token)


@login_required
@require_POST
def demand_import_confirm(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, "demand.import")
    form = ImportConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise signing.BadSignature
        payload = signing.loads(form.cleaned_data["token"], salt=SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        messages.error(request, _("This preview has expired; upload the file again."))
        return redirect("demands:import")
    if payload["user"] != request.user.pk:
        raise Http404
    campaign = None
    if payload["campaign"]:
        campaign = permissions.campaigns_visible_to(request.user).filter(
            pk=payload["campaign"]).first()
        if campaign is None:
            raise Http404
    path = payload["path"]
    if not default_storage.exists(path):
        messages.error(request, _("This preview has expired; upload the file again."))
        return redirect("demands:import")
    with default_storage.open(path, "rb") as handle:
        content = handle.read()
    try:
        result = importing.demands_import(by=request.user, content=content, filename=path,
                                          campaign=campaign)
    except ValidationError:
        messages.error(request, _("The file has errors; nothing was imported."))
        return redirect("demands:import")
    default_storage.delete(path)
    messages.success(request, _("%(n)d demand(s) imported; %(k)d were already there.") % {
        "n": len(result.to_create), "k": result.already_there})
    return redirect(campaign if isinstance(campaign, SurveyCampaign) else "demands:list")


@login_required
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    permissions.require(request.user, "demand.import")
    if fmt == "xlsx":
        response = HttpResponse(importing.template_workbook(),
                                content_type=importing.XLSX_TYPE)
    elif fmt == "csv":
        response = HttpResponse(importing.template_csv(), content_type="text/csv; charset=utf-8")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="mau-khao-sat-nhu-cau.{fmt}"'
    return response
