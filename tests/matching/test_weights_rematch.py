"""New weights re-match at once (the worker's reconcile queued on commit), not at the next
10-minute sweep; here the tasks run in-process."""

from matching import services
from matching.models import Match, MatchedRecord


def test_saved_weights_rematch_the_published_records_after_commit(
    tea_demand, offers, coordinator, django_capture_on_commit_callbacks
):
    services.match_demand(demand_id=tea_demand.pk)
    before = dict(Match.objects.filter(demand=tea_demand).values_list("offer_id", "score"))
    assert MatchedRecord.objects.get(
        kind="demand", object_id=tea_demand.pk
    ).engine_version.endswith("/w0")

    with django_capture_on_commit_callbacks(execute=True):
        services.engine_settings_save(
            by=coordinator,
            weights={"lexical": 0.6, "structured": 0.1},
            note="more weight on exact terms",
        )

    record = MatchedRecord.objects.get(kind="demand", object_id=tea_demand.pk)
    assert record.engine_version.endswith("/w1")
    assert dict(Match.objects.filter(demand=tea_demand).values_list("offer_id", "score")) != before
    # Every published offer was re-ranked on the new weights too.
    assert set(
        MatchedRecord.objects.filter(kind="offer").values_list("engine_version", flat=True)
    ) == {record.engine_version}
