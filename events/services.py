"""Writes of a connection session: the session, registrations, meeting requests, the
timetable, the day's check-in and outcomes. Each checks its permission first; people hear
about what concerns them after the commit, in their own language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from accounts.models import Organization, User
from connections.models import MatchEvent
from connections.services import match_transition
from demands.models import Demand
from matching.models import Answer, Match
from matching.services import match_ensure
from notifications.models import Kind
from notifications.services import notify
from offers.models import Offer

from . import scheduling
from .models import Interpreter, MeetingRequest, Registration, Session

R = MeetingRequest
SESSION_FIELDS = (
    "title",
    "title_en",
    "intro",
    "province",
    "is_online",
    "venue",
    "online_link",
    "first_day",
    "days",
    "time_zone",
    "start_time",
    "slot_minutes",
    "slots_per_day",
    "breaks",
    "tables",
    "registration_opens_on",
    "registration_closes_on",
    "status",
)
# Value of a request for the timetable: the pair's score, and more when people asked for it.
ASKED_BONUS = {R.Asker.ENGINE: 0.0, R.Asker.ENTERPRISE: 0.25, R.Asker.REPRESENTATION: 0.25}
STAFF_VALUE = 2.0  # staff added it: placed before the rest
NO_MATCH_SCORE = 0.3  # a pair the engine did not keep


def _members(organization_id: int):
    return User.objects.filter(organization_id=organization_id, is_active=True)


def _url(session: Session, name: str = "events:detail") -> str:
    return reverse(name, args=[session.pk])


# --- the session ------------------------------------------------------------------------------


def _check_session(session: Session) -> None:
    if not session.is_online and not session.venue.strip():
        raise ValidationError({"venue": _("Give the venue, or mark the session as online.")})
    if session.is_online and not session.online_link:
        raise ValidationError({"online_link": _("An online session needs its meeting link.")})
    if session.registration_closes_on < session.registration_opens_on:
        raise ValidationError(
            {"registration_closes_on": _("Registration cannot close before it opens.")}
        )
    if not session.slot_times():
        raise ValidationError({"slots_per_day": _("No meeting slot fits in the day.")})


def _save_people(
    session: Session, *, representations: list[Organization], interpreters: dict[str, int]
) -> list[Organization]:
    """Invite the representations not invited yet; set the interpreters. Returns the new ones."""
    known = set(session.registrations.values_list("organization_id", flat=True))
    new = [org for org in representations if org.pk not in known]
    Registration.objects.bulk_create(
        Registration(
            session=session,
            organization=org,
            kind=Registration.Kind.REPRESENTATION,
            status=Registration.Status.INVITED,
        )
        for org in new
    )
    session.interpreters.exclude(language__in=list(interpreters)).delete()
    for language, count in interpreters.items():
        Interpreter.objects.update_or_create(
            session=session, language=language, defaults={"count": count}
        )
    return new


def _tell_invited(session: Session, organizations: list[Organization]) -> None:
    for org in organizations:
        notify(
            users=_members(org.pk),
            kind=Kind.MEETING,
            title=lambda: _("You are invited to a connection session: %s") % session.display_title,
            body=gettext_lazy("Accept the invitation and choose the offers you will present."),
            url=_url(session),
        )


@transaction.atomic
def session_create(
    *,
    by: User,
    data: dict[str, Any],
    representations: list[Organization],
    interpreters: dict[str, int],
) -> Session:
    """A new session with its invited representations and interpreters."""
    permissions.require(by, "session.create")
    session = Session(created_by=by, **{k: v for k, v in data.items() if k in SESSION_FIELDS})
    permissions.require(by, "session.manage", session)  # staff: only in their province
    _check_session(session)
    session.save()
    new = _save_people(session, representations=representations, interpreters=interpreters)
    if session.status != Session.Status.DRAFT:
        _tell_invited(session, new)
    return session


@transaction.atomic
def session_update(
    *,
    session: Session,
    by: User,
    data: dict[str, Any],
    representations: list[Organization],
    interpreters: dict[str, int],
) -> Session:
    """Change a session; newly invited representations hear of it once it is published."""
    locked = Session.objects.select_for_update().get(pk=session.pk)
    permissions.require(by, "session.manage", locked)
    was_draft = locked.status == Session.Status.DRAFT
    for name, value in data.items():
        if name in SESSION_FIELDS:
            setattr(locked, name, value)
    permissions.require(by, "session.manage", locked)  # the province cannot leave their reach
    _check_session(locked)
    locked.save()
    new = _save_people(locked, representations=representations, interpreters=interpreters)
    if locked.status != Session.Status.DRAFT:
        if was_draft:
            new = list(
                Organization.objects.filter(
                    session_registrations__session=locked,
                    session_registrations__kind=Registration.Kind.REPRESENTATION,
                )
            )
        _tell_invited(locked, new)
    return locked


# --- registrations -----------------------------------------------------------------------------


def _check_slots(session: Session, slots: list[int]) -> list[int]:
    count = len(session.slot_times())
    if any(not 0 <= s < count for s in slots):
        raise ValidationError({"unavailable_slots": _("Choose among the session's slots.")})
    return sorted(set(slots))


@transaction.atomic
def registration_save(
    *,
    session: Session,
    by: User,
    demands: list[Demand] | None = None,
    offers: list[Offer] | None = None,
    unavailable_slots: list[int] | tuple = (),
    interpreter_language: str = "",
) -> Registration:
    """A firm registers (or changes) the demands it brings; an invited representation accepts
    (or changes) the offers it brings. Then the portal proposes the meetings worth having."""
    registration = (
        Registration.objects.select_for_update()
        .filter(session=session, organization_id=by.organization_id)
        .first()
    )
    if registration is None or registration.status == Registration.Status.WITHDRAWN:
        if permissions.is_enterprise(by):
            permissions.require(by, "session.register", session)
        else:
            permissions.require(by, "session.accept_invitation", session)
    elif registration.status == Registration.Status.INVITED:
        permissions.require(by, "session.accept_invitation", session)
    else:
        permissions.require(by, "session.edit_registration", session)
    if permissions.is_enterprise(by):
        kind = Registration.Kind.ENTERPRISE
        demands = list(demands or [])
        if not demands:
            raise ValidationError({"demands": _("Choose at least one demand to bring.")})
        if any(d.organization_id != by.organization_id for d in demands):
            raise ValidationError({"demands": _("Choose among your own demands.")})
    else:
        kind = Registration.Kind.REPRESENTATION
        offers = list(offers or [])
        if not offers:
            raise ValidationError({"offers": _("Choose at least one offer to present.")})
        if any(o.representation_id != by.organization_id for o in offers):
            raise ValidationError({"offers": _("Choose among your own offers.")})
    slots = _check_slots(session, list(unavailable_slots))
    if registration is None:
        registration = Registration(session=session, organization_id=by.organization_id)
    registration.kind = kind
    registration.status = Registration.Status.REGISTERED
    registration.unavailable_slots = slots
    registration.interpreter_language = interpreter_language
    registration.registered_by = by
    registration.registered_at = registration.registered_at or timezone.now()
    registration.save()
    if kind == Registration.Kind.ENTERPRISE:
        registration.demands.set(demands)
    else:
        registration.offers.set(offers)
    by._session_registrations = {}  # the rules' cache: registered now
    requests_propose(session=session)
    return registration


def requests_propose(*, session: Session) -> int:
    """Propose a meeting for each pair of a registered demand and offer the engine matched
    (nobody decided against it), best first; pairs already requested are kept as they are."""
    firms = {
        d: r
        for r in session.registrations.filter(
            kind=Registration.Kind.ENTERPRISE, status=Registration.Status.REGISTERED
        ).prefetch_related("demands")
        for d in r.demands.values_list("id", flat=True)
    }
    reps = {
        o: r
        for r in session.registrations.filter(
            kind=Registration.Kind.REPRESENTATION, status=Registration.Status.REGISTERED
        ).prefetch_related("offers")
        for o in r.offers.values_list("id", flat=True)
    }
    if not firms or not reps:
        return 0
    taken = set(
        session.requests.filter(demand__isnull=False, offer__isnull=False).values_list(
            "demand_id", "offer_id"
        )
    )
    matches = (
        Match.objects.filter(demand_id__in=list(firms), offer_id__in=list(reps))
        .exclude(status__in=Match.DECIDED_AGAINST_STATUSES)
        .order_by("-score", "id")
    )
    new = [
        R(
            session=session,
            firm=firms[m.demand_id],
            representation=reps[m.offer_id],
            demand_id=m.demand_id,
            offer_id=m.offer_id,
            match=m,
            asked_by=R.Asker.ENGINE,
            value=m.score,
        )
        for m in matches
        if (m.demand_id, m.offer_id) not in taken
    ]
    R.objects.bulk_create(new)
    return len(new)


# --- meeting requests --------------------------------------------------------------------------


def _pair_match(demand_id: int | None, offer_id: int | None) -> Match | None:
    if demand_id is None or offer_id is None:
        return None
    return Match.objects.filter(demand_id=demand_id, offer_id=offer_id).first()


@transaction.atomic
def request_ask(
    *,
    session: Session,
    by: User,
    other: Registration,
    demand: Demand | None = None,
    offer: Offer | None = None,
    note: str = "",
) -> MeetingRequest:
    """A registered side asks `other` for a meeting (about one of the pair's demand and offer,
    or free). Asking for a meeting the portal proposed is saying yes to it."""
    permissions.require(by, "session.ask_meeting", session)
    own = Registration.objects.get(session=session, organization_id=by.organization_id)
    if other.session_id != session.pk or other.kind == own.kind:
        raise ValidationError(_("Ask a registered participant of the other side."))
    if other.status != Registration.Status.REGISTERED:
        raise ValidationError(_("Ask a registered participant of the other side."))
    firm, rep = (own, other) if own.kind == Registration.Kind.ENTERPRISE else (other, own)
    if demand is not None and not firm.demands.filter(pk=demand.pk).exists():
        raise ValidationError(_("That demand is not brought to this session."))
    if offer is not None and not rep.offers.filter(pk=offer.pk).exists():
        raise ValidationError(_("That offer is not brought to this session."))
    side = own.kind  # "enterprise" or "representation", the Asker values too
    existing = None
    if demand is not None and offer is not None:
        existing = (
            R.objects.select_for_update()
            .filter(session=session, demand=demand, offer=offer)
            .first()
        )
    else:  # the portal may have proposed a meeting of these two already: say yes to it
        pending = R.objects.select_for_update().filter(
            session=session, firm=firm, representation=rep, status=R.Status.REQUESTED
        )
        if demand is not None:
            pending = pending.filter(demand=demand)
        if offer is not None:
            pending = pending.filter(offer=offer)
        existing = pending.filter(**{f"{side}_answer": R.Answer.PENDING}).first()
    if existing is not None:
        if existing.status != R.Status.REQUESTED:
            raise ValidationError(_("This meeting was already %s.") % existing.get_status_display())
        return request_answer(request=existing, by=by, yes=True)
    match = _pair_match(getattr(demand, "pk", None), getattr(offer, "pk", None))
    request = R.objects.create(
        session=session,
        firm=firm,
        representation=rep,
        demand=demand,
        offer=offer,
        match=match,
        asked_by=side,
        asked_by_user=by,
        note=note.strip()[:500],
        value=(match.score if match else NO_MATCH_SCORE) + ASKED_BONUS[side],
        **{f"{side}_answer": R.Answer.YES},
    )
    other_members = _members(other.organization_id)
    notify(
        users=other_members,
        kind=Kind.MEETING,
        title=lambda: _("A meeting is asked of you at %s") % session.display_title,
        body=gettext_lazy("Accept or decline it on the session's meetings page."),
        url=_url(session, "events:meetings"),
    )
    return request


@transaction.atomic
def request_answer(*, request: MeetingRequest, by: User, yes: bool) -> MeetingRequest:
    """One side says yes or no; both yes -> accepted, one no -> declined."""
    locked = (
        R.objects.select_for_update().select_related("firm", "representation").get(pk=request.pk)
    )
    locked.session = request.session
    permissions.require(by, "meeting.answer", locked)
    from .rules import side_of

    side = side_of(by, locked)
    setattr(locked, f"{side}_answer", R.Answer.YES if yes else R.Answer.NO)
    if not yes:
        locked.status = R.Status.DECLINED
    elif locked.enterprise_answer == locked.representation_answer == R.Answer.YES:
        locked.status = R.Status.ACCEPTED
    if locked.asked_by == R.Asker.ENGINE and yes and locked.status == R.Status.REQUESTED:
        locked.value += ASKED_BONUS[side]  # a proposal someone wants weighs more
    locked.save()
    if locked.status != R.Status.REQUESTED:
        other = locked.representation if side == "enterprise" else locked.firm
        session = locked.session
        accepted = locked.status == R.Status.ACCEPTED
        notify(
            users=_members(other.organization_id),
            kind=Kind.MEETING,
            title=(
                (lambda: _("A meeting at %s was accepted") % session.display_title)
                if accepted
                else (lambda: _("A meeting at %s was declined") % session.display_title)
            ),
            url=_url(session, "events:meetings"),
        )
    return locked


@transaction.atomic
def request_add(
    *,
    session: Session,
    by: User,
    firm: Registration,
    representation: Registration,
    demand: Demand | None = None,
    offer: Offer | None = None,
    note: str = "",
) -> MeetingRequest:
    """Staff add a meeting: accepted at once, placed before the others."""
    permissions.require(by, "session.manage", session)
    if firm.session_id != session.pk or representation.session_id != session.pk:
        raise ValidationError(_("Both sides must be registered in this session."))
    if demand is not None and offer is not None:
        existing = R.objects.filter(session=session, demand=demand, offer=offer).first()
        if existing is not None:
            existing.status = R.Status.ACCEPTED
            existing.enterprise_answer = existing.representation_answer = R.Answer.YES
            existing.value = max(existing.value, STAFF_VALUE)
            existing.save()
            return existing
    return R.objects.create(
        session=session,
        firm=firm,
        representation=representation,
        demand=demand,
        offer=offer,
        match=_pair_match(getattr(demand, "pk", None), getattr(offer, "pk", None)),
        asked_by=R.Asker.STAFF,
        asked_by_user=by,
        note=note.strip()[:500],
        status=R.Status.ACCEPTED,
        enterprise_answer=R.Answer.YES,
        representation_answer=R.Answer.YES,
        value=STAFF_VALUE,
    )


@transaction.atomic
def request_drop(*, request: MeetingRequest, by: User) -> MeetingRequest:
    """Staff drop a request or a meeting (its place in the timetable is freed)."""
    permissions.require(by, "meeting.drop", request)
    request.status = R.Status.DROPPED
    request.slot = request.table = request.pinned_slot = request.pinned_table = None
    request.save()
    return request


# --- the timetable -----------------------------------------------------------------------------


def _problem(session: Session, meetings: list[MeetingRequest]) -> scheduling.Problem:
    registrations = list(session.registrations.all())
    unavailable = {r.person: frozenset(r.unavailable_slots) for r in registrations}
    return scheduling.Problem(
        meetings=tuple(
            scheduling.Meeting(
                id=m.pk,
                people=(m.firm.person, m.representation.person),
                value=m.value,
                language=m.representation.interpreter_language or m.firm.interpreter_language,
                pinned_slot=m.pinned_slot,
                pinned_table=m.pinned_table,
            )
            for m in meetings
        ),
        slots=len(session.slot_times()),
        tables=session.tables,
        unavailable=unavailable,
        interpreters={i.language: i.count for i in session.interpreters.all()},
    )


def accepted_meetings(session: Session) -> list[MeetingRequest]:
    return list(
        session.requests.filter(status=R.Status.ACCEPTED).select_related("firm", "representation")
    )


@transaction.atomic
def schedule_build(*, session: Session, by: User, seconds: float = 8.0) -> scheduling.Timetable:
    """Place every accepted meeting (pinned ones stay); the rest keep a reason."""
    locked = Session.objects.select_for_update().get(pk=session.pk)
    permissions.require(by, "session.manage", locked)
    meetings = accepted_meetings(locked)
    try:
        timetable = scheduling.solve(_problem(locked, meetings), seconds=seconds)
    except scheduling.Conflict as conflict:
        raise ValidationError(
            _("The pinned meetings do not fit together (%(reason)s).")
            % {"reason": reason_text(conflict.reason)}
        ) from conflict
    for meeting in meetings:
        where = timetable.placed.get(meeting.pk)
        meeting.slot = where.slot if where else None
        meeting.table = where.table if where else None
        meeting.unplaced_reason = timetable.unplaced.get(meeting.pk, "")
    R.objects.bulk_update(meetings, ["slot", "table", "unplaced_reason"])
    locked.scheduled_at = timezone.now()
    locked.save(update_fields=["scheduled_at", "updated_at"])
    for registration in locked.registrations.filter(status=Registration.Status.REGISTERED):
        notify(
            users=_members(registration.organization_id),
            kind=Kind.MEETING,
            title=lambda: _("Your agenda for %s is ready") % locked.title,
            url=reverse("events:agenda", args=[locked.pk]),
        )
    return timetable


def reason_text(code: str) -> str:
    texts = {
        "person_busy": _("someone is already in another meeting in that slot"),
        "person_unavailable": _("someone cannot attend that slot"),
        "table_taken": _("that table holds another meeting in that slot"),
        "no_table": _("every table of that slot is taken"),
        "no_interpreter": _("no interpreter of that language is free in that slot"),
        "no_slot": _("no slot had room for it"),
        "bad_slot": _("there is no such slot or table"),
    }
    return texts.get(code, code)


@transaction.atomic
def meeting_move(*, request: MeetingRequest, by: User, slot: int, table: int) -> MeetingRequest:
    """Staff move a meeting (it is pinned there for later runs); a conflict is refused."""
    locked = R.objects.select_for_update().select_related("session").get(pk=request.pk)
    permissions.require(by, "meeting.manage", locked)
    if locked.status != R.Status.ACCEPTED:
        raise ValidationError(_("Only an accepted meeting can be placed."))
    meetings = accepted_meetings(locked.session)
    problem = _problem(locked.session, meetings)
    placed = {
        m.pk: scheduling.Placement(m.slot, m.table)
        for m in meetings
        if m.slot is not None and m.pk != locked.pk
    }
    try:
        scheduling.check_move(problem, placed, locked.pk, scheduling.Placement(slot, table))
    except scheduling.Conflict as conflict:
        raise ValidationError(
            _("This move is refused: %s.") % reason_text(conflict.reason)
        ) from conflict
    locked.slot = locked.pinned_slot = slot
    locked.table = locked.pinned_table = table
    locked.unplaced_reason = ""
    locked.save()
    return locked


@transaction.atomic
def meeting_unpin(*, request: MeetingRequest, by: User) -> MeetingRequest:
    permissions.require(by, "meeting.manage", request)
    request.pinned_slot = request.pinned_table = None
    request.save(update_fields=["pinned_slot", "pinned_table", "updated_at"])
    return request


# --- on the day --------------------------------------------------------------------------------


@transaction.atomic
def meeting_check_in(*, request: MeetingRequest, by: User) -> MeetingRequest:
    permissions.require(by, "meeting.check_in", request)
    request.checked_in_at = request.checked_in_at or timezone.now()
    request.save(update_fields=["checked_in_at", "updated_at"])
    return request


@transaction.atomic
def meeting_record_outcome(
    *, request: MeetingRequest, by: User, outcome: str, note: str = ""
) -> MeetingRequest:
    """One side records how the meeting went; "follow up" puts the pair into the pipeline as
    an introduced match (created if the engine had not proposed it), the meeting in its history."""
    from .rules import side_of

    if outcome not in (R.Outcome.FOLLOW_UP, R.Outcome.NOT_NOW):
        raise ValidationError({"outcome": _("Choose follow up or not now.")})
    locked = (
        R.objects.select_for_update(of=("self",))
        .select_related("session", "firm", "representation")
        .get(pk=request.pk)
    )
    permissions.require(by, "meeting.record_outcome", locked)
    side = side_of(by, locked)
    setattr(locked, f"{side}_outcome", outcome)
    setattr(locked, f"{side}_note", note.strip()[:2000])
    if outcome == R.Outcome.FOLLOW_UP and locked.demand_id and locked.offer_id:
        locked.match = _follow_up(locked, by=by, side=side, note=note.strip())
    locked.save()
    return locked


def _follow_up(request: MeetingRequest, *, by: User, side: str, note: str) -> Match:
    """The pair moves into the pipeline: introduced (if not yet), this side interested."""
    session = request.session
    start, _end = session.slot_times()[request.slot]
    history = _("Met at the connection session «%(title)s» on %(when)s; %(side)s: follow up.") % {
        "title": session.title,
        "when": timezone.localtime(start, session.zone).strftime("%Y-%m-%d %H:%M"),
        "side": _("the enterprise") if side == "enterprise" else _("the representation"),
    }
    if note:
        history = f"{history} {note}"
    match = match_ensure(demand_id=request.demand_id, offer_id=request.offer_id)
    match = (
        Match.objects.select_for_update(of=("self",))
        .select_related("demand", "offer")
        .get(pk=match.pk)
    )
    if match.status == Match.Status.REJECTED:
        match = match_transition(match, Match.Status.SHORTLISTED, by=by, note=history)
    if match.status in Match.REVIEW_STATUSES:
        match = match_transition(
            match,
            Match.Status.INTRODUCED,
            by=by,
            note=history,
            changes={
                "introduced_at": timezone.now(),
                "enterprise_answer": Answer.PENDING,
                "representation_answer": Answer.PENDING,
            },
        )
        history = ""
    if match.status == Match.Status.INTRODUCED:
        field = f"{side}_answer"
        setattr(match, field, Answer.INTERESTED)
        setattr(match, f"{side}_answered_at", timezone.now())
        match.save(update_fields=[field, f"{side}_answered_at", "updated_at"])
        if match.both_consented:
            return match_transition(match, Match.Status.CONSENTED, by=by, note=history)
    if history:
        MatchEvent.objects.create(
            match=match, actor=by, from_status=match.status, to_status=match.status, note=history
        )
    return match


# --- reminders ---------------------------------------------------------------------------------


def sessions_remind_tomorrow(*, today: dt.date | None = None) -> int:
    """The day before a session, each participant with meetings gets a reminder (once)."""
    today = today or timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    sent = 0
    for session in Session.objects.filter(
        first_day=tomorrow, reminded_at__isnull=True, status__in=["open", "closed"]
    ):
        with transaction.atomic():
            claimed = Session.objects.filter(pk=session.pk, reminded_at__isnull=True).update(
                reminded_at=timezone.now()
            )  # compare-and-swap: a second beat run sends nothing
            if not claimed:
                continue
            orgs = set(
                R.objects.filter(session=session, status=R.Status.ACCEPTED, slot__isnull=False)
                .values_list("firm__organization_id", "representation__organization_id")
                .iterator()
            )
            for org in {o for pair in orgs for o in pair}:
                sent += len(
                    notify(
                        users=_members(org),
                        kind=Kind.MEETING,
                        title=lambda s=session: _("Tomorrow: %s") % s.title,
                        body=gettext_lazy("Your agenda and its calendar file are on the portal."),
                        url=reverse("events:agenda", args=[session.pk]),
                    )
                )
    return sent
