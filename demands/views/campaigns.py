"""Survey campaigns: staff open one, invite enterprises, follow and export it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from demands.selectors import demands_visible_to

from .. import exporting, selectors, services
from ..forms import CampaignForm, InviteForm


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    if not permissions.can(request.user, "demand.list_province"):
        raise Http404
    return render(
        request,
        "demands/campaign_list.html",
        {
            "campaigns": selectors.campaign_list_visible_to(request.user),
            "can_create": permissions.can(request.user, "campaign.create"),
        },
    )


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, "campaign.create")
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The campaign is open. Invite enterprises below."))
            return redirect(campaign)
    return render(
        request, "demands/campaign_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _detail(request: HttpRequest, campaign, invite_form: InviteForm, status: int = 200):
    return render(
        request,
        "demands/campaign_detail.html",
        {
            "campaign": campaign,
            "stats": selectors.campaign_stats(campaign),
            "invitations": selectors.campaign_invitations(campaign),
            "demands": selectors.campaign_demands(campaign)[:200],
            "invite_form": invite_form,
            "can_manage": permissions.can(request.user, "campaign.manage", campaign),
        },
        status=status,
    )


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get_visible(request.user, pk)
    return _detail(request, campaign, InviteForm())


@login_required
@require_POST
def campaign_invite(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = selectors.campaign_get_visible(request.user, pk)
    permissions.require(request.user, "campaign.manage", campaign)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _detail(request, campaign, form, status=400)
    created = services.campaign_invite(
        campaign=campaign, by=request.user, emails=form.cleaned_data["emails"]
    )
    messages.success(request, _("%(n)d invitation(s) sent.") % {"n": len(created)})
    return redirect(campaign)


@login_required
def campaign_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    campaign = selectors.campaign_get_visible(request.user, pk)
    demands = demands_visible_to(request.user, selectors.campaign_demands(campaign))
    writer = exporting.as_csv if fmt == "csv" else exporting.as_xlsx
    return writer(request.user, demands, f"khao-sat-{campaign.year}-{campaign.pk}")
