"""Staff decisions on matches, introductions with consent and the pipeline to an agreement.

Every write locks the match, checks the permission and the transition, records a MatchEvent
(the labels that later tune the weights) and notifies people after the commit.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from accounts.models import Organization, User
from demands.models import Demand
from matching.models import Answer, Match, RejectReason
from matching.selectors import ANSWER_THRESHOLD
from notifications.models import Kind
from notifications.services import Text, notify, render_text
from portal.i18n import in_language_of, language_name
from portal.states import TransitionError, Workflow

from .models import Agreement, MatchEvent, Meeting

Status = Match.Status
ANSWER_DAYS = 14  # a side that has not answered an introduction by then gets a reminder
UNDO_SECONDS = 60  # a shortlist or a rejection can be taken back this long by whoever made it
# The moves an undo makes: back to where a shortlist or a rejection started. Kept apart from
# Match.WORKFLOW, which must not let anyone send a pair back to "proposed" at will.
UNDO_WORKFLOW = Workflow(
    {
        Status.SHORTLISTED: {Status.PROPOSED},
        Status.REJECTED: {Status.PROPOSED, Status.SHORTLISTED},
    },
    refusal=gettext_lazy("A match that is %(status)s cannot go back to %(to)s."),
)


def _lock(match: Match) -> Match:
    return (
        Match.objects.select_for_update(of=("self",))
        .select_related(
            "demand", "demand__organization", "demand__province", "offer", "offer__representation"
        )
        .get(pk=match.pk)
    )


def match_transition(
    match: Match,
    to: str,
    *,
    by: User | None,
    note: str = "",
    changes: dict[str, Any] | None = None,
) -> Match:
    """Move a locked match (`_lock`) to `to` if `Match.WORKFLOW` allows it, with `changes`, and
    record the MatchEvent. Every status change of a match goes through here."""
    return Match.WORKFLOW.move(match, to, by=by, note=note, changes=changes)


# --- who hears about it -------------------------------------------------------------------


def enterprise_users(match: Match):
    return User.objects.filter(organization_id=match.demand.organization_id, is_active=True)


def representation_users(match: Match):
    return User.objects.filter(organization_id=match.offer.representation_id, is_active=True)


def province_staff(province_id: int):
    return User.objects.filter(
        organization__kind=Organization.Kind.PROVINCIAL_DEPARTMENT,
        organization__province_id=province_id,
        is_active=True,
    )


def _demand_line(match: Match, user: User) -> str:
    with in_language_of(user):
        return _("Demand: %s") % demand_summary(match, user)


def demand_summary(match: Match, viewer: User) -> str:
    """The demand as `viewer` may see it: the firm's identity only where visibility allows."""
    demand = match.demand
    province = demand.province.name if demand.province_id else ""
    if not permissions.can(viewer, "demand.see_title", demand):
        return _("A confidential technology demand of an enterprise in %(province)s.") % {
            "province": province
        }
    if permissions.can(viewer, "demand.view_identity", demand):
        return _("%(title)s (%(firm)s, %(province)s)") % {
            "title": demand.display_title,  # the firm's English title for an English reader
            "firm": demand.organization.name,
            "province": province,
        }
    return _("%(title)s (an enterprise in %(province)s)") % {
        "title": demand.display_title,
        "province": province,
    }


def _url(match: Match) -> str:
    return reverse("connections:detail", args=[match.pk])


# Title and body are lazy strings or callables: each recipient reads them in their language.
def _tell_parties(match: Match, *, kind: str, title: Text, body: Text = "") -> None:
    url = _url(match)
    for user in [*enterprise_users(match), *representation_users(match)]:
        with in_language_of(user):
            lines = [
                render_text(body),
                _("Demand: %s") % demand_summary(match, user),
                _("Offer: %s") % match.offer.display_title,
            ]
        notify(users=[user], kind=kind, title=title, url=url, body="\n".join(filter(None, lines)))


def _tell_staff(match: Match, *, kind: str, title: Text, body: Text = "") -> None:
    notify(
        users=province_staff(match.demand.province_id),
        kind=kind,
        title=title,
        url=_url(match),
        body=lambda: "\n".join(
            filter(
                None,
                [
                    render_text(body),
                    _("Demand: %s") % match.demand.title,
                    _("Offer: %s") % match.offer.display_title,
                ],
            )
        ),
    )


# --- review --------------------------------------------------------------------------------


@transaction.atomic
def match_shortlist(*, match: Match, by: User, note: str = "") -> Match:
    """Keep a proposed match for introduction (or undo a rejection)."""
    locked = _lock(match)
    permissions.require(by, "match.review", locked)
    changes = {"reviewer": by, "reject_reason": ""}
    return match_transition(
        locked, by=by, to=Status.SHORTLISTED, note=note.strip(), changes=changes
    )


@transaction.atomic
def match_reject(*, match: Match, by: User, reason: str, note: str = "") -> Match:
    """Reject a match with a reason from the list (and a text when the reason is "other")."""
    permissions.require(by, "match.review", match)
    note = note.strip()
    if reason not in RejectReason.values:
        raise ValidationError({"reason": _("Choose why the match is rejected.")})
    if reason == RejectReason.OTHER and not note:
        raise ValidationError({"note": _("Say why the match is rejected.")})
    locked = _lock(match)
    permissions.require(by, "match.review", locked)
    label = RejectReason(reason).label
    return match_transition(
        locked,
        by=by,
        to=Status.REJECTED,
        note=f"{label}: {note}" if note else str(label),
        changes={"reviewer": by, "reject_reason": reason},
    )


@transaction.atomic
def match_undo(*, match: Match, by: User, now: datetime.datetime | None = None) -> Match:
    """Take back the shortlist or rejection `by` made on `match` less than UNDO_SECONDS ago, if
    the match is still where that action left it; the undo is recorded as a MatchEvent too.

    Raises PermissionDenied when `by` never moved the match (or may not review it),
    ValidationError when it is too late or the match has moved since."""
    locked = _lock(match)
    permissions.require(by, "match.review", locked)
    history = locked.events.order_by("-created_at", "-id")
    last = history.filter(actor=by).first()
    if last is None:
        raise PermissionDenied(_("Only who made the last change can undo it."))
    back = last.from_status
    moved_since = history.values_list("pk", flat=True).first() != last.pk
    if (
        moved_since
        or last.to_status != locked.status
        or not UNDO_WORKFLOW.allows(locked.status, back)
    ):
        raise ValidationError(
            _("Match #%(id)d can no longer be undone: it is %(status)s now.")
            % {"id": locked.pk, "status": locked.get_status_display()}
        )
    if (now or timezone.now()) - last.created_at > datetime.timedelta(seconds=UNDO_SECONDS):
        raise ValidationError(
            _("Match #%(id)d can no longer be undone: more than a minute has passed.")
            % {"id": locked.pk}
        )
    # Undoing a rejection of a shortlisted pair keeps its reviewer; a pair back to
    # "proposed" has none.
    return UNDO_WORKFLOW.move(
        locked,
        back,
        by=by,
        note=_("Undo"),
        changes={"reject_reason": "", "reviewer": by if back == Status.SHORTLISTED else None},
    )


@transaction.atomic
def match_introduce(*, match: Match, by: User, note: str = "", covering_note: str = "") -> Match:
    """Introduce the enterprise and the representation; each side then answers.

    `covering_note` is the staff's own text: both introduction mails carry it as written."""
    from demands.services import demand_mark_in_connection

    locked = _lock(match)
    permissions.require(by, "match.introduce", locked)
    locked = match_transition(
        locked,
        by=by,
        to=Status.INTRODUCED,
        note=note.strip(),
        changes={
            "reviewer": by,
            "introduced_at": timezone.now(),
            "reminder_sent_at": None,
            "enterprise_answer": Answer.PENDING,
            "representation_answer": Answer.PENDING,
        },
    )
    if locked.demand.status == Demand.Status.PUBLISHED:
        demand_mark_in_connection(
            demand=locked.demand, by=None, note=_("Introduced to offer #%d") % locked.offer_id
        )
    _tell_parties(
        locked,
        kind=Kind.INTRODUCTION,
        title=lambda: _("New introduction: please answer within %d days") % ANSWER_DAYS,
        body=_introduction_body(covering_note.strip()),
    )
    return locked


def _introduction_body(covering_note: str):
    """The introduction's text in the reader's language, then the staff's note as written."""

    def body() -> str:
        text = _(
            "Staff of the provincial Department of Science and Technology think this "
            "demand and offer fit. Say whether you are interested; contact details "
            "are exchanged only when both sides are."
        )
        if covering_note:
            text += "\n\n" + _("A note from the staff:") + "\n" + covering_note + "\n"
        return text

    return body


@transaction.atomic
def match_answer(*, match: Match, by: User, answer: str, message: str = "") -> Match:
    """One side answers an introduction; both interested -> consented, one not -> dropped."""
    if answer not in (Answer.INTERESTED, Answer.NOT_INTERESTED):
        raise ValidationError({"answer": _("Choose interested or not interested.")})
    locked = _lock(match)
    permissions.require(by, "match.answer", locked)
    now = timezone.now()
    message = message.strip()
    if locked.demand.organization_id == by.organization_id:
        side, label = "enterprise", gettext_lazy("the enterprise")
    else:
        side, label = "representation", gettext_lazy("the representation")
    setattr(locked, f"{side}_answer", answer)
    setattr(locked, f"{side}_message", message)
    setattr(locked, f"{side}_answered_at", now)
    locked.save(
        update_fields=[f"{side}_answer", f"{side}_message", f"{side}_answered_at", "updated_at"]
    )
    said = Answer(answer).label
    if answer == Answer.NOT_INTERESTED:
        match_transition(
            locked,
            by=by,
            to=Status.DROPPED,
            note=message,
            changes={
                "drop_reason": _("%(side)s is not interested. %(message)s")
                % {"side": label, "message": message}
            },
        )
    elif locked.both_consented:
        from .thread_services import thread_share_answers

        match_transition(locked, by=by, to=Status.CONSENTED, note=message)
        thread_share_answers(locked, by=by)  # each answer's message reaches the other side
    else:
        MatchEvent.objects.create(
            match=locked,
            actor=by,
            from_status=Status.INTRODUCED,
            to_status=Status.INTRODUCED,
            note=_("%(side)s: %(answer)s") % {"side": label, "answer": said},
        )
    title: Text = gettext_lazy("Both sides are interested: contact details are now shared")
    if locked.status != Status.CONSENTED:

        def title() -> str:
            return _("Answer to an introduction: %(side)s is %(answer)s") % {
                "side": label,
                "answer": Answer(answer).label,
            }

    other = representation_users(locked) if side == "enterprise" else enterprise_users(locked)
    url = _url(locked)
    for user in other:
        notify(
            users=[user],
            kind=Kind.ANSWER,
            title=title,
            url=url,
            body=_demand_line(locked, user),
        )
    if locked.status == Status.CONSENTED:
        for user in by.organization.members.filter(is_active=True):
            notify(
                users=[user],
                kind=Kind.ANSWER,
                title=title,
                url=url,
                body=_demand_line(locked, user),
            )
    _tell_staff(locked, kind=Kind.ANSWER, title=title, body=message)
    return locked


# --- pipeline after consent ----------------------------------------------------------------

MEETING_FIELDS = (
    "starts_at",
    "timezone",
    "mode",
    "place",
    "participants",
    "interpreter_needed",
    "interpreter_language",
    "minutes",
)


def _meeting_text(meeting: Meeting) -> str:
    """The meeting as its reader reads it (call inside in_language_of): the time in the
    meeting's zone, and in the reader's own zone when it differs."""
    import zoneinfo

    from django.utils.formats import date_format

    local = meeting.starts_at.astimezone(zoneinfo.ZoneInfo(meeting.timezone))
    when = f"{date_format(local, 'SHORT_DATETIME_FORMAT')} ({meeting.timezone})"
    reader_zone = timezone.get_current_timezone()
    if str(reader_zone) != meeting.timezone:
        mine = meeting.starts_at.astimezone(reader_zone)
        when += f" = {date_format(mine, 'SHORT_DATETIME_FORMAT')} ({reader_zone})"
    lines = [when, meeting.get_mode_display()]
    if meeting.place:
        lines.append(meeting.place)
    if meeting.interpreter_needed:
        lines.append(
            _("Interpreter: %s") % (language_name(meeting.interpreter_language) or _("yes"))
        )
    return "\n".join(str(line) for line in lines)


@transaction.atomic
def match_schedule_meeting(*, match: Match, by: User, data: dict[str, Any]) -> Meeting:
    """Schedule a meeting (the first after consent, or another one)."""
    locked = _lock(match)
    permissions.require(by, "match.record_meeting", locked)
    match_transition(locked, by=by, to=Status.MEETING, note=data.get("participants", ""))
    meeting = Meeting.objects.create(
        match=locked, created_by=by, **{k: v for k, v in data.items() if k in MEETING_FIELDS}
    )
    _tell_parties(
        locked,
        kind=Kind.MEETING,
        title=gettext_lazy("A meeting was scheduled"),
        body=lambda: _meeting_text(meeting),
    )
    return meeting


@transaction.atomic
def match_update_meeting(*, meeting: Meeting, by: User, data: dict[str, Any]) -> Meeting:
    """Change a meeting or record its minutes; the parties hear of a new time or place."""
    locked = _lock(meeting.match)
    permissions.require(by, "match.record_meeting", locked)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk, match=locked)
    changed = [k for k in MEETING_FIELDS if k in data and getattr(meeting, k) != data[k]]
    for name in changed:
        setattr(meeting, name, data[name])
    if not changed:
        return meeting
    meeting.save(update_fields=[*changed, "updated_at"])
    MatchEvent.objects.create(
        match=locked,
        actor=by,
        from_status=locked.status,
        to_status=locked.status,
        note=_("Meeting changed: %s") % ", ".join(changed),
    )
    if {"starts_at", "timezone", "mode", "place"} & set(changed):
        _tell_parties(
            locked,
            kind=Kind.MEETING,
            title=gettext_lazy("A meeting was changed"),
            body=lambda: _meeting_text(meeting),
        )
    return meeting


@transaction.atomic
def match_start_negotiation(*, match: Match, by: User, note: str = "") -> Match:
    locked = _lock(match)
    permissions.require(by, "match.record_outcome", locked)
    return match_transition(locked, by=by, to=Status.NEGOTIATING, note=note.strip())


@transaction.atomic
def match_record_agreement(
    *,
    match: Match,
    by: User,
    kind: str,
    signed_on: datetime.date,
    value_vnd: int | None = None,
    registration_required: bool = False,
    registration_number: str = "",
    registered_on: datetime.date | None = None,
    note: str = "",
) -> Agreement:
    """The parties signed: record the agreement and tell everyone involved."""
    agreement = Agreement(
        kind=kind,
        signed_on=signed_on,
        value_vnd=value_vnd,
        registration_required=registration_required,
        registration_number=registration_number.strip(),
        registered_on=registered_on,
        note=note.strip(),
        created_by=by,
    )
    locked = _lock(match)
    permissions.require(by, "match.record_outcome", locked)
    if errors := agreement.date_errors(timezone.localdate()):
        raise ValidationError(errors)
    match_transition(locked, by=by, to=Status.AGREEMENT, note=note.strip())
    agreement.match = locked
    agreement.save()

    def title() -> str:
        return _("An agreement was recorded: %s") % agreement.get_kind_display()

    _tell_parties(locked, kind=Kind.AGREEMENT, title=title)
    _tell_staff(locked, kind=Kind.AGREEMENT, title=title)
    return agreement


REGISTRATION_FIELDS = ("registration_required", "registration_number", "registered_on")


@transaction.atomic
def agreement_complete(*, match: Match, by: User, data: dict[str, Any]) -> Agreement:
    """Complete a recorded agreement with its registration (the certificate number and date
    the S&T department gives a technology transfer contract), recorded in the history."""
    locked = _lock(match)
    permissions.require(by, "match.complete_agreement", locked)
    agreement = Agreement.objects.select_for_update().get(match=locked)
    changes = {k: data[k] for k in REGISTRATION_FIELDS if k in data}
    if isinstance(changes.get("registration_number"), str):
        changes["registration_number"] = changes["registration_number"].strip()
    changed = [k for k, v in changes.items() if getattr(agreement, k) != v]
    for name in changed:
        setattr(agreement, name, changes[name])
    if errors := agreement.date_errors(timezone.localdate()):
        raise ValidationError(errors)
    if not changed:
        return agreement
    agreement.save(update_fields=changed)
    MatchEvent.objects.create(
        match=locked,
        actor=by,
        from_status=locked.status,
        to_status=locked.status,
        note=_("Agreement completed: %s")
        % ", ".join(str(Agreement._meta.get_field(k).verbose_name) for k in changed),
    )
    return agreement


@transaction.atomic
def match_drop(*, match: Match, by: User, reason: str) -> Match:
    """The connection ended without an agreement."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the connection was dropped.")})
    locked = _lock(match)
    permissions.require(by, "match.record_outcome", locked)
    if locked.status == Status.INTRODUCED:  # only the parties' answers drop an introduction
        raise TransitionError(_("An introduction is dropped by a party's answer."))
    return match_transition(
        locked, by=by, to=Status.DROPPED, note=reason, changes={"drop_reason": reason}
    )


# --- periodic --------------------------------------------------------------------------------


def _replied(side: str):
    """The side wrote in the match's thread: a reply is an answer (no reminder, not overdue)."""
    from django.db.models import Exists, OuterRef

    from .models import Message

    return Exists(Message.objects.filter(match_id=OuterRef("pk"), side=side))


def overdue_answers():
    """Introductions older than ANSWER_DAYS with at least one side still silent (neither an
    answer nor a reply in the thread)."""
    from django.db.models import Q

    cutoff = timezone.now() - datetime.timedelta(days=ANSWER_DAYS)
    return (
        Match.objects.filter(status=Status.INTRODUCED, introduced_at__lt=cutoff)
        .annotate(
            enterprise_replied=_replied("enterprise"),
            representation_replied=_replied("representation"),
        )
        .filter(
            Q(enterprise_answer=Answer.PENDING, enterprise_replied=False)
            | Q(representation_answer=Answer.PENDING, representation_replied=False)
        )
    )


def matches_remind_overdue() -> int:
    """Remind each silent side once; safe to run any number of times."""
    sent = 0
    for match in (
        overdue_answers()
        .filter(reminder_sent_at__isnull=True)
        .select_related("demand", "demand__province", "demand__organization", "offer")
    ):
        with transaction.atomic():
            # Compare-and-swap: only the run that sets reminder_sent_at sends the reminder.
            if not Match.objects.filter(pk=match.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=timezone.now()
            ):
                continue
            users = []
            if match.enterprise_answer == Answer.PENDING and not match.enterprise_replied:
                users += list(enterprise_users(match))
            if match.representation_answer == Answer.PENDING and not match.representation_replied:
                users += list(representation_users(match))
            for user in users:
                notify(
                    users=[user],
                    kind=Kind.REMINDER,
                    url=_url(match),
                    title=gettext_lazy("Reminder: an introduction awaits your answer"),
                    body=_demand_line(match, user),
                )
            sent += 1
    return sent


def staff_weekly_digest() -> int:
    """Tell each province's staff how many matches await their review; returns emails queued."""
    from django.db.models import Count

    waiting = dict(
        Match.objects.filter(
            status__in=Match.REVIEW_STATUSES,
            demand__status__in=Demand.LIVE_STATUSES,
            score__gte=ANSWER_THRESHOLD,
        )
        .values_list("demand__province_id")
        .annotate(n=Count("id"))
        .values_list("demand__province_id", "n")
    )
    count = 0
    url = reverse("connections:review")
    for province_id, n in waiting.items():
        staff = list(province_staff(province_id))
        notify(
            users=staff,
            kind=Kind.DIGEST,
            url=url,
            title=lambda n=n: _("%d matches await your review") % n,
            body=gettext_lazy("Open the review queue to shortlist, reject or introduce them."),
        )
        count += len(staff)
    return count
