from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions

from . import corpus, selectors, services
from .forms import EngineSettingsForm


def _require_runs(request: HttpRequest) -> None:
    if not permissions.can(request.user, "matching.view_runs"):
        raise Http404


@login_required
def runs(request: HttpRequest) -> HttpResponse:
    _require_runs(request)
    all_runs = selectors.runs_visible_to(request.user)[:20]
    ok, engine_state = corpus.engine_status()
    return render(request, "matching/runs.html", {
        "runs": all_runs, "current": all_runs[0] if all_runs else None,
        "engine_ok": ok, "engine_state": engine_state,
    })


@login_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone: htmx polls it; without JavaScript the page has a refresh link."""
    _require_runs(request)
    run = get_object_or_404(selectors.runs_visible_to(request.user), pk=pk)
    return render(request, "matching/_run_progress.html", {"run": run})


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    _require_runs(request)
    run = services.rebuild_start(by=request.user)
    messages.success(request, _("Rebuild started: %(total)d demands to match.") % {"total": run.total})
    return redirect("matching:runs")


@login_required
@require_POST
def run_stop(request: HttpRequest, pk: int) -> HttpResponse:
    _require_runs(request)
    run = get_object_or_404(selectors.runs_visible_to(request.user), pk=pk)
    services.rebuild_stop(run=run, by=request.user)
    messages.info(request, _("The rebuild stops after the current chunk; you can resume it."))
    return redirect("matching:runs")


@login_required
@require_POST
def run_resume(request: HttpRequest, pk: int) -> HttpResponse:
    _require_runs(request)
    run = get_object_or_404(selectors.runs_visible_to(request.user), pk=pk)
    services.rebuild_resume(run=run, by=request.user)
    messages.success(request, _("The rebuild resumes where it stopped."))
    return redirect("matching:runs")


@login_required
def engine_settings(request: HttpRequest) -> HttpResponse:
    if not permissions.can(request.user, "matching.settings"):
        raise Http404
    weights, version = corpus.current_weights()
    form = EngineSettingsForm(request.POST or None, current=weights)
    if request.method == "POST" and form.is_valid():
        row = services.engine_settings_save(by=request.user, weights=form.weights(),
                                            note=form.cleaned_data["note"])
        messages.success(request, _("Weights version %(version)d saved. Matches are recomputed in the background.") % {"version": row.version})
        return redirect("matching:settings")
    return render(request, "matching/settings.html", {"form": form, "version": version})
