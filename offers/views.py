"""Pages: the catalog for everyone signed in, the representative's workspace, import, API token."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.authtoken.models import Token

from accounts import permissions
from accounts.models import Role
from portal.forms import add_refusal
from portal.importing import PendingGone, pending_open, pending_save
from portal.pagination import CappedPaginator
from portal.search import explain_all

from . import importing, selectors, services
from .filters import OfferFilter, OwnOfferFilter
from .forms import ImportUploadForm, OfferForm, PublishForm

PAGE_SIZE = 25
IMPORT_SESSION_KEY = "offers_import"  # the pending file's token (portal/importing.py)


def _page(request: HttpRequest, queryset):
    return CappedPaginator.of_list(queryset, PAGE_SIZE, request.GET).get_page(
        request.GET.get("page")
    )


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _require_representative(request: HttpRequest) -> None:
    # Other roles have no workspace: answer 404, as for anything outside a user's scope.
    if not permissions.can(request.user, "offer.list_own"):
        raise Http404


# --- catalog -----------------------------------------------------------------------------------


@login_required
def offer_catalog(request: HttpRequest) -> HttpResponse:
    if permissions.role_of(request.user) == Role.NONE:
        raise Http404  # e.g. a registration still awaiting approval
    filterset = OfferFilter(
        request.GET, queryset=selectors.offer_list_catalog(request.user), request=request
    )
    page = _page(request, filterset.qs)
    explain_all(page.object_list, request.GET.get("q", ""))
    return render(
        request,
        "offers/offer_catalog.html",
        {
            "filter": filterset,
            "page": page,
            "query": _query_without_page(request),
        },
    )


@login_required
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    offer = selectors.offer_get_visible(request.user, pk)
    user = request.user
    return render(
        request,
        "offers/offer_detail.html",
        {
            "offer": offer,
            "can_edit": permissions.can(user, "offer.edit", offer),
            "can_publish": permissions.can(user, "offer.publish", offer)
            or permissions.can(user, "offer.republish", offer),
            "can_archive": permissions.can(user, "offer.archive", offer),
            "can_attachments": permissions.can(user, "offer.view_attachments", offer),
            "is_own": permissions.can(user, "offer.list_own")
            and offer.representation_id == user.organization_id,
            "problems": services.offer_completeness(offer) if offer.status == "draft" else [],
            "match_count": selectors.offer_match_counts([offer.pk], user=user).get(offer.pk, 0),
        },
    )


@login_required
def offer_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    attachment = selectors.offer_get_attachment(request.user, pk, attachment_pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


# --- the representative's workspace ---------------------------------------------------------------


@login_required
def offer_mine(request: HttpRequest) -> HttpResponse:
    _require_representative(request)
    filterset = OwnOfferFilter(
        request.GET, queryset=selectors.offer_list_own(request.user), request=request
    )
    page = _page(request, filterset.qs)
    explain_all(page.object_list, request.GET.get("q", ""))
    counts = selectors.offer_match_counts([o.pk for o in page.object_list], user=request.user)
    rows = [(offer, counts.get(offer.pk, 0)) for offer in page.object_list]
    return render(
        request,
        "offers/offer_mine.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "query": _query_without_page(request),
        },
    )


def _save_form(request: HttpRequest, form: OfferForm, offer=None):
    """Save through the services; returns the offer or None (errors added to the form)."""
    try:
        with transaction.atomic():
            if offer is None:
                offer = services.offer_create(by=request.user, data=form.service_data())
            else:
                offer = services.offer_update(
                    offer=offer, by=request.user, data=form.service_data()
                )
            if form.cleaned_data.get("attachments"):
                services.offer_attach(
                    offer=offer, by=request.user, files=form.cleaned_data["attachments"]
                )
    except ValidationError as error:
        add_refusal(form, error)
        return None
    return offer


@login_required
@require_http_methods(["GET", "POST"])
def offer_create(request: HttpRequest) -> HttpResponse:
    _require_representative(request)
    permissions.require(request.user, "offer.create")
    bound = request.method == "POST"
    form = OfferForm(
        request.POST if bound else None,
        request.FILES if bound else None,
        representation_id=request.user.organization_id,
    )
    if request.method == "POST" and form.is_valid():
        offer = _save_form(request, form)
        if offer is not None:
            messages.success(request, _("Draft saved."))
            if "publish" in request.POST:
                return redirect("offers:publish", pk=offer.pk)
            return redirect("offers:edit", pk=offer.pk)
    return render(request, "offers/offer_form.html", {"form": form, "offer": None})


@login_required
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    offer = selectors.offer_get_visible(request.user, pk)
    if not permissions.can(request.user, "offer.edit", offer):
        if offer.representation_id != request.user.organization_id:
            raise Http404
        raise PermissionDenied
    bound = request.method == "POST"
    form = OfferForm(
        request.POST if bound else None, request.FILES if bound else None, instance=offer
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_form(request, form, offer)
        if saved is not None:
            messages.success(request, _("Offer saved."))
            if "publish" in request.POST and saved.status == "draft":
                return redirect("offers:publish", pk=saved.pk)
            return redirect(
                "offers:edit" if saved.status == "draft" else "offers:detail", pk=saved.pk
            )
    offer.refresh_from_db()
    return render(
        request,
        "offers/offer_form.html",
        {
            "form": form,
            "offer": offer,
            "problems": services.offer_completeness(offer),
            "advice": services.offer_advice(offer),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def offer_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows the completeness check (and similar offers); POST publishes."""
    offer = selectors.offer_get_visible(request.user, pk)
    action = "offer.republish" if offer.status == "archived" else "offer.publish"
    if not permissions.can(request.user, action, offer):
        if offer.representation_id != request.user.organization_id:
            raise Http404
        raise PermissionDenied
    form = PublishForm(request.POST if request.method == "POST" else None)
    similar = selectors.offers_similar_to(offer, user=request.user)
    problems = services.offer_completeness(offer)
    if request.method == "POST" and form.is_valid() and not problems:
        try:
            services.offer_publish(
                offer=offer, by=request.user, confirm_similar=form.cleaned_data["confirm_similar"]
            )
        except services.SimilarOffersFound as found:
            similar = found.similar
            messages.warning(request, _("Offers like this one exist. Check them, then confirm."))
        except ValidationError as error:
            problems = [(f, m) for f, ms in error.message_dict.items() for m in ms]
        else:
            messages.success(request, _("The offer is published."))
            return redirect("offers:detail", pk=offer.pk)
    return render(
        request,
        "offers/offer_publish.html",
        {
            "offer": offer,
            "form": form,
            "problems": problems,
            "similar": similar,
            "advice": services.offer_advice(offer),
        },
    )


@login_required
@require_POST
def offer_archive(request: HttpRequest, pk: int) -> HttpResponse:
    offer = selectors.offer_get_visible(request.user, pk)
    if not permissions.can(request.user, "offer.archive", offer):
        if offer.representation_id != request.user.organization_id:
            raise Http404
        raise PermissionDenied
    services.offer_archive(offer=offer, by=request.user, note=request.POST.get("note", "")[:500])
    messages.success(request, _("The offer is archived."))
    return redirect("offers:mine")


@login_required
@require_POST
def offer_detach(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    attachment = selectors.offer_get_attachment(request.user, pk, attachment_pk)
    if not permissions.can(request.user, "offer.edit", attachment.offer):
        raise Http404
    services.offer_detach(attachment=attachment, by=request.user)
    return redirect("offers:edit", pk=pk)


# --- import ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def offer_import(request: HttpRequest) -> HttpResponse:
    """Upload -> preview (nothing written) -> confirm (all rows in one transaction)."""
    _require_representative(request)
    if request.method == "POST" and "confirm" in request.POST:
        return _import_confirm(request)
    bound = request.method == "POST"
    form = ImportUploadForm(request.POST if bound else None, request.FILES if bound else None)
    preview = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        preview = importing.import_preview(by=request.user, name=upload.name, content=content)
        if not preview.has_errors:
            request.session[IMPORT_SESSION_KEY] = pending_save(
                kind="offers", user=request.user, filename=upload.name, content=content
            )
    return render(request, "offers/offer_import.html", {"form": form, "preview": preview})


def _import_confirm(request: HttpRequest) -> HttpResponse:
    try:
        pending = pending_open(
            request.session.pop(IMPORT_SESSION_KEY, ""), kind="offers", user=request.user
        )
    except PendingGone:
        messages.error(request, _("Upload the file again."))
        return redirect("offers:import")
    pending.discard()
    preview = importing.import_preview(
        by=request.user, name=pending.filename, content=pending.content
    )
    if preview.has_errors:
        return render(
            request, "offers/offer_import.html", {"form": ImportUploadForm(), "preview": preview}
        )
    result = importing.offers_import(by=request.user, preview=preview)
    messages.success(
        request,
        _(
            "Import done: %(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
            "%(published)d published."
        )
        % result.__dict__,
    )
    return redirect("offers:mine")


@login_required
def offer_import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    _require_representative(request)
    if fmt not in ("xlsx", "csv"):
        raise Http404
    if fmt == "xlsx":
        body, content_type = (
            importing.template_xlsx(),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    else:
        body, content_type = importing.template_csv(), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="offers-template.{fmt}"'
    return response


# --- API token ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    """Create, replace or revoke the user's API token. The key is shown once, at creation."""
    _require_representative(request)
    new_key = None
    if request.method == "POST":
        Token.objects.filter(user=request.user).delete()
        if request.POST.get("action") == "create":
            new_key = Token.objects.create(user=request.user).key
            messages.success(request, _("A new token was created. Copy it now: it is shown once."))
        else:
            messages.success(request, _("Your API token was revoked."))
    token = Token.objects.filter(user=request.user).first()
    return render(request, "offers/api_token.html", {"token": token, "new_key": new_key})
