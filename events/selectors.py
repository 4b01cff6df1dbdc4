"""Reads of connection sessions, scoped by who asks (the list form of events/rules.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import Role
from matching.models import Match
from matching.reasons import render_reasons

from .models import MeetingRequest, Registration, Session
from .rules import registration_of, side_of

R = MeetingRequest


def sessions_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Sessions out of draft for every signed-in user; drafts for those who run them."""
    queryset = Session.objects.all() if queryset is None else queryset
    role = permissions.role_of(user)
    if role == Role.NONE:
        return queryset.none()
    if role in (Role.ADMIN, Role.COORDINATOR):
        return queryset
    published = ~Q(status=Session.Status.DRAFT)
    if role == Role.STAFF:
        return queryset.filter(published | Q(province_id=user.province_id))
    return queryset.filter(published)


def session_get(user, pk: int) -> Session:
    session = sessions_visible_to(user).select_related("province").filter(pk=pk).first()
    if session is None:
        raise Http404
    return session


def request_get(user, pk: int) -> MeetingRequest:
    """A request the user may see (a party or who runs the session), else 404."""
    request = (
        R.objects.select_related(
            "session",
            "firm__organization",
            "representation__organization",
            "demand__province",
            "offer",
        )
        .filter(pk=pk)
        .first()
    )
    if request is None or not permissions.can(user, "meeting.view", request):
        raise Http404
    return request


def _requests(session: Session) -> QuerySet:
    return session.requests.select_related(
        "firm__organization",
        "representation__organization",
        "demand__province",
        "demand__organization",
        "offer",
        "match",
    )


def _label(user, request: MeetingRequest, runs: bool) -> None:
    """What the reader may see of the demand: before acceptance a representative reads it
    anonymised (never the firm's name); a confidential demand gives only its province."""
    demand = request.demand
    shown_firm = (
        runs or side_of(user, request) == "enterprise" or request.status == R.Status.ACCEPTED
    )
    request.firm_name = (
        request.firm.organization.name
        if shown_firm
        else _("An enterprise in %s") % request.session.province.name
    )
    if demand is None:
        request.demand_text = ""
    elif shown_firm or permissions.can(user, "demand.see_title", demand):
        request.demand_text = demand.display_title
    else:
        request.demand_text = _("A confidential technology demand")
    request.offer_text = request.offer.display_title if request.offer else ""
    request.reason_texts = render_reasons(request.match.reasons) if request.match else []
    request.side = side_of(user, request)
    request.my_answer = getattr(request, f"{request.side}_answer", "") if request.side else ""
    request.may_answer = permissions.can(user, "meeting.answer", request)


def requests_for(user, session: Session, *, statuses=None) -> list[MeetingRequest]:
    """Every request for who runs the session; a participant's own otherwise, best first."""
    runs = permissions.can(user, "session.manage", session)
    queryset = _requests(session)
    if not runs:
        registration = registration_of(user, session)
        if registration is None:
            return []
        queryset = queryset.filter(Q(firm=registration) | Q(representation=registration))
    if statuses:
        queryset = queryset.filter(status__in=statuses)
    rows = list(queryset.order_by("-value", "id"))
    for row in rows:
        row.session = session
        _label(user, row, runs)
    return rows


def other_side(user, session: Session) -> QuerySet:
    """The registered participants of the other side (to ask a meeting of)."""
    registration = registration_of(user, session)
    if registration is None:
        return Registration.objects.none()
    other = (
        Registration.Kind.REPRESENTATION
        if registration.kind == Registration.Kind.ENTERPRISE
        else Registration.Kind.ENTERPRISE
    )
    return session.registrations.filter(
        kind=other, status=Registration.Status.REGISTERED
    ).select_related("organization")


@dataclass
class AgendaItem:
    request: MeetingRequest
    starts_at: dt.datetime
    ends_at: dt.datetime
    table: int


def agenda(user, session: Session, registration: Registration | None) -> list[AgendaItem]:
    """The placed meetings of one participant (or all of them, for who runs the session)."""
    queryset = _requests(session).filter(status=R.Status.ACCEPTED, slot__isnull=False)
    if registration is not None:
        queryset = queryset.filter(Q(firm=registration) | Q(representation=registration))
    times = session.slot_times()
    items = []
    for request in queryset.order_by("slot", "table"):
        request.session = session
        _label(user, request, runs=True)  # accepted: both sides know each other
        start, end = times[request.slot]
        items.append(AgendaItem(request, start, end, request.table + 1))
    return items


def report(session: Session) -> dict:
    """The session's figures: registrations, requests, meetings held, follow-ups, agreements."""
    regs = session.registrations.aggregate(
        firms=Count("id", filter=Q(kind="enterprise", status="registered")),
        representations=Count("id", filter=Q(kind="representation", status="registered")),
        invited=Count("id", filter=Q(kind="representation")),
    )
    reqs = session.requests.aggregate(
        requests=Count("id", filter=~Q(asked_by=R.Asker.ENGINE) | ~Q(status=R.Status.REQUESTED)),
        proposed=Count("id", filter=Q(asked_by=R.Asker.ENGINE)),
        accepted=Count("id", filter=Q(status=R.Status.ACCEPTED)),
        declined=Count("id", filter=Q(status=R.Status.DECLINED)),
        placed=Count("id", filter=Q(status=R.Status.ACCEPTED, slot__isnull=False)),
        held=Count("id", filter=Q(checked_in_at__isnull=False)),
        follow_ups=Count(
            "id", filter=Q(enterprise_outcome="follow_up") | Q(representation_outcome="follow_up")
        ),
    )
    followed = session.requests.filter(
        Q(enterprise_outcome="follow_up") | Q(representation_outcome="follow_up"),
        match__isnull=False,
    ).values("match_id")
    agreements = Match.objects.filter(pk__in=followed, status=Match.Status.AGREEMENT).count()
    return {**regs, **reqs, "agreements": agreements}


def report_rows(user, session: Session) -> list[list]:
    """One line per meeting request (the XLSX), in the reader's words."""
    rows = []
    times = session.slot_times()
    for request in requests_for(user, session):
        start = times[request.slot][0] if request.slot is not None else None
        rows.append(
            [
                request.firm_name,
                request.demand_text,
                request.representation.organization.name,
                request.offer_text,
                request.get_asked_by_display(),
                request.get_status_display(),
                start.replace(tzinfo=None) if start else None,
                request.table + 1 if request.table is not None else None,
                bool(request.checked_in_at),
                request.get_enterprise_outcome_display() if request.enterprise_outcome else "",
                request.enterprise_note,
                request.get_representation_outcome_display()
                if request.representation_outcome
                else "",
                request.representation_note,
                request.match.get_status_display() if request.match else "",
            ]
        )
    return rows
