"""Writes: saving, changing and deleting searches, unsubscribing, and sending the digests.

A digest is idempotent per saved search and period: its `Digest` row (unique per period),
its `Hit` rows (unique per record), the in-app notification and the queued mail (an outbox
row, `notifications.services.send_mail`) commit in one transaction. A run that fails commits
none of them and is retried; a run that committed is never repeated for that period, and a
record is never delivered twice for the same search. The mail task itself retries SMTP
failures until it is sent.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import permissions
from accounts.models import Organization, Role, User
from demands.models import Demand
from notifications.models import Kind
from notifications.services import notify, send_mail
from offers.models import Offer
from portal.i18n import language_of
from portal.models import Field

from . import selectors
from .models import Digest, Hit, SavedSearch

logger = logging.getLogger(__name__)

Target = SavedSearch.Target
Frequency = SavedSearch.Frequency
MAX_SAVED_SEARCHES = 50  # per person: enough to follow every field of an area, not a scraper
MAX_HITS = 200  # records one digest delivers; the rest are on the list the mail links to
SHOWN_IN_MAIL = 20
# A record is looked for again this long after a run: a publication whose transaction
# committed after the run started (its published_at is earlier) is not missed. The Hit rows
# keep it from being delivered twice.
GRACE = dt.timedelta(minutes=10)
UNSUBSCRIBE_SALT = "alerts.unsubscribe"


# --- saving and managing ------------------------------------------------------------------------


def name_suggest(*, target: str, query: str) -> str:
    """A name for a search from its filters: the words searched, else the field, else the list."""
    data = QueryDict(query or "")
    if data.get("q"):
        return data["q"].strip()[:120]
    code = data.get("field")
    if code:
        found = Field.objects.filter(code=code).first()
        if found is not None:
            return str(found)[:120]
    return str(Target(target).label).capitalize() if target in Target.values else ""


@transaction.atomic
def saved_search_create(
    *, user: User, target: str, query: str, name: str, frequency: str = Frequency.DAILY
) -> SavedSearch:
    """Save a list's filters under a name, with alerts at the chosen frequency."""
    permissions.require(user, "savedsearch.create")
    query = selectors.query_normalise(target=target, user=user, query=query)
    if frequency not in Frequency.values:
        raise ValidationError(_("Choose how often you want alerts."))
    name = " ".join((name or "").split())[:120] or name_suggest(target=target, query=query)
    mine = SavedSearch.objects.select_for_update().filter(user=user)
    same = mine.filter(target=target, query=query, is_default=False).first()
    if same is not None:
        raise ValidationError(
            _("You already saved this search as «%(name)s».") % {"name": same.name}
        )
    if mine.count() >= MAX_SAVED_SEARCHES:
        raise ValidationError(
            _("You have %(n)d saved searches, the most one person may keep: delete one first.")
            % {"n": MAX_SAVED_SEARCHES}
        )
    return SavedSearch.objects.create(
        user=user, target=target, query=query, name=name, frequency=frequency
    )


def field_follow(*, user: User, field: Field, target: str = Target.OFFERS) -> SavedSearch:
    """ "Follow this field": the list filtered by the field, saved with daily alerts."""
    return saved_search_create(
        user=user, target=target, query=f"field={field.code}", name=str(field)
    )


@transaction.atomic
def saved_search_update(
    *, saved_search: SavedSearch, by: User, name: str, frequency: str, is_active: bool
) -> SavedSearch:
    """Rename a saved search, change how often it alerts, or switch its alerts off or on."""
    permissions.require(by, "savedsearch.manage", saved_search)
    name = " ".join((name or "").split())[:120]
    if not name:
        raise ValidationError(_("Give the search a name."))
    if frequency not in Frequency.values:
        raise ValidationError(_("Choose how often you want alerts."))
    saved_search.name, saved_search.frequency = name, frequency
    if is_active and not saved_search.is_active:
        # Switched back on: alert from now, not with everything published while it was off.
        saved_search.last_run_at = timezone.now()
    saved_search.is_active = is_active
    saved_search.save(update_fields=["name", "frequency", "is_active", "last_run_at", "updated_at"])
    return saved_search


@transaction.atomic
def saved_search_delete(*, saved_search: SavedSearch, by: User) -> None:
    permissions.require(by, "savedsearch.manage", saved_search)
    saved_search.delete()


def unsubscribe_token(saved_search: SavedSearch) -> str:
    """A signed token naming the search and its owner: the mail's link needs no sign-in."""
    return signing.dumps(
        {"s": saved_search.pk, "u": saved_search.user_id}, salt=UNSUBSCRIBE_SALT, compress=True
    )


def saved_search_from_token(token: str) -> SavedSearch | None:
    """The saved search a valid token names, else None (forged, altered, or deleted since)."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict):
        return None
    return SavedSearch.objects.filter(pk=value.get("s"), user_id=value.get("u")).first()


@transaction.atomic
def saved_search_unsubscribe(*, saved_search: SavedSearch) -> SavedSearch:
    """Switch a search's alerts off (the token was checked by the caller); kept, not deleted,
    so the owner can switch them on again and the representative's automatic alert is not
    created anew."""
    SavedSearch.objects.filter(pk=saved_search.pk).update(
        is_active=False, updated_at=timezone.now()
    )
    saved_search.is_active = False
    return saved_search


def default_alerts_ensure(*, user: User | None = None) -> int:
    """Give each representative (or just `user`) whose organisation publishes offers its
    automatic alert: new demands in the fields of those offers, daily. Run before each daily
    send and when a representative opens the page; one switched off stays off."""
    publishing = Offer.objects.filter(status=Offer.Status.PUBLISHED).values("representation_id")
    users = User.objects.filter(
        is_active=True,
        organization__kind=Organization.Kind.REPRESENTATION,
        organization_id__in=publishing,
    ).exclude(saved_searches__is_default=True)
    if user is not None:
        if permissions.role_of(user) != Role.REPRESENTATIVE:
            return 0
        users = users.filter(pk=user.pk)
    created = 0
    for user in users:
        if permissions.role_of(user) != Role.REPRESENTATIVE:
            continue
        with translation.override(language_of(user)):
            name = _("New demands in the fields of my offers")
        _obj, made = SavedSearch.objects.get_or_create(
            user=user,
            is_default=True,
            defaults={
                "name": name,
                "target": Target.DEMANDS,
                "frequency": Frequency.DAILY,
                # The first digest covers the day before the alert existed, not years of demands.
                "last_run_at": timezone.now() - dt.timedelta(days=1),
            },
        )
        created += made
    return created


# --- sending ------------------------------------------------------------------------------------


def period_of(frequency: str, now: dt.datetime) -> str:
    """The period a run belongs to, in the portal's time zone: a day, an ISO week, a minute."""
    local = timezone.localtime(now)
    if frequency == Frequency.DAILY:
        return f"d:{local:%Y-%m-%d}"
    if frequency == Frequency.WEEKLY:
        year, week, _day = local.isocalendar()
        return f"w:{year}-W{week:02d}"
    return f"i:{local:%Y-%m-%dT%H:%M}"


def digests_send(*, frequency: str, period: str, now: dt.datetime | None = None) -> tuple[int, int]:
    """Send this period's digest of every active search of `frequency`; (sent, failed).

    Each search runs in its own transaction: one that fails does not hold back the others,
    and a rerun for the same period skips the searches already sent."""
    now = now or timezone.now()
    if frequency == Frequency.DAILY:
        default_alerts_ensure()
    searches = SavedSearch.objects.filter(frequency=frequency, is_active=True)
    if frequency == Frequency.INSTANT:
        searches = searches.filter(_may_have_news())
    sent = failed = 0
    for pk in searches.values_list("pk", flat=True).order_by("pk"):
        try:
            sent += saved_search_deliver(saved_search_id=pk, period=period, now=now) is not None
        except Exception:  # one search's failure must not stop the others; the task retries
            logger.exception("alert digest %s for saved search %s failed", period, pk)
            failed += 1
    return sent, failed


def _may_have_news() -> Q:
    """Instant searches run every minute: only those a publication since their last run (or
    within the grace period) could concern, found with one indexed query per list."""
    newest_offer = Offer.objects.filter(status=Offer.Status.PUBLISHED).aggregate(
        at=Max("published_at")
    )["at"]
    newest_demand = Demand.objects.filter(status__in=Demand.LIVE_STATUSES).aggregate(
        at=Max("published_at")
    )["at"]
    condition = Q(pk__in=[])
    for target, newest in ((Target.OFFERS, newest_offer), (Target.DEMANDS, newest_demand)):
        if newest is not None:
            condition |= Q(target=target) & (
                Q(last_run_at__isnull=True) | Q(last_run_at__lt=newest + GRACE)
            )
    return condition


def saved_search_deliver(*, saved_search_id: int, period: str, now: dt.datetime) -> Digest | None:
    """Deliver the new records of one saved search for one period, in-app and in one mail;
    None when there is nothing new or the period was already sent."""
    with transaction.atomic():
        saved_search = (
            SavedSearch.objects.select_for_update(of=("self",))
            .select_related("user", "user__organization")
            .filter(pk=saved_search_id, is_active=True)
            .first()
        )
        if saved_search is None or saved_search.digests.filter(period=period).exists():
            return None
        user = saved_search.user
        since = (
            saved_search.last_run_at - GRACE
            if saved_search.last_run_at
            else saved_search.created_at
        )
        records = []
        if permissions.can(user, "savedsearch.manage", saved_search):
            records = list(
                selectors.saved_search_records(saved_search, since=since)
                .filter(published_at__lte=now)
                .prefetch_related("fields")[:MAX_HITS]
            )
        saved_search.last_run_at = now
        saved_search.save(update_fields=["last_run_at"])
        if not records:
            return None
        digest = Digest.objects.create(
            saved_search=saved_search, period=period, record_count=len(records)
        )
        Hit.objects.bulk_create(
            Hit(saved_search=saved_search, digest=digest, record_id=record.pk) for record in records
        )
        _announce(saved_search, digest, records)
        return digest


def _record_line(saved_search: SavedSearch, record, language: str) -> dict:
    """What a digest says of a record, in the reader's language where the author gave one;
    no firm is named (an anonymised demand stays so)."""
    fields = ", ".join(f.code for f in record.fields.all())
    if saved_search.target == Target.OFFERS:
        title = record.display_title if language == "vi" else record.title
        country = str(record.provider_country.name)
        detail = " · ".join(part for part in (record.provider_name, country, fields) if part)
    else:
        title = (getattr(record, "title_en", "") if language != "vi" else "") or record.title
        detail = fields
    return {"title": title, "detail": detail, "url": record.get_absolute_url()}


def _announce(saved_search: SavedSearch, digest: Digest, records: list) -> None:
    """One in-app notification and one mail for the digest, in the owner's language."""
    user = saved_search.user
    language = language_of(user)
    with translation.override(language):
        lines = [_record_line(saved_search, record, language) for record in records]
        if saved_search.target == Target.OFFERS:
            title = ngettext(
                "%(n)d new offer for «%(name)s»", "%(n)d new offers for «%(name)s»", len(lines)
            )
        else:
            title = ngettext(
                "%(n)d new demand for «%(name)s»", "%(n)d new demands for «%(name)s»", len(lines)
            )
        title = title % {"n": len(lines), "name": saved_search.name}
        frequency = str(saved_search.get_frequency_display())
    notify(
        users=[user],
        kind=Kind.ALERT,
        title=title,
        body="\n".join(line["title"] for line in lines[:SHOWN_IN_MAIL]),
        url=saved_search.get_absolute_url(),
        email=False,  # the digest mail below carries the unsubscribe link
    )
    unsubscribe_url = settings.SITE_URL + reverse(
        "alerts:unsubscribe", args=[unsubscribe_token(saved_search)]
    )
    send_mail(
        to=[user],
        template="alerts/email/digest",
        context={
            "language": language,
            "title": title,
            "name": saved_search.name,
            "frequency": frequency,
            "records": lines[:SHOWN_IN_MAIL],
            "more": max(0, len(lines) - SHOWN_IN_MAIL),
            "list_url": saved_search.list_url,
            "manage_url": saved_search.get_absolute_url(),
            "unsubscribe_url": unsubscribe_url,
        },
        kind=Kind.ALERT,
        headers={
            # RFC 2369 and RFC 8058: mail programs show their own one-click "unsubscribe".
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
