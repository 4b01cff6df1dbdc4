"""Every write to demands and campaigns. Each service checks its permission and records events.

Transitions lock the row (`select_for_update`) and re-check the status under the lock, so two
staff members pressing "publish" at once produce one event, not two.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from accounts.models import Organization, User
from matching.tasks import embed_record, match_demand
from notifications.models import AccountMail
from notifications.services import notify, send_mail
from outbox.services import enqueue_on_commit
from portal.text import detect_language, normalize_text, search_blob
from portal.uploads import MAX_ATTACHMENTS, safe_filename

from . import completeness
from .models import CampaignInvitation, Demand, DemandAttachment, DemandEvent, SurveyCampaign

Status = Demand.Status

TEXT_FIELDS = (
    "title",
    "problem",
    "current_situation",
    "expected_result",
    "keywords",
    "capacity_note",
    "title_en",
    "summary_en",
)
SCALAR_FIELDS = (
    "trl_min",
    "budget_min_vnd",
    "budget_max_vnd",
    "wanted_by",
    "preferred_countries",
    "capacity_staff",
    "capacity_has_space",
    "capacity_investment",
    "visibility",
)
M2M_FIELDS = ("fields", "cooperation")


class IncompleteDemand(ValidationError):
    def __init__(self, issues: list[completeness.Issue]):
        super().__init__([str(issue.message) for issue in issues])
        self.issues = issues


def normalize_multiline(text: str) -> str:
    """NFC + Vietnamese tone placement, line by line (paragraphs are kept)."""
    lines = [normalize_text(line) for line in (text or "").replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()


def normalize_keywords(text: str) -> str:
    parts = [normalize_text(p) for p in (text or "").replace(";", ",").split(",")]
    seen: dict[str, str] = {}
    for part in parts:
        if part and part.lower() not in seen:
            seen[part.lower()] = part
    return ", ".join(seen.values())


def refresh_derived(demand: Demand) -> None:
    """Language and the folded search text follow the texts."""
    texts = [
        demand.title,
        demand.problem,
        demand.current_situation,
        demand.expected_result,
        demand.keywords,
    ]
    demand.language = detect_language(" ".join(texts)) if any(texts) else "vi"
    # The English version is searched too: a representative may type English words.
    demand.search_text = search_blob(*texts, demand.title_en, demand.summary_en)


def _apply(demand: Demand, data: dict[str, Any]) -> dict[str, Any]:
    """Copy known fields from `data` onto the demand; return the M2M values to set after save."""
    for name in TEXT_FIELDS:
        if name in data:
            value = data[name] or ""
            if name == "keywords":
                value = normalize_keywords(value)
            elif name in ("title", "title_en"):
                value = normalize_text(value)[:255]
            else:
                value = normalize_multiline(value)
            setattr(demand, name, value)
    for name in SCALAR_FIELDS:
        if name in data:
            setattr(demand, name, data[name])
    if demand.visibility == "":
        demand.visibility = Demand._meta.get_field("visibility").default
    refresh_derived(demand)
    return {name: data[name] for name in M2M_FIELDS if name in data}


def _record(demand: Demand, *, by: User | None, from_status: str, note: str = "") -> DemandEvent:
    return DemandEvent.objects.create(
        demand=demand, actor=by, from_status=from_status, to_status=demand.status, note=note
    )


def _add_attachments(demand: Demand, by: User, files: Sequence[tuple[Any, str]]) -> None:
    if not files:
        return
    if demand.attachments.count() + len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": _("A demand carries at most %(n)d files.") % {"n": MAX_ATTACHMENTS}}
        )
    for upload, mime in files:
        attachment = DemandAttachment(
            demand=demand,
            original_name=safe_filename(upload.name),
            content_type=mime,
            size=upload.size,
            uploaded_by=by,
        )
        attachment.file.save("upload", upload, save=False)  # stored under a random name
        attachment.save()


@transaction.atomic
def demand_create(
    *, by: User, data: dict[str, Any], attachments: Sequence[tuple[Any, str]] = ()
) -> Demand:
    """Start a draft for the user's enterprise; nothing but format is checked."""
    permissions.require(by, "demand.create")
    organization = by.organization
    demand = Demand(
        organization=organization,
        province_id=organization.province_id,
        created_by=by,
        status=Status.DRAFT,
    )
    m2m = _apply(demand, data)
    demand.save()
    for name, values in m2m.items():
        getattr(demand, name).set(values)
    _add_attachments(demand, by, attachments)
    _record(demand, by=by, from_status="", note="")
    return demand


@transaction.atomic
def demand_update(
    *, demand: Demand, by: User, data: dict[str, Any], attachments: Sequence[tuple[Any, str]] = ()
) -> Demand:
    """Save the writer's changes (a draft save: incomplete values are fine)."""
    permissions.require(by, "demand.edit", demand)
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    permissions.require(by, "demand.edit", demand)  # re-checked under the lock
    m2m = _apply(demand, data)
    demand.save()
    for name, values in m2m.items():
        getattr(demand, name).set(values)
    _add_attachments(demand, by, attachments)
    if demand.status in Demand.LISTED_STATUSES:
        enqueue_on_commit(match_demand, demand.id)
    return demand


@transaction.atomic
def demand_attachment_delete(*, attachment: DemandAttachment, by: User) -> None:
    permissions.require(by, "demand.edit", attachment.demand)
    stored = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


def _notify_enterprise(demand: Demand, *, kind: str, title, body: str = "") -> None:
    """`title`: a lazy string, read in each member's language."""
    notify(
        users=User.objects.filter(organization_id=demand.organization_id, is_active=True),
        kind=kind,
        title=lambda: f"{title}: {demand.title}",
        body=body,
        url=demand.get_absolute_url(),
    )


def _lock(demand: Demand, *, by: User | None, action: str | None) -> Demand:
    """The demand locked for this transaction, with `action` allowed on it as it is now
    (`action=None`: the system moves it, no one's permission applies)."""
    locked = Demand.objects.select_for_update().get(pk=demand.pk)
    if action is not None:
        permissions.require(by, action, locked)
    return locked


def demand_transition(
    demand: Demand,
    to: str,
    *,
    by: User | None,
    note: str = "",
    changes: dict[str, Any] | None = None,
) -> Demand:
    """Move a locked demand to `to` if `Demand.WORKFLOW` allows it, with `changes`, and record
    the DemandEvent. Every status change of a demand goes through here."""
    return Demand.WORKFLOW.move(demand, to, by=by, note=note, changes=changes)


def campaign_running_for(demand: Demand, day: datetime.date) -> SurveyCampaign | None:
    return (
        SurveyCampaign.objects.filter(
            province_id=demand.province_id, opens_on__lte=day, closes_on__gte=day
        )
        .order_by("-opens_on", "-id")
        .first()
    )


@transaction.atomic
def demand_submit(*, demand: Demand, by: User, accept_warnings: bool = False) -> Demand:
    """Send the demand to its province's staff; refuses an incomplete one."""
    permissions.require(by, "demand.submit", demand)
    today = timezone.localdate()
    issues = completeness.check_demand(demand, today=today)
    if any(i.blocking for i in issues) or (issues and not accept_warnings):
        raise IncompleteDemand(issues)
    changes: dict[str, Any] = {"submitted_at": timezone.now()}
    if demand.campaign_id is None:
        # Demands submitted while a survey of their province runs belong to it.
        campaign = campaign_running_for(demand, today)
        if campaign is not None:
            changes["campaign"] = campaign
    submitted = demand_transition(
        _lock(demand, by=by, action="demand.submit"), Status.SUBMITTED, by=by, changes=changes
    )
    # Embed while staff review it: publishing then ranks at once instead of embedding first.
    enqueue_on_commit(embed_record, "demand", submitted.id)
    return submitted


@transaction.atomic
def demand_return(*, demand: Demand, by: User, note: str) -> Demand:
    """Send the demand back to its enterprise with what to change."""
    note = normalize_multiline(note)
    if not note:
        raise ValidationError({"note": _("Say what the enterprise should change.")})
    locked = demand_transition(
        _lock(demand, by=by, action="demand.return"),
        Status.RETURNED,
        by=by,
        note=note,
        changes={"review_note": note},
    )
    _notify_enterprise(
        locked,
        kind="demand_returned",
        title=gettext_lazy("Your demand was returned for changes"),
        body=note,
    )
    return locked


@transaction.atomic
def demand_publish(*, demand: Demand, by: User, note: str = "") -> Demand:
    """Publish a submitted demand and queue its matching."""
    locked = demand_transition(
        _lock(demand, by=by, action="demand.publish"),
        Status.PUBLISHED,
        by=by,
        note=normalize_multiline(note),
        changes={"published_at": timezone.now(), "review_note": ""},
    )
    enqueue_on_commit(match_demand, locked.id)  # never enqueue inside a transaction
    _notify_enterprise(
        locked, kind="demand_published", title=gettext_lazy("Your demand was published")
    )
    return locked


@transaction.atomic
def demand_withdraw(*, demand: Demand, by: User, note: str = "") -> Demand:
    return demand_transition(
        _lock(demand, by=by, action="demand.withdraw"),
        Status.WITHDRAWN,
        by=by,
        note=normalize_multiline(note),
    )


@transaction.atomic
def demand_mark_in_connection(*, demand: Demand, by: User | None, note: str = "") -> Demand:
    """A match was introduced: the demand is being followed up with a partner.

    `by=None` is the system (the matching pipeline acting on a staff decision).
    """
    locked = _lock(demand, by=by, action="demand.mark_in_connection" if by else None)
    return demand_transition(locked, Status.IN_CONNECTION, by=by, note=note)


@transaction.atomic
def demand_fulfil(*, demand: Demand, by: User, note: str = "") -> Demand:
    return demand_transition(
        _lock(demand, by=by, action="demand.fulfil"),
        Status.FULFILLED,
        by=by,
        note=normalize_multiline(note),
    )


@transaction.atomic
def demand_close(*, demand: Demand, by: User, note: str = "") -> Demand:
    return demand_transition(
        _lock(demand, by=by, action="demand.close"),
        Status.CLOSED,
        by=by,
        note=normalize_multiline(note),
    )


def demands_expire_overdue(*, today: datetime.date | None = None) -> int:
    """Expire open demands whose wanted-by date has passed; safe to run any number of times."""
    today = today or timezone.localdate()
    overdue = Demand.objects.filter(status__in=Demand.OPEN_STATUSES, wanted_by__lt=today)
    expired = 0
    for demand_id in overdue.values_list("id", flat=True):
        with transaction.atomic():
            demand = Demand.objects.select_for_update().get(pk=demand_id)
            # compare-and-swap: a demand withdrawn meanwhile is left alone
            if (
                demand.status not in Demand.OPEN_STATUSES
                or not demand.wanted_by
                or demand.wanted_by >= today
            ):
                continue
            demand_transition(
                demand, Status.EXPIRED, by=None, note=_("The wanted-by date has passed.")
            )
            expired += 1
    return expired


# --- survey campaigns ----------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    by: User,
    name: str,
    year: int,
    opens_on: datetime.date,
    closes_on: datetime.date,
    intro: str = "",
) -> SurveyCampaign:
    """Open a survey campaign in the staff member's province."""
    permissions.require(by, "campaign.create")
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("A campaign closes after it opens.")})
    return SurveyCampaign.objects.create(
        province_id=by.province_id,
        name=normalize_text(name),
        year=year,
        opens_on=opens_on,
        closes_on=closes_on,
        intro=normalize_multiline(intro),
        created_by=by,
    )


@transaction.atomic
def campaign_invite(
    *, campaign: SurveyCampaign, by: User, emails: Iterable[str]
) -> list[CampaignInvitation]:
    """Invite enterprises by email (again-invited addresses are skipped); mails after commit."""
    permissions.require(by, "campaign.manage", campaign)
    wanted = list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))
    already = set(campaign.invitations.filter(email__in=wanted).values_list("email", flat=True))
    organizations: dict[str, Organization] = {}
    for org in Organization.objects.filter(
        province_id=campaign.province_id,
        kind=Organization.Kind.ENTERPRISE,
        contact_email__in=wanted,
    ):
        organizations[org.contact_email.lower()] = org
    for member in User.objects.filter(
        email__in=wanted,
        organization__province_id=campaign.province_id,
        organization__kind=Organization.Kind.ENTERPRISE,
    ).select_related("organization"):
        organizations.setdefault(member.email.lower(), member.organization)
    created = [
        CampaignInvitation.objects.create(
            campaign=campaign, email=email, organization=organizations.get(email)
        )
        for email in wanted
        if email not in already
    ]
    send_mail(
        to=[invitation.email for invitation in created],
        template="demands/email/campaign_invitation",
        context={
            "campaign": campaign,
            "url": settings.SITE_URL + "/demands/new/",
            "signup_url": settings.SITE_URL + "/accounts/signup/",
        },
        kind=AccountMail.CAMPAIGN_INVITATION,
    )
    return created
