"""Staff decisions as relevance labels: read them, rank with the portal's own engine, and keep
the weights proposal fitted on them. The arithmetic is in engine/tuning.py.

A match's current status is its label (a staff member can undo a rejection, so the latest
word counts):

| status                                         | grade | why                                  |
|------------------------------------------------|-------|--------------------------------------|
| consented, meeting, negotiating, agreement     | 3     | both sides confirmed the fit         |
| introduced, shortlisted                        | 2     | staff judged the pair an answer      |
| dropped                                        | 1     | staff saw a fit, the parties did not |
| rejected                                       | 0     | judged not an answer                 |
| proposed                                       | -     | nobody has judged it                 |

Only offers still published can be ranked, so labels on archived offers are left out;
demands count in every status (a fulfilled demand carries the best labels: its agreement).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from accounts import permissions
from demands.models import Demand
from offers.models import Offer
from outbox.services import enqueue_on_commit

from . import corpus, services
from .engine import tuning
from .engine.rank import rank_offers_many
from .engine.scoring import Weights
from .engine.tuning import RankFn
from .models import EngineSettings, Match, WeightsProposal

logger = logging.getLogger(__name__)

Status = Match.Status
GRADES = {
    Status.AGREEMENT: 3,
    Status.NEGOTIATING: 3,
    Status.MEETING: 3,
    Status.CONSENTED: 3,
    Status.INTRODUCED: 2,
    Status.SHORTLISTED: 2,
    Status.DROPPED: 1,
    Status.REJECTED: 0,
}
POSITIVE = [status for status, grade in GRADES.items() if grade >= tuning.RELEVANT]
RANK_DEPTH = 100  # offers ranked per demand: the condensed lists look past the top 20
SEARCH_SECONDS = (
    240  # the search stops here: with the rankings before and after, inside the task's 540 s
)
STALE_AFTER = timedelta(minutes=15)  # a proposal "being computed" longer than this was lost


def _judged_pairs():
    """Judged pairs on published offers, of demands with a positive one."""
    positive = Match.objects.filter(status__in=POSITIVE).values("demand_id")
    return Match.objects.filter(
        status__in=list(GRADES),
        demand_id__in=Subquery(positive),
        offer__status__in=Offer.LIVE_STATUSES,
    )


def decision_labels() -> dict[int, dict[int, int]]:
    """{demand id: {offer id: grade}} of every judged pair that can be ranked today."""
    labels: dict[int, dict[int, int]] = {}
    for demand_id, offer_id, status in _judged_pairs().values_list(
        "demand_id", "offer_id", "status"
    ):
        labels.setdefault(demand_id, {})[offer_id] = GRADES[status]
    return labels


def judged_demand_count() -> int:
    """Demands with a shortlisted, introduced or later pair on a published offer (one query)."""
    return (
        _judged_pairs()
        .filter(status__in=POSITIVE)
        .values("demand_id")
        .distinct()
        .order_by()
        .count()
    )


def ranker(demand_ids: Iterable[int]) -> tuple[tuple[Weights, int], RankFn]:
    """A function ranking the published offers for some of `demand_ids` with any weights, over
    the worker's index of the weights in place (the searched weights do not change the index:
    only how its scores combine). Returns (weights, version) and the function."""
    weights, version = corpus.current_weights()
    index = corpus.offer_index(weights)
    demands = (
        Demand.objects.filter(pk__in=list(demand_ids))
        .order_by("id")
        .prefetch_related("fields", "cooperation")
    )
    profiles = [corpus.demand_profile(d) for d in demands]
    vectors = corpus.vectors_for("demand", profiles)
    row_of = {p.id: i for i, p in enumerate(profiles)}
    today = timezone.localdate()

    def rank(candidate: Weights, ids: Iterable[int]) -> dict[int, list[int]]:
        chosen = [d for d in ids if d in row_of]
        rows = [row_of[d] for d in chosen]
        ranked = rank_offers_many(
            [profiles[r] for r in rows],
            None if vectors is None else vectors[rows],
            index,
            candidate,
            top_k=max(RANK_DEPTH, candidate.shortlist),
            today=today,
        )
        return {
            d: [pair.offer_id for pair in pairs] for d, pairs in zip(chosen, ranked, strict=True)
        }

    return (weights, version), rank


def decisions_evaluate() -> dict:
    """nDCG@10 and Recall@20 of the engine in place on the staff's decisions (the command)."""
    started = time.perf_counter()
    labels = decision_labels()
    judged = tuning.judged_demands(labels)
    (weights, version), rank = ranker(judged)
    figures = tuning.decision_metrics(rank(weights, judged), labels)
    return {
        "engine": corpus.engine_version(version),
        "source": "decisions",
        **figures,
        "seconds": round(time.perf_counter() - started, 2),
    }


# --- the weights proposal ----------------------------------------------------------------------


def latest_proposal() -> WeightsProposal | None:
    return WeightsProposal.objects.first()


def proposal_in_progress(proposal: WeightsProposal | None) -> bool:
    """Being computed, and not for so long that its worker must have been lost."""
    return (
        proposal is not None
        and proposal.state == WeightsProposal.State.RUNNING
        and proposal.created_at >= timezone.now() - STALE_AFTER
    )


def weights_proposal_request(*, by) -> WeightsProposal:
    """Queue a fit of the weights on the decisions (one at a time)."""
    permissions.require(by, "matching.settings")
    from .tasks import propose_weights

    with transaction.atomic():
        # Two clicks at once may still queue two fits: harmless, each writes its own row.
        running = WeightsProposal.objects.filter(
            state=WeightsProposal.State.RUNNING, created_at__gte=timezone.now() - STALE_AFTER
        ).first()
        if running is not None:
            return running
        proposal = WeightsProposal.objects.create(
            requested_by=by, based_on_version=corpus.current_weights()[1]
        )
        enqueue_on_commit(propose_weights, proposal.id)
    return proposal


def weights_proposal_compute(*, proposal_id: int) -> None:
    """Fit the weights and store the figures; a proposal already computed is left alone."""
    if not WeightsProposal.objects.filter(
        pk=proposal_id, state=WeightsProposal.State.RUNNING
    ).exists():
        return  # a re-delivered message: the work is done
    try:
        labels = decision_labels()
        (weights, version), rank = ranker(tuning.judged_demands(labels))
        fit = tuning.fit_weights(rank, labels, weights, seconds=SEARCH_SECONDS)
    except (DatabaseError, RedisError, ConnectionError):
        raise  # transient: the task retries, the proposal stays "being computed"
    except Exception as error:
        logger.exception("weights proposal %s failed", proposal_id)
        WeightsProposal.objects.filter(pk=proposal_id).update(
            state=WeightsProposal.State.FAILED,
            error=f"{error.__class__.__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    # Compare-and-swap: two deliveries of the message write the same figures once.
    WeightsProposal.objects.filter(pk=proposal_id, state=WeightsProposal.State.RUNNING).update(
        state=WeightsProposal.State.DONE,
        based_on_version=version,
        enough=fit.enough,
        demands=fit.demands,
        labels=fit.labels,
        weights=fit.weights,
        figures={"current": fit.current, "proposed": fit.proposed},
        finished_at=timezone.now(),
    )


def proposal_refusal(proposal: WeightsProposal | None, version: int) -> str:
    """Why `proposal` cannot be applied now, in words; "" when it can."""
    if proposal is None or proposal.state != WeightsProposal.State.DONE:
        return _("There is no computed proposal.")
    if not proposal.enough:
        return _("Too few decisions to fit weights.")
    if proposal.applied_version is not None:
        return _("This proposal is already applied (version %(version)d).") % {
            "version": proposal.applied_version
        }
    if proposal.based_on_version != version:
        return _("The weights changed after this proposal was computed: fit again.")
    current = proposal.figures["current"]["held"]["ndcg@10"]
    if proposal.figures["proposed"]["held"]["ndcg@10"] < current:
        return _(
            "The proposal does worse than the weights in place on the held-back decisions: "
            "keep the weights in place."
        )
    weights, _version = corpus.current_weights()
    if all(getattr(weights, name) == value for name, value in proposal.weights.items()):
        return _("The weights in place are already the best found.")
    return ""


@transaction.atomic
def weights_proposal_apply(*, proposal: WeightsProposal, by) -> EngineSettings:
    """Save the proposal as a new weights version, the same way as a manual save."""
    permissions.require(by, "matching.settings")
    locked = WeightsProposal.objects.select_for_update().get(pk=proposal.pk)
    refusal = proposal_refusal(locked, corpus.current_weights()[1])
    if refusal:
        raise ValidationError(refusal)
    in_place = EngineSettings.objects.order_by("-version").first()
    row = services.engine_settings_save(
        by=by,
        weights={**(in_place.weights if in_place else {}), **locked.weights},
        note=_("fitted on %(count)d decisions") % {"count": locked.labels},
    )
    locked.applied_version = row.version
    locked.save(update_fields=["applied_version"])
    return row
