"""Matches between demands and offers, embeddings and rebuild runs. A match's meetings,
agreement and history belong to the connection workflow (connections/models.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.states import Workflow


class Embedding(models.Model):
    """One record's text vector, recomputed only when its text or the model changes."""

    class Kind(models.TextChoices):
        DEMAND = "demand", _("demand")
        OFFER = "offer", _("offer")

    kind = models.CharField(max_length=6, choices=Kind.choices)
    object_id = models.BigIntegerField()
    model_version = models.CharField(max_length=60)
    text_hash = models.CharField(max_length=64)
    language = models.CharField(max_length=5)
    vector = models.BinaryField()  # float32, little-endian; 384 numbers for e5-small
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("embedding")
        verbose_name_plural = _("embeddings")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="embedding_one_per_record"),
        ]
        # Each search asks the newest vector of its kind (matching/search.py, _newest_id): the
        # end of this index, not a walk through the other kind's newer rows.
        indexes = [models.Index(fields=["kind", "id"], name="embedding_kind_id")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} ({self.model_version})"


class MatchedRecord(models.Model):
    """When a record was last matched, and by which engine: what the repair sweep reads."""

    kind = models.CharField(max_length=6, choices=Embedding.Kind.choices)
    object_id = models.BigIntegerField()
    engine_version = models.CharField(max_length=60)
    matched_at = models.DateTimeField()

    class Meta:
        verbose_name = _("matched record")
        verbose_name_plural = _("matched records")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="matched_record_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} @ {self.engine_version}"


class EngineSettings(models.Model):
    """The weights of the ranking, edited by coordinators; each save is a new version."""

    weights = models.JSONField(_("weights"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    note = models.CharField(_("why this change"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("matching engine settings")
        verbose_name_plural = _("matching engine settings")

    def __str__(self) -> str:
        return f"weights v{self.version}"


class RejectReason(models.TextChoices):
    WRONG_FIELD = "wrong_field", _("wrong field")
    TRL_TOO_EARLY = "trl_too_early", _("TRL too early")
    OVER_BUDGET = "over_budget", _("over budget")
    WRONG_COOPERATION = "wrong_cooperation", _("wrong cooperation type")
    DUPLICATE = "duplicate", _("duplicate")
    OTHER = "other", _("other")


class Answer(models.TextChoices):
    PENDING = "pending", _("no answer yet")
    INTERESTED = "interested", _("interested")
    NOT_INTERESTED = "not_interested", _("not interested")


class Match(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        SHORTLISTED = "shortlisted", _("shortlisted")
        REJECTED = "rejected", _("rejected")
        INTRODUCED = "introduced", _("introduced")
        CONSENTED = "consented", _("both sides interested")
        MEETING = "meeting", _("meeting")
        NEGOTIATING = "negotiating", _("negotiating")
        AGREEMENT = "agreement", _("agreement signed")
        DROPPED = "dropped", _("dropped")

    # Status groups, each defined here only.
    # Awaiting a staff decision: the review queue and its digest.
    REVIEW_STATUSES = (Status.PROPOSED, Status.SHORTLISTED)
    # The road from an introduction to an agreement, in order (the funnel's later stages).
    PROGRESS_STATUSES = (
        Status.INTRODUCED,
        Status.CONSENTED,
        Status.MEETING,
        Status.NEGOTIATING,
        Status.AGREEMENT,
    )
    # Introduced to both sides, whatever became of it since: the parties' and the board's pairs.
    INTRODUCED_STATUSES = (*PROGRESS_STATUSES, Status.DROPPED)
    # Moved forward by staff: each answers its demand whatever its score.
    ADVANCED_STATUSES = (Status.SHORTLISTED, *PROGRESS_STATUSES)
    # Decided against by people: no score makes them an answer again.
    DECIDED_AGAINST_STATUSES = (Status.REJECTED, Status.DROPPED)

    # Every allowed move, declared once: connections.services.match_transition checks it.
    WORKFLOW = Workflow(
        {
            Status.PROPOSED: {Status.SHORTLISTED, Status.REJECTED, Status.INTRODUCED},
            Status.SHORTLISTED: {Status.REJECTED, Status.INTRODUCED},
            Status.REJECTED: {Status.SHORTLISTED},
            Status.INTRODUCED: {Status.CONSENTED, Status.DROPPED},
            Status.CONSENTED: {Status.MEETING, Status.DROPPED},
            Status.MEETING: {Status.MEETING, Status.NEGOTIATING, Status.DROPPED},
            Status.NEGOTIATING: {Status.AGREEMENT, Status.DROPPED},
        },
        refusal=_("A match that is %(status)s cannot move to %(to)s."),
    )

    # No single-column indexes: (demand, offer), (demand, -score) and (offer, -score) serve
    # every lookup, and a rebuild writes 400,000 rows through each index there is.
    demand = models.ForeignKey(
        "demands.Demand",
        verbose_name=_("demand"),
        on_delete=models.CASCADE,
        related_name="matches",
        db_index=False,
    )
    offer = models.ForeignKey(
        "offers.Offer",
        verbose_name=_("offer"),
        on_delete=models.CASCADE,
        related_name="matches",
        db_index=False,
    )
    score = models.FloatField(_("score"))
    components = models.JSONField(_("score components"), default=dict)
    reasons = models.JSONField(_("reasons"), default=list)  # [{"code": ..., "params": {...}}]
    engine_version = models.CharField(_("engine version"), max_length=60)
    # Why the row is kept: among the demand's top offers, the offer's top demands, or both.
    in_demand_top = models.BooleanField(default=False)
    in_offer_top = models.BooleanField(default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)
    reject_reason = models.CharField(
        _("reason for rejecting"), max_length=20, choices=RejectReason.choices, blank=True
    )
    # Introduction with consent (double opt-in): contacts are shown only when both said yes.
    introduced_at = models.DateTimeField(_("introduced at"), null=True, blank=True)
    enterprise_answer = models.CharField(
        _("enterprise's answer"), max_length=15, choices=Answer.choices, default=Answer.PENDING
    )
    enterprise_message = models.TextField(_("enterprise's message"), blank=True)
    enterprise_answered_at = models.DateTimeField(null=True, blank=True)
    representation_answer = models.CharField(
        _("representation's answer"), max_length=15, choices=Answer.choices, default=Answer.PENDING
    )
    representation_message = models.TextField(_("representation's message"), blank=True)
    representation_answered_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    drop_reason = models.TextField(_("why it was dropped"), blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        indexes = [
            models.Index(fields=["demand", "-score"]),
            models.Index(fields=["offer", "-score"]),
            models.Index(fields=["status", "-score"]),
            # The review queue (REVIEW_STATUSES), best first: a province's page reads a few
            # hundred pairs in score order where it sorted 395,000 (Meta cannot name the enum).
            models.Index(
                fields=["-score", "id"],
                condition=Q(status__in=["proposed", "shortlisted"]),
                name="match_review_order",
            ),
            # Pairs staff introduced (the pipeline report): 1,700 of 400,000 rows.
            models.Index(
                fields=["-introduced_at", "id"],
                condition=Q(introduced_at__isnull=False)
                | Q(
                    status__in=[
                        "introduced",
                        "consented",
                        "meeting",
                        "negotiating",
                        "agreement",
                        "dropped",
                    ]
                ),
                name="match_introduced",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["demand", "offer"], name="match_one_per_pair"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="match_score_0_to_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.demand_id} ↔ {self.offer_id} ({self.score:.2f})"

    @property
    def both_consented(self) -> bool:
        return self.enterprise_answer == self.representation_answer == Answer.INTERESTED


class MatchingRun(models.Model):
    """A full rebuild, done in chunks; its row is the progress bar and the resume point."""

    class State(models.TextChoices):
        RUNNING = "running", _("running")
        STOPPING = "stopping", _("stopping")
        STOPPED = "stopped", _("stopped")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.RUNNING
    )
    engine_version = models.CharField(_("engine version"), max_length=60)
    total = models.PositiveIntegerField(_("demands to match"), default=0)
    processed = models.PositiveIntegerField(_("demands matched"), default=0)
    matches_written = models.PositiveIntegerField(_("matches written"), default=0)
    cursor = models.BigIntegerField(default=0)  # last demand id done: resume starts after it
    # Touched as each chunk starts and ends: a run without progress for REBUILD_STALL_AFTER
    # is stalled (its worker was killed, its message sits unacknowledged in the broker).
    heartbeat_at = models.DateTimeField(_("last progress at"), default=timezone.now)
    # Bumped by each resume; a chunk message of an earlier attempt (a late re-delivery of the
    # killed worker's message) is dropped instead of running a second chain of chunks.
    attempt = models.PositiveIntegerField(default=0)
    error = models.TextField(_("error"), blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")

    def __str__(self) -> str:
        return f"run {self.pk} ({self.state})"

    @property
    def percent(self) -> int:
        return round(100 * self.processed / self.total) if self.total else 100


class WeightsProposal(models.Model):
    """Weights fitted on staff decisions, with the figures that justify them (last one shown)."""

    class State(models.TextChoices):
        RUNNING = "running", _("being computed")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.RUNNING
    )
    based_on_version = models.PositiveIntegerField(_("fitted from weights version"), default=0)
    enough = models.BooleanField(_("enough decisions to fit"), default=False)
    demands = models.PositiveIntegerField(_("judged demands"), default=0)
    labels = models.PositiveIntegerField(_("decisions used"), default=0)
    # {"current": {"all"|"fit"|"held": {"ndcg@10", "recall@20", ...}}, "proposed": {"fit"|"held": ...}}
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    weights = models.JSONField(_("proposed weights"), default=dict, blank=True)
    applied_version = models.PositiveIntegerField(_("applied as version"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("computed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("weights proposal")
        verbose_name_plural = _("weights proposals")

    def __str__(self) -> str:
        return f"proposal {self.pk} ({self.state})"
