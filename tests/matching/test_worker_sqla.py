"""The embedded broker for real: with no REDIS_URL the portal's own settings send tasks to a
SQLite file through kombu's SQL transport, and a `celery worker` subprocess runs them against
the test database. The portal side is a `manage.py shell` subprocess on the production
settings (portal.settings), so the broker is the one settings choose, not one set by the test.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from demands.models import Demand
from matching.models import Match, MatchedRecord
from tests.conftest import reload_reference_data

from .conftest import OFFERS, TEA_DEMAND, make_demand, make_offer
from .workers import ROOT, Worker, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.worker,
    pytest.mark.xdist_group("celery-worker"),
]


def embedded_env(var_dir: Path) -> dict[str, str]:
    """`make run`'s environment on the test database: no Redis, nothing eager (empty is unset)."""
    db = connection.settings_dict
    return {
        "REDIS_URL": "",
        "CACHE_URL": "",
        "CELERY_BROKER_URL": "",
        "CELERY_TASK_ALWAYS_EAGER": "",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}",
        "PORTAL_VAR_DIR": str(var_dir),
        "SECRET_KEY": "tests-only-not-a-secret",
        "DEBUG": "0",
        "HTTPS": "0",
    }


def portal(env: dict[str, str], code: str) -> str:
    """Run `code` in a portal process on the production settings (as a view would run the
    service), return its output."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"},
            **env,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def embedded_worker(tmp_path):
    reload_reference_data()
    env = embedded_env(tmp_path)
    worker = Worker(tmp_path / "worker.log", settings_module="portal.settings", env=env)
    yield env, worker
    worker.stop()


def test_worker_on_the_sqlite_broker_matches_a_published_demand_and_rematches_after_new_weights(
    embedded_worker, enterprise_tn, staff_tn, rep_jp, coordinator
):
    env, worker = embedded_worker
    offers = [make_offer(rep_jp.organization, **spec) for spec in OFFERS]
    demand = make_demand(enterprise_tn.organization, **TEA_DEMAND, status=Demand.Status.SUBMITTED)

    # Staff publish it: the service queues the matching after its commit.
    portal(
        env,
        "from accounts.models import User; from demands.models import Demand; "
        "from demands.services import demand_publish; "
        f"demand_publish(demand=Demand.objects.get(pk={demand.pk}), by=User.objects.get(pk={staff_tn.pk}))",
    )
    wait_for(
        lambda: Match.objects.filter(demand=demand).count() == len(offers),
        120,
        "the worker to match the published demand",
    )
    worker_log = worker.output()
    broker_file = Path(env["PORTAL_VAR_DIR"]) / "celery-broker.sqlite"
    assert f"sqlite:///{broker_file}" in worker_log  # the worker's banner: the SQLite broker
    assert broker_file.exists()
    assert "matching.match_demand" in worker_log
    best = Match.objects.filter(demand=demand).order_by("-score").first()
    assert best.offer.fields.filter(code="4.01").exists()

    # The coordinator saves new weights: the worker re-matches without waiting for the sweep.
    before = dict(Match.objects.filter(demand=demand).values_list("offer_id", "score"))
    portal(
        env,
        "from accounts.models import User; from matching.services import engine_settings_save; "
        f"engine_settings_save(by=User.objects.get(pk={coordinator.pk}), "
        "weights={'lexical': 0.6, 'structured': 0.1}, note='more weight on exact terms')",
    )
    wait_for(
        lambda: MatchedRecord.objects.filter(
            kind="demand", object_id=demand.pk, engine_version__endswith="/w1"
        ).exists(),
        120,
        "the re-match on the new weights",
    )
    after = dict(Match.objects.filter(demand=demand).values_list("offer_id", "score"))
    assert after != before
    assert "matching.reconcile" in worker.output()
