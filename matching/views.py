from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions

from . import corpus, decisions, selectors, services
from .engine import tuning
from .forms import EDITABLE, EngineSettingsForm
from .models import WeightsProposal


def _require_runs(request: HttpRequest) -> None:
    if not permissions.can(request.user, "matching.view_runs"):
        raise Http404


@login_required
def runs(request: HttpRequest) -> HttpResponse:
    _require_runs(request)
    all_runs = selectors.runs_visible_to(request.user)[:20]
    ok, engine_state = corpus.engine_status()
    return render(
        request,
        "matching/runs.html",
        {
            "runs": all_runs,
            "current": all_runs[0] if all_runs else None,
            "engine_ok": ok,
            "engine_state": engine_state,
        },
    )


@login_required
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone: htmx polls it; without JavaScript the page has a refresh link."""
    _require_runs(request)
    run = get_object_or_404(selectors.runs_visible_to(request.user), pk=pk)
    return render(request, "matching/_run_progress.html", {"run": run})


def _say_what_happened(request: HttpRequest, run) -> None:
    """Word the message from the change the service made (`run.change`), never from the
    button pressed: a press that changed nothing says so."""
    change = services.RunChange
    values = {
        "id": run.pk,
        "processed": run.processed,
        "total": run.total,
        "state": run.get_state_display(),
    }
    level, text = {
        change.STARTED: (
            messages.SUCCESS,
            _("Rebuild #%(id)d started: %(total)d demands to match."),
        ),
        change.RESUMED: (
            messages.SUCCESS,
            _("Rebuild #%(id)d resumed after %(processed)d of %(total)d demands."),
        ),
        change.ALREADY_RUNNING: (
            messages.INFO,
            _(
                "Rebuild #%(id)d is already running (%(processed)d of %(total)d demands); nothing was changed."
            ),
        ),
        change.ALREADY_STOPPING: (
            messages.INFO,
            _("Rebuild #%(id)d is already stopping after its current chunk; nothing was changed."),
        ),
        change.STOPPING: (
            messages.SUCCESS,
            _("Rebuild #%(id)d stops after its current chunk; you can resume it."),
        ),
        change.STOPPED: (
            messages.SUCCESS,
            _(
                "Rebuild #%(id)d stopped after %(processed)d of %(total)d demands; you can resume it."
            ),
        ),
        change.NOTHING_TO_RESUME: (
            messages.WARNING,
            _("Rebuild #%(id)d has nothing to resume: it is %(state)s."),
        ),
        change.NOTHING_TO_STOP: (
            messages.WARNING,
            _("Rebuild #%(id)d has nothing to stop: it is %(state)s."),
        ),
    }[run.change]
    messages.add_message(request, level, text % values)


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    _require_runs(request)
    _say_what_happened(request, services.rebuild_start(by=request.user))
    return redirect("matching:runs")


@login_required
@require_POST
def run_stop(request: HttpRequest, pk: int) -> HttpResponse:
    _require_runs(request)
    run = get_object_or_404(selectors.runs_visible_to(request.user), pk=pk)
    _say_what_happened(request, services.rebuild_stop(run=run, by=request.user))
    return redirect("matching:runs")


@login_required
@require_POST
def run_resume(request: HttpRequest, pk: int) -> HttpResponse:
    _require_runs(request)
    run = get_object_or_404(selectors.runs_visible_to(request.user), pk=pk)
    _say_what_happened(request, services.rebuild_resume(run=run, by=request.user))
    return redirect("matching:runs")


def _require_settings(request: HttpRequest) -> None:
    if not permissions.can(request.user, "matching.settings"):
        raise Http404


@login_required
def engine_settings(request: HttpRequest) -> HttpResponse:
    _require_settings(request)
    weights, version = corpus.current_weights()
    form = EngineSettingsForm(request.POST or None, current=weights)
    if request.method == "POST" and form.is_valid():
        row = services.engine_settings_save(
            by=request.user, weights=form.weights(), note=form.cleaned_data["note"]
        )
        messages.success(
            request,
            _("Weights version %(version)d saved. Matches are recomputed in the background.")
            % {"version": row.version},
        )
        return redirect("matching:settings")
    proposal = decisions.latest_proposal()
    return render(
        request,
        "matching/settings.html",
        {
            "form": form,
            "version": version,
            "proposal": proposal,
            **_proposal_figures(proposal),
            "in_progress": decisions.proposal_in_progress(proposal),
            "judged_demands": decisions.judged_demand_count(),
            "min_demands": tuning.MIN_DEMANDS,
            "refusal": decisions.proposal_refusal(proposal, version),
            "weight_rows": [
                (
                    EDITABLE[name],
                    getattr(weights, name),
                    (proposal.weights or {}).get(name) if proposal else None,
                )
                for name in tuning.SEARCH_GRID
            ],
        },
    )


def _proposal_figures(proposal: WeightsProposal | None) -> dict:
    """The stored figures as the template reads them (keys such as "ndcg@10" are not names)."""
    figures = proposal.figures if proposal and proposal.state == WeightsProposal.State.DONE else {}
    current, proposed = figures.get("current", {}), figures.get("proposed", {})

    def pair(part: dict) -> dict:
        return {
            "ndcg": part.get("ndcg@10"),
            "recall": part.get("recall@20"),
            "demands": part.get("demands"),
        }

    return {
        "overall": pair(current["all"]) if "all" in current else None,
        "figure_rows": [
            (_("Weights in place"), pair(current["held"]), pair(current["fit"])),
            (_("Proposed weights"), pair(proposed["held"]), pair(proposed["fit"])),
        ]
        if "held" in proposed
        else [],
    }


@login_required
@require_POST
def weights_fit(request: HttpRequest) -> HttpResponse:
    _require_settings(request)
    decisions.weights_proposal_request(by=request.user)
    messages.info(
        request,
        _("The weights are being fitted on the staff's decisions; the result appears here."),
    )
    return redirect("matching:settings")


@login_required
@require_POST
def weights_proposal_apply(request: HttpRequest, pk: int) -> HttpResponse:
    _require_settings(request)
    proposal = get_object_or_404(WeightsProposal, pk=pk)
    try:
        row = decisions.weights_proposal_apply(proposal=proposal, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("matching:settings")
    messages.success(
        request,
        _(
            "The proposed weights are saved as version %(version)d. Matches are recomputed in the background."
        )
        % {"version": row.version},
    )
    return redirect("matching:settings")
