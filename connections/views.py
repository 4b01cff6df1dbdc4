"""Review queue, introductions with consent, the province board and the match detail page."""

from __future__ import annotations

import copy
import zoneinfo
from dataclasses import dataclass
from typing import ClassVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from matching import reasons
from matching.engine.scoring import LIKELY_ANSWER
from matching.models import Match
from portal.forms import add_refusal
from portal.pagination import CappedPaginator

from . import selectors, services
from .filters import ReviewFilter
from .forms import (
    AgreementForm,
    AgreementRegistrationForm,
    AnswerForm,
    BoardForm,
    BulkForm,
    DropForm,
    IntroduceForm,
    MeetingForm,
    NoteForm,
    RejectForm,
)
from .models import Meeting

Status = Match.Status
REJECTED_SHOWN = 20  # rejected pairs listed under the queue; the status filter shows them all


@dataclass(frozen=True)
class UncountedPage:
    """A page of a list never counted (the queue of a province runs to tens of thousands of
    pairs): one row more than shown says whether another page follows."""

    number: int
    object_list: list
    has_next: bool

    PER_PAGE: ClassVar[int] = 50
    LAST: ClassVar[int] = 1000  # a page number past this is read as this one

    @classmethod
    def of(cls, queryset, number) -> UncountedPage:
        try:
            number = min(max(int(number), 1), cls.LAST)
        except (TypeError, ValueError):
            number = 1
        start = (number - 1) * cls.PER_PAGE
        # The page's ids first, then its rows with their joins: sorting thousands of pairs
        # (a filter naming many demands) then sorts ids, not rows joined to their offers.
        ids = list(queryset.values_list("pk", flat=True)[start : start + cls.PER_PAGE + 1])
        shown = ids[: cls.PER_PAGE]
        rows = queryset.filter(pk__in=shown).order_by().in_bulk() if shown else {}
        return cls(number, [rows[pk] for pk in shown if pk in rows], len(ids) > cls.PER_PAGE)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _back(request: HttpRequest, default: str = "connections:review"):
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
    if not permissions.can(request.user, "match.review_queue"):
        raise Http404
    likely_only = not any(request.GET.get(key) for key in ("status", "score_min", "score_max"))
    queryset = selectors.review_queue(
        request.user, status_chosen=bool(request.GET.get("status")), likely_only=likely_only
    )
    matches = ReviewFilter(request.GET, queryset=queryset, user=request.user)
    page = UncountedPage.of(matches.qs.order_by("-score", "id"), request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # Rejected pairs leave the queue; the default view shows them apart, with the same filters.
    rejected, rejected_total, rejected_more = [], 0, ""
    if not request.GET.get("status") and matches.is_valid():
        rejected_qs = matches.filter_queryset(selectors.review_rejected(request.user))
        rejected_total = rejected_qs.count()
        if rejected_total:
            rejected = selectors.rejected_in(rejected_qs, user=request.user, limit=REJECTED_SHOWN)
            more = query.copy()
            more["status"] = Status.REJECTED
            rejected_more = f"{request.path}?{more.urlencode()}"
    rows = selectors.decorate(page.object_list, request.user)
    # the rows' chips in one pass (one cache read), not one per row as the template would
    reasons.attach_chips([*rows, *rejected], user=request.user, budget_s=0.0)
    return render(
        request,
        "connections/review_queue.html",
        {
            "filter": matches,
            "page": page,
            "matches": rows,
            "reject_widgets": _reject_widgets(),
            "introduce_widgets": _introduce_widgets(),
            "bulk_form": BulkForm(),
            "query": query.urlencode(),
            "next": request.get_full_path(),
            "rejected": rejected,
            "rejected_total": rejected_total,
            "rejected_more_url": rejected_more,
            "likely_only": likely_only,
            "likely_answer": round(100 * LIKELY_ANSWER),
            "demand_unknown": _demand_unknown(request, matches),
        },
    )


def _reject_widgets() -> str:
    """The reject form's fields, rendered once for every row of a page (each render of a
    widget goes through the template engine: a quarter of the queue's time for 50 rows)."""
    form = RejectForm()
    return format_html("{} {}", form["reason"], form["note"])


def _introduce_widgets() -> str:
    """The introduction's covering note, rendered once for every row (as the reject form)."""
    return format_html("{}", IntroduceForm()["covering_note"])


def _done_message(request: HttpRequest, matches: list[Match], action: str) -> str:
    """Say what was done, with an Undo button for a shortlist or a rejection (taken back
    within a minute by match_undo); an introduction's mails are gone, so no Undo for it."""
    if len(matches) == 1:
        title = f"{matches[0].demand.title} ↔ {matches[0].offer.display_title}"
        text = {
            "shortlist": _("Shortlisted «%s»."),
            "reject": _("Rejected «%s»."),
            "introduce": _("Introduced «%s»: both sides are emailed, so this cannot be undone."),
        }[action] % title
    else:
        text = {
            "shortlist": _("%d matches shortlisted."),
            "reject": _("%d matches rejected."),
            "introduce": _(
                "%d matches introduced: both sides are emailed, so this cannot be undone."
            ),
        }[action] % len(matches)
    # `matches` are as they were before the action: an undo goes back to that status.
    to = {"shortlist": Status.SHORTLISTED, "reject": Status.REJECTED}.get(action)
    if not to or not all(services.UNDO_WORKFLOW.allows(to, m.status) for m in matches):
        return text
    return format_html(
        '{} <form method="post" action="{}" class="inline-form">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">{}'
        '<input type="hidden" name="next" value="{}">'
        '<button type="submit" class="btn btn-small">{}</button></form>',
        text,
        reverse("connections:undo"),
        get_token(request),
        format_html_join(
            "", '<input type="hidden" name="ids" value="{}">', ((m.pk,) for m in matches)
        ),
        request.POST.get("next", ""),
        _("Undo"),
    )


def _demand_unknown(request: HttpRequest, matches: ReviewFilter) -> str:
    """The typed demand filter when it names no demand of the queue (else "")."""
    text = matches.form.cleaned_data.get("demand", "") if matches.is_valid() else ""
    if text and not selectors.review_demands(request.user, text).exists():
        return text
    return ""


@login_required
def review_demands(request: HttpRequest) -> JsonResponse:
    """Demands of the queue named by `q`, for the demand filter's suggestions (JSON)."""
    if not permissions.can(request.user, "match.review_queue"):
        raise Http404
    text = request.GET.get("q", "")[:200]
    return JsonResponse({"results": selectors.review_demand_suggestions(request.user, text)})


def _row(request: HttpRequest, match: Match, *, done: str = "") -> HttpResponse:
    match = selectors.decorate(
        [selectors.connections_visible_to(request.user).get(pk=match.pk)], request.user
    )[0]
    return render(
        request,
        "connections/_match_row.html",
        {
            "match": match,
            "reject_widgets": _reject_widgets(),
            "introduce_widgets": _introduce_widgets(),
            "done": done,
            "next": request.POST.get("next", ""),
        },
    )


@login_required
@require_POST
def match_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Shortlist, reject or introduce one match; htmx gets the row back, others a redirect."""
    match = get_object_or_404(selectors.connections_visible_to(request.user), pk=pk)
    # Only reviewers reach the row partial below: it shows what a reviewer may see.
    if not permissions.can(request.user, "match.review", match):
        raise Http404
    try:
        if action == "shortlist":
            services.match_shortlist(match=match, by=request.user)
        elif action == "introduce":
            form = IntroduceForm(request.POST)
            if not form.is_valid():
                raise ValidationError(next(iter(form.errors.values())))
            services.match_introduce(
                match=match, by=request.user, covering_note=form.cleaned_data["covering_note"]
            )
        elif action == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                raise ValidationError(next(iter(form.errors.values())))
            services.match_reject(
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
    done = _done_message(request, [match], action)
    if request.htmx:
        return _row(request, match, done=done)
    messages.success(request, done)
    return _back(request)


@login_required
@require_POST
def review_bulk(request: HttpRequest) -> HttpResponse:
    """The same actions on the selected rows; each row is done (or refused) on its own."""
    if not permissions.can(request.user, "match.review_queue"):
        raise Http404
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    form = BulkForm(request.POST, allowed_ids=ids)
    if not ids or not form.is_valid():
        messages.error(request, _("Select matches and an action (and a reason to reject)."))
        return _back(request)
    data = form.cleaned_data
    done, refused = [], 0
    for match in (
        selectors.connections_visible_to(request.user)
        .filter(pk__in=data["ids"])
        .select_related("demand", "offer")
    ):
        try:
            if data["action"] == "shortlist":
                services.match_shortlist(match=match, by=request.user, note=data["note"])
            elif data["action"] == "reject":
                services.match_reject(
                    match=match, by=request.user, reason=data["reason"], note=data["note"]
                )
            else:
                services.match_introduce(
                    match=match,
                    by=request.user,
                    note=data["note"],
                    covering_note=data["covering_note"],
                )
            done.append(match)
        except (ValidationError, PermissionDenied):
            refused += 1
    if refused:
        messages.warning(request, _("%d matches refused.") % refused)
    if done:
        messages.success(request, _done_message(request, done, data["action"]))
    return _back(request)


@login_required
@require_POST
def review_undo(request: HttpRequest) -> HttpResponse:
    """Take back the shortlist or rejection just made (within a minute, by the same person)."""
    if not permissions.can(request.user, "match.review_queue"):
        raise Http404
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    matches = list(selectors.connections_visible_to(request.user).filter(pk__in=ids))
    if not ids or len(matches) != len(set(ids)):
        raise Http404
    undone, errors = 0, []
    for match in matches:
        try:
            services.match_undo(match=match, by=request.user)
            undone += 1
        except ValidationError as error:
            errors.append(_errors(error))
    for error in errors:
        messages.error(request, error)
    if undone:
        messages.success(request, _("Undone: %d matches are back as they were.") % undone)
    return _back(request)


# --- board, introductions, detail -------------------------------------------------------------


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """Each pipeline stage's newest cards and its total, for the user's province (a national
    unit picks one, or sees every province); "show more" lists one stage alone, by pages."""
    if not permissions.can(request.user, "match.view_board"):
        raise Http404
    nationwide = selectors.board_picks_province(request.user)
    form = BoardForm(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    province = chosen.get("province") if nationwide else None
    scope = {"province_id": province.pk if province else None}
    context = {
        "form": form,
        "nationwide": nationwide,
        "province_query": f"province={province.pk}&" if province else "",
    }
    stage = chosen.get("stage")
    if stage:
        page = Paginator(selectors.board_stage(request.user, stage=stage, **scope), 50).get_page(
            request.GET.get("page")
        )
        context.update(
            stage_label=Status(stage).label,
            page=page,
            cards=selectors.decorate(page.object_list, request.user),
            query=f"{context['province_query']}stage={stage}",
        )
    else:
        context["columns"] = selectors.board_columns(request.user, **scope)
    return render(request, "connections/board.html", context)


@login_required
def introductions(request: HttpRequest) -> HttpResponse:
    """Matches introduced to the user's enterprise or representation."""
    if not permissions.can(request.user, "match.list_introductions"):
        raise Http404
    # ids first, then the page's rows with their joins (portal/pagination.py)
    page = CappedPaginator(selectors.introductions_of(request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "connections/match_introductions.html",
        {
            "page": page,
            "matches": selectors.decorate(page.object_list, request.user),
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    match = get_object_or_404(selectors.connections_visible_to(request.user), pk=pk)
    return _render_detail(request, match)


def _render_detail(
    request: HttpRequest, match: Match, *, agreement_form=None, registration_form=None
) -> HttpResponse:
    """The match page; a form refused on it comes back bound, with its errors and the input."""
    match = selectors.decorate([match], request.user)[0]
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
            "complete_agreement",
        )
    }
    meetings = list(match.meetings.all())
    agreement = selectors.agreement_of(match)
    if registration_form is None and agreement and can["complete_agreement"]:
        registration_form = AgreementRegistrationForm(instance=agreement, prefix="reg")
    return render(
        request,
        "connections/match_detail.html",
        {
            "match": match,
            "can": can,
            "meetings": meetings,
            "agreement": agreement,
            "registration_form": registration_form,
            "events": selectors.history(match) if can["view_history"] else [],
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
            "agreement_form": agreement_form
            or (
                AgreementForm()
                if can["record_outcome"] and match.status == Status.NEGOTIATING
                else None
            ),
            "drop_form": DropForm()
            if can["record_outcome"]
            and match.status in (Status.CONSENTED, Status.MEETING, Status.NEGOTIATING)
            else None,
            "reject_form": RejectForm(),
        },
    )


def _detail(match: Match):
    return redirect("connections:detail", pk=match.pk)


def _form_error(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        messages.error(
            request, f"{field}: {' '.join(errors)}" if field != "__all__" else " ".join(errors)
        )


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    match = get_object_or_404(selectors.connections_visible_to(request.user), pk=pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _detail(match)
    services.match_answer(
        match=match,
        by=request.user,
        answer=form.cleaned_data["answer"],
        message=form.cleaned_data["message"],
    )
    messages.success(request, _("Thank you: your answer is recorded."))
    return _detail(match)


def _pipeline_step(request: HttpRequest, pk: int, form_class, call, done: str) -> HttpResponse:
    match = get_object_or_404(selectors.connections_visible_to(request.user), pk=pk)
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
        lambda match, data: services.match_schedule_meeting(
            match=match, by=request.user, data=data
        ),
        _("The meeting is scheduled."),
    )


@login_required
@require_POST
def meeting_update(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    match = get_object_or_404(selectors.connections_visible_to(request.user), pk=pk)
    meeting = get_object_or_404(Meeting, pk=meeting_pk, match=match)
    form = MeetingForm(request.POST, instance=Meeting(), prefix=f"m{meeting.pk}")
    if not form.is_valid():
        _form_error(request, form)
        return _detail(match)
    services.match_update_meeting(meeting=meeting, by=request.user, data=form.cleaned_data)
    messages.success(request, _("The meeting is saved."))
    return _detail(match)


@login_required
@require_POST
def negotiate(request: HttpRequest, pk: int) -> HttpResponse:
    return _pipeline_step(
        request,
        pk,
        NoteForm,
        lambda match, data: services.match_start_negotiation(
            match=match, by=request.user, note=data["note"]
        ),
        _("Negotiation started."),
    )


@login_required
@require_POST
def agreement(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the signed agreement; a refused one comes back with what was typed."""
    match = get_object_or_404(selectors.connections_visible_to(request.user), pk=pk)
    permissions.require(request.user, "match.record_outcome", match)
    form = AgreementForm(request.POST)
    if form.is_valid():
        try:
            services.match_record_agreement(match=match, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("The agreement is recorded."))
            return _detail(match)
    return _render_detail(request, match, agreement_form=form)


@login_required
@require_POST
def agreement_registration(request: HttpRequest, pk: int) -> HttpResponse:
    """Complete a recorded agreement with its registration certificate (number and date)."""
    match = get_object_or_404(selectors.connections_visible_to(request.user), pk=pk)
    permissions.require(request.user, "match.complete_agreement", match)
    agreement = selectors.agreement_of(match)
    if agreement is None:
        raise Http404
    # A copy: the form writes the typed values into its instance, the page shows the saved ones.
    form = AgreementRegistrationForm(request.POST, instance=copy.copy(agreement), prefix="reg")
    if form.is_valid():
        try:
            services.agreement_complete(match=match, by=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("The agreement's registration is saved."))
            return _detail(match)
    return _render_detail(request, match, registration_form=form)


@login_required
@require_POST
def drop(request: HttpRequest, pk: int) -> HttpResponse:
    return _pipeline_step(
        request,
        pk,
        DropForm,
        lambda match, data: services.match_drop(
            match=match, by=request.user, reason=data["reason"]
        ),
        _("The connection is dropped."),
    )
