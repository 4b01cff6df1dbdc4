"""Moving the workflow's models out of matching loses no row: the seeded demo is migrated back
to before the move (matching 0004) and forward again, and every meeting, agreement and event
is still there, on the same match, and its content type followed it."""

from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from connections.models import Agreement, MatchEvent, Meeting

BEFORE_THE_MOVE = [("matching", "0004_run_heartbeat_attempt"), ("connections", None)]
MOVED = {
    Meeting: "matching_meeting",
    Agreement: "matching_agreement",
    MatchEvent: "matching_matchevent",
}


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)  # a fresh graph each time, as `migrate` builds
    executor.migrate(targets)


def rows_by_table() -> dict[str, list[tuple[int, int]]]:
    """(id, match_id) of every row of the three tables, read by SQL under the old names."""
    with connection.cursor() as cursor:
        rows = {}
        for table in MOVED.values():
            cursor.execute(f"SELECT id, match_id FROM {table} ORDER BY id")
            rows[table] = cursor.fetchall()
    return rows


def rows_by_model() -> dict[str, list[tuple[int, int]]]:
    return {
        table: list(model.objects.order_by("id").values_list("id", "match_id"))
        for model, table in MOVED.items()
    }


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_demo_keeps_every_row_back_and_forth_across_the_move():
    call_command("seed_demo", password="demo-password-2026", stdout=StringIO())
    ContentType.objects.get_for_models(*MOVED)  # as the admin and permissions create them
    before = rows_by_model()
    assert all(before.values()), before  # the demo has meetings, an agreement and events
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        migrate(BEFORE_THE_MOVE)
        assert rows_by_table() == before
        assert set(
            ContentType.objects.filter(model__in=["meeting", "agreement", "matchevent"])
            .values_list("app_label", flat=True)
            .distinct()
        ) == {"matching"}
    finally:
        migrate(leaf)
    ContentType.objects.clear_cache()
    assert rows_by_model() == before
    for model in MOVED:
        content_type = ContentType.objects.get_for_model(model)
        assert content_type.app_label == "connections"
    agreement = Agreement.objects.select_related("match").get()
    assert agreement.match.status == "agreement"
    assert agreement.match.events.count() and agreement.match.meetings.count()
