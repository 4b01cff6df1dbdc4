"""Review queue, introductions with consent, the province board and the match detail page."""

from __future__ import annotations

import zoneinfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.permissions.matching import INTRODUCED_OR_LATER

from . import pipeline, selectors
from .engine.scoring import LIKELY_ANSWER
from .models import Answer, Match, Meeting
from .pipeline_filters import ReviewFilter
from .pipeline_forms import (
    AgreementForm,
    AnswerForm,
    BulkForm,
    DropForm,
    MeetingForm,
    NoteForm,
    RejectForm,
)
from .reasons import render_reasons

Status = Match.Status
REVIEWABLE_DEMANDS = ("published", "in_connection")
REJECTED_SHOWN = 20  # rejected pairs listed under the queue; the status filter shows them all
BOARD_STAGES = [
    Status.INTRODUCED,
    Status.CONSENTED,
    Status.MEETING,
    Status.NEGOTIATING,
    Status.AGREEMENT,
    Status.DROPPED,
]
RELATED = (
    "demand",
    "demand__organization",
    "demand__province",
    "demand__campaign",
    "offer",
    "offer__representation",
)


def _scoped(user):
    return permissions.matches_visible_to(user).select_related(*RELATED)


def _decorate(matches, user) -> list[Match]:
    """Reasons as text, whether the firm may be named, whether an answer is overdue."""
    cutoff = timezone.now() - timezone.timedelta(days=pipeline.ANSWER_DAYS)
    matches = list(matches)
    for match in matches:
        match.reason_texts = render_reasons(match.reasons)
        match.demand.shows_identity = permissions.demand_shows_identity(user, match.demand)
        match.is_overdue = (
            match.status == Status.INTRODUCED
            and match.introduced_at is not None
            and match.introduced_at < cutoff
            and Answer.PENDING in (match.enterprise_answer, match.representation_answer)
        )
    return matches


def _back(request: HttpRequest, default: str = "matching:review"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- review queue -------------------------------------------------------------------------------


@login_required
def review(request: HttpRequest) -> HttpResponse:
    """Matches of the province's published demands, best first, with filters."""
    if not permissions.is_staff(request.user):
        raise Http404
    queryset = _scoped(request.user).filter(demand__status__in=REVIEWABLE_DEMANDS)
    if not request.GET.get("status"):
        queryset = queryset.filter(status__in=[Status.PROPOSED, Status.SHORTLISTED])
    # By default the likely answers (and what staff shortlisted): the dashboard's "awaiting
    # review" count. Twenty proposals a demand are mostly "weakly related"; a score filter
    # shows them.
    likely_only = not any(request.GET.get(key) for key in ("status", "score_min", "score_max"))
    if likely_only:
        queryset = queryset.filter(Q(score__gte=LIKELY_ANSWER) | Q(status=Status.SHORTLISTED))
    matches = ReviewFilter(request.GET, queryset=queryset, user=request.user)
    page = Paginator(matches.qs.order_by("-score", "id"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # Rejected pairs leave the queue; the default view shows them apart, with the same filters.
    rejected, rejected_total, rejected_more = [], 0, ""
    if not request.GET.get("status") and matches.is_valid():
        rejected_qs = matches.filter_queryset(
            _scoped(request.user).filter(
                demand__status__in=REVIEWABLE_DEMANDS, status=Status.REJECTED
            )
        )
        rejected_total = rejected_qs.count()
        if rejected_total:
            rejected = selectors.rejected_in(rejected_qs, user=request.user, limit=REJECTED_SHOWN)
            more = query.copy()
            more["status"] = Status.REJECTED
            rejected_more = f"{request.path}?{more.urlencode()}"
    return render(
        request,
        "matching/review_queue.html",
        {
            "filter": matches,
            "page": page,
            "matches": _decorate(page.object_list, request.user),
            "reject_form": RejectForm(),
            "bulk_form": BulkForm(),
            "query": query.urlencode(),
            "next": request.get_full_path(),
            "rejected": rejected,
            "rejected_total": rejected_total,
            "rejected_more_url": rejected_more,
            "likely_only": likely_only,
            "likely_answer": round(100 * LIKELY_ANSWER),
        },
    )


def _row(request: HttpRequest, match: Match) -> HttpResponse:
    match = _decorate([_scoped(request.user).get(pk=match.pk)], request.user)[0]
    return render(
        request,
        "matching/_match_row.html",
        {
            "match": match,
            "reject_form": RejectForm(),
            "next": request.POST.get("next", ""),
        },
    )


@login_required
@require_POST
def match_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Shortlist, reject or introduce one match; htmx gets the row back, others a redirect."""
    match = get_object_or_404(_scoped(request.user), pk=pk)
    # Only reviewers reach the row partial below: it shows what a reviewer may see.
    if not permissions.can(request.user, "match.review", match):
        raise Http404
    try:
        if action == "shortlist":
            pipeline.match_shortlist(match=match, by=request.user)
        elif action == "introduce":
            pipeline.match_introduce(match=match, by=request.user)
        elif action == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                raise ValidationError(next(iter(form.errors.values())))
            pipeline.match_reject(
                match=match,
                by=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        else:
            raise Http404
    except PermissionDenied:
        raise
    except ValidationError as error:
        if request.htmx:
            response = _row(request, match)
            response.headers["HX-Trigger"] = "match-error"
            return response
        messages.error(request, _errors(error))
        return _back(request)
    if request.htmx:
        return _row(request, match)
    messages.success(
        request,
        _("Match #%(id)d: %(status)s.")
        % {"id": match.pk, "status": Match.objects.get(pk=match.pk).get_status_display()},
    )
    return _back(request)


@login_required
@require_POST
def review_bulk(request: HttpRequest) -> HttpResponse:
    """The same actions on the selected rows; each row is done (or refused) on its own."""
    if not permissions.is_staff(request.user):
        raise Http404
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    form = BulkForm(request.POST, allowed_ids=ids)
    if not ids or not form.is_valid():
        messages.error(request, _("Select matches and an action (and a reason to reject)."))
        return _back(request)
    data = form.cleaned_data
    done, refused = 0, 0
    for match in _scoped(request.user).filter(pk__in=data["ids"]):
        try:
            if data["action"] == "shortlist":
                pipeline.match_shortlist(match=match, by=request.user, note=data["note"])
            elif data["action"] == "reject":
                pipeline.match_reject(
                    match=match, by=request.user, reason=data["reason"], note=data["note"]
                )
            else:
                pipeline.match_introduce(match=match, by=request.user, note=data["note"])
            done += 1
        except (ValidationError, PermissionDenied):
            refused += 1
    messages.success(
        request,
        _("%(done)d matches updated, %(refused)d refused.") % {"done": done, "refused": refused},
    )
    return _back(request)


# --- board, introductions, detail -------------------------------------------------------------


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """Each pipeline stage's cards for the user's province (a coordinator picks one)."""
    if not permissions.can(request.user, "match.view_board"):
        raise Http404
    queryset = _scoped(request.user).filter(status__in=BOARD_STAGES)
    province_id = (
        request.user.province_id
        if permissions.is_staff(request.user)
        else request.GET.get("province")
    )
    if province_id:
        queryset = queryset.filter(demand__province_id=province_id)
    matches = _decorate(queryset.order_by("-updated_at", "id")[:600], request.user)
    columns = [
        (stage, Status(stage).label, [m for m in matches if m.status == stage])
        for stage in BOARD_STAGES
    ]
    return render(request, "matching/board.html", {"columns": columns})


@login_required
def introductions(request: HttpRequest) -> HttpResponse:
    """Matches introduced to the user's enterprise or representation."""
    if not (permissions.is_enterprise(request.user) or permissions.is_representative(request.user)):
        raise Http404
    queryset = _scoped(request.user).filter(status__in=INTRODUCED_OR_LATER)
    page = Paginator(queryset.order_by("-introduced_at", "id"), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "matching/match_introductions.html",
        {
            "page": page,
            "matches": _decorate(page.object_list, request.user),
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    match = get_object_or_404(_scoped(request.user), pk=pk)
    match = _decorate([match], request.user)[0]
    user = request.user
    can = {
        action: permissions.can(user, f"match.{action}", match)
        for action in (
            "review",
            "answer",
            "see_contacts",
            "view_history",
            "record_meeting",
            "record_outcome",
        )
    }
    meetings = list(match.meetings.all())
    agreement = getattr(match, "agreement", None) if match.status == Status.AGREEMENT else None
    return render(
        request,
        "matching/match_detail.html",
        {
            "match": match,
            "can": can,
            "meetings": meetings,
            "agreement": agreement,
            "events": match.events.select_related("actor") if can["view_history"] else [],
            "answer_form": AnswerForm() if can["answer"] else None,
            "meeting_form": MeetingForm()
            if can["record_meeting"] and match.status in (Status.CONSENTED, Status.MEETING)
            else None,
            "meeting_forms": [
                (
                    m,
                    MeetingForm(
                        instance=m,
                        prefix=f"m{m.pk}",
                        initial={
                            "starts_at": m.starts_at.astimezone(
                                zoneinfo.ZoneInfo(m.timezone)
                            ).replace(tzinfo=None)
                        },
                    ),
                )
                for m in meetings
            ]
            if can["record_meeting"]
            else [],
            "note_form": NoteForm(),
            "agreement_form": AgreementForm()
            if can["record_outcome"] and match.status == Status.NEGOTIATING
            else None,
            "drop_form": DropForm()
            if can["record_outcome"]
            and match.status in (Status.CONSENTED, Status.MEETING, Status.NEGOTIATING)
            else None,
            "reject_form": RejectForm(),
        },
    )


def _detail(match: Match):
    return redirect("matching:detail", pk=match.pk)


def _form_error(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        messages.error(
            request, f"{field}: {' '.join(errors)}" if field != "__all__" else " ".join(errors)
        )


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    match = get_object_or_404(_scoped(request.user), pk=pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _detail(match)
    pipeline.match_answer(
        match=match,
        by=request.user,
        answer=form.cleaned_data["answer"],
        message=form.cleaned_data["message"],
    )
    messages.success(request, _("Thank you: your answer is recorded."))
    return _detail(match)


def _pipeline_step(request: HttpRequest, pk: int, form_class, call, done: str) -> HttpResponse:
    match = get_object_or_404(_scoped(request.user), pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _detail(match)
    try:
        call(match, form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, done)
    return _detail(match)


@login_required
@require_POST
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _pipeline_step(
        request,
        pk,
        MeetingForm,
        lambda match, data: pipeline.match_schedule_meeting(
            match=match, by=request.user, data=data
        ),
        _("The meeting is scheduled."),
    )


@login_required
@require_POST
def meeting_update(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    match = get_object_or_404(_scoped(request.user), pk=pk)
    meeting = get_object_or_404(Meeting, pk=meeting_pk, match=match)
    form = MeetingForm(request.POST, instance=Meeting(), prefix=f"m{meeting.pk}")
    if not form.is_valid():
        _form_error(request, form)
        return _detail(match)
    pipeline.match_update_meeting(meeting=meeting, by=request.user, data=form.cleaned_data)
    messages.success(request, _("The meeting is saved."))
    return _detail(match)


@login_required
@require_POST
def negotiate(request: HttpRequest, pk: int) -> HttpResponse:
    return _pipeline_step(
        request,
        pk,
        NoteForm,
        lambda match, data: pipeline.match_start_negotiation(
            match=match, by=request.user, note=data["note"]
        ),
        _("Negotiation started."),
    )


@login_required
@require_POST
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    return _pipeline_step(
        request,
        pk,
        AgreementForm,
        lambda match, data: pipeline.match_record_agreement(match=match, by=request.user, **data),
        _("The agreement is recorded."),
    )


@login_required
@require_POST
def drop(request: HttpRequest, pk: int) -> HttpResponse:
    return _pipeline_step(
        request,
        pk,
        DropForm,
        lambda match, data: pipeline.match_drop(
            match=match, by=request.user, reason=data["reason"]
        ),
        _("The connection is dropped."),
    )
