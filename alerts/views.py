"""Pages: save a list's search, "follow this field", my saved searches, and the unsubscribe
link of the digest mails (no sign-in: the signed token is the authority)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from portal.forms import add_refusal
from portal.models import Field

from . import selectors, services
from .forms import SavedSearchCreateForm, SavedSearchForm
from .models import SavedSearch


def _require_saver(request: HttpRequest) -> None:
    # A role without saved searches (a registration awaiting approval): 404, as elsewhere.
    if not permissions.can(request.user, "savedsearch.create"):
        raise Http404


@login_required
def saved_search_list(request: HttpRequest) -> HttpResponse:
    _require_saver(request)
    services.default_alerts_ensure(user=request.user)
    searches = selectors.saved_searches_visible_to(request.user).prefetch_related("digests")
    return render(request, "alerts/savedsearch_list.html", {"searches": searches})


@login_required
@require_http_methods(["GET", "POST"])
def saved_search_create(request: HttpRequest) -> HttpResponse:
    _require_saver(request)
    if request.method == "POST":
        form = SavedSearchCreateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.saved_search_create(
                    user=request.user,
                    target=data["target"],
                    query=data["query"],
                    name=data["name"],
                    frequency=data["frequency"],
                )
            except ValidationError as error:
                add_refusal(form, error)
            else:
                messages.success(
                    request,
                    _("Search «%(name)s» saved: %(frequency)s.")
                    % {"name": saved.name, "frequency": saved.get_frequency_display()},
                )
                return redirect(saved.list_url)
    else:
        target = request.GET.get("target", "")
        if target not in SavedSearch.Target.values:
            raise Http404
        query = request.GET.get("query", "")
        form = SavedSearchCreateForm(
            initial={
                "target": target,
                "query": query,
                "name": services.name_suggest(target=target, query=query),
            }
        )
    return render(request, "alerts/savedsearch_create.html", {"form": form})


@login_required
@require_POST
def field_follow(request: HttpRequest) -> HttpResponse:
    """ "Follow this field": one click on the list filtered by a field saves that search."""
    _require_saver(request)
    field = get_object_or_404(Field, code=request.POST.get("field", ""))
    target = request.POST.get("target", SavedSearch.Target.OFFERS)
    if target not in SavedSearch.Target.values:
        raise Http404
    try:
        saved = services.field_follow(user=request.user, field=field, target=target)
    except ValidationError as error:
        for message in error.messages:
            messages.info(request, message)
        return redirect(SavedSearch(target=target, query=f"field={field.code}").list_url)
    messages.success(
        request,
        _("You follow «%(name)s»: %(frequency)s.")
        % {"name": saved.name, "frequency": saved.get_frequency_display()},
    )
    return redirect(saved.list_url)


@login_required
@require_http_methods(["GET", "POST"])
def saved_search_detail(request: HttpRequest, pk: int) -> HttpResponse:
    saved = selectors.saved_search_get_own(request.user, pk)
    form = SavedSearchForm(
        request.POST or None,
        initial={"name": saved.name, "frequency": saved.frequency, "is_active": saved.is_active},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.saved_search_update(saved_search=saved, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("Your saved search is updated."))
            return redirect("alerts:detail", pk=saved.pk)
    return render(
        request,
        "alerts/savedsearch_detail.html",
        {
            "saved": saved,
            "form": form,
            "matches": selectors.saved_search_last_matches(saved),
            "digests": saved.digests.all()[:10],
            "fields": selectors.default_fields(saved) if saved.is_default else None,
        },
    )


@login_required
@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = selectors.saved_search_get_own(request.user, pk)
    services.saved_search_delete(saved_search=saved, by=request.user)
    messages.success(request, _("Saved search «%(name)s» deleted.") % {"name": saved.name})
    return redirect("alerts:list")


# A mail program's one-click unsubscribe (RFC 8058) posts without a CSRF token or a session:
# the signed token is what authorises this one harmless change.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    saved = services.saved_search_from_token(token)
    if saved is None:
        return render(request, "alerts/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        services.saved_search_unsubscribe(saved_search=saved)
        return render(request, "alerts/unsubscribe.html", {"saved": saved, "done": True})
    return render(request, "alerts/unsubscribe.html", {"saved": saved})
