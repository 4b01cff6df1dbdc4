"""Dashboard and report figures: pure reads over querysets the caller already scoped.

Each function takes the scoped querysets (`demands_visible_to`, `matches_visible_to`, ...),
runs a fixed number of aggregate queries whatever the number of rows, and returns plain dicts
and lists. Nothing here decides who sees what: the caller passes the scope.
"""

from __future__ import annotations

import datetime
import statistics

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from connections.models import Agreement, Meeting
from demands.models import CampaignInvitation, Demand
from matching.models import Match
from matching.selectors import answering, has_answer
from portal.choices import collated
from portal.models import Field

UNANSWERED_DAYS = 90
# Coverage and the "no answer" list look at live demands (Demand.LIVE_STATUSES).

# The funnel: each stage counts the demands with a match that reached it (now or before
# being dropped, as the match's history records): that status or a later one on the road.
_ROAD = Match.PROGRESS_STATUSES
STAGES_FROM = {
    stage: _ROAD[_ROAD.index(stage) :]
    for stage in ("introduced", "consented", "meeting", "agreement")
}
FUNNEL_STAGES = ("published", "matched", "introduced", "consented", "meeting", "agreement")


def introduced(matches: QuerySet) -> QuerySet:
    """The matches staff introduced to both sides, whatever became of them since."""
    return matches.filter(Q(introduced_at__isnull=False) | Q(status__in=Match.INTRODUCED_STATUSES))


def answered_ids(matches: QuerySet) -> QuerySet:
    """Ids of the demands with an answering match among `matches`, each once: a set the
    database builds once per query (a hashed subplan), not a subquery run per demand."""
    return answering(matches).order_by().values("demand_id").distinct()


def reached(matches: QuerySet, stage: str) -> Q:
    """For a query over demands: the demand has a match among `matches` that reached `stage`
    (its status now, a status its history records, or the meeting or agreement it holds).
    Each part is an uncorrelated set of demand ids, built once per query."""
    statuses = STAGES_FROM[stage]
    now = Q(status__in=statuses)
    if stage == "introduced":
        now |= Q(introduced_at__isnull=False)
    parts = [
        matches.filter(now),
        matches.filter(events__to_status__in=statuses),
    ]
    if stage == "meeting":
        parts.append(matches.filter(meetings__isnull=False))
    elif stage == "agreement":
        parts.append(matches.filter(agreement__isnull=False))
    condition = Q()
    for part in parts:
        condition |= Q(pk__in=part.order_by().values("demand_id"))
    return condition


def funnel_rows(
    demands: QuerySet,
    matches: QuerySet,
    keys: tuple[str, ...] = (),
    *,
    order: tuple[str, ...] = (),
    days: int = UNANSWERED_DAYS,
    now: datetime.datetime | None = None,
) -> list[dict]:
    """Per group of `keys` (one row without keys): the funnel (demands published -> matched
    -> introduced -> consent -> meeting -> agreement), the open demands and those with an
    answer (coverage), and the demands without any answer for `days`.

    Two grouped queries: the stages, each an uncorrelated set of demand ids; then the
    demands with an answer (a semi-join over the answering matches, read once where three
    filters on the same set made the database build it three times)."""
    since = (now or timezone.now()) - datetime.timedelta(days=days)
    published = Q(published_at__isnull=False)
    live = Q(status__in=Demand.LIVE_STATUSES)
    waiting = Q(status=Demand.Status.PUBLISHED, published_at__lte=since)
    stages = {
        "published": Count("id", filter=published),
        **{stage: Count("id", filter=published & reached(matches, stage)) for stage in STAGES_FROM},
        "open": Count("id", filter=live),
        "waiting": Count("id", filter=waiting),
    }
    answers = {
        "matched": Count("id", filter=published),
        "answered": Count("id", filter=live),
        "waiting_answered": Count("id", filter=waiting),
    }
    rows = _rows(demands.order_by(), keys, stages, order)
    answered = demands.filter(pk__in=answered_ids(matches)).order_by()
    found = {tuple(row[k] for k in keys): row for row in _rows(answered, keys, answers)}
    for row in rows:
        counts = found.get(tuple(row[k] for k in keys), {})
        row.update({name: counts.get(name, 0) for name in answers})
        row["unanswered"] = row.pop("waiting") - row.pop("waiting_answered")
    return rows


def _rows(queryset: QuerySet, keys: tuple[str, ...], aggregates: dict, order=()) -> list[dict]:
    if not keys:
        return [queryset.aggregate(**aggregates)]
    return list(queryset.values(*keys).annotate(**aggregates).order_by(*order))


def demand_figures(
    demands: QuerySet,
    matches: QuerySet,
    *,
    days: int = UNANSWERED_DAYS,
    now: datetime.datetime | None = None,
) -> dict:
    """The funnel, coverage (share of open published demands with an answering match) and
    the number of demands without any answer for `days` (`funnel_rows` of one group)."""
    return _summary(funnel_rows(demands, matches, days=days, now=now)[0])


def _summary(row: dict) -> dict:
    return {
        "funnel": {stage: row[stage] for stage in FUNNEL_STAGES},
        "coverage": {
            "published": row["open"],
            "answered": row["answered"],
            "percent": percent(row["answered"], row["open"]),
        },
        "unanswered_total": row["unanswered"],
    }


def demands_by_field(demands: QuerySet) -> list[dict]:
    rows = (
        Field.objects.filter(demands__in=demands.order_by().values("pk"))
        .annotate(n=Count("demands", distinct=True))
        .order_by("-n", "code")
    )
    return [{"code": f.code, "name": f.name, "n": f.n} for f in rows]


def demands_by_status(demands: QuerySet) -> list[dict]:
    rows = demands.order_by().values("status").annotate(n=Count("id"))
    return status_rows({row["status"]: row["n"] for row in rows})


def status_rows(counts: dict[str, int]) -> list[dict]:
    """Demand status counts as rows, drafts aside (they stay the firm's own)."""
    return [
        {"status": value, "label": str(label), "n": counts.get(value, 0)}
        for value, label in Demand.Status.choices
        if value != Demand.Status.DRAFT
    ]


def campaign_response(campaigns: QuerySet) -> dict:
    """Per campaign: enterprises invited and those that sent a demand (not a draft) to it."""
    responded = Demand.objects.filter(
        campaign_id=OuterRef("campaign_id"), organization_id=OuterRef("organization_id")
    ).exclude(status=Demand.Status.DRAFT)
    rows = list(
        CampaignInvitation.objects.filter(campaign__in=campaigns.order_by().values("pk"))
        .values("campaign_id", "campaign__name", "campaign__year")
        .annotate(invited=Count("id"), responded=Count("id", filter=Q(Exists(responded))))
        .order_by("-campaign__year", "campaign__name")
    )
    invited = sum(r["invited"] for r in rows)
    answered = sum(r["responded"] for r in rows)
    return {
        "campaigns": [
            {
                "id": r["campaign_id"],
                "name": r["campaign__name"],
                "year": r["campaign__year"],
                "invited": r["invited"],
                "responded": r["responded"],
                "rate": percent(r["responded"], r["invited"]),
            }
            for r in rows
        ],
        "invited": invited,
        "responded": answered,
        "rate": percent(answered, invited),
    }


def awaiting_review_count(matches: QuerySet) -> int:
    """Good-enough matches that no one has introduced or rejected yet."""
    return answering(matches).filter(status__in=Match.REVIEW_STATUSES).count()


def median_days_to_introduction(demands: QuerySet, matches: QuerySet) -> float | None:
    """Median days from publishing a demand to its first introduction (None without any).
    One grouped query gives each introduced demand's first introduction; the median of those
    few thousand numbers is taken here, the same on PostgreSQL and SQLite."""
    pairs = (
        matches.filter(
            introduced_at__isnull=False,
            demand__published_at__isnull=False,
            demand_id__in=demands.order_by().values("pk"),
        )
        .order_by()
        .values_list("demand_id", "demand__published_at")
        .annotate(first_introduced=Min("introduced_at"))
    )
    days = [max((intro - published).total_seconds(), 0) / 86400 for _pk, published, intro in pairs]
    return round(statistics.median(days), 1) if days else None


def unanswered(
    demands: QuerySet,
    matches: QuerySet,
    *,
    days: int = UNANSWERED_DAYS,
    now: datetime.datetime | None = None,
) -> QuerySet:
    """Published demands without any answering match for `days` days: the list to send
    abroad or to turn into a provincially ordered S&T task."""
    return (
        demands.filter(_unanswered_filter(has_answer(matches), days, now))
        .select_related("organization", "province")
        .prefetch_related("fields")
        .order_by("published_at", "id")
    )


def _unanswered_filter(answered: Exists | Q, days: int, now: datetime.datetime | None) -> Q:
    since = (now or timezone.now()) - datetime.timedelta(days=days)
    return Q(status=Demand.Status.PUBLISHED, published_at__lte=since) & ~Q(answered)


def per_province(demands: QuerySet, matches: QuerySet) -> list[dict]:
    """One row per province with demands: the funnel, coverage and agreements' value
    (`funnel_rows` grouped by province, and one grouped query for the value)."""
    keys = ("province_id", "province__name_vi", "province__name_en")
    rows = funnel_rows(demands, matches, keys, order=("province__name_vi",))
    value = {
        r["match__demand__province_id"]: r["value"]
        for r in Agreement.objects.filter(match__in=matches.order_by().values("pk"))
        .values("match__demand__province_id")
        .annotate(value=Sum("value_vnd"))
        .order_by()
    }
    for row in rows:
        row["name"] = _bilingual(row["province__name_vi"], row["province__name_en"])
        row["coverage"] = percent(row["answered"], row["open"])
        row["agreement_value"] = value.get(row["province_id"]) or 0
    # Vietnamese alphabetical order (Đắk Lắk after Điện Biên, before Đồng Nai), not the bytes'
    return collated(rows, key=lambda row: row["province__name_vi"])


def total_of(rows: list[dict]) -> dict:
    """The summary `demand_figures` gives, added up from `per_province` rows (each demand
    counts in its one province)."""
    keys = (*FUNNEL_STAGES, "open", "answered", "unanswered")
    return _summary({key: sum(row[key] for row in rows) for key in keys})


def per_representation(
    representations: QuerySet, offers: QuerySet, matches: QuerySet
) -> list[dict]:
    """Per overseas representation: offers posted, introductions, agreements (3 queries:
    the introduced matches and the agreements are grouped on their own, not all 400,000
    matches joined to their offers)."""
    posted = dict(
        offers.filter(published_at__isnull=False)
        .order_by()
        .values("representation_id")
        .annotate(n=Count("id"))
        .values_list("representation_id", "n")
    )
    introductions = dict(
        matches.filter(introduced_at__isnull=False)
        .order_by()
        .values("offer__representation_id")
        .annotate(n=Count("id"))
        .values_list("offer__representation_id", "n")
    )
    by_rep = {
        r["offer__representation_id"]: r
        for r in matches.filter(agreement__isnull=False)
        .order_by()
        .values("offer__representation_id")
        .annotate(agreements=Count("agreement"), value=Sum("agreement__value_vnd"))
    }
    rows = []
    for rep in representations.order_by("name"):
        counts = by_rep.get(rep.pk, {})
        rows.append(
            {
                "id": rep.pk,
                "name": rep.name,
                "country": rep.country.name,
                "offers": posted.get(rep.pk, 0),
                "introductions": introductions.get(rep.pk, 0),
                "agreements": counts.get("agreements", 0),
                "agreement_value": counts.get("value") or 0,
            }
        )
    return rows


def match_status_counts(matches: QuerySet) -> dict[str, int]:
    rows = matches.order_by().values("status").annotate(n=Count("id"))
    counts = {row["status"]: row["n"] for row in rows}
    return {value: counts.get(value, 0) for value, _label in Match.Status.choices}


def yearly_by_province(
    provinces: QuerySet, demands: QuerySet, matches: QuerySet, year: int
) -> list[dict]:
    """Per province, in `year`: demands published, offers answering them, introductions,
    meetings held, agreements signed and their value (5 queries)."""
    published = demands.filter(published_at__year=year)
    demand_n = _grouped(published, "province_id", n=Count("id"))
    offer_n = _grouped(
        answering(matches).filter(demand__in=published.values("pk")),
        "demand__province_id",
        n=Count("offer_id", distinct=True),
    )
    intro_n = _grouped(
        matches.filter(introduced_at__year=year), "demand__province_id", n=Count("id")
    )
    meeting_n = _grouped(
        Meeting.objects.filter(match__in=matches.values("pk"), starts_at__year=year),
        "match__demand__province_id",
        n=Count("id"),
    )
    agreements = _grouped(
        Agreement.objects.filter(match__in=matches.values("pk"), signed_on__year=year),
        "match__demand__province_id",
        n=Count("id"),
        value=Sum("value_vnd"),
    )
    rows = []
    for province in provinces.order_by("name_vi"):
        pk = province.pk
        rows.append(
            {
                "province": province.name_vi,
                "demands": demand_n.get(pk, {}).get("n", 0),
                "offers": offer_n.get(pk, {}).get("n", 0),
                "introductions": intro_n.get(pk, {}).get("n", 0),
                "meetings": meeting_n.get(pk, {}).get("n", 0),
                "agreements": agreements.get(pk, {}).get("n", 0),
                "agreement_value": agreements.get(pk, {}).get("value") or 0,
            }
        )
    return rows


def _grouped(queryset: QuerySet, key: str, **aggregates) -> dict:
    return {row[key]: row for row in queryset.order_by().values(key).annotate(**aggregates)}


def _bilingual(name_vi: str, name_en: str) -> str:
    from django.utils.translation import get_language

    return name_en if (get_language() or "vi").startswith("en") else name_vi


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None
