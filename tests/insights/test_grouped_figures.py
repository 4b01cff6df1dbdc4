"""The dashboards' grouped figures (one query per figure) give what the per-demand definition
gave: checked on a varied world of odd and ordinary connections, for every scope."""

import datetime
import random
import statistics

import pytest
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from connections.models import Agreement, MatchEvent, Meeting
from demands.models import Demand
from insights import figures
from matching.models import Match
from matching.selectors import answering, has_answer, matches_visible_to

from ..factories import OrganizationFactory
from ..matching.conftest import make_demand, make_offer

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

S = Match.Status


# --- the definition as it was: one EXISTS per demand and stage ------------------------------


def _old_reached(matches, stage):
    statuses = figures.STAGES_FROM[stage]
    reached = Q(status__in=statuses) | Q(events__to_status__in=statuses)
    if stage == "introduced":
        reached |= Q(introduced_at__isnull=False)
    elif stage == "meeting":
        reached |= Q(meetings__isnull=False)
    elif stage == "agreement":
        reached |= Q(agreement__isnull=False)
    return matches.filter(reached, demand_id=OuterRef("pk"))


def old_figures(demands, matches, now):
    """The funnel, coverage, unanswered count and median days, demand by demand."""
    since = now - datetime.timedelta(days=figures.UNANSWERED_DAYS)
    annotated = demands.annotate(
        has_answer=has_answer(matches),
        **{f"at_{stage}": Exists(_old_reached(matches, stage)) for stage in figures.STAGES_FROM},
    )
    funnel = dict.fromkeys(figures.FUNNEL_STAGES, 0)
    open_n = answered_n = unanswered_n = 0
    days = []
    for demand in annotated:
        live = demand.status in Demand.LIVE_STATUSES
        open_n += live
        answered_n += live and demand.has_answer
        unanswered_n += (
            demand.status == Demand.Status.PUBLISHED
            and demand.published_at is not None
            and demand.published_at <= since
            and not demand.has_answer
        )
        if demand.published_at is None:
            continue
        funnel["published"] += 1
        funnel["matched"] += demand.has_answer
        for stage in figures.STAGES_FROM:
            funnel[stage] += getattr(demand, f"at_{stage}")
        first = (
            matches.filter(demand=demand, introduced_at__isnull=False)
            .order_by("introduced_at")
            .values_list("introduced_at", flat=True)
            .first()
        )
        if first is not None:
            days.append(max((first - demand.published_at).total_seconds(), 0) / 86400)
    return {
        "funnel": funnel,
        "coverage": {
            "published": open_n,
            "answered": answered_n,
            "percent": figures.percent(answered_n, open_n),
        },
        "unanswered_total": unanswered_n,
        "median": round(statistics.median(days), 1) if days else None,
    }


# --- a varied world --------------------------------------------------------------------------


@pytest.fixture
def varied(thai_nguyen, bac_ninh, rep_jp, rep_de):
    """Three provinces' demands in every status, matches in every status and score, odd
    histories: an introduction date on a proposed pair, a meeting or an agreement on a pair
    whose status says less, events of a dropped pair, a rejected pair that scores high."""
    from portal.models import Province

    rng = random.Random(14)
    third = Province.objects.exclude(pk__in=[thai_nguyen.pk, bac_ninh.pk]).first()
    now = timezone.now()
    offers = [
        make_offer(rep.organization, title=f"Offer {i}", summary="x", country=country)
        for i, (rep, country) in enumerate([(rep_jp, "JP"), (rep_de, "DE")] * 3)
    ]
    statuses = [s for s in Demand.Status.values if s != Demand.Status.DRAFT]
    for province in (thai_nguyen, bac_ninh, third):
        firm = OrganizationFactory(province=province)
        for i in range(14):
            demand = make_demand(
                firm, title=f"Nhu cầu {i}", problem="x", status=rng.choice(statuses)
            )
            if demand.status != Demand.Status.SUBMITTED or rng.random() < 0.3:
                published = now - datetime.timedelta(days=rng.randint(0, 400))
                Demand.objects.filter(pk=demand.pk).update(published_at=published)
                demand.published_at = published
            for offer in rng.sample(offers, rng.randint(0, 3)):
                status = rng.choice(S.values)
                introduced = status in Match.INTRODUCED_STATUSES or rng.random() < 0.1
                published_at = demand.published_at or now
                match = Match.objects.create(
                    demand=demand,
                    offer=offer,
                    score=rng.choice([0.1, 0.3, 0.5, 0.6, 0.9]),
                    status=status,
                    engine_version="test",
                    introduced_at=(
                        published_at + datetime.timedelta(days=rng.randint(-3, 90))
                        if introduced
                        else None
                    ),
                )
                for _ in range(rng.choice([0, 0, 1, 2])):
                    MatchEvent.objects.create(
                        match=match, from_status=S.PROPOSED, to_status=rng.choice(S.values)
                    )
                if rng.random() < 0.15:
                    Meeting.objects.create(match=match, starts_at=now)
                if rng.random() < 0.1:
                    Agreement.objects.create(
                        match=match,
                        kind=Agreement.Kind.LICENSE,
                        value_vnd=rng.randint(1, 9) * 10**8,
                        signed_on=now.date(),
                    )
    return now


def grouped(demands, matches, now):
    summary = figures.demand_figures(demands, matches, now=now)
    return {**summary, "median": figures.median_days_to_introduction(demands, matches)}


def test_the_world_is_varied(varied):
    """Guard: the comparison below means something only if every stage has demands."""
    everything = old_figures(Demand.objects.all(), Match.objects.all(), varied)
    assert all(everything["funnel"][stage] > 0 for stage in figures.FUNNEL_STAGES)
    assert everything["unanswered_total"] > 0
    assert 0 < everything["coverage"]["answered"] < everything["coverage"]["published"]


@pytest.mark.parametrize("who", ["staff_tn", "staff_bn", "coordinator"])
def test_grouped_figures_equal_the_per_demand_definition(varied, cast, who):
    from demands.selectors import demands_visible_to

    user = cast(who)
    demands = demands_visible_to(user)
    if who != "coordinator":
        demands = demands.filter(province_id=user.province_id)
    matches = matches_visible_to(user)
    assert grouped(demands, matches, varied) == old_figures(demands, matches, varied)


def test_per_province_rows_equal_the_per_demand_definition(varied, coordinator):
    demands = Demand.objects.exclude(status=Demand.Status.DRAFT)
    matches = Match.objects.all()
    rows = figures.per_province(demands, matches)
    assert len(rows) == 3
    for row in rows:
        old = old_figures(demands.filter(province_id=row["province_id"]), matches, varied)
        assert {stage: row[stage] for stage in figures.FUNNEL_STAGES} == old["funnel"]
        assert (row["open"], row["answered"]) == (
            old["coverage"]["published"],
            old["coverage"]["answered"],
        )
    total = figures.total_of(rows)
    national = figures.demand_figures(demands, matches)
    assert total == national


def test_answered_ids_follow_the_one_answering_rule(varied):
    ids = {row["demand_id"] for row in figures.answered_ids(Match.objects.all())}
    assert ids == {row["demand_id"] for row in answering().values("demand_id")}
