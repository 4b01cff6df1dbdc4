"""Pages of a connection session: thin views over events/selectors.py and events/services.py.
Objects are fetched through the scoped selectors (404 outside), then each action `require`s."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from accounts.models import Organization
from portal import xlsx
from portal.forms import add_refusal
from portal.i18n import time_zone_of

from . import ics, selectors, services
from .forms import (
    AddForm,
    AskForm,
    MoveForm,
    OutcomeForm,
    RegistrationForm,
    SessionForm,
    slot_choices,
)
from .models import MeetingRequest, Registration, Session
from .rules import registration_of


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else fallback


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = selectors.sessions_visible_to(request.user).select_related("province")
    if permissions.role_of(request.user) == "none":
        raise Http404
    return render(
        request,
        "events/session_list.html",
        {"sessions": sessions, "may_create": permissions.can(request.user, "session.create")},
    )


def _representations(form) -> list[Organization]:
    return list(form.cleaned_data["representations"])


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can(request.user, "session.create"):
        raise Http404
    form = SessionForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(
                by=request.user,
                data=form.session_data(),
                representations=_representations(form),
                interpreters=form.cleaned_data["interpreters_text"],
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("Session created."))
            return redirect(session)
    return render(request, "events/session_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(request.user, pk)
    if not permissions.can(request.user, "session.manage", session):
        raise Http404
    form = SessionForm(
        request.POST if request.method == "POST" else None, instance=session, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(
                session=session,
                by=request.user,
                data=form.session_data(),
                representations=_representations(form),
                interpreters=form.cleaned_data["interpreters_text"],
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("Session saved."))
            return redirect(session)
    return render(request, "events/session_form.html", {"form": form, "session": session})


def _may(user, session: Session) -> dict[str, bool]:
    return {
        name: permissions.can(user, f"session.{name}", session)
        for name in (
            "manage",
            "register",
            "accept_invitation",
            "edit_registration",
            "take_part",
            "view_agenda",
            "view_report",
        )
    }


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(request.user, pk)
    registration = registration_of(request.user, session)
    may = _may(request.user, session)
    registrations = (
        session.registrations.select_related("organization").prefetch_related("demands", "offers")
        if may["manage"]
        else session.registrations.none()
    )
    return render(
        request,
        "events/session_detail.html",
        {
            "session": session,
            "registration": registration,
            "may": may,
            "slots": slot_choices(session),
            "registrations": registrations,
            "representations": session.registrations.filter(
                kind=Registration.Kind.REPRESENTATION
            ).select_related("organization"),
            "interpreters": session.interpreters.all(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_register(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(request.user, pk)
    user = request.user
    if not any(
        permissions.can(user, action, session)
        for action in ("session.register", "session.accept_invitation", "session.edit_registration")
    ):
        raise Http404
    registration = registration_of(user, session)
    initial = {}
    if registration is not None:
        initial = {
            "demands": registration.demands.all(),
            "offers": registration.offers.all(),
            "unavailable_slots": registration.unavailable_slots,
            "interpreter_language": registration.interpreter_language,
        }
    form = RegistrationForm(
        request.POST if request.method == "POST" else None,
        user=user,
        session=session,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.registration_save(
                session=session,
                by=user,
                demands=data.get("demands"),
                offers=data.get("offers"),
                unavailable_slots=data["unavailable_slots"],
                interpreter_language=data["interpreter_language"],
            )
        except ValidationError as error:
            add_refusal(form, error)
        else:
            messages.success(request, _("Your registration is saved."))
            return redirect("events:meetings", pk=session.pk)
    return render(
        request,
        "events/registration_form.html",
        {"session": session, "form": form, "registration": registration},
    )


@login_required
def session_meetings(request: HttpRequest, pk: int) -> HttpResponse:
    """Who should meet: the portal's proposals and the requests, with what each side may do."""
    session = selectors.session_get(request.user, pk)
    runs = permissions.can(request.user, "session.manage", session)
    if not (runs or permissions.can(request.user, "session.take_part", session)):
        raise Http404
    rows = selectors.requests_for(request.user, session)
    context = {
        "session": session,
        "runs": runs,
        "proposed": [r for r in rows if r.status == MeetingRequest.Status.REQUESTED],
        "accepted": [r for r in rows if r.status == MeetingRequest.Status.ACCEPTED],
        "closed": [
            r
            for r in rows
            if r.status in (MeetingRequest.Status.DECLINED, MeetingRequest.Status.DROPPED)
        ],
        "may_ask": permissions.can(request.user, "session.ask_meeting", session),
    }
    if context["may_ask"]:
        context["ask_form"] = AskForm(
            user=request.user, session=session, others=selectors.other_side(request.user, session)
        )
    if runs:
        context["add_form"] = AddForm(session=session)
    return render(request, "events/session_meetings.html", context)


@login_required
@require_POST
def meeting_ask(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(request.user, pk)
    if not permissions.can(request.user, "session.ask_meeting", session):
        raise Http404
    others = selectors.other_side(request.user, session)
    form = AskForm(request.POST, user=request.user, session=session, others=others)
    if form.is_valid():
        demand = form.cleaned_data.get("demand")
        other = form.cleaned_data.get("other") or others.filter(demands=demand).first()
        try:
            services.request_ask(
                session=session,
                by=request.user,
                other=other,
                demand=demand,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your request was sent; the other side will answer."))
    else:
        messages.error(request, _("Choose whom to meet."))
    return redirect("events:meetings", pk=session.pk)


@login_required
@require_POST
def meeting_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(request.user, pk)
    if not permissions.can(request.user, "session.manage", session):
        raise Http404
    form = AddForm(request.POST, session=session)
    if form.is_valid():
        services.request_add(
            session=session,
            by=request.user,
            firm=form.cleaned_data["firm"],
            representation=form.cleaned_data["representation"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Meeting added."))
    else:
        messages.error(request, _("Choose an enterprise and a representation."))
    return redirect("events:meetings", pk=session.pk)


@login_required
@require_POST
def meeting_answer(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.request_get(request.user, pk)
    if not permissions.can(request.user, "meeting.answer", meeting):
        raise Http404
    yes = request.POST.get("answer") == "yes"
    services.request_answer(request=meeting, by=request.user, yes=yes)
    messages.success(request, _("Your answer is recorded."))
    return redirect("events:meetings", pk=meeting.session_id)


@login_required
@require_POST
def meeting_drop(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.request_get(request.user, pk)
    if not permissions.can(request.user, "meeting.drop", meeting):
        raise Http404
    services.request_drop(request=meeting, by=request.user)
    messages.success(request, _("Meeting dropped."))
    return redirect(_back(request, reverse("events:meetings", args=[meeting.session_id])))


@login_required
@require_http_methods(["GET", "POST"])
def session_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(request.user, pk)
    if not permissions.can(request.user, "session.manage", session):
        raise Http404
    if request.method == "POST":
        try:
            timetable = services.schedule_build(session=session, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Timetable built: %(placed)d meetings placed, %(unplaced)d not placed.")
                % {"placed": len(timetable.placed), "unplaced": len(timetable.unplaced)},
            )
        return redirect("events:schedule", pk=session.pk)
    items = selectors.agenda(request.user, session, None)
    unplaced = [
        r
        for r in selectors.requests_for(
            request.user, session, statuses=[MeetingRequest.Status.ACCEPTED]
        )
        if r.slot is None
    ]
    for row in unplaced:
        row.reason = services.reason_text(row.unplaced_reason) if row.unplaced_reason else ""
    return render(
        request,
        "events/session_schedule.html",
        {
            "session": session,
            "items": items,
            "unplaced": unplaced,
            "move_form": MoveForm(session=session),
            "slots": slot_choices(session),
        },
    )


@login_required
@require_POST
def meeting_move(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.request_get(request.user, pk)
    if not permissions.can(request.user, "meeting.manage", meeting):
        raise Http404
    form = MoveForm(request.POST, session=meeting.session)
    if form.is_valid():
        try:
            services.meeting_move(
                request=meeting,
                by=request.user,
                slot=form.cleaned_data["slot"],
                table=form.cleaned_data["table"] - 1,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Meeting moved and pinned there."))
    else:
        messages.error(request, _("Choose a slot and a table of the session."))
    return redirect("events:schedule", pk=meeting.session_id)


@login_required
@require_POST
def meeting_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.request_get(request.user, pk)
    if not permissions.can(request.user, "meeting.check_in", meeting):
        raise Http404
    services.meeting_check_in(request=meeting, by=request.user)
    messages.success(request, _("Checked in."))
    return redirect(_back(request, reverse("events:schedule", args=[meeting.session_id])))


@login_required
@require_POST
def meeting_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.request_get(request.user, pk)
    if not permissions.can(request.user, "meeting.record_outcome", meeting):
        raise Http404
    form = OutcomeForm(request.POST)
    if form.is_valid():
        services.meeting_record_outcome(
            request=meeting,
            by=request.user,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Outcome recorded."))
    else:
        messages.error(request, _("Choose follow up or not now."))
    return redirect("events:agenda", pk=meeting.session_id)


def _agenda_of(request: HttpRequest, session: Session):
    """The participant whose agenda is shown: the user's own; staff may name one (?who=id)."""
    if not permissions.can(request.user, "session.view_agenda", session):
        raise Http404
    runs = permissions.can(request.user, "session.manage", session)
    who = request.GET.get("who", "")
    if runs and who.isdigit():
        registration = session.registrations.filter(pk=int(who)).first()
        if registration is None:
            raise Http404
        return registration
    return None if runs else registration_of(request.user, session)


@login_required
def session_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(request.user, pk)
    registration = _agenda_of(request, session)
    items = selectors.agenda(request.user, session, registration)
    for item in items:
        item.may_record = permissions.can(request.user, "meeting.record_outcome", item.request)
        item.may_check_in = permissions.can(request.user, "meeting.check_in", item.request)
    zone = time_zone_of(request.user)
    with timezone.override(zone):
        return render(
            request,
            "events/session_agenda.html",
            {
                "session": session,
                "registration": registration,
                "items": items,
                "zone": zone.key,
                "who": request.GET.get("who", ""),
            },
        )


@login_required
def session_agenda_ics(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(request.user, pk)
    registration = _agenda_of(request, session)
    events = []
    for item in selectors.agenda(request.user, session, registration):
        meeting = item.request
        summary = _("%(firm)s ↔ %(representation)s") % {
            "firm": meeting.firm_name,
            "representation": meeting.representation.organization.name,
        }
        description = "\n".join(
            filter(None, [meeting.demand_text, meeting.offer_text, _("Table %d") % item.table])
        )
        events.append(
            {
                "uid": f"session{session.pk}-meeting{meeting.pk}@techmatch",
                "start": item.starts_at,
                "end": item.ends_at,
                "summary": summary,
                "location": session.online_link if session.is_online else session.venue,
                "url": session.online_link if session.is_online else "",
                "description": description,
            }
        )
    body = ics.calendar(
        events=events,
        zone=time_zone_of(request.user),
        name=session.title,
        stamp=session.scheduled_at or timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response


@login_required
def session_report(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(request.user, pk)
    if not permissions.can(request.user, "session.view_report", session):
        raise Http404
    figures = selectors.report(session)
    chart = {
        "type": "bar",
        "labels": [
            _("Requests"),
            _("Accepted"),
            _("Placed"),
            _("Held"),
            _("Follow-ups"),
            _("Agreements"),
        ],
        "series": [
            {
                "label": _("Meetings"),
                "data": [
                    figures["requests"],
                    figures["accepted"],
                    figures["placed"],
                    figures["held"],
                    figures["follow_ups"],
                    figures["agreements"],
                ],
            }
        ],
    }
    return render(
        request,
        "events/session_report.html",
        {"session": session, "figures": figures, "chart": chart},
    )


@login_required
def session_report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get(request.user, pk)
    if not permissions.can(request.user, "session.view_report", session):
        raise Http404
    headers = [
        _("Enterprise"),
        _("Demand"),
        _("Representation"),
        _("Offer"),
        _("Asked by"),
        _("Status"),
        _("Time"),
        _("Table"),
        _("Checked in"),
        _("Enterprise's outcome"),
        _("Enterprise's note"),
        _("Representation's outcome"),
        _("Representation's note"),
        _("Match status"),
    ]
    content = xlsx.workbook_bytes("Phien", [headers, *selectors.report_rows(request.user, session)])
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.xlsx"'
    return response
