"""The only writer of Match rows, and the rebuild and repair work around it.

Re-running any of these gives the same rows: scores are upserted per (demand, offer), rows
that fell out of both top lists are removed only while nobody has acted on them, and a staff
decision (status, notes, reviewer) is never overwritten.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from enum import StrEnum

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from psycopg2.extras import execute_values

from accounts import permissions
from demands.models import Demand
from offers.models import Offer
from outbox.services import enqueue_on_commit

from . import corpus, selectors
from .engine.rank import rank_demands, rank_offers_many
from .engine.reasons import ScoredPair
from .models import EngineSettings, Match, MatchedRecord, MatchingRun

logger = logging.getLogger(__name__)

UPSERT_FIELDS = ["score", "components", "reasons", "engine_version", "computed_at", "updated_at"]
WRITE_BLOCK = 128  # demands ranked while the previous block's rows are written
REBUILD_CHUNK = 500  # demands per rebuild task: ~8 s at 100,000 offers, well inside the time limit
ANALYZE_EVERY = (
    10 * REBUILD_CHUNK
)  # demands between two ANALYZEs of the match table during a rebuild


def _rows(pairs: list[ScoredPair], version: str, **flags) -> list[Match]:
    now = timezone.now()
    return [
        Match(
            demand_id=pair.demand_id,
            offer_id=pair.offer_id,
            score=min(1.0, max(0.0, pair.score)),
            components=pair.components,
            reasons=[{"code": r.code, "params": r.params} for r in pair.reasons],
            engine_version=version,
            computed_at=now,
            updated_at=now,
            **flags,
        )
        for pair in pairs
    ]


# What an upsert writes from the engine; every other column of a new row takes its default.
_COMPUTED = (
    "demand_id",
    "offer_id",
    "score",
    "components",
    "reasons",
    "engine_version",
    "computed_at",
    "updated_at",
    "created_at",
)


def _upsert(pairs: list[ScoredPair], version: str, flag: str, writer: Writer | None = None) -> None:
    """Insert or update the pairs' scores, setting `flag` (in_demand_top / in_offer_top).

    On PostgreSQL one INSERT ... ON CONFLICT per 2,000 rows via execute_values: a rebuild
    writes 400,000 rows, and bulk_create would build a Match and prepare all its 30 fields
    for each (a third of the rebuild's time). With a `writer` the statement runs in its
    thread while the caller ranks on. Elsewhere (the SQLite demo) bulk_create.
    """
    update = [*UPSERT_FIELDS, flag]
    if connection.vendor != "postgresql":
        Match.objects.bulk_create(
            _rows(pairs, version, **{flag: True}),
            update_conflicts=True,
            unique_fields=["demand", "offer"],
            update_fields=update,
            batch_size=2000,
        )
        return
    fields = {f.attname: f for f in Match._meta.concrete_fields if not f.primary_key}
    defaults = {
        name: field.get_db_prep_save(field.get_default(), connection)
        for name, field in fields.items()
        if name not in _COMPUTED and name != flag
    }
    columns = [*_COMPUTED, flag, *defaults]
    casts = {"components": "::jsonb", "reasons": "::jsonb"}
    template = "(" + ", ".join(f"%s{casts.get(c, '')}" for c in columns) + ")"
    constants = (True, *defaults.values())
    now = timezone.now()
    rows = [
        (
            pair.demand_id,
            pair.offer_id,
            min(1.0, max(0.0, pair.score)),
            json.dumps(pair.components),
            json.dumps([{"code": r.code, "params": r.params} for r in pair.reasons]),
            version,
            now,
            now,
            now,
            *constants,
        )
        for pair in pairs
    ]
    table = Match._meta.db_table
    assignments = ", ".join(f"{fields[n].column} = EXCLUDED.{fields[n].column}" for n in update)
    sql = (
        f"INSERT INTO {table} ({', '.join(fields[c].column for c in columns)}) VALUES %s "
        f"ON CONFLICT (demand_id, offer_id) DO UPDATE SET {assignments}"
    )
    if writer is not None:
        writer.send(sql, rows, template)
        return
    with connection.cursor() as cursor:
        execute_values(cursor.cursor, sql, rows, template=template, page_size=2000)


class Writer:
    """Runs INSERT statements in one background thread, on the caller's own connection and
    so inside its transaction, while the caller ranks the next block (PostgreSQL does the
    writing on the other core). One statement in flight at a time; errors surface at wait()."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self._raw = connection.connection  # psycopg2 connections are safe to share by threads
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._pending: Future | None = None

    def send(self, sql: str, rows: list, template: str) -> None:
        self.wait()
        self._pending = self._pool.submit(self._execute, sql, rows, template)

    def _execute(self, sql: str, rows: list, template: str) -> None:
        with self._raw.cursor() as cursor:
            execute_values(cursor, sql, rows, template=template, page_size=2000)

    def wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._pool.shutdown(wait=True)


def _prune(scope: Q) -> None:
    """Untouched proposals that are in neither top list go; acted-on matches stay."""
    Match.objects.filter(
        scope, status=Match.Status.PROPOSED, in_demand_top=False, in_offer_top=False
    ).delete()


def _vanished(pairs: list[ScoredPair], model, side: str) -> bool:
    """True, and the indexes forgotten, if a paired record was deleted since the in-memory
    index read it. The portal archives rather than deletes, so the index's freshness check
    (on updated_at) cannot see an admin's deletion: this is where it is caught."""
    wanted = {getattr(p, side) for p in pairs}
    if model.objects.filter(pk__in=wanted).count() == len(wanted):
        return False
    corpus.forget_indexes()
    return True


def demand_context() -> tuple:
    """Weights, engine version and the offer index: read once for many demands."""
    weights, weights_version = corpus.current_weights()
    return weights, corpus.engine_version(weights_version), corpus.offer_index(weights)


def match_demand(*, demand_id: int) -> int:
    """Rank published offers for one demand and keep its top 20 as matches."""
    return match_demands(demand_ids=[demand_id])


@transaction.atomic
def match_demands(*, demand_ids: list[int]) -> int:
    """Rank published offers for each demand (one matrix product for all of them), keep each
    demand's top 20, and drop the untouched proposals that fell out. Returns matches kept."""
    # Row locks serialise two workers matching the same demand at once.
    demands = list(
        corpus.matchable_demands()
        .select_for_update(of=("self",))
        .filter(pk__in=demand_ids)
        .order_by("pk")
    )
    gone = set(demand_ids) - {d.pk for d in demands}
    if gone:  # withdrawn, closed or deleted: their untouched proposals go too
        Match.objects.filter(demand_id__in=gone).update(in_demand_top=False)
        _prune(Q(demand_id__in=gone))
    if not demands:
        return 0
    profiles = [corpus.demand_profile(d) for d in demands]
    vectors = corpus.vectors_for("demand", profiles)
    pairs: list[ScoredPair] = []
    # Blocks of demands: while one block's rows are written, the next one is ranked.
    writer = Writer() if len(profiles) > WRITE_BLOCK and connection.vendor == "postgresql" else None
    context = demand_context()
    try:
        for start in range(0, len(profiles), WRITE_BLOCK):
            block = profiles[start : start + WRITE_BLOCK]
            block_vectors = None if vectors is None else vectors[start : start + WRITE_BLOCK]
            for _attempt in range(2):  # the second time over an index read afresh
                weights, version, index = context
                ranked = rank_offers_many(
                    block,
                    block_vectors,
                    index,
                    weights,
                    top_k=corpus.TOP_K,
                    today=timezone.localdate(),
                )
                block_pairs = [pair for pairs in ranked for pair in pairs]
                if writer:
                    writer.wait()  # the check below shares the connection
                if not _vanished(block_pairs, Offer, "offer_id"):
                    break
                context = demand_context()
            _upsert(block_pairs, version, "in_demand_top", writer)
            pairs += block_pairs
    finally:
        if writer:
            writer.close()
    kept = {(p.demand_id, p.offer_id) for p in pairs}
    # The demands' other rows, read once by demand; the updates and deletes go by primary key
    # (a condition on status or the flags could lead the planner to a scan of the table).
    dropped = [
        (pk, in_top)
        for pk, demand_id, offer_id, in_top in Match.objects.filter(
            demand_id__in=[d.pk for d in demands]
        ).values_list("pk", "demand_id", "offer_id", "in_demand_top")
        if (demand_id, offer_id) not in kept
    ]
    Match.objects.filter(pk__in=[pk for pk, in_top in dropped if in_top]).update(
        in_demand_top=False
    )
    _prune(Q(pk__in=[pk for pk, _in_top in dropped]))
    _records_done("demand", [d.pk for d in demands], version)
    return len(pairs)


@transaction.atomic
def match_offer(*, offer_id: int) -> int:
    """Rank matchable demands for one offer and keep its top 20 as matches."""
    offer = corpus.matchable_offers().select_for_update(of=("self",)).filter(pk=offer_id).first()
    if offer is None:  # archived or back to draft
        Match.objects.filter(offer_id=offer_id).update(in_offer_top=False)
        _prune(Q(offer_id=offer_id))
        return 0
    weights, weights_version = corpus.current_weights()
    profile = corpus.offer_profile(offer)
    vectors = corpus.vectors_for("offer", [profile])
    for _attempt in range(2):  # the second time over an index read afresh
        pairs = rank_demands(
            profile,
            None if vectors is None else vectors[0],
            corpus.demand_index(weights),
            weights,
            top_k=corpus.TOP_K,
            today=timezone.localdate(),
        )
        if not _vanished(pairs, Demand, "demand_id"):
            break
    version = corpus.engine_version(weights_version)
    # A pair already in its demand's top list keeps the demand-side score and reasons: those
    # are what staff read on the demand's page ("top 2% of offers"), whichever side ran last.
    ranked_by_demand = set(
        Match.objects.filter(offer_id=offer_id, in_demand_top=True).values_list(
            "demand_id", flat=True
        )
    )
    Match.objects.filter(offer_id=offer_id, demand_id__in=ranked_by_demand).filter(
        demand_id__in=[p.demand_id for p in pairs]
    ).update(in_offer_top=True)
    _upsert([p for p in pairs if p.demand_id not in ranked_by_demand], version, "in_offer_top")
    Match.objects.filter(offer_id=offer_id, in_offer_top=True).exclude(
        demand_id__in=[p.demand_id for p in pairs]
    ).update(in_offer_top=False)
    _prune(Q(offer_id=offer_id))
    _records_done("offer", [offer_id], version)
    return len(pairs)


def embed_record(*, kind: str, object_id: int) -> bool:
    """Embed one record's text ahead of its matching; True if a vector is now cached.

    A demand is embedded when it is submitted for review and an offer when its draft is
    saved: the embedding (~0.2 s a text on these machines) is then already done when the
    record is published, and its first matches are ranked in tens of milliseconds. An edit
    after that changes the text hash, and publication embeds the new text as before.
    """
    model, profile_of = (
        (Demand, corpus.demand_profile) if kind == "demand" else (Offer, corpus.offer_profile)
    )
    record = model.objects.prefetch_related("fields", "cooperation").filter(pk=object_id).first()
    if record is None:
        return False
    profile = profile_of(record)
    if not profile.full_text.strip():
        return False
    return corpus.vectors_for(kind, [profile]) is not None


# --- full rebuild ---------------------------------------------------------------------------


class RunChange(StrEnum):
    """What a rebuild button (or the sweep) really did; the page says exactly that."""

    STARTED = "started"
    RESUMED = "resumed"
    ALREADY_RUNNING = "already_running"
    ALREADY_STOPPING = "already_stopping"
    STOPPING = "stopping"
    STOPPED = "stopped"
    NOTHING_TO_RESUME = "nothing_to_resume"
    NOTHING_TO_STOP = "nothing_to_stop"


ACTIVE = (MatchingRun.State.RUNNING, MatchingRun.State.STOPPING)


def _changed(run: MatchingRun, change: RunChange) -> MatchingRun:
    run.change = change  # read by the view to word its message
    return run


def _is_stalled(run: MatchingRun) -> bool:
    return selectors.runs_stalled(MatchingRun.objects.filter(pk=run.pk)).exists()


def _requeue(run: MatchingRun, *, enqueue: bool) -> MatchingRun:
    """Reopen a locked run from its cursor under a new attempt and queue its next chunk.

    The chunk the lost worker held is redone (its upserts give the same rows); the lost
    worker's own message, if the broker re-delivers it later, carries the old attempt and is
    dropped by rebuild_chunk, so two chains of chunks never run side by side."""
    from .tasks import rebuild_matches

    run.state, run.error, run.finished_at = MatchingRun.State.RUNNING, "", None
    run.attempt += 1
    run.heartbeat_at = timezone.now()
    run.save(
        update_fields=["state", "error", "finished_at", "attempt", "heartbeat_at", "updated_at"]
    )
    if enqueue:
        enqueue_on_commit(rebuild_matches, run.id, run.attempt)
    return _changed(run, RunChange.RESUMED)


def rebuild_start(*, by, enqueue: bool = True) -> MatchingRun:
    """Start a full rebuild (one at a time); the worker works through it in chunks.

    An active run is returned instead (`run.change` says so); a stalled one is resumed.
    With enqueue=False the caller runs the chunks itself (`manage.py rebuild_matches`)."""
    permissions.require(by, "matching.rebuild")
    from .tasks import rebuild_matches

    with transaction.atomic():
        active = MatchingRun.objects.select_for_update().filter(state__in=ACTIVE).first()
        if active:
            if _is_stalled(active):
                return _requeue(active, enqueue=enqueue)
            return _changed(
                active,
                RunChange.ALREADY_RUNNING
                if active.state == MatchingRun.State.RUNNING
                else RunChange.ALREADY_STOPPING,
            )
        _weights, weights_version = corpus.current_weights()
        run = MatchingRun.objects.create(
            engine_version=corpus.engine_version(weights_version),
            total=corpus.matchable_demands().count(),
            started_by=by,
        )
        if enqueue:
            enqueue_on_commit(rebuild_matches, run.id, run.attempt)
    return _changed(run, RunChange.STARTED)


@transaction.atomic
def rebuild_stop(*, run: MatchingRun, by) -> MatchingRun:
    """Ask a running run to stop after its chunk; a stalled run (no worker on it) stops now."""
    permissions.require(by, "matching.rebuild")
    run = MatchingRun.objects.select_for_update().get(pk=run.pk)
    if run.state not in ACTIVE:
        return _changed(run, RunChange.NOTHING_TO_STOP)
    if _is_stalled(run):
        run.state = MatchingRun.State.STOPPED
        run.save(update_fields=["state", "updated_at"])
        return _changed(run, RunChange.STOPPED)
    if run.state == MatchingRun.State.STOPPING:
        return _changed(run, RunChange.ALREADY_STOPPING)
    run.state = MatchingRun.State.STOPPING
    run.save(update_fields=["state", "updated_at"])
    return _changed(run, RunChange.STOPPING)


@transaction.atomic
def rebuild_resume(*, run: MatchingRun, by, enqueue: bool = True) -> MatchingRun:
    """Continue a stopped, failed or stalled run from its cursor (a stopping one just keeps
    going). Returns the run, or the other run already active, with `run.change`."""
    permissions.require(by, "matching.rebuild")
    run = MatchingRun.objects.select_for_update().get(pk=run.pk)
    if run.state == MatchingRun.State.DONE:
        return _changed(run, RunChange.NOTHING_TO_RESUME)
    if run.state not in ACTIVE:
        other = MatchingRun.objects.select_for_update().filter(state__in=ACTIVE).first()
        if other is not None:  # one run at a time
            return _changed(other, RunChange.ALREADY_RUNNING)
        return _requeue(run, enqueue=enqueue)
    if _is_stalled(run):
        return _requeue(run, enqueue=enqueue)
    if run.state == MatchingRun.State.STOPPING:
        # Its worker is still on the chunk and has not seen the stop yet: it simply goes on.
        run.state = MatchingRun.State.RUNNING
        run.save(update_fields=["state", "updated_at"])
        return _changed(run, RunChange.RESUMED)
    return _changed(run, RunChange.ALREADY_RUNNING)


def rebuild_resume_stalled() -> list[int]:
    """The sweep's part (matching.reconcile): re-queue each stalled running run from its cursor;
    a stalled stopping run is marked stopped (a stop was asked for). Returns the runs re-queued."""
    resumed = []
    for run_id in selectors.runs_stalled().values_list("pk", flat=True):
        with transaction.atomic():
            run = MatchingRun.objects.select_for_update().get(pk=run_id)
            if not _is_stalled(run):  # a worker took it up meanwhile
                continue
            if run.state == MatchingRun.State.STOPPING:
                run.state = MatchingRun.State.STOPPED
                run.save(update_fields=["state", "updated_at"])
                continue
            _requeue(run, enqueue=True)
            resumed.append(run.pk)
    return resumed


def rebuild_chunk(*, run_id: int, attempt: int | None = None) -> bool:
    """Match the next chunk of demands after the run's cursor. True when more remain.

    `attempt` is the run's attempt the message was queued under (None: the caller drives the
    run itself); a message from before a resume is dropped."""
    with transaction.atomic():
        run = MatchingRun.objects.select_for_update().get(pk=run_id)
        if attempt is not None and attempt != run.attempt:
            logger.info(
                "rebuild run %s: dropped a chunk message of attempt %s (the run is at %s)",
                run_id,
                attempt,
                run.attempt,
            )
            return False
        if run.state == MatchingRun.State.STOPPING:
            run.state = MatchingRun.State.STOPPED
            run.save(update_fields=["state", "updated_at"])
            return False
        if run.state != MatchingRun.State.RUNNING:
            return False  # a duplicate delivery of a finished or stopped run
        demand_ids = list(
            corpus.matchable_demands()
            .filter(pk__gt=run.cursor)
            .order_by("pk")
            .values_list("pk", flat=True)[: rebuild_chunk_size()]
        )
        run.heartbeat_at = timezone.now()  # a worker holds the run: not stalled
        run.save(update_fields=["heartbeat_at"])
    if run.processed % ANALYZE_EVERY == 0 and connection.vendor == "postgresql":
        # A rebuild rewrites the match table faster than autovacuum re-reads its statistics
        # (and autovacuum may be off): with those of a near-empty table the planner scanned
        # all 400,000 rows for each chunk's lookups (~1.5 s a chunk instead of ~30 ms).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Match._meta.db_table}")
    written = match_demands(demand_ids=demand_ids) if demand_ids else 0
    with transaction.atomic():
        run = MatchingRun.objects.select_for_update().get(pk=run_id)
        if attempt is not None and attempt != run.attempt:
            return False  # resumed while this chunk ran (thought stalled): the new attempt goes on
        # Compare-and-swap on the cursor: a re-delivered chunk does not count twice.
        if demand_ids and demand_ids[-1] > run.cursor:
            run.cursor = demand_ids[-1]
            run.processed = min(run.total, run.processed + len(demand_ids))
            run.matches_written += written
        run.heartbeat_at = timezone.now()
        more = len(demand_ids) == rebuild_chunk_size()
        if (
            run.state not in ACTIVE
        ):  # stopped meanwhile as stalled: keep the progress, go no further
            more = False
        elif not more:
            run.state = MatchingRun.State.DONE
            run.processed = run.total
            run.finished_at = timezone.now()
        run.save()
    return more


def rebuild_chunk_size() -> int:
    """Demands per chunk; the worker drills set a few so a small corpus has a middle."""
    return getattr(settings, "REBUILD_CHUNK", REBUILD_CHUNK)


# --- repair ------------------------------------------------------------------------------------


def _unmatched(queryset, kind: str, version: str):
    done = MatchedRecord.objects.filter(
        kind=kind,
        object_id=OuterRef("pk"),
        engine_version=version,
        matched_at__gte=OuterRef("updated_at"),
    )
    return queryset.exclude(Exists(done)).order_by("pk").values_list("pk", flat=True)


def stale_records(limit: int = 500) -> tuple[list[int], list[int]]:
    """Matchable records never matched, matched before their last edit, or by an older engine.

    The outbox keeps a message the broker refused, but a process that dies between commit and
    publish still loses it; this sweep is what guarantees every record is matched in the end.
    """
    _weights, weights_version = corpus.current_weights()
    version = corpus.engine_version(weights_version)
    demands = _unmatched(corpus.matchable_demands(), "demand", version)[:limit]
    offers = _unmatched(corpus.matchable_offers(), "offer", version)[:limit]
    return list(demands), list(offers)


def _records_done(kind: str, object_ids: list[int], version: str) -> None:
    now = timezone.now()
    MatchedRecord.objects.bulk_create(
        [
            MatchedRecord(kind=kind, object_id=i, engine_version=version, matched_at=now)
            for i in object_ids
        ],
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["engine_version", "matched_at"],
    )


def engine_settings_save(*, by, weights: dict, note: str = "") -> EngineSettings:
    """A new version of the weights; reconciliation then re-matches everything."""
    permissions.require(by, "matching.settings")
    from .tasks import reconcile

    current = EngineSettings.objects.order_by("-version").first()
    row = EngineSettings.objects.create(
        weights=weights, note=note, updated_by=by, version=(current.version + 1) if current else 1
    )
    corpus.forget_indexes()
    # Re-match now rather than at the next sweep (up to 10 minutes away); the sweep stays the
    # guarantee if this message is lost.
    enqueue_on_commit(reconcile)
    return row


def rebuild_fail(*, run_id: int, error: Exception, attempt: int | None = None) -> None:
    """Record why a rebuild stopped; the coordinator can resume it from its cursor."""
    runs = MatchingRun.objects.filter(pk=run_id)
    if attempt is not None:  # a message from before a resume fails nothing
        runs = runs.filter(attempt=attempt)
    runs.update(
        state=MatchingRun.State.FAILED,
        error=f"{error.__class__.__name__}: {error}"[:2000],
        finished_at=timezone.now(),
    )


def match_ensure(*, demand_id: int, offer_id: int) -> Match:
    """The pair's match, created where the engine kept none (score 0, no reasons): people who
    met at a connection session and want to follow up put the pair into the pipeline."""
    match, _created = Match.objects.get_or_create(
        demand_id=demand_id,
        offer_id=offer_id,
        defaults={"score": 0.0, "engine_version": "by-hand", "components": {}, "reasons": []},
    )
    return match
