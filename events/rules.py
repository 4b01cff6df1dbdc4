"""Who may do what with a connection session (object rules, registered with django-rules).

A session is run by the coordinator or the staff of its province; it is seen by every
signed-in user once it is out of draft; the firms of its province register while the
registration window is open; representations take part only when invited. A meeting request
is answered by the side that did not ask, and its outcome recorded by each side for itself.
"""

from __future__ import annotations

import rules
from django.utils import timezone

from accounts.permissions.core import (
    in_users_province,
    is_enterprise,
    is_national,
    is_representative,
    is_staff,
)

from .models import MeetingRequest, Registration, Session


def registration_of(user, session) -> Registration | None:
    """The user's organisation's registration in `session` (invited or registered)."""
    if not getattr(user, "organization_id", None):
        return None
    cache = getattr(user, "_session_registrations", None)
    if cache is None:
        cache = user._session_registrations = {}
    if session.pk not in cache:
        cache[session.pk] = (
            Registration.objects.filter(session=session, organization_id=user.organization_id)
            .exclude(status=Registration.Status.WITHDRAWN)
            .first()
        )
    return cache[session.pk]


@rules.predicate
def runs_session(user, session) -> bool:
    return bool(is_national(user) or (is_staff(user) and in_users_province(user, session)))


@rules.predicate
def is_published(user, session) -> bool:
    return session.status != Session.Status.DRAFT


@rules.predicate
def registration_open(user, session) -> bool:
    return session.is_registration_open(timezone.localdate())


@rules.predicate
def is_invited(user, session) -> bool:
    registration = registration_of(user, session)
    return registration is not None and registration.kind == Registration.Kind.REPRESENTATION


@rules.predicate
def is_registered(user, session) -> bool:
    registration = registration_of(user, session)
    return registration is not None and registration.status == Registration.Status.REGISTERED


@rules.predicate
def not_held(user, session) -> bool:
    return session.status != Session.Status.HELD


# --- requests --------------------------------------------------------------------------------


def side_of(user, request: MeetingRequest) -> str | None:
    """ "enterprise" or "representation" when the user's organisation is that side."""
    org = getattr(user, "organization_id", None)
    if org is None:
        return None
    if is_enterprise(user) and request.firm.organization_id == org:
        return "enterprise"
    if is_representative(user) and request.representation.organization_id == org:
        return "representation"
    return None


@rules.predicate
def is_party(user, request) -> bool:
    return side_of(user, request) is not None


@rules.predicate
def runs_request_session(user, request) -> bool:
    return runs_session(user, request.session)


@rules.predicate
def own_answer_pending(user, request) -> bool:
    side = side_of(user, request)
    return (
        side is not None
        and request.status == MeetingRequest.Status.REQUESTED
        and getattr(request, f"{side}_answer") == MeetingRequest.Answer.PENDING
    )


@rules.predicate
def is_placed_meeting(user, request) -> bool:
    return request.status == MeetingRequest.Status.ACCEPTED and request.slot is not None


@rules.predicate
def is_open_request(user, request) -> bool:
    return request.status in (MeetingRequest.Status.REQUESTED, MeetingRequest.Status.ACCEPTED)


rules.add_rule("session.list", is_enterprise | is_representative | is_staff | is_national)
rules.add_rule("session.create", is_staff | is_national)
rules.add_rule("session.manage", runs_session)
rules.add_rule("session.view", runs_session | is_published)
rules.add_rule(
    "session.register",
    is_enterprise & in_users_province & is_published & registration_open & ~is_registered,
)
rules.add_rule(
    "session.accept_invitation", is_representative & is_invited & is_published & not_held
)
rules.add_rule("session.edit_registration", is_registered & is_published & not_held)
rules.add_rule("session.take_part", is_registered & is_published)
rules.add_rule("session.ask_meeting", is_registered & is_published & not_held)
rules.add_rule("session.view_agenda", runs_session | (is_registered & is_published))
rules.add_rule("session.view_report", runs_session)
rules.add_rule("meeting.view", runs_request_session | is_party)
rules.add_rule("meeting.answer", own_answer_pending)
rules.add_rule("meeting.manage", runs_request_session)
rules.add_rule("meeting.drop", runs_request_session & is_open_request)
rules.add_rule("meeting.check_in", runs_request_session & is_placed_meeting)
rules.add_rule("meeting.record_outcome", is_party & is_placed_meeting)
