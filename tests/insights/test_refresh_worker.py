"""Expired dashboard figures for real, as `make run` serves them: the web process (production
settings, no Redis) shows the kept figures and queues their refresh on the embedded SQLite
broker, a `celery worker` subprocess recomputes them into the cache both share (files in var/),
and the next visit reads the new ones."""

import pytest

from matching.models import Match
from tests.matching.test_worker_sqla import embedded_worker, portal  # noqa: F401
from tests.matching.workers import wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.worker,
    pytest.mark.xdist_group("celery-worker"),
]

FIGURES = """
from accounts.models import User
from django.utils import translation
from insights import dashboards
translation.activate("vi")
context = dashboards.staff_context(User.objects.get(pk={pk}))
print("figures", context["matches_awaiting_review"], context["figures_as_of"].isoformat())
"""

AGE = """
import datetime
from django.core.cache import cache
from insights import snapshots
key = snapshots._key("province:{province}", "dashboard", "vi")
entry = cache.get(key)
entry["at"] -= datetime.timedelta(minutes=10)
cache.set(key, entry, snapshots.KEEP)
"""


def figures(env, user) -> tuple[int, str]:
    output = portal(env, FIGURES.format(pk=user.pk)).splitlines()
    _label, count, at = next(line for line in output if line.startswith("figures ")).split()
    return int(count), at


def test_the_embedded_worker_refreshes_expired_figures(embedded_worker, world, staff_tn):  # noqa: F811
    env, worker = embedded_worker
    first = figures(env, staff_tn)
    Match.objects.filter(
        status=Match.Status.SHORTLISTED, demand__province_id=staff_tn.province_id
    ).update(status=Match.Status.REJECTED)
    assert figures(env, staff_tn) == first  # kept: someone else's change waits for the expiry
    portal(env, AGE.format(province=staff_tn.province_id))
    expired = figures(env, staff_tn)  # shown at once, and the refresh queued
    assert expired[0] == first[0]
    wait_for(
        lambda: (
            "insights.refresh_dashboard" in worker.output()
            and "succeeded" in worker.output().split("insights.refresh_dashboard")[-1]
        ),
        120,
        "the worker to refresh the figures",
    )
    fresh = figures(env, staff_tn)
    assert fresh[0] < first[0] and fresh[1] > first[1]
